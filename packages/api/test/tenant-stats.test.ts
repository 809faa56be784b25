import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { expectError, hasRedis, sendCode, signInUser, signUpUser, unique, useServer, verifiedUser } from "./kit";
import { recordSent, sentLast24h } from "../src/services/message-stats";
import { sendSms } from "../src/services/sms";

/**
 * CONTRACT v2 `backOffice.tenants.stats`: live users and sessions, and the SMS and code mails of
 * the last 24 hours (hourly Redis buckets), what an operator watches for SMS pumping.
 */
describe.skipIf(!hasRedis)("backOffice.tenants.stats", () => {
  const suite = useServer({ staff: true, mail: true });
  const { client, bo } = suite;
  const stats = () => bo.tenants.stats.query({ key: suite.tenantKey });

  it("a new tenant has nothing", async () => {
    expect(await stats()).toEqual({ users: 0, liveSessions: 0, smsSentLast24h: 0, codeMailsSentLast24h: 0 });
  });

  it("counts live users and sessions, and the code mails actually sent", async () => {
    const before = await stats();
    const a = await verifiedUser(client, suite.tenantKey, suite.smtp); // one code mail, one session
    const b = await signUpUser(client, suite.tenantKey); // one session, no mail
    await signInUser(client, b); // a second session for b
    // A code mail refused by the cooldown is not a mail.
    await sendCode(b, b.email);
    await expectError(sendCode(b, b.email), "emailVerification/CooldownActive");
    const after = await stats();
    expect(after.users).toBe(before.users + 2);
    expect(after.liveSessions).toBe(before.liveSessions + 3);
    expect(after.codeMailsSentLast24h).toBe(before.codeMailsSentLast24h + 2);

    // Revoked and expired sessions and deleted users no longer count.
    await a.api.clientAuth.signOut.mutate({});
    await getPrisma().session.updateMany({
      where: { user: { userId: b.userId, tenantId: suite.tenant.id } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await stats()).toMatchObject({ users: before.users + 2, liveSessions: before.liveSessions });
    await bo.users.delete.mutate({ tenantKey: suite.tenantKey, userId: b.userId });
    expect((await stats()).users).toBe(before.users + 1);
  });

  it("a mail the server refuses is not counted", async () => {
    const before = await stats();
    const user = await signUpUser(client, suite.tenantKey);
    suite.smtp.refuse = true;
    try {
      await expectError(sendCode(user, user.email), "service/Unavailable");
    } finally {
      suite.smtp.refuse = false;
    }
    expect((await stats()).codeMailsSentLast24h).toBe(before.codeMailsSentLast24h);
  });

  it("counts SMS in the current hour and the 23 before it, per tenant", async () => {
    const tenantId = suite.tenant.id;
    const before = await sentLast24h(tenantId);
    const now = Date.now();
    await recordSent(tenantId, "sms", now);
    await recordSent(tenantId, "sms", now - 23 * 3600_000);
    await recordSent(tenantId, "sms", now - 25 * 3600_000); // too old
    await recordSent(tenantId, "codeMail", now - 3600_000);
    expect(await sentLast24h(tenantId, now)).toEqual({ sms: before.sms + 2, codeMail: before.codeMail + 1 });
    expect(await stats()).toMatchObject({ smsSentLast24h: before.sms + 2, codeMailsSentLast24h: before.codeMail + 1 });
    // Another tenant's traffic is its own.
    expect(await sentLast24h(crypto.randomUUID(), now)).toEqual({ sms: 0, codeMail: 0 });
  });

  it("sendSms with no SMS configured (tests, production) fails without counting", async () => {
    const before = await sentLast24h(suite.tenant.id);
    await expect(sendSms({ to: "+821012345678", text: "x", tenantKey: suite.tenantKey }, suite.tenant.id)).rejects.toMatchObject({
      name: "SmsDeliveryError",
    });
    expect(await sentLast24h(suite.tenant.id)).toEqual(before);
  });

  it("unknown tenant → 404; a soft-deleted one is found, with no live sessions", async () => {
    await expectError(bo.tenants.stats.query({ key: unique("nope").toLowerCase() }), "tenant/NotFound");
    const key = unique("sd").toLowerCase();
    await bo.tenants.create.mutate({ key, name: "Soon deleted", allowedEmailDomains: [] });
    await signUpUser(client, key);
    await bo.tenants.softDelete.mutate({ key });
    expect(await bo.tenants.stats.query({ key })).toEqual({ users: 1, liveSessions: 0, smsSentLast24h: 0, codeMailsSentLast24h: 0 });
  });

  it("viewers may read it; signed-out callers may not", async () => {
    expect(await suite.staffCaller(suite.viewer.cookie).backOffice.tenants.stats.query({ key: suite.tenantKey })).toHaveProperty("users");
    await expectError(suite.staffCaller(undefined).backOffice.tenants.stats.query({ key: suite.tenantKey }), "auth/Unauthenticated");
  });
});
