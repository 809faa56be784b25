import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import { otpCodeHmac } from "../src/policy/otp-limiter";
import {
  clientAt,
  createTenant,
  expectError,
  expectInvalidField,
  hasRedis,
  sendCode,
  settle,
  signUpUser,
  unique,
  useServer,
  verifiedUser,
  wrongCode,
  type Client,
  type TenantOptions,
} from "./kit";

/**
 * clientPasswordless.sendCode and .verify: the code half (services/passwordless.ts on the
 * limiter of policy/otp-limiter.ts, purpose "signIn"). What verify does once the code is proved
 * (a session, or a signupToken) is passwordless-signup.ts's, tested in passwordless-register.
 */

const newAddress = () => `${unique("pl")}@example.com`.toLowerCase();

/** A tenant with email-code sign-in switched on. */
async function codeTenant(options: TenantOptions = {}): Promise<Tenant> {
  const tenant = await createTenant(options);
  return getPrisma().tenant.update({ where: { id: tenant.id }, data: { emailCodeSignIn: true } });
}

/** Clients on distinct /24 networks (randomIp's 10.a.b.c: a new /24 each, but for a 1-in-65,536 clash). */
function onNetwork(base: () => string, prefix: string, host = 1): Client {
  return clientAt(base, `${prefix}.${host}`);
}

/**
 * Whether verify let the code through: a session or a signupToken (passwordless-signup.ts), or
 * 401 emailVerification/InvalidCode; anything else fails the test.
 */
async function codeAccepted(call: Promise<unknown>): Promise<boolean> {
  const outcome = await settle(call);
  if (outcome.ok) return true;
  expect(outcome.appCode, JSON.stringify(outcome.answer.body)).toBe("emailVerification/InvalidCode");
  return false;
}

