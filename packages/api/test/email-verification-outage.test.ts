import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { redisKeys } from "../src/lib/keys";
import { connectRedis, getRedis, isRedisUnavailable, setRedis } from "../src/lib/redis";
import { checkOtp, issueOtp } from "../src/policy/otp-limiter";
import { type MailCatcher, startMailCatcher } from "@gatehouse/testing/mail";
import { hasRedis, startTestServer, startTestServerWithMail, type TestServer } from "./helpers";
import {
  createTenant,
  sendCode,
  signUpUser,
  verifyCode,
} from "./email-verification-support";

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const otpKeysExist = async (tenantId: string, userId: string) =>
  getRedis().exists(redisKeys.otpCode(tenantId, userId), redisKeys.otpCooldown(tenantId, userId));

// Suites run one after another; each installs its own config (mail settings) in beforeAll.
describe.skipIf(!hasRedis)("sendVerification when the mail server does not take the mail", () => {
  let server: TestServer;
  let smtp: MailCatcher;
  beforeAll(async () => {
    ({ server, smtp } = await startTestServerWithMail({ env: { RATE_LIMIT_SCALE: "100" } }));
  });
  afterAll(() => server.close());

  it("503, with the code and cooldown undone; an immediate retry once it takes mail again succeeds", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    smtp.refuse = true;
    const refused = await sendCode(server.url, user.accessToken, user.email);
    expect(refused.status).toBe(503);
    expect(refused.appCode).toBe("service/Unavailable");
    expect(JSON.stringify(refused.body)).not.toMatch(/451|Mailbox/);
    expect(await otpKeysExist(tenant.id, user.id)).toBe(0);
    const again = await sendCode(server.url, user.accessToken, user.email);
    expect(again.status).toBe(503);

    smtp.refuse = false;
    const ok = await sendCode(server.url, user.accessToken, user.email);
    expect(ok.status).toBe(200);
    expect(smtp.mailsTo(user.email)).toHaveLength(1);
    expect((await verifyCode(server.url, user.accessToken, smtp.latestCode(user.email))).status).toBe(200);
  });
});

describe.skipIf(!hasRedis)("sendVerification when the mail server is down", () => {
  let server: TestServer;
  let port: number;
  let smtp: MailCatcher | undefined;
  beforeAll(async () => {
    port = await closedPort();
    server = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, RATE_LIMIT_SCALE: "100" } });
  });
  afterAll(async () => {
    await server.close();
    await smtp?.close();
  });

  it("503 while nothing listens; once it is back an immediate retry succeeds (no cooldown left behind)", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    const started = Date.now();
    const down = await sendCode(server.url, user.accessToken, user.email);
    expect(down.status).toBe(503);
    expect(down.appCode).toBe("service/Unavailable");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await otpKeysExist(tenant.id, user.id)).toBe(0);

    smtp = await startMailCatcher({ port });
    const back = await sendCode(server.url, user.accessToken, user.email);
    expect(back.status).toBe(200);
    expect((await verifyCode(server.url, user.accessToken, smtp.latestCode(user.email))).status).toBe(200);
  });
});

describe.skipIf(!hasRedis)("fail closed when Redis is unreachable", () => {
  let server: TestServer;
  let smtp: MailCatcher;
  let live: Redis;
  let dead: Redis;
  beforeAll(async () => {
    ({ server, smtp } = await startTestServerWithMail({ env: { RATE_LIMIT_SCALE: "100" } }));
    // getRedis() is a process singleton: swap in a connection to a port where nothing listens.
    live = getRedis();
    dead = connectRedis("redis://127.0.0.1:1");
  });
  afterAll(async () => {
    setRedis(live);
    dead.disconnect();
    await server.close();
  });

  it("sendVerification and verifyEmail answer 503 within seconds, and no mail leaves", async () => {
    const tenant = await createTenant();
    // Signed up while Redis is still there (signUp has its per-IP limit in Redis).
    const user = await signUpUser(server.url, tenant.key);
    setRedis(dead);
    try {
      for (const attempt of [() => sendCode(server.url, user.accessToken, user.email), () => verifyCode(server.url, user.accessToken, "123456")]) {
        const started = Date.now();
        const res = await attempt();
        expect(res.status).toBe(503);
        expect(res.appCode).toBe("service/Unavailable");
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      expect(smtp.mailsTo(user.email)).toHaveLength(0);
    } finally {
      setRedis(live);
    }
  });

  it("the limiter's scripts reject (as Redis-unavailable) rather than hang", async () => {
    const subject = { tenantId: "00000000-0000-0000-0000-000000000001", userId: "00000000-0000-0000-0000-000000000002" };
    const calls = [
      () => checkOtp(subject, { hmac: "00", maxAttempts: 5, failuresPerHour: 15 }, dead),
      () =>
        issueOtp(
          subject,
          { hmac: "00", email: "a@example.com", nonce: "n", ttlMs: 1000, cooldownMs: 1000, failuresPerHour: 15, mailsPerAddressPerHour: 20, expiresAtMs: Date.now() + 1000 },
          dead,
        ),
    ];
    for (const run of calls) {
      const started = Date.now();
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRedisUnavailable(error), String(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });
});
