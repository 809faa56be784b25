import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { getPrisma } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import { type MailCatcher, verificationCodeOf } from "@gatehouse/testing/mail";
import { call, hasRedis, startTestServerWithMail, unique, type TestServer } from "./helpers";
import { createAdminIssuedUser } from "./client-auth-fixtures";
import {
  createTenant,
  sendCode,
  signUpUser,
  verifyCode,
  wrongCode,
} from "./email-verification-support";

// Default lifetime, attempts and cooldown (600 s, 5, 60 s); the hourly budget is raised so that
// the attempt cap is what these tests see (the budget has its own suite).
describe.skipIf(!hasRedis)("clientEmailVerification", () => {
  let server: TestServer;
  let smtp: MailCatcher;
  beforeAll(async () => {
    ({ server, smtp } = await startTestServerWithMail({
      env: { MAIL_FROM: "Gatehouse <no-reply@gatehouse.test>", RATE_LIMIT_SCALE: "100", OTP_FAILURES_PER_HOUR: "40" },
    }));
  });
  afterAll(() => server.close());

  it("mails a code to the given address; verifying it makes that address the user's verified email", async () => {
    const tenant = await createTenant({ locale: "en", name: "Acme Verified" });
    const user = await signUpUser(server.url, tenant.key);
    const me = await call(server.url, "clientAuth.me", undefined, { method: "GET", token: user.accessToken });
    expect(me.status).toBe(200);
    const gated = await call(server.url, "clientAuth.updateMe", { displayName: "New Name" }, { token: user.accessToken });
    expect(gated.status).toBe(403);
    expect(gated.appCode).toBe("auth/EmailNotVerified");

    const address = `${unique("new")}@Example.com`;
    const lower = address.toLowerCase();
    const before = Date.now();
    const sent = await sendCode(server.url, user.accessToken, address);
    expect(sent.status).toBe(200);
    const expiresIn = Date.parse(sent.data.expiresAt) - before;
    const resendIn = Date.parse(sent.data.nextResendAvailableAt) - before;
    expect(expiresIn).toBeGreaterThan(595_000);
    expect(expiresIn).toBeLessThan(605_000);
    expect(resendIn).toBeGreaterThan(55_000);
    expect(resendIn).toBeLessThan(65_000);

    const mails = smtp.mailsTo(lower);
    expect(mails).toHaveLength(1);
    expect(smtp.mailsTo(user.email)).toHaveLength(0);
    expect(mails[0]!.raw).toContain("Acme Verified");
    const code = verificationCodeOf(mails[0]!.raw);
    // Only a keyed hash is stored, never the code.
    const stored = await getRedis().hgetall(redisKeys.otpCode(tenant.id, user.id));
    expect(stored.hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(code);

    const verified = await verifyCode(server.url, user.accessToken, code);
    expect(verified.status).toBe(200);
    expect(verified.data.user.email).toBe(lower);
    expect(verified.data.user.emailVerifiedAt).not.toBeNull();
    const oldClaims = decodeJwt(user.accessToken);
    const newClaims = decodeJwt(verified.data.accessToken);
    expect(oldClaims.ev).toBe(false);
    expect(newClaims.ev).toBe(true);
    expect(newClaims.sid).toBe(oldClaims.sid);
    expect(Date.parse(verified.data.accessTokenExpiresAt)).toBe((newClaims.exp ?? 0) * 1000);

    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.email).toBe(lower);
    expect(row.verifiedEmail).toBe(lower);
    expect(row.emailVerifiedAt).not.toBeNull();
    const events = await getPrisma().auditEvent.findMany({ where: { tenantId: tenant.id, action: "user.emailVerified" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.target).toBe(`user:${user.userId}`);

    // The old token passes the gate at once (the gate reads current state), and so does the new one.
    const withOld = await call(server.url, "clientAuth.updateMe", { displayName: "New Name" }, { token: user.accessToken });
    expect(withOld.status).toBe(200);
    const withNew = await call(server.url, "clientAuth.updateMe", { displayName: "Newer Name" }, { token: verified.data.accessToken });
    expect(withNew.status).toBe(200);

    // Single use.
    const again = await verifyCode(server.url, user.accessToken, code);
    expect(again.status).toBe(401);
    expect(again.appCode).toBe("emailVerification/InvalidCode");
  });

  it("writes the mail in the tenant's locale", async () => {
    const tenant = await createTenant({ locale: "ko", name: "한국 테넌트" });
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const ko = smtp.mailsTo(user.email)[0]!;
    const tenantEn = await createTenant({ locale: "en", name: "English tenant" });
    const userEn = await signUpUser(server.url, tenantEn.key);
    expect((await sendCode(server.url, userEn.accessToken, userEn.email)).status).toBe(200);
    const en = smtp.mailsTo(userEn.email)[0]!;
    const subject = (raw: string) => /^Subject: (.*)$/m.exec(raw)?.[1];
    expect(subject(ko.raw)).not.toBe(subject(en.raw));
    expect(verificationCodeOf(ko.raw)).toMatch(/^\d{6}$/);
  });

  it("4 wrong codes then the right one: 200", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const code = smtp.latestCode(user.email);
    for (let i = 1; i <= 4; i++) {
      const res = await verifyCode(server.url, user.accessToken, wrongCode(code, i));
      expect(res.status).toBe(401);
      expect(res.appCode).toBe("emailVerification/InvalidCode");
    }
    expect((await verifyCode(server.url, user.accessToken, code)).status).toBe(200);
  });

  it("5 wrong codes then the right one: 401 (the 5th wrong try invalidated the code)", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const code = smtp.latestCode(user.email);
    for (let i = 1; i <= 5; i++) expect((await verifyCode(server.url, user.accessToken, wrongCode(code, i))).status).toBe(401);
    const right = await verifyCode(server.url, user.accessToken, code);
    expect(right.status).toBe(401);
    expect(right.appCode).toBe("emailVerification/InvalidCode");
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.emailVerifiedAt).toBeNull();
  });

  it("20 parallel wrong codes then the right one: 401 (parallel guesses do not beat the cap)", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const code = smtp.latestCode(user.email);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => verifyCode(server.url, user.accessToken, wrongCode(code, i + 1))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(new Set(results.map((r) => r.appCode))).toEqual(new Set(["emailVerification/InvalidCode"]));
    // Every one of them was counted.
    expect(await getRedis().zcard(redisKeys.otpFailures(tenant.id, user.id))).toBe(20);
    expect((await verifyCode(server.url, user.accessToken, code)).status).toBe(401);
  });

  it("10 parallel sends: one code, one mail, one 200; nine 429 CooldownActive with Retry-After", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    const results = await Promise.all(Array.from({ length: 10 }, () => sendCode(server.url, user.accessToken, user.email)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.appCode).toBe("emailVerification/CooldownActive");
      const retryAfter = Number(r.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const next = r.body.error?.data.nextResendAvailableAt as string;
      expect(new Date(next).toISOString()).toBe(next);
      expect(Math.abs(Date.parse(next) - Date.parse(ok[0]!.data.nextResendAvailableAt))).toBeLessThan(2_000);
    }
    expect(smtp.mailsTo(user.email)).toHaveLength(1);
    expect((await verifyCode(server.url, user.accessToken, smtp.latestCode(user.email))).status).toBe(200);
  });

  it("code mails per address: 24 users of a tenant ask for a code to one address at once; 20 mails, 4 × 429 rateLimit/TooManyRequests; not scaled, per tenant", async () => {
    const tenant = await createTenant();
    const target = `${unique("target")}@example.com`;
    const users = await Promise.all(Array.from({ length: 24 }, () => signUpUser(server.url, tenant.key)));
    // RATE_LIMIT_SCALE is 100 here: the cap (CODE_MAILS_PER_ADDRESS_PER_HOUR, 20) is not scaled.
    const results = await Promise.all(users.map((u) => sendCode(server.url, u.accessToken, target)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.map((r) => [r.status, r.appCode])).toEqual(Array(4).fill([429, "rateLimit/TooManyRequests"]));
    for (const r of refused) {
      const retryAfter = Number(r.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(3_500);
      expect(retryAfter).toBeLessThanOrEqual(3_600);
    }
    expect(smtp.mailsTo(target)).toHaveLength(20);
    // The refused users have no cooldown: another address goes at once.
    const refusedUser = users[results.findIndex((r) => r.status !== 200)]!;
    expect((await sendCode(server.url, refusedUser.accessToken, refusedUser.email)).status).toBe(200);
    // Another tenant's user may still send to the address.
    const elsewhere = await signUpUser(server.url, (await createTenant()).key);
    expect((await sendCode(server.url, elsewhere.accessToken, target)).status).toBe(200);
  });

  it("the cooldown is per user, whatever the address", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const other = `${unique("other")}@example.com`;
    const res = await sendCode(server.url, user.accessToken, other);
    expect(res.status).toBe(429);
    expect(res.appCode).toBe("emailVerification/CooldownActive");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Date.parse(res.body.error?.data.nextResendAvailableAt as string)).toBeGreaterThan(Date.now() + 50_000);
    expect(smtp.mailsTo(other)).toHaveLength(0);
    // The first code is still the live one.
    expect((await verifyCode(server.url, user.accessToken, smtp.latestCode(user.email))).status).toBe(200);
  });

  it("a code that is not 6 digits is a 400 and not an attempt", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const code = smtp.latestCode(user.email);
    for (const bad of ["12345", "1234567", "abcdef", "12 345", "", Number(code), "١٢٣٤٥٦"]) {
      const res = await verifyCode(server.url, user.accessToken, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.appCode).toBe("validation/Invalid");
    }
    expect(await getRedis().zcard(redisKeys.otpFailures(tenant.id, user.id))).toBe(0);
    for (let i = 1; i <= 4; i++) expect((await verifyCode(server.url, user.accessToken, wrongCode(code, i))).status).toBe(401);
    expect((await verifyCode(server.url, user.accessToken, code)).status).toBe(200);
  });

  it("a verify without any code sent is a 401 that counts", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    const res = await verifyCode(server.url, user.accessToken, "123456");
    expect(res.status).toBe(401);
    expect(res.appCode).toBe("emailVerification/InvalidCode");
    expect(await getRedis().zcard(redisKeys.otpFailures(tenant.id, user.id))).toBe(1);
  });

  it("the tenant's domain policy applies to the address (case-insensitive)", async () => {
    const tenant = await createTenant({ allowedEmailDomains: ["example.org"] });
    const user = await signUpUser(server.url, tenant.key, { email: `${unique("d")}@example.org` });
    const refused = await sendCode(server.url, user.accessToken, `${unique("d")}@example.com`);
    expect(refused.status).toBe(400);
    expect(refused.appCode).toBe("signUp/EmailDomainNotAllowed");
    const allowed = `${unique("d")}@EXAMPLE.ORG`;
    expect((await sendCode(server.url, user.accessToken, allowed)).status).toBe(200);
    expect(smtp.mailsTo(allowed)).toHaveLength(1);
  });

  it("an address verified by another user of the tenant: 409 on send; and on verify when that user got there first", async () => {
    const tenant = await createTenant();
    const a = await signUpUser(server.url, tenant.key);
    const b = await signUpUser(server.url, tenant.key);
    const c = await signUpUser(server.url, tenant.key);
    const shared = `${unique("shared")}@example.com`;

    // A and B both get a code for the same address; B verifies first.
    expect((await sendCode(server.url, a.accessToken, shared)).status).toBe(200);
    const codeA = smtp.latestCode(shared);
    expect((await sendCode(server.url, b.accessToken, shared)).status).toBe(200);
    const codeB = smtp.latestCode(shared);
    expect((await verifyCode(server.url, b.accessToken, codeB)).status).toBe(200);

    const late = await verifyCode(server.url, a.accessToken, codeA);
    expect(late.status).toBe(409);
    expect(late.appCode).toBe("user/EmailDuplicated");
    const rowA = await getPrisma().user.findUniqueOrThrow({ where: { id: a.id } });
    expect(rowA.emailVerifiedAt).toBeNull();
    expect(rowA.email).toBe(a.email);

    const send = await sendCode(server.url, c.accessToken, shared.toUpperCase());
    expect(send.status).toBe(409);
    expect(send.appCode).toBe("user/EmailDuplicated");
    expect(smtp.mailsTo(shared)).toHaveLength(2);

    // Another tenant is another namespace.
    const elsewhere = await createTenant();
    const d = await signUpUser(server.url, elsewhere.key);
    expect((await sendCode(server.url, d.accessToken, shared)).status).toBe(200);
    expect((await verifyCode(server.url, d.accessToken, smtp.latestCode(shared))).status).toBe(200);
  });

  it("the same userId in two tenants has its own cooldown and attempts", async () => {
    const t1 = await createTenant();
    const t2 = await createTenant();
    const userId = unique("same").slice(0, 24);
    const u1 = await signUpUser(server.url, t1.key, { userId });
    const u2 = await signUpUser(server.url, t2.key, { userId });
    expect((await sendCode(server.url, u1.accessToken, u1.email)).status).toBe(200);
    expect((await sendCode(server.url, u2.accessToken, u2.email)).status).toBe(200);
    const code1 = smtp.latestCode(u1.email);
    for (let i = 1; i <= 5; i++) expect((await verifyCode(server.url, u1.accessToken, wrongCode(code1, i))).status).toBe(401);
    expect((await verifyCode(server.url, u2.accessToken, smtp.latestCode(u2.email))).status).toBe(200);
    expect((await sendCode(server.url, u1.accessToken, u1.email)).status).toBe(429);
  });

  it("needs an access token; refused while a password change is required (A U, not C)", async () => {
    expect((await call(server.url, "clientEmailVerification.sendVerification", { email: "x@example.com" })).appCode).toBe("auth/Unauthenticated");
    expect((await call(server.url, "clientEmailVerification.verifyEmail", { code: "123456" })).status).toBe(401);
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    await getPrisma().user.update({ where: { id: user.id }, data: { mustChangePassword: true } });
    const send = await sendCode(server.url, user.accessToken, user.email);
    expect(send.status).toBe(403);
    expect(send.appCode).toBe("auth/PasswordChangeRequired");
    const verify = await verifyCode(server.url, user.accessToken, "123456");
    expect(verify.appCode).toBe("auth/PasswordChangeRequired");
    expect(smtp.mailsTo(user.email)).toHaveLength(0);
  });

  it("an admin-issued user is never gated by email", async () => {
    const manager = await createAdminIssuedUser(await createTenant(), { mustChangePassword: false });
    const signIn = await call<{ accessToken: string }>(server.url, "clientAuth.signIn", manager);
    expect(signIn.status).toBe(200);
    const res = await call(server.url, "clientAuth.updateMe", { displayName: "Boss" }, { token: signIn.data.accessToken });
    expect(res.status).toBe(200);
  });
});