describe.skipIf(!hasRedis)("clientPasswordless: sendCode and verify", () => {
  const suite = useServer({ mail: true });
  const url = () => suite.server.url;
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await codeTenant();
  });

  const send = (client: Client, email: string, tenantKey = tenant.key) =>
    client.api.clientPasswordless.sendCode.mutate({ tenantKey, email });
  const verify = (client: Client, email: string, code: string, tenantKey = tenant.key) =>
    client.api.clientPasswordless.verify.mutate({ tenantKey, email, code });

  it("answers and mails the same for a known and an unknown address; the text's only 6-digit run is the code", async () => {
    const known = await verifiedUser(suite.client, tenant.key, suite.smtp);
    const unknown = newAddress();
    const answers = [await send(suite.client, known.email), await send(clientAt(url), unknown)];
    for (const answer of answers) {
      expect(Object.keys(answer).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
      // 5 minutes and 60 s, give or take the call.
      expect(Date.parse(answer.expiresAt) - Date.now()).toBeGreaterThan(290_000);
      expect(Date.parse(answer.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
      expect(Date.parse(answer.nextResendAvailableAt) - Date.now()).toBeGreaterThan(50_000);
    }
    const mails = [known.email, unknown].map((to) => suite.smtp.mailsTo(to).at(-1)!);
    const codes = mails.map((mail) => mail.text.match(/\d{6}/g));
    for (const [i, mail] of mails.entries()) {
      expect(new Set(codes[i]).size).toBe(1);
      expect(mail.subject).toBe(`Your ${tenant.name} sign-in code`);
    }
    // Apart from the code, the two mails are the same text.
    expect(mails[0]!.text.replace(codes[0]![0]!, "CODE")).toBe(mails[1]!.text.replace(codes[1]![0]!, "CODE"));
    // Only the code tells them apart: the owner is signed in, the stranger asked to sign up.
    const signedIn = await verify(clientAt(url), known.email, codes[0]![0]!);
    expect(signedIn.needSignup === false && signedIn.user.id).toBe(known.session.user.id);
    const stranger = await verify(clientAt(url), unknown, codes[1]![0]!);
    expect(stranger.needSignup && stranger.signupToken).toEqual(expect.any(String));
  });

  it("a suspended owner of the address: the right code is 403 auth/AccountSuspended, a wrong one still 401", async () => {
    const owner = await verifiedUser(suite.client, tenant.key, suite.smtp);
    await getPrisma().user.update({ where: { id: owner.session.user.id }, data: { suspendedAt: new Date() } });
    const c = clientAt(url);
    await send(c, owner.email);
    const code = suite.smtp.latestCode(owner.email);
    await expectError(verify(c, owner.email, wrongCode(code)), "emailVerification/InvalidCode");
    await expectError(verify(c, owner.email, code), "auth/AccountSuspended");
  });

  it("mails in the tenant's locale", async () => {
    const ko = await codeTenant({ locale: "ko", name: "한빛 상점" });
    const email = newAddress();
    await send(clientAt(url), email, ko.key);
    expect(suite.smtp.mailsTo(email).at(-1)!.subject).toBe("[한빛 상점] 로그인 코드");
  });

  it("checks in the contract's order: schema, tenant (404), switch (400), the address (400)", async () => {
    const c = clientAt(url);
    await expectInvalidField(send(c, "not an address"), "email");
    await expectError(send(c, newAddress(), unique("nope")), "tenant/NotFound");
    await expectError(verify(c, newAddress(), "123456", unique("nope")), "tenant/NotFound");
    const off = await createTenant();
    // The switch comes before the address's own rules, and verify is closed as well.
    await expectError(send(c, "x@social.local", off.key), "auth/MethodNotEnabled");
    await expectError(verify(c, newAddress(), "123456", off.key), "auth/MethodNotEnabled");
    await expectInvalidField(send(c, `kakao_${unique()}@social.local`), "email");
    const limited = await codeTenant({ allowedEmailDomains: ["corp.example"] });
    await expectError(send(c, newAddress(), limited.key), "signUp/EmailDomainNotAllowed");
    await send(c, `${unique()}@corp.example`, limited.key);
    // Deleted tenants are gone for this way in too.
    const gone = await codeTenant();
    await getPrisma().tenant.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await expectError(send(c, newAddress(), gone.key), "tenant/NotFound");
    // A code that is not 6 digits is a 400, not an attempt.
    await expectInvalidField(verify(c, newAddress(), "12345"), "code");
  });

  it("cooldown: a second send within 60 s is 429 with nextResendAvailableAt and Retry-After; the first code still works", async () => {
    const email = newAddress();
    const sent = await send(clientAt(url), email);
    const refused = await expectError(send(clientAt(url), email), "emailVerification/CooldownActive");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(55);
    expect(Math.abs(Date.parse(String(refused.data.nextResendAvailableAt)) - Date.parse(sent.nextResendAvailableAt))).toBeLessThan(2_000);
    expect(suite.smtp.mailsTo(email)).toHaveLength(1);
    expect(await codeAccepted(verify(clientAt(url), email, suite.smtp.latestCode(email)))).toBe(true);
  });

  it("10 parallel sends: one code, one mail", async () => {
    const email = newAddress();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => settle(send(clientAt(url), email))));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.appCode === "emailVerification/CooldownActive")).toHaveLength(9);
    expect(suite.smtp.mailsTo(email)).toHaveLength(1);
  });

  it("20 parallel wrong codes from 20 networks never beat the attempt cap: the code dies, even the right one then fails", async () => {
    const email = newAddress();
    await send(clientAt(url), email);
    const code = suite.smtp.latestCode(email);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(verify(clientAt(url), email, wrongCode(code, i + 1)))));
    expect(outcomes.map((o) => (o.ok ? "ok" : o.appCode))).toEqual(Array(20).fill("emailVerification/InvalidCode"));
    expect(await codeAccepted(verify(clientAt(url), email, code))).toBe(false);
  });

  it("the 5th wrong code kills it; 4 wrong leave it usable, and a right code is consumed", async () => {
    const c = clientAt(url);
    const lives = newAddress();
    await send(c, lives);
    const code = suite.smtp.latestCode(lives);
    for (let i = 1; i <= 4; i++) await expectError(verify(c, lives, wrongCode(code, i)), "emailVerification/InvalidCode");
    expect(await codeAccepted(verify(c, lives, code))).toBe(true);
    expect(await codeAccepted(verify(c, lives, code))).toBe(false);

    const dies = newAddress();
    await send(c, dies);
    const doomed = suite.smtp.latestCode(dies);
    for (let i = 1; i <= 5; i++) await expectError(verify(c, dies, wrongCode(doomed, i)), "emailVerification/InvalidCode");
    expect(await codeAccepted(verify(c, dies, doomed))).toBe(false);
  });

  it("a code lives SIGN_IN_CODE_TTL_SECONDS (5 min) in Redis, and an expired one is refused", async () => {
    const c = clientAt(url);
    const email = newAddress();
    await send(c, email);
    const key = redisKeys.otpCode(tenant.id, email, "signIn");
    const ttl = await getRedis().pttl(key);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    // Let it die now rather than in five minutes.
    await getRedis().pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await codeAccepted(verify(c, email, suite.smtp.latestCode(email)))).toBe(false);
  });

  it("a code of another purpose never verifies here, even planted under this address's key", async () => {
    // An email-verification code mailed to the same address is not a sign-in code.
    const user = await signUpUser(suite.client, tenant.key);
    await sendCode(user, user.email);
    const verificationCode = suite.smtp.latestCode(user.email);
    expect(await codeAccepted(verify(clientAt(url), user.email, verificationCode))).toBe(false);
    // The keyed hash covers the purpose: the hash of a code for (email verification, same target
    // string) stored where the sign-in code lives does not match that code.
    const email = newAddress();
    await send(clientAt(url), email);
    const planted = "246810";
    await getRedis().hset(
      redisKeys.otpCode(tenant.id, email, "signIn"),
      "hmac",
      otpCodeHmac({ tenantId: tenant.id, userId: email }, planted),
    );
    expect(await codeAccepted(verify(clientAt(url), email, planted))).toBe(false);
    // And the right hash for this purpose is (the check above is not refusing everything).
    const email2 = newAddress();
    await send(clientAt(url), email2);
    await getRedis().hset(
      redisKeys.otpCode(tenant.id, email2, "signIn"),
      "hmac",
      otpCodeHmac({ tenantId: tenant.id, purpose: "signIn", address: email2 }, planted),
    );
    expect(await codeAccepted(verify(clientAt(url), email2, planted))).toBe(true);
  });

  it("15 failures from one network lock that network out (a resend restores nothing), not the owner on another network", async () => {
    const email = newAddress();
    const owner = clientAt(url);
    await send(owner, email);
    const code = suite.smtp.latestCode(email);
    // The guesser hops addresses inside one /24: one network.
    const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 1; i <= 15; i++)
      await expectError(verify(onNetwork(url, net, i), email, wrongCode(code, i)), "emailVerification/InvalidCode");
    const locked = await expectError(verify(onNetwork(url, net, 99), email, code), "rateLimit/TooManyRequests");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(3_000);
    await getRedis().del(redisKeys.otpCooldown(tenant.id, email, "signIn"));
    await expectError(send(onNetwork(url, net, 100), email), "rateLimit/TooManyRequests");
    // The owner, elsewhere, gets a new code and signs in.
    await send(owner, email);
    expect(await codeAccepted(verify(owner, email, suite.smtp.latestCode(email)))).toBe(true);
  });

  it("100 failures per address from all networks: then every network is refused, sends too", async () => {
    const email = newAddress();
    await send(clientAt(url), email);
    // 7 networks × 15 (each its own budget) > 100.
    const outcomes: Awaited<ReturnType<typeof settle>>[] = [];
    for (let n = 0; n < 7; n++) {
      const c = clientAt(url);
      for (let i = 0; i < 15; i++) outcomes.push(await settle(verify(c, email, "000000")));
    }
    const tally = (appCode: string) => outcomes.filter((o) => !o.ok && o.appCode === appCode).length;
    expect(tally("emailVerification/InvalidCode")).toBe(100);
    expect(tally("rateLimit/TooManyRequests")).toBe(5);
    await expectError(verify(clientAt(url), email, "000000"), "rateLimit/TooManyRequests");
    await getRedis().del(redisKeys.otpCooldown(tenant.id, email, "signIn"));
    await expectError(send(clientAt(url), email), "rateLimit/TooManyRequests");
    // Another address of the tenant is untouched.
    await send(clientAt(url), newAddress());
  });

  it("SMTP refusing the mail: 503, and the send undone (an immediate retry is no cooldown)", async () => {
    const email = newAddress();
    suite.smtp.refuse = true;
    try {
      await expectError(send(clientAt(url), email), "service/Unavailable");
    } finally {
      suite.smtp.refuse = false;
    }
    expect(await getRedis().exists(redisKeys.otpCooldown(tenant.id, email, "signIn"))).toBe(0);
    await send(clientAt(url), email);
    expect(suite.smtp.mailsTo(email)).toHaveLength(1);
  });
});
