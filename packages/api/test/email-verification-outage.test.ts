import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { redisKeys } from "../src/lib/keys";
import { connectRedis, getRedis, isRedisUnavailable, setRedis } from "../src/lib/redis";
import { checkOtp, issueOtp } from "../src/policy/otp-limiter";
import { type MailCatcher, startMailCatcher } from "@gatehouse/testing/mail";
import {
  clientAt,
  createTenant,
  expectError,
  hasRedis,
  sendCode,
  signUpUser,
  startServer,
  suiteEnv,
  useServer,
  verifyCode,
  type TestServer,
} from "./kit";

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
  const suite = useServer({ mail: true });

  it("503, with the code and cooldown undone; an immediate retry once it takes mail again succeeds", async () => {
    const { smtp } = suite;
    const tenant = await createTenant();
    const user = await signUpUser(suite.client, tenant.key);
    smtp.refuse = true;
    const refused = await expectError(sendCode(user, user.email), "service/Unavailable");
    expect(JSON.stringify(refused.body)).not.toMatch(/451|Mailbox/);
    expect(await otpKeysExist(tenant.id, user.session.user.id)).toBe(0);
    await expectError(sendCode(user, user.email), "service/Unavailable");

    smtp.refuse = false;
    await sendCode(user, user.email);
    expect(smtp.mailsTo(user.email)).toHaveLength(1);
    await verifyCode(user, smtp.latestCode(user.email));
  });
});

describe.skipIf(!hasRedis)("sendVerification when the mail server is down", () => {
  let server: TestServer;
  let port: number;
  let smtp: MailCatcher | undefined;
  beforeAll(async () => {
    port = await closedPort();
    server = await startServer({ env: { ...suiteEnv, SMTP_URL: `smtp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await server.close();
    await smtp?.close();
  });

  it("503 while nothing listens; once it is back an immediate retry succeeds (no cooldown left behind)", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(clientAt(server.url), tenant.key);
    const started = Date.now();
    await expectError(sendCode(user, user.email), "service/Unavailable");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await otpKeysExist(tenant.id, user.session.user.id)).toBe(0);

    smtp = await startMailCatcher({ port });
    await sendCode(user, user.email);
    await verifyCode(user, smtp.latestCode(user.email));
  });
});

describe.skipIf(!hasRedis)("fail closed when Redis is unreachable", () => {
  const suite = useServer({ mail: true });
  let live: Redis;
  let dead: Redis;
  beforeAll(() => {
    // getRedis() is a process singleton: swap in a connection to a port where nothing listens.
    live = getRedis();
    dead = connectRedis("redis://127.0.0.1:1");
  });
  afterAll(() => {
    setRedis(live);
    dead.disconnect();
  });

  it("sendVerification and verifyEmail answer 503 within seconds, and no mail leaves", async () => {
    const tenant = await createTenant();
    // Signed up while Redis is still there (signUp has its per-IP limit in Redis).
    const user = await signUpUser(suite.client, tenant.key);
    setRedis(dead);
    try {
      for (const attempt of [() => sendCode(user, user.email), () => verifyCode(user, "123456")]) {
        const started = Date.now();
        await expectError(attempt(), "service/Unavailable");
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      expect(suite.smtp.mailsTo(user.email)).toHaveLength(0);
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
          {
            hmac: "00",
            email: "a@example.com",
            nonce: "n",
            ttlMs: 1000,
            cooldownMs: 1000,
            failuresPerHour: 15,
            mailsPerAddressPerHour: 20,
            expiresAtMs: Date.now() + 1000,
          },
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
