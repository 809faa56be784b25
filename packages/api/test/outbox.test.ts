import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { startSmsCapture, type SmsGatewayFake } from "@gatehouse/provider-stand-ins";
import { createTenant, hasRedis, startServer, type TestServer } from "./kit";
import { countSmsSend, releaseSmsSend } from "../src/policy/otp-limiter";
import { sentLast24h } from "../src/services/message-stats";
import {
  deliverDue,
  deliverSoon,
  enqueue,
  OUTBOX_MAX_ATTEMPTS,
  outboxSettled,
  startOutboxWorker,
  type OutboxInput,
} from "../src/services/outbox";

/**
 * The durable outbox (CONTRACT v2 "clientPasswordReset": answer before delivery, deliver within a
 * second, retry in the background): real Postgres, the JSON SMS capture and an SMTP catcher.
 */
describe.skipIf(!hasRedis)("outbox", () => {
  let capture: SmsGatewayFake;
  let server: TestServer;
  let tenant: Tenant;
  const db = () => getPrisma();
  const base = 10_000_000 + Math.floor(Math.random() * 80_000_000);
  let n = 0;
  /** A number of this run's own (the capture is matched by number). */
  const newNumber = () => `+8210${base + n++}`;

  beforeAll(async () => {
    capture = await startSmsCapture();
    server = await startServer({ env: { SMS_URL: capture.url }, mail: true });
    tenant = await createTenant();
  });
  afterAll(async () => {
    await outboxSettled();
    await server?.close();
    await capture?.stop();
  });

  const sms = (to: string, code = "482913"): OutboxInput => ({
    tenantId: tenant.id,
    channel: "sms",
    purpose: "passwordReset",
    payload: { to, text: `[Gatehouse] code ${code}`, tenantKey: tenant.key },
  });
  const write = (input: OutboxInput) => db().$transaction((tx) => enqueue(tx, input));
  const row = (id: string) => db().outboxMessage.findUniqueOrThrow({ where: { id } });
  const mine = () => capture.messages.filter((m) => m.tenantKey === tenant.key);

  it("delivers at once after the commit, erases the message and counts the SMS", async () => {
    const before = await sentLast24h(tenant.id);
    const to = newNumber();
    const started = Date.now();
    const id = await write(sms(to));
    deliverSoon(id);
    const got = await capture.waitFor((m) => m.to === to, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(got).toMatchObject({ text: "[Gatehouse] code 482913", tenantKey: tenant.key });
    await outboxSettled();
    const done = await row(id);
    expect(done.deliveredAt).not.toBeNull();
    expect(done.payloadSealed).toBeNull();
    expect(done.attempts).toBe(1);
    expect((await sentLast24h(tenant.id)).sms).toBe(before.sms + 1);
  });

  it("keeps nothing in clear in the table while it waits", async () => {
    const to = newNumber();
    const id = await write(sms(to, "739201"));
    const [raw] = await db().$queryRaw<
      { text: string }[]
    >`SELECT row_to_json(o)::text AS text FROM "OutboxMessage" o WHERE id = ${id}::uuid`;
    expect(raw?.text).toBeDefined();
    expect(raw?.text).not.toContain("739201");
    expect(raw?.text).not.toContain(to.slice(3));
    expect(raw?.text).not.toContain("Gatehouse] code");
    deliverSoon(id);
    await outboxSettled();
    expect((await row(id)).payloadSealed).toBeNull();
  });

  it("mails through the mailer, counting a code mail only when it is one", async () => {
    const before = await sentLast24h(tenant.id);
    const to = `outbox-${Date.now()}@example.com`;
    const mail = { to, subject: "Your reset code", html: "<p>code 551177</p>", text: "code 551177" };
    const coded = await write({ tenantId: tenant.id, channel: "email", purpose: "passwordReset", payload: mail, codeMail: true });
    const notice = await write({ tenantId: tenant.id, channel: "email", purpose: "securityNotice", payload: { ...mail, text: "notice" } });
    deliverSoon(coded);
    deliverSoon(notice);
    await outboxSettled();
    expect(server.smtp.mailsTo(to)).toHaveLength(2);
    expect((await row(coded)).deliveredAt).not.toBeNull();
    expect((await row(notice)).deliveredAt).not.toBeNull();
    expect((await sentLast24h(tenant.id)).codeMail).toBe(before.codeMail + 1);
  });

  it("retries in the background once the gateway is back", async () => {
    const to = newNumber();
    capture.setMode("down");
    const id = await write(sms(to));
    deliverSoon(id);
    await outboxSettled();
    const failed = await row(id);
    expect(failed).toMatchObject({ deliveredAt: null, failedAt: null, attempts: 1 });
    expect(failed.payloadSealed).not.toBeNull();
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    capture.setMode("ok");
    const worker = startOutboxWorker({ intervalMs: 100 });
    try {
      await capture.waitFor((m) => m.to === to, 6000);
    } finally {
      await worker.stop();
    }
    const done = await row(id);
    expect(done.deliveredAt).not.toBeNull();
    expect(done.attempts).toBe(2);
    expect(done.payloadSealed).toBeNull();
  });

  it("gives up after 8 attempts (OUTBOX_MAX_ATTEMPTS) and erases the message", async () => {
    const to = newNumber();
    capture.setMode("refuse");
    try {
      const id = await write(sms(to));
      for (let i = 0; i < OUTBOX_MAX_ATTEMPTS + 2; i++) {
        await db().outboxMessage.updateMany({ where: { id, failedAt: null }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
        await deliverDue();
      }
      const gone = await row(id);
      expect(gone.failedAt).not.toBeNull();
      expect(gone.deliveredAt).toBeNull();
      expect(gone.attempts).toBe(OUTBOX_MAX_ATTEMPTS);
      expect(gone.payloadSealed).toBeNull();
    } finally {
      capture.setMode("ok");
    }
    expect(mine().some((m) => m.to === to)).toBe(false);
  });

  it("a text given up gives its volume-cap count back (as a refused synchronous one does)", async () => {
    const to = newNumber();
    const capCount = { tenantId: tenant.id, phone: to, nonce: `outbox-${Date.now()}` };
    expect(await countSmsSend(capCount)).toEqual({ outcome: "counted" });
    capture.setMode("refuse");
    try {
      const id = await write({ ...sms(to), capCount } as OutboxInput);
      for (let i = 0; i < OUTBOX_MAX_ATTEMPTS + 1; i++) {
        await db().outboxMessage.updateMany({ where: { id, failedAt: null }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
        await deliverDue();
      }
      expect((await row(id)).failedAt).not.toBeNull();
    } finally {
      capture.setMode("ok");
    }
    // Already given back by the outbox: nothing left to release.
    expect(await releaseSmsSend(capCount)).toBe(0);
  });

  it("several workers never deliver one row twice", async () => {
    const numbers = Array.from({ length: 30 }, () => newNumber());
    const ids = await Promise.all(numbers.map((to) => write(sms(to))));
    // Every instance's worker pass and every request's deliverSoon race for the same rows.
    await Promise.all([deliverDue(), deliverDue(), deliverDue(), deliverDue(), ...ids.map(async (id) => deliverSoon(id))]);
    await outboxSettled();
    for (const to of numbers) expect(mine().filter((m) => m.to === to)).toHaveLength(1);
    const rows = await db().outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.deliveredAt !== null && r.attempts === 1 && r.payloadSealed === null)).toBe(true);
  });
});
