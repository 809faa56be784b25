import { afterAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import { newKoreanMobile, startSmsCapture } from "./sms-capture";
import {
  auditEvents,
  clientAt,
  expectError,
  expectInvalidField,
  hasRedis,
  settle,
  signUpUser,
  useServer,
  wrongCode,
  type Api,
  type Suite,
} from "./kit";

/**
 * clientPhoneVerification (services/phone-verification.ts on services/sms-code.ts and the limiter
 * of policy/otp-limiter.ts, purposes "phoneVerification" and the SMS volume caps), against a
 * local JSON capture of SMS_URL's webhook (`POST {to, text, tenantKey}`), real Postgres and Redis.
 */

const sms = await startSmsCapture();
afterAll(() => sms.close());

const newPhone = newKoreanMobile;
const national = (e164: string) => `0${e164.slice(3, 5)}-${e164.slice(5, 9)}-${e164.slice(9)}`;
const textsTo = (phone: string) => sms.textsTo(phone);
const latestCode = (phone: string) => sms.latestCode(phone);

async function newUser(suite: Suite): Promise<Api> {
  return (
    await signUpUser(
      clientAt(() => suite.server.url),
      suite.tenantKey,
    )
  ).api;
}

describe.skipIf(!hasRedis)("clientPhoneVerification", () => {
  const suite = useServer({ env: { SMS_URL: sms.url } });
  const send = (api: Api, phone: string) => api.clientPhoneVerification.sendCode.mutate({ phone });
  const verify = (api: Api, code: string) => api.clientPhoneVerification.verifyPhone.mutate({ code });

  it("texts a code that proves the number: phone, verifiedPhone and phoneVerifiedAt set, audited", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    const before = Date.now();
    const sent = await send(api, national(phone));
    expect(Date.parse(sent.expiresAt) - before).toBeGreaterThan(290_000);
    expect(Date.parse(sent.expiresAt) - before).toBeLessThanOrEqual(305_000);
    expect(Date.parse(sent.nextResendAvailableAt) - before).toBeGreaterThan(55_000);
    const [text] = textsTo(phone);
    expect(text).toMatchObject({ to: phone, tenantKey: suite.tenantKey });
    // The tenant's locale (the kit's tenants are "en") and its name.
    expect(text!.text).toContain(suite.tenant.name);
    expect(text!.text).toMatch(/code/);
    const code = latestCode(phone);

    const { user } = await verify(api, code);
    expect(user).toMatchObject({ phone, phoneVerifiedAt: expect.any(String) });
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ phone, verifiedPhone: phone });
    expect((await auditEvents(suite.tenantKey, "user.phoneVerified")).map((e) => e.target)).toContain(`user:${user.userId}`);
    expect((await api.clientAuth.me.query()).user.phone).toBe(phone);
    // The code is used up.
    await expectError(verify(api, code), "smsVerification/InvalidCode");
  });

  it("a Korean tenant's text is in Korean", async () => {
    const tenant = await getPrisma().tenant.update({ where: { key: suite.tenantKey }, data: { locale: "ko" } });
    try {
      const phone = newPhone();
      await send(await newUser(suite), phone);
      expect(textsTo(phone)[0]!.text).toContain("인증번호");
      expect(textsTo(phone)[0]!.text).toContain(tenant.name);
      latestCode(phone);
    } finally {
      await getPrisma().tenant.update({ where: { key: suite.tenantKey }, data: { locale: "en" } });
    }
  });

  it("normalization and country refusal: 400 on phone, nothing texted, nothing counted", async () => {
    const api = await newUser(suite);
    for (const phone of ["+12015550123", "02-2123-4567", "garbage", "+44 7400 123456"]) {
      await expectInvalidField(send(api, phone), "phone");
    }
    await expectInvalidField(send(api, ""), "phone");
    const count = sms.messages.length;
    // The user's cap is untouched by refused numbers: 5 real sends would still pass (one here).
    const phone = newPhone();
    await send(api, phone.replace("+82", "+82 "));
    expect(sms.messages.length).toBe(count + 1);
    // A code that is not 6 digits is a 400, not an attempt.
    await expectInvalidField(verify(api, "12345"), "code");
    // Unauthenticated → 401.
    await expectError(clientAt(() => suite.server.url).api.clientPhoneVerification.sendCode.mutate({ phone }), "auth/Unauthenticated");
  });

  it("10 parallel sends: one code, one SMS", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    const results = await Promise.all(Array.from({ length: 10 }, () => settle(send(api, phone))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(["smsVerification/CooldownActive", "rateLimit/TooManyRequests"]).toContain(r.appCode);
    expect(textsTo(phone)).toHaveLength(1);
    expect((await verify(api, latestCode(phone))).user.phone).toBe(phone);
  });

  it("cooldown per user, whatever the number: 429 with nextResendAvailableAt and Retry-After; the first code still works", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    const sent = await send(api, phone);
    const refused = await expectError(send(api, newPhone()), "smsVerification/CooldownActive");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(55);
    expect(Math.abs(Date.parse(String(refused.data.nextResendAvailableAt)) - Date.parse(sent.nextResendAvailableAt))).toBeLessThan(2_000);
    expect(textsTo(phone)).toHaveLength(1);
    // Another user is not held back by this one's cooldown.
    await send(await newUser(suite), newPhone());
    expect((await verify(api, latestCode(phone))).user.phone).toBe(phone);
  });

  it("5 wrong codes kill the code: then even the right one is 401", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    await send(api, phone);
    const code = latestCode(phone);
    for (let i = 1; i <= 5; i++) await expectError(verify(api, wrongCode(code, i)), "smsVerification/InvalidCode");
    await expectError(verify(api, code), "smsVerification/InvalidCode");
    expect(
      (await getPrisma()
        .user.findFirstOrThrow({ where: { verifiedPhone: phone } })
        .catch(() => null)) ?? null,
    ).toBeNull();
  });

  it("12 parallel wrong codes never beat the attempt cap: the right one after them fails", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    await send(api, phone);
    const code = latestCode(phone);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => settle(verify(api, wrongCode(code, i + 1)))));
    for (const r of results) expect(r.ok ? "ok" : r.appCode).toBe("smsVerification/InvalidCode");
    await expectError(verify(api, code), "smsVerification/InvalidCode");
  });

  it("the failure budget: 15 wrong codes from one network, then 429 even for the right code (another network still may try)", async () => {
    const user = await signUpUser(
      clientAt(() => suite.server.url),
      suite.tenantKey,
    );
    const phone = newPhone();
    await send(user.api, phone);
    for (let round = 0; round < 3; round++) {
      const code = latestCode(phone);
      for (let i = 1; i <= 5; i++) await expectError(verify(user.api, wrongCode(code, i)), "smsVerification/InvalidCode");
      if (round < 2) {
        await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, user.session.user.id, "phoneVerification"));
        await send(user.api, phone);
      }
    }
    await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, user.session.user.id, "phoneVerification"));
    await expectError(send(user.api, phone), "rateLimit/TooManyRequests");
    const elsewhere = clientAt(() => suite.server.url).as(user.session.accessToken);
    await send(elsewhere, phone);
    expect((await verify(elsewhere, latestCode(phone))).user.phone).toBe(phone);
  });

  it("a number another user verified: 409 user/PhoneDuplicated on sendCode (nothing texted, the send counted) and on verifyPhone", async () => {
    const phone = newPhone();
    const owner = await newUser(suite);
    const rival = await newUser(suite);
    // The rival gets a code first, then the owner verifies the number.
    await send(rival, phone);
    const rivalCode = latestCode(phone);
    await send(owner, phone);
    await verify(owner, latestCode(phone));
    await expectError(verify(rival, rivalCode), "user/PhoneDuplicated");

    const third = await newUser(suite);
    const texts = textsTo(phone).length;
    await expectError(send(third, national(phone)), "user/PhoneDuplicated");
    expect(textsTo(phone)).toHaveLength(texts);
    const tenant = suite.tenant;
    // Two sends were texted, the 409 was counted too.
    expect(await getRedis().zcard(redisKeys.smsSendsToNumber(tenant.id, phone))).toBe(3);
    // The owner may send to their own number again (after the cooldown: here, a fresh one's).
    expect(await getPrisma().user.count({ where: { tenantId: tenant.id, verifiedPhone: phone } })).toBe(1);
  });

  it("per user: 5 sends a day, every request counted (cooldowns too), then 429 rateLimit/TooManyRequests", async () => {
    const api = await newUser(suite);
    await send(api, newPhone());
    for (let i = 0; i < 4; i++) await expectError(send(api, newPhone()), "smsVerification/CooldownActive");
    const capped = await expectError(send(api, newPhone()), "rateLimit/TooManyRequests");
    expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
  });

  it("per number: 10 a day across the tenant's users, then 429 for anyone, before the 409", async () => {
    const phone = newPhone();
    for (let i = 0; i < 10; i++) await send(await newUser(suite), phone);
    expect(textsTo(phone)).toHaveLength(10);
    await expectError(send(await newUser(suite), phone), "rateLimit/TooManyRequests");
    expect(textsTo(phone)).toHaveLength(10);
  });

  it("a delivery failure: 503 service/Unavailable, and the code, the cooldown and the counts are taken back", async () => {
    const api = await newUser(suite);
    const phone = newPhone();
    const tenantId = suite.tenant.id;
    sms.failWith = 500;
    try {
      await expectError(send(api, phone), "service/Unavailable");
      sms.failWith = 400;
      await expectError(send(api, phone), "service/Unavailable");
    } finally {
      sms.failWith = null;
    }
    expect(await getRedis().zcard(redisKeys.smsSendsToNumber(tenantId, phone))).toBe(0);
    // At once: no cooldown left behind.
    await send(api, phone);
    expect(await getRedis().zcard(redisKeys.smsSendsToNumber(tenantId, phone))).toBe(1);
    expect((await verify(api, latestCode(phone))).user.phone).toBe(phone);
  });
});

