import { describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import { hashPassword } from "../src/lib/password-hasher";
import { holdAt } from "../src/lib/pause-points";
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
  unique,
  useServer,
  verifiedUser,
  wrongCode,
  type Client,
  type SignedUp,
} from "./kit";

/**
 * clientPasswordReset by email (services/password-reset.ts on the limiter's "resetEmail" purpose,
 * the outbox, services/password-reset-token.ts), through the real handler with real Postgres,
 * Redis and an SMTP catcher. The SMS half is password-reset-sms.test.ts.
 */

const newAddress = () => `${unique("pr")}@example.com`.toLowerCase();

describe.skipIf(!hasRedis)("clientPasswordReset by email", () => {
  const suite = useServer({ mail: true });
  const url = () => suite.server.url;
  const fresh = () => clientAt(url);

  const sendEmail = (client: Client, email: string, tenantKey = suite.tenantKey) =>
    client.api.clientPasswordReset.sendEmailCode.mutate({ tenantKey, email });
  const verify = (client: Client, email: string, code: string, tenantKey = suite.tenantKey) =>
    client.api.clientPasswordReset.verifyCode.mutate({ tenantKey, email, code });
  const reset = (client: Client, resetToken: string, password: string) =>
    client.api.clientPasswordReset.resetPassword.mutate({ resetToken, newPassword: password });

  /** The reset mails (by subject) to `to`, once the outbox has had time to deliver. */
  const resetMails = (to: string) => suite.smtp.mailsTo(to).filter((m) => m.subject.includes("password reset code"));

  /** Waits for the reset mail to `to` (the outbox delivers within a second) and reads its code. */
  async function resetCodeFor(to: string, count = 1): Promise<string> {
    const deadline = Date.now() + 1_000;
    while (resetMails(to).length < count) {
      if (Date.now() > deadline) throw new Error(`no reset mail to ${to} within a second`);
      await sleep(20);
    }
    const text = resetMails(to).at(-1)!.text;
    const runs = text.match(/\d{6,}/g) ?? [];
    expect(new Set(runs).size, text).toBe(1);
    return runs[0]!;
  }

  /** A verified user and a token for them, through sendEmailCode and verifyCode. */
  async function tokenFor(user: SignedUp, client = fresh(), nth = 1): Promise<string> {
    await sendEmail(client, user.email, user.tenantKey);
    const code = await resetCodeFor(user.email, nth);
    const { resetToken } = await verify(client, user.email, code, user.tenantKey);
    return resetToken;
  }

  it("a verified address: answered at once, the mail delivered by the outbox within a second, the code names the account", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const c = fresh();
    const sent = await sendEmail(c, user.email);
    expect(Object.keys(sent).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
    expect(Date.parse(sent.expiresAt) - Date.now()).toBeGreaterThan(290_000);
    expect(Date.parse(sent.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    expect(Date.parse(sent.nextResendAvailableAt) - Date.now()).toBeGreaterThan(50_000);
    const code = await resetCodeFor(user.email);
    const mail = resetMails(user.email).at(-1)!;
    expect(mail.subject).toBe(`Your Tenant ${suite.tenantKey} password reset code`);
    // The mail never names the account; verifyCode does, once the code is proved.
    expect(mail.text).not.toContain(user.userId);
    const verified = await verify(c, user.email, code);
    expect(Object.keys(verified).sort()).toEqual(["resetToken", "resetTokenExpiresAt", "userId"]);
    expect(verified.userId).toBe(user.userId);
    expect(verified.resetToken.length).toBeGreaterThanOrEqual(43);
    expect(Date.parse(verified.resetTokenExpiresAt) - Date.now()).toBeGreaterThan(290_000);
    expect(Date.parse(verified.resetTokenExpiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    // Stored only hashed.
    const row = await getPrisma().passwordResetToken.findFirstOrThrow({ where: { userId: user.session.user.id } });
    expect(row.tokenHash).not.toContain(verified.resetToken);
    expect(JSON.stringify(row)).not.toContain(verified.resetToken);
  });

  it("no user verified the address (unknown, or only unverified): the same answer, the cooldown either way, nothing sent, every code a 401", async () => {
    const unverified = await signUpUser(suite.client, suite.tenantKey);
    for (const address of [newAddress(), unverified.email]) {
      const c = fresh();
      const sent = await sendEmail(c, address);
      expect(Object.keys(sent).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
      await expectError(sendEmail(fresh(), address), "emailVerification/CooldownActive");
      await sleep(300);
      expect(suite.smtp.mailsTo(address)).toHaveLength(0);
      // No code was kept: no guess can be right, and each counts.
      for (const guess of ["000000", "123456", "999999"]) await expectError(verify(c, address, guess), "emailVerification/InvalidCode");
    }
  });

  it("answers a known and an unknown address alike: the same keys, and no telling time difference", async () => {
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 8; i++) {
      const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
      const pair = [
        ["known", user.email],
        ["unknown", newAddress()],
      ] as const;
      // Alternate which goes first, so neither always runs beside the other's background work.
      for (const [kind, address] of i % 2 === 0 ? pair : [...pair].reverse()) {
        const start = performance.now();
        const sent = await sendEmail(fresh(), address);
        times[kind].push(performance.now() - start);
        expect(Object.keys(sent).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [known, unknown] = [median(times.known), median(times.unknown)];
    // Both render the mail; then one small write each (the outbox row, or the code's withdrawal).
    // A gross difference (waiting for the mail server, rendering only for owners) fails this;
    // the margin is for a loaded test machine.
    expect(Math.abs(known - unknown), JSON.stringify(times)).toBeLessThan(10 + 0.5 * Math.max(known, unknown));
  });

  it("checks in the contract's order: schema, tenant (404), @social.local (400); no domain policy for a reset", async () => {
    const c = fresh();
    await expectInvalidField(sendEmail(c, "not an address"), "email");
    await expectError(sendEmail(c, newAddress(), unique("nope")), "tenant/NotFound");
    await expectError(verify(c, newAddress(), "123456", unique("nope")), "tenant/NotFound");
    await expectInvalidField(sendEmail(c, `kakao_${unique()}@social.local`), "email");
    // A tenant that allows only corp.example still resets an address verified there earlier.
    const limited = await createTenant({ allowedEmailDomains: ["corp.example"] });
    const user = await verifiedUser(suite.client, limited.key, suite.smtp, { email: `${unique("d")}@corp.example` });
    await getPrisma().tenant.update({ where: { id: limited.id }, data: { allowedEmailDomains: ["other.example"] } });
    await sendEmail(c, user.email, limited.key);
    await resetCodeFor(user.email);
    const gone = await createTenant();
    await getPrisma().tenant.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await expectError(sendEmail(c, newAddress(), gone.key), "tenant/NotFound");
  });

  it("verifyCode takes exactly one of phone and email, and a code of 6 digits: else 400 and no attempt spent", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const c = fresh();
    await sendEmail(c, user.email);
    const code = await resetCodeFor(user.email);
    const api = c.api.clientPasswordReset.verifyCode;
    await expectInvalidField(api.mutate({ tenantKey: suite.tenantKey, code }), "phone");
    await expectInvalidField(api.mutate({ tenantKey: suite.tenantKey, code, email: user.email, phone: "+821012345678" }), "email");
    for (const bad of ["12345", "1234567", "abcdef"]) await expectInvalidField(verify(c, user.email, bad), "code");
    for (let i = 1; i <= 4; i++) await expectError(verify(c, user.email, wrongCode(code, i)), "emailVerification/InvalidCode");
    expect((await verify(c, user.email, code)).userId).toBe(user.userId);
  });

  it("cooldown: 429 emailVerification/CooldownActive with nextResendAvailableAt and Retry-After; the first code still works", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const sent = await sendEmail(fresh(), user.email);
    const refused = await expectError(sendEmail(fresh(), user.email), "emailVerification/CooldownActive");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(55);
    expect(Math.abs(Date.parse(String(refused.data.nextResendAvailableAt)) - Date.parse(sent.nextResendAvailableAt))).toBeLessThan(2_000);
    const code = await resetCodeFor(user.email);
    await sleep(200);
    expect(resetMails(user.email)).toHaveLength(1);
    await verify(fresh(), user.email, code);
  });

  it("10 parallel sends: one answer, nine cooldowns, one mail", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const results = await Promise.all(Array.from({ length: 10 }, () => settle(sendEmail(fresh(), user.email))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.appCode === "emailVerification/CooldownActive")).toHaveLength(9);
    await resetCodeFor(user.email);
    await sleep(300);
    expect(resetMails(user.email)).toHaveLength(1);
  });

  it("the code-mail cap (20 per address per hour, every purpose) counts reset sends, known address or not", async () => {
    for (const address of [newAddress(), (await verifiedUser(suite.client, suite.tenantKey, suite.smtp)).email]) {
      const key = redisKeys.codeMails(suite.tenant.id, address);
      const now = Date.now();
      const before = await getRedis().zcard(key);
      // Fill the hour's log to the cap, as 20 other code mails to the address would.
      await getRedis().zadd(key, ...Array.from({ length: 20 - before }, (_, i) => [now - 1000 - i, `seed-${i}`]).flat());
      const refused = await expectError(sendEmail(fresh(), address), "rateLimit/TooManyRequests");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3_500);
      // A refused send counts nowhere and sets no cooldown.
      expect(await getRedis().zcard(key)).toBe(20);
    }
    // And a reset send is one of the 20.
    const address = newAddress();
    await sendEmail(fresh(), address);
    expect(await getRedis().zcard(redisKeys.codeMails(suite.tenant.id, address))).toBe(1);
  });

  it("wrong codes: 401 each, the 5th kills the code, even the right one then fails", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const c = fresh();
    await sendEmail(c, user.email);
    const code = await resetCodeFor(user.email);
    for (let i = 1; i <= 5; i++) await expectError(verify(c, user.email, wrongCode(code, i)), "emailVerification/InvalidCode");
    await expectError(verify(c, user.email, code), "emailVerification/InvalidCode");
  });

  it("the failure budget: 15 wrong codes from one network, then 429 there (even the right code), while another network still gets in", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const net = `10.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 250)}`;
    const attacker = clientAt(url, `${net}.7`);
    // No code sent: every guess is a 401 that counts.
    for (let i = 0; i < 15; i++)
      await expectError(verify(attacker, user.email, wrongCode("000000", i + 1)), "emailVerification/InvalidCode");
    await expectError(verify(attacker, user.email, "000000"), "rateLimit/TooManyRequests");
    const owner = fresh();
    await sendEmail(owner, user.email);
    const code = await resetCodeFor(user.email);
    await expectError(verify(clientAt(url, `${net}.9`), user.email, code), "rateLimit/TooManyRequests");
    expect((await verify(owner, user.email, code)).userId).toBe(user.userId);
  });

  it("resetPassword: the new password signs in, the old one not; every session is dead; mustChangePassword cleared; audited; a notice mailed", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    await getPrisma().user.update({ where: { id: user.session.user.id }, data: { mustChangePassword: true } });
    const other = await signInUser(suite.client, user);
    const token = await tokenFor(user);
    const password = newPassword();
    expect(await reset(fresh(), token, password)).toEqual({ success: true });

    await expectError(signInUser(fresh(), user), "auth/InvalidCredentials");
    const session = await signInUser(fresh(), { ...user, password });
    expect(session.user.mustChangePassword).toBe(false);
    for (const old of [user.session, other]) {
      await expectError(fresh().api.clientAuth.refresh.mutate({ refreshToken: old.refreshToken }), "auth/InvalidRefreshToken");
      await expectError(fresh().as(old.accessToken).clientAuth.me.query(), "auth/Unauthenticated");
    }
    const [event] = (await auditEvents(suite.tenantKey, "user.passwordRecovered")).filter((e) => e.target === `user:${user.userId}`);
    expect(event).toBeDefined();
    expect(event!.actorType).toBe("user");
    const notices = suite.smtp.mailsTo(user.email).filter((m) => m.subject.includes("password was changed"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`Account: ${user.userId}`);
    expect(notices[0]!.text).toContain("signed out everywhere");
  });

  it("a user without a password (email-code sign-up) sets one by reset, and a suspended one stays suspended", async () => {
    const tenant: Tenant = await createTenant();
    const address = newAddress();
    const noPassword = await getPrisma().user.create({
      data: {
        tenantId: tenant.id,
        userId: unique("np").toLowerCase(),
        displayName: "No Password",
        email: address,
        verifiedEmail: address,
        emailVerifiedAt: new Date(),
        passwordHash: null,
        source: "self_signup",
      },
    });
    const c = fresh();
    await sendEmail(c, address, tenant.key);
    const { resetToken } = await verify(c, address, await resetCodeFor(address), tenant.key);
    const password = newPassword();
    await reset(c, resetToken, password);
    const session = await signInUser(fresh(), { tenantKey: tenant.key, userId: noPassword.userId, password });
    expect(session.user.hasPassword).toBe(true);

    const suspended = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    await getPrisma().user.update({ where: { id: suspended.session.user.id }, data: { suspendedAt: new Date() } });
    const token = await tokenFor(suspended);
    const next = newPassword();
    await reset(fresh(), token, next);
    await expectError(signInUser(fresh(), { ...suspended, password: next }), "auth/AccountSuspended");
    expect((await getPrisma().user.findUniqueOrThrow({ where: { id: suspended.session.user.id } })).suspendedAt).not.toBeNull();
  });

  it("the token: a policy refusal (400 on newPassword) keeps it; used once; unknown or expired → 401 auth/InvalidResetToken", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const token = await tokenFor(user);
    await expectInvalidField(reset(fresh(), token, "password"), "newPassword");
    await expectInvalidField(reset(fresh(), token, user.userId), "newPassword");
    await expectInvalidField(reset(fresh(), token, "short"), "newPassword");
    await reset(fresh(), token, newPassword());
    await expectError(reset(fresh(), token, newPassword()), "auth/InvalidResetToken");
    await expectError(reset(fresh(), `${token}x`, newPassword()), "auth/InvalidResetToken");
    await expectError(reset(fresh(), "x", newPassword()), "auth/InvalidResetToken");

    await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, user.email, "resetEmail"));
    const expiring = await tokenFor(user, fresh(), 2);
    await getPrisma().passwordResetToken.updateMany({
      where: { userId: user.session.user.id, consumedAt: null },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    await expectError(reset(fresh(), expiring, newPassword()), "auth/InvalidResetToken");
  });

  it("parallel resets with one token: exactly one succeeds", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const token = await tokenFor(user);
    const results = await Promise.all(Array.from({ length: 5 }, () => settle(reset(fresh(), token, newPassword()))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r.appCode).toBe("auth/InvalidResetToken");
  });

  it("a reset ends the user's other outstanding tokens", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const first = await tokenFor(user);
    // The second send waits out the cooldown in Redis rather than in time.
    await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, user.email, "resetEmail"));
    const c = fresh();
    await sendEmail(c, user.email);
    const { resetToken: second } = await verify(c, user.email, await resetCodeFor(user.email, 2));
    await reset(fresh(), second, newPassword());
    await expectError(reset(fresh(), first, newPassword()), "auth/InvalidResetToken");
  });

  it("a user deleted after the send: the right code is a plain 401, and a token issued before is 401 too", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const token = await tokenFor(user);
    await getRedis().del(redisKeys.otpCooldown(suite.tenant.id, user.email, "resetEmail"));
    const c = fresh();
    await sendEmail(c, user.email);
    const code = await resetCodeFor(user.email, 2);
    await getPrisma().user.update({ where: { id: user.session.user.id }, data: { deletedAt: new Date(), verifiedEmail: null } });
    await expectError(verify(c, user.email, code), "emailVerification/InvalidCode");
    await expectError(reset(fresh(), token, newPassword()), "auth/InvalidResetToken");
  });

  it("clientAuth.changePassword mails the security notice to a verified address, and to no unverified one", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    await user.api.clientAuth.changePassword.mutate({ currentPassword: user.password, newPassword: newPassword() });
    const notices = suite.smtp.mailsTo(user.email).filter((m) => m.subject.includes("password was changed"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain("every other sign-in was ended");

    const unverified = await signUpUser(suite.client, suite.tenantKey);
    await unverified.api.clientAuth.changePassword.mutate({ currentPassword: unverified.password, newPassword: newPassword() });
    await sleep(200);
    expect(suite.smtp.mailsTo(unverified.email)).toHaveLength(0);
  });

  it("an admin-issued manager with a verified address and a required password change: the reset clears it", async () => {
    const tenant = await createTenant();
    const address = newAddress();
    const userId = unique("mgr").toLowerCase();
    await getPrisma().user.create({
      data: {
        tenantId: tenant.id,
        userId,
        displayName: "Manager",
        email: address,
        verifiedEmail: address,
        emailVerifiedAt: new Date(),
        passwordHash: await hashPassword(newPassword()),
        role: "manager",
        source: "admin_issued",
        mustChangePassword: true,
      },
    });
    const c = fresh();
    await sendEmail(c, address, tenant.key);
    const verified = await verify(c, address, await resetCodeFor(address), tenant.key);
    expect(verified.userId).toBe(userId);
    const password = newPassword();
    await reset(c, verified.resetToken, password);
    const session = await signInUser(fresh(), { tenantKey: tenant.key, userId, password });
    expect(session.user.mustChangePassword).toBe(false);
    // No gate: the manager is in.
    await fresh().as(session.accessToken).clientAuth.updateMe.mutate({ displayName: "Manager Two" });
  });

  it("a sign-in held after its password check while a reset commits: 401 auth/InvalidCredentials, no live session (the issue-15 race)", async () => {
    const user = await verifiedUser(suite.client, suite.tenantKey, suite.smtp);
    const token = await tokenFor(user);
    const hold = holdAt("session.open", user.session.user.id);
    const pending = signInUser(fresh(), user);
    await hold.reached;
    try {
      await reset(fresh(), token, newPassword());
    } finally {
      hold.release();
    }
    await expectError(pending, "auth/InvalidCredentials");
    expect(await getPrisma().session.count({ where: { userId: user.session.user.id, revokedAt: null } })).toBe(0);
  });
});
