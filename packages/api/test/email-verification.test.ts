import { describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { getPrisma } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import { verificationCodeOf } from "@gatehouse/testing/mail";
import {
  createTenant,
  expectError,
  expectInvalidField,
  hasRedis,
  issueManager,
  sendCode,
  settle,
  signInUser,
  signUpUser,
  unique,
  useServer,
  verifyCode,
  wrongCode,
  type SignedUp,
} from "./kit";

// Default lifetime, attempts and cooldown (600 s, 5, 60 s); the hourly budget is raised so that
// the attempt cap is what these tests see (the budget has its own suite).
describe.skipIf(!hasRedis)("clientEmailVerification", () => {
  const suite = useServer({ mail: true, env: { MAIL_FROM: "Gatehouse <no-reply@gatehouse.test>", OTP_FAILURES_PER_HOUR: "40" } });
  const { client } = suite;
  const failuresOf = (tenantId: string, user: SignedUp) => getRedis().zcard(redisKeys.otpFailures(tenantId, user.session.user.id));

  it("mails a code to the given address; verifying it makes that address the user's verified email", async () => {
    const tenant = await createTenant({ locale: "en", name: "Acme Verified" });
    const user = await signUpUser(client, tenant.key);
    await user.api.clientAuth.me.query();
    await expectError(user.api.clientAuth.updateMe.mutate({ displayName: "New Name" }), "auth/EmailNotVerified");

    const address = `${unique("new")}@Example.com`;
    const lower = address.toLowerCase();
    const before = Date.now();
    const sent = await sendCode(user, address);
    const expiresIn = Date.parse(sent.expiresAt) - before;
    const resendIn = Date.parse(sent.nextResendAvailableAt) - before;
    expect(expiresIn).toBeGreaterThan(595_000);
    expect(expiresIn).toBeLessThan(605_000);
    expect(resendIn).toBeGreaterThan(55_000);
    expect(resendIn).toBeLessThan(65_000);

    const mails = suite.smtp.mailsTo(lower);
    expect(mails).toHaveLength(1);
    expect(suite.smtp.mailsTo(user.email)).toHaveLength(0);
    expect(mails[0]!.raw).toContain("Acme Verified");
    const code = verificationCodeOf(mails[0]!.raw);
    // Only a keyed hash is stored, never the code.
    const stored = await getRedis().hgetall(redisKeys.otpCode(tenant.id, user.session.user.id));
    expect(stored.hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(code);

    const verified = await verifyCode(user, code);
    expect(verified.user.email).toBe(lower);
    expect(verified.user.emailVerifiedAt).not.toBeNull();
    const oldClaims = decodeJwt(user.session.accessToken);
    const newClaims = decodeJwt(verified.accessToken);
    expect(oldClaims.ev).toBe(false);
    expect(newClaims.ev).toBe(true);
    expect(newClaims.sid).toBe(oldClaims.sid);
    expect(Date.parse(verified.accessTokenExpiresAt)).toBe((newClaims.exp ?? 0) * 1000);

    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.session.user.id } });
    expect(row.email).toBe(lower);
    expect(row.verifiedEmail).toBe(lower);
    expect(row.emailVerifiedAt).not.toBeNull();
    const events = await getPrisma().auditEvent.findMany({ where: { tenantId: tenant.id, action: "user.emailVerified" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.target).toBe(`user:${user.userId}`);

    // The old token passes the gate at once (the gate reads current state), and so does the new one.
    await user.api.clientAuth.updateMe.mutate({ displayName: "New Name" });
    await client.as(verified.accessToken).clientAuth.updateMe.mutate({ displayName: "Newer Name" });

    // Single use.
    await expectError(verifyCode(user, code), "emailVerification/InvalidCode");
  });

  it("writes the mail in the tenant's locale", async () => {
    const tenant = await createTenant({ locale: "ko", name: "한국 테넌트" });
    const user = await signUpUser(client, tenant.key);
    await sendCode(user, user.email);
    const ko = suite.smtp.mailsTo(user.email)[0]!;
    const tenantEn = await createTenant({ locale: "en", name: "English tenant" });
    const userEn = await signUpUser(client, tenantEn.key);
    await sendCode(userEn, userEn.email);
    const en = suite.smtp.mailsTo(userEn.email)[0]!;
    const subject = (raw: string) => /^Subject: (.*)$/m.exec(raw)?.[1];
    expect(subject(ko.raw)).not.toBe(subject(en.raw));
    expect(verificationCodeOf(ko.raw)).toMatch(/^\d{6}$/);
  });

  it("4 wrong codes then the right one: 200", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    await sendCode(user, user.email);
    const code = suite.smtp.latestCode(user.email);
    for (let i = 1; i <= 4; i++) await expectError(verifyCode(user, wrongCode(code, i)), "emailVerification/InvalidCode");
    await verifyCode(user, code);
  });

  it("5 wrong codes then the right one: 401 (the 5th wrong try invalidated the code)", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    await sendCode(user, user.email);
    const code = suite.smtp.latestCode(user.email);
    for (let i = 1; i <= 5; i++) await expectError(verifyCode(user, wrongCode(code, i)), "emailVerification/InvalidCode");
    await expectError(verifyCode(user, code), "emailVerification/InvalidCode");
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.session.user.id } });
    expect(row.emailVerifiedAt).toBeNull();
  });

  it("20 parallel wrong codes then the right one: 401 (parallel guesses do not beat the cap)", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(client, tenant.key);
    await sendCode(user, user.email);
    const code = suite.smtp.latestCode(user.email);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(verifyCode(user, wrongCode(code, i + 1)))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(new Set(results.map((r) => (r.ok ? undefined : r.appCode)))).toEqual(new Set(["emailVerification/InvalidCode"]));
    // Every one of them was counted.
    expect(await failuresOf(tenant.id, user)).toBe(20);
    await expectError(verifyCode(user, code), "emailVerification/InvalidCode");
  });

  it("10 parallel sends: one code, one mail, one 200; nine 429 CooldownActive with Retry-After", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    const results = await Promise.all(Array.from({ length: 10 }, () => settle(sendCode(user, user.email))));
    const ok = results.flatMap((r) => (r.ok ? [r.data] : []));
    const refused = results.flatMap((r) => (r.ok ? [] : [r]));
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect([r.status, r.appCode]).toEqual([429, "emailVerification/CooldownActive"]);
      const retryAfter = Number(r.answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const next = r.answer.data.nextResendAvailableAt as string;
      expect(new Date(next).toISOString()).toBe(next);
      expect(Math.abs(Date.parse(next) - Date.parse(ok[0]!.nextResendAvailableAt))).toBeLessThan(2_000);
    }
    expect(suite.smtp.mailsTo(user.email)).toHaveLength(1);
    await verifyCode(user, suite.smtp.latestCode(user.email));
  });

  it("code mails per address: 24 users of a tenant ask for a code to one address at once; 20 mails, 4 × 429 rateLimit/TooManyRequests; not scaled, per tenant", async () => {
    const tenant = await createTenant();
    const target = `${unique("target")}@example.com`;
    const users = await Promise.all(Array.from({ length: 24 }, () => signUpUser(client, tenant.key)));
    // RATE_LIMIT_SCALE is 100 here: the cap (CODE_MAILS_PER_ADDRESS_PER_HOUR, 20) is not scaled.
    const results = await Promise.all(users.map((u) => settle(sendCode(u, target))));
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    const refused = results.flatMap((r) => (r.ok ? [] : [r]));
    expect(refused.map((r) => [r.status, r.appCode])).toEqual(Array(4).fill([429, "rateLimit/TooManyRequests"]));
    for (const r of refused) {
      const retryAfter = Number(r.answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(3_500);
      expect(retryAfter).toBeLessThanOrEqual(3_600);
    }
    expect(suite.smtp.mailsTo(target)).toHaveLength(20);
    // The refused users have no cooldown: another address goes at once.
    const refusedUser = users[results.findIndex((r) => !r.ok)]!;
    await sendCode(refusedUser, refusedUser.email);
    // Another tenant's user may still send to the address.
    const elsewhere = await signUpUser(client, (await createTenant()).key);
    await sendCode(elsewhere, target);
  });

  it("the cooldown is per user, whatever the address", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    await sendCode(user, user.email);
    const other = `${unique("other")}@example.com`;
    const res = await expectError(sendCode(user, other), "emailVerification/CooldownActive");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Date.parse(res.data.nextResendAvailableAt as string)).toBeGreaterThan(Date.now() + 50_000);
    expect(suite.smtp.mailsTo(other)).toHaveLength(0);
    // The first code is still the live one.
    await verifyCode(user, suite.smtp.latestCode(user.email));
  });

  it("a code that is not 6 digits is a 400 and not an attempt", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(client, tenant.key);
    await sendCode(user, user.email);
    const code = suite.smtp.latestCode(user.email);
    for (const bad of ["12345", "1234567", "abcdef", "12 345", "", Number(code), "١٢٣٤٥٦"]) {
      // A number among them: the type says string, the wire may say anything.
      await expectError(verifyCode(user, bad as string), "validation/Invalid");
    }
    expect(await failuresOf(tenant.id, user)).toBe(0);
    for (let i = 1; i <= 4; i++) await expectError(verifyCode(user, wrongCode(code, i)), "emailVerification/InvalidCode");
    await verifyCode(user, code);
  });

  it("a verify without any code sent is a 401 that counts", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(client, tenant.key);
    await expectError(verifyCode(user, "123456"), "emailVerification/InvalidCode");
    expect(await failuresOf(tenant.id, user)).toBe(1);
  });

  it("refuses an @social.local address on email, mailing nothing", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(client, tenant.key);
    const placeholder = `${unique("k")}@social.local`;
    await expectInvalidField(sendCode(user, placeholder), "email");
    expect(suite.smtp.mailsTo(placeholder)).toHaveLength(0);
  });

  it("the tenant's domain policy applies to the address (case-insensitive)", async () => {
    const tenant = await createTenant({ allowedEmailDomains: ["example.org"] });
    const user = await signUpUser(client, tenant.key, { email: `${unique("d")}@example.org` });
    await expectError(sendCode(user, `${unique("d")}@example.com`), "signUp/EmailDomainNotAllowed");
    const allowed = `${unique("d")}@EXAMPLE.ORG`;
    await sendCode(user, allowed);
    expect(suite.smtp.mailsTo(allowed)).toHaveLength(1);
  });

  it("an address verified by another user of the tenant: 409 on send; and on verify when that user got there first", async () => {
    const tenant = await createTenant();
    const a = await signUpUser(client, tenant.key);
    const b = await signUpUser(client, tenant.key);
    const c = await signUpUser(client, tenant.key);
    const shared = `${unique("shared")}@example.com`;

    // A and B both get a code for the same address; B verifies first.
    await sendCode(a, shared);
    const codeA = suite.smtp.latestCode(shared);
    await sendCode(b, shared);
    const codeB = suite.smtp.latestCode(shared);
    await verifyCode(b, codeB);

    await expectError(verifyCode(a, codeA), "user/EmailDuplicated");
    const rowA = await getPrisma().user.findUniqueOrThrow({ where: { id: a.session.user.id } });
    expect(rowA.emailVerifiedAt).toBeNull();
    expect(rowA.email).toBe(a.email);

    await expectError(sendCode(c, shared.toUpperCase()), "user/EmailDuplicated");
    expect(suite.smtp.mailsTo(shared)).toHaveLength(2);

    // Another tenant is another namespace.
    const d = await signUpUser(client, (await createTenant()).key);
    await sendCode(d, shared);
    await verifyCode(d, suite.smtp.latestCode(shared));
  });

  it("the same userId in two tenants has its own cooldown and attempts", async () => {
    const t1 = await createTenant();
    const t2 = await createTenant();
    const userId = unique("same").slice(0, 24);
    const u1 = await signUpUser(client, t1.key, { userId });
    const u2 = await signUpUser(client, t2.key, { userId });
    await sendCode(u1, u1.email);
    await sendCode(u2, u2.email);
    const code1 = suite.smtp.latestCode(u1.email);
    for (let i = 1; i <= 5; i++) await expectError(verifyCode(u1, wrongCode(code1, i)), "emailVerification/InvalidCode");
    await verifyCode(u2, suite.smtp.latestCode(u2.email));
    await expectError(sendCode(u1, u1.email), "emailVerification/CooldownActive");
  });

  it("needs an access token; refused while a password change is required (A U, not C)", async () => {
    await expectError(client.api.clientEmailVerification.sendVerification.mutate({ email: "x@example.com" }), "auth/Unauthenticated");
    await expectError(client.api.clientEmailVerification.verifyEmail.mutate({ code: "123456" }), "auth/Unauthenticated");
    const user = await signUpUser(client, (await createTenant()).key);
    await getPrisma().user.update({ where: { id: user.session.user.id }, data: { mustChangePassword: true } });
    await expectError(sendCode(user, user.email), "auth/PasswordChangeRequired");
    await expectError(verifyCode(user, "123456"), "auth/PasswordChangeRequired");
    expect(suite.smtp.mailsTo(user.email)).toHaveLength(0);
  });

  it("an admin-issued user is never gated by email", async () => {
    const manager = await issueManager(await createTenant(), { mustChangePassword: false });
    const session = await signInUser(client, manager);
    await client.as(session.accessToken).clientAuth.updateMe.mutate({ displayName: "Boss" });
  });
});