describe.skipIf(!hasRedis)("clientPhoneVerification: the tenant's hourly cap (scaled down)", () => {
  const suite = useServer({ env: { SMS_URL: sms.url, SMS_PER_TENANT_PER_HOUR: "3" } });

  it("the 4th send request of the tenant within the hour is 429, for any user and number; other tenants are untouched", async () => {
    for (let i = 0; i < 3; i++) await (await newUser(suite)).clientPhoneVerification.sendCode.mutate({ phone: newPhone() });
    const phone = newPhone();
    await expectError((await newUser(suite)).clientPhoneVerification.sendCode.mutate({ phone }), "rateLimit/TooManyRequests");
    expect(textsTo(phone)).toHaveLength(0);
  });
});

describe.skipIf(!hasRedis)("clientPhoneVerification without SMS", () => {
  const suite = useServer({ env: { SMS_URL: "" } });

  it("400 auth/MethodNotEnabled when no SMS gateway is configured; a bad number is not even read", async () => {
    const api = await newUser(suite);
    await expectError(api.clientPhoneVerification.sendCode.mutate({ phone: newPhone() }), "auth/MethodNotEnabled");
    await expectError(api.clientPhoneVerification.sendCode.mutate({ phone: "garbage" }), "auth/MethodNotEnabled");
  });
});
