import { afterAll, describe, expect, it } from "vitest";
import { getPrisma, type User } from "@gatehouse/db";
import { startSmsCapture } from "@gatehouse/provider-stand-ins";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import {
  auditEvents,
  clientAt,
  createTenant,
  expectError,
  expectInvalidField,
  hasRedis,
  newPassword,
  settle,
  signInUser,
  signUpUser,
  sleep,
  useServer,
  wrongCode,
  type Client,
  type SignedUp,
} from "./kit";

/**
 * clientPasswordReset by SMS (services/password-reset.ts on services/sms-code.ts, the limiter's
 * "resetSms" purpose and the SMS volume caps, the outbox), against the JSON capture SMS_URL posts
 * to, real Postgres and Redis. The email half and resetPassword are password-reset.test.ts's.
 */

const sms = await startSmsCapture();
afterAll(() => sms.stop());

/** A fresh Korean mobile number (010-xxxx-xxxx), E.164. */
const newPhone = () => `+8210${String(Math.floor(10_000_000 + Math.random() * 89_999_999))}`;
const national = (e164: string) => `0${e164.slice(3, 5)}-${e164.slice(5, 9)}-${e164.slice(9)}`;
const textsTo = (phone: string) => sms.messages.filter((m) => m.to === phone);

/** Waits for the `nth` text to `phone` (the outbox delivers within a second) and reads its only 6-digit run. */
async function codeTextedTo(phone: string, nth = 1): Promise<string> {
  const deadline = Date.now() + 1_000;
  while (textsTo(phone).length < nth) {
    if (Date.now() > deadline) throw new Error(`no text to ${phone} within a second`);
    await sleep(20);
  }
  const text = textsTo(phone).at(-1)!.text;
  const runs = text.match(/\d{6,}/g) ?? [];
  expect(runs, text).toHaveLength(1);
  return runs[0]!;
}

describe.skipIf(!hasRedis)("clientPasswordReset by SMS", () => {
  const suite = useServer({ mail: true, env: { SMS_URL: sms.url } });
  const url = () => suite.server.url;
  const fresh = () => clientAt(url);

  const sendSms = (client: Client, phone: string, tenantKey = suite.tenantKey) =>
    client.api.clientPasswordReset.sendSmsCode.mutate({ tenantKey, phone });
  const verify = (client: Client, phone: string, code: string, tenantKey = suite.tenantKey) =>
    client.api.clientPasswordReset.verifyCode.mutate({ tenantKey, phone, code });

  /** A user of the suite's tenant whose number is verified (as verifyPhone leaves it). */
  async function withPhone(): Promise<SignedUp & { phone: string; row: User }> {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const phone = newPhone();
    const row = await getPrisma().user.update({
      where: { id: user.session.user.id },
      data: { phone, verifiedPhone: phone, phoneVerifiedAt: new Date() },
    });
    return { ...user, phone, row };
  }

  it("a verified number: answered at once, the text delivered within a second in the tenant's words, the code names the account", async () => {
    const user = await withPhone();
    const c = fresh();
    // A national number reads as the tenant's first country (KR).
    const sent = await sendSms(c, national(user.phone));
    expect(Object.keys(sent).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
    expect(Date.parse(sent.expiresAt) - Date.now()).toBeGreaterThan(290_000);
    expect(Date.parse(sent.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const code = await codeTextedTo(user.phone);
    const text = textsTo(user.phone).at(-1)!;
    expect(text.tenantKey).toBe(suite.tenantKey);
    expect(text.text).toContain(`Tenant ${suite.tenantKey}`);
    expect(text.text).toContain("password reset code");
    const verified = await verify(c, user.phone, code);
    expect(verified.userId).toBe(user.userId);
    // The token resets the password like the email one.
    const password = newPassword();
    await c.api.clientPasswordReset.resetPassword.mutate({ resetToken: verified.resetToken, newPassword: password });
    await signInUser(fresh(), { ...user, password });
    await expectError(fresh().api.clientAuth.refresh.mutate({ refreshToken: user.session.refreshToken }), "auth/InvalidRefreshToken");
    expect((await auditEvents(suite.tenantKey, "user.passwordRecovered")).some((e) => e.target === `user:${user.userId}`)).toBe(true);
  });

  it("a number no user verified (unknown, or only someone's unverified phone): the same answer, the cooldown, no text, every code a 401", async () => {
    const unverified = newPhone();
    await getPrisma().user.update({
      where: { id: (await signUpUser(suite.client, suite.tenantKey)).session.user.id },
      data: { phone: unverified },
    });
    for (const phone of [newPhone(), unverified]) {
      const c = fresh();
      const sent = await sendSms(c, phone);
      expect(Object.keys(sent).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
      const refused = await expectError(sendSms(fresh(), phone), "smsVerification/CooldownActive");
      expect(Date.parse(String(refused.data.nextResendAvailableAt))).toBeGreaterThan(Date.now() + 50_000);
      await sleep(300);
      expect(textsTo(phone)).toHaveLength(0);
      for (const guess of ["000000", "123456"]) await expectError(verify(c, phone, guess), "smsVerification/InvalidCode");
    }
  });

  it("checks in the contract's order: schema, tenant (404), the number (400: format, country, not mobile)", async () => {
    const c = fresh();
    await expectInvalidField(c.api.clientPasswordReset.sendSmsCode.mutate({ tenantKey: suite.tenantKey, phone: "" }), "phone");
    await expectError(sendSms(c, newPhone(), "nope-tenant"), "tenant/NotFound");
    for (const bad of ["abc", "+1 202 555 0100", "02-312-3456", "+442071838750"]) await expectInvalidField(sendSms(c, bad), "phone");
    await expectInvalidField(verify(c, "+442071838750", "123456"), "phone");
  });

  it("cooldown per (tenant, number): 429 smsVerification/CooldownActive with Retry-After; 10 parallel sends make one text", async () => {
    const user = await withPhone();
    const results = await Promise.all(Array.from({ length: 10 }, () => settle(sendSms(fresh(), user.phone))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results) {
      if (r.ok) continue;
      expect(r.appCode).toBe("smsVerification/CooldownActive");
      expect(Number(r.answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(55);
    }
    await codeTextedTo(user.phone);
    await sleep(300);
    expect(textsTo(user.phone)).toHaveLength(1);
    // Another tenant's number of the same digits has its own cooldown.
    const other = await createTenant();
    await sendSms(fresh(), user.phone, other.key);
  });

  it("the volume cap per number (10 per 24 h) counts every request, known number or not, cooldowns included", async () => {
    for (const phone of [newPhone(), (await withPhone()).phone]) {
      // The first send, then nine refused by the cooldown: each counted before anything else.
      await sendSms(fresh(), phone);
      for (let i = 0; i < 9; i++) await expectError(sendSms(fresh(), phone), "smsVerification/CooldownActive");
      await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, phone, "resetSms"));
      const capped = await expectError(sendSms(fresh(), phone), "rateLimit/TooManyRequests");
      expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
    }
  });

  it("wrong codes: 401 smsVerification/InvalidCode each, the 5th kills the code, even the right one then fails", async () => {
    const user = await withPhone();
    const c = fresh();
    await sendSms(c, user.phone);
    const code = await codeTextedTo(user.phone);
    for (let i = 1; i <= 5; i++) await expectError(verify(c, user.phone, wrongCode(code, i)), "smsVerification/InvalidCode");
    await expectError(verify(c, user.phone, code), "smsVerification/InvalidCode");
  });

  it("an SMS code never verifies as an email one, nor the other way", async () => {
    const user = await withPhone();
    const c = fresh();
    await sendSms(c, user.phone);
    const code = await codeTextedTo(user.phone);
    await expectError(
      c.api.clientPasswordReset.verifyCode.mutate({ tenantKey: suite.tenantKey, email: user.email, code }),
      "emailVerification/InvalidCode",
    );
    expect((await verify(c, user.phone, code)).userId).toBe(user.userId);
  });

  it("the number changed hands after the send: the right code is a plain 401 for the old owner", async () => {
    const user = await withPhone();
    const c = fresh();
    await sendSms(c, user.phone);
    const code = await codeTextedTo(user.phone);
    await getPrisma().user.update({ where: { id: user.row.id }, data: { verifiedPhone: null, phoneVerifiedAt: null } });
    await expectError(verify(c, user.phone, code), "smsVerification/InvalidCode");
  });
});

describe.skipIf(!hasRedis)("clientPasswordReset by SMS on a deployment without SMS", () => {
  // No SMS_URL outside `pnpm dev` (tests run as production does): the SMS procedures are 400
  // auth/MethodNotEnabled, email reset runs.
  const suite = useServer({ mail: true });

  it("sendSmsCode and an SMS verifyCode: 400 auth/MethodNotEnabled after the tenant check; the email path still works", async () => {
    const c = clientAt(() => suite.server.url);
    await expectError(
      c.api.clientPasswordReset.sendSmsCode.mutate({ tenantKey: "nope-tenant", phone: "+821012345678" }),
      "tenant/NotFound",
    );
    await expectError(
      c.api.clientPasswordReset.sendSmsCode.mutate({ tenantKey: suite.tenantKey, phone: "not a number" }),
      "auth/MethodNotEnabled",
    );
    await expectError(
      c.api.clientPasswordReset.verifyCode.mutate({ tenantKey: suite.tenantKey, phone: "+821012345678", code: "123456" }),
      "auth/MethodNotEnabled",
    );
    await c.api.clientPasswordReset.sendEmailCode.mutate({ tenantKey: suite.tenantKey, email: "nobody@example.com" });
  });
});
