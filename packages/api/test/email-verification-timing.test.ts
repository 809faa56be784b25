import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import type { MailCatcher } from "@gatehouse/testing/mail";
import { hasRedis, startTestServerWithMail, unique, type TestServer } from "./helpers";
import {
  createTenant,
  sendCode,
  signUpUser,
  sleep,
  verifyCode,
  wrongCode,
} from "./email-verification-support";

// Short lifetimes instead of long sleeps: codes live 2 s, the cooldown is 1 s, and the hourly
// failure budget is 6 (the attempt cap stays 5).
describe.skipIf(!hasRedis)("clientEmailVerification over time", () => {
  let server: TestServer;
  let smtp: MailCatcher;
  beforeAll(async () => {
    ({ server, smtp } = await startTestServerWithMail({
      env: { RATE_LIMIT_SCALE: "100", OTP_TTL_SECONDS: "2", OTP_RESEND_COOLDOWN_SECONDS: "1", OTP_FAILURES_PER_HOUR: "6" },
    }));
  });
  afterAll(() => server.close());

  it("an expired code is a 401", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    const sent = await sendCode(server.url, user.accessToken, user.email);
    expect(sent.status).toBe(200);
    expect(Date.parse(sent.data.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000);
    const code = smtp.latestCode(user.email);
    await sleep(2_300);
    const res = await verifyCode(server.url, user.accessToken, code);
    expect(res.status).toBe(401);
    expect(res.appCode).toBe("emailVerification/InvalidCode");
  });

  it("a new send replaces the previous code: after a resend the old code fails", async () => {
    const tenant = await createTenant({ allowedEmailDomains: ["example.com"] });
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const first = smtp.latestCode(user.email);
    await sleep(1_100);
    let second = first;
    // Two random codes may coincide (1 in 10^6); send until they differ.
    while (second === first) {
      const resent = await sendCode(server.url, user.accessToken, user.email);
      expect(resent.status).toBe(200);
      second = smtp.latestCode(user.email);
      if (second === first) await sleep(1_100);
    }
    expect((await verifyCode(server.url, user.accessToken, first)).status).toBe(401);
    expect((await verifyCode(server.url, user.accessToken, second)).status).toBe(200);
  });

  it("a resend restores neither the attempts of the hour nor lifts the budget; past it send and verify are 429", async () => {
    const tenant = await createTenant({ allowedEmailDomains: ["example.com"] });
    const user = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const first = smtp.latestCode(user.email);
    for (let i = 1; i <= 5; i++) expect((await verifyCode(server.url, user.accessToken, wrongCode(first, i))).status).toBe(401);

    await sleep(1_100);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    const second = smtp.latestCode(user.email);
    const sixth = await verifyCode(server.url, user.accessToken, wrongCode(second));
    expect(sixth.status).toBe(401);

    // Budget spent: even the right code is refused, and so is a new send.
    const right = await verifyCode(server.url, user.accessToken, second);
    expect(right.status).toBe(429);
    expect(right.appCode).toBe("rateLimit/TooManyRequests");
    const retryAfter = Number(right.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3_500);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    await sleep(1_100);
    const send = await sendCode(server.url, user.accessToken, user.email);
    expect(send.status).toBe(429);
    expect(send.appCode).toBe("rateLimit/TooManyRequests");
    expect(Number(send.headers.get("retry-after"))).toBeGreaterThan(3_500);
    expect(smtp.mailsTo(user.email)).toHaveLength(2);
    // The address is judged before the budget (README "Decisions"): no code could go there anyway.
    const elsewhere = await sendCode(server.url, user.accessToken, `${unique("x")}@elsewhere.test`);
    expect([elsewhere.status, elsewhere.appCode]).toEqual([400, "signUp/EmailDomainNotAllowed"]);
    // Refusals past the budget are not failures themselves; the user is still unverified.
    expect(await getRedis().zcard(redisKeys.otpFailures(tenant.id, user.id))).toBe(6);
    expect((await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeNull();
  });

  it("every 401 counts toward the budget, with or without a live code", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    for (let i = 0; i < 6; i++) expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(401);
    const blocked = await sendCode(server.url, user.accessToken, user.email);
    expect(blocked.status).toBe(429);
    expect(blocked.appCode).toBe("rateLimit/TooManyRequests");
    expect(blocked.headers.get("retry-after")).not.toBeNull();
    expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(429);
  });

  it("a verified user may verify another address, which replaces the first and frees it", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    const other = await signUpUser(server.url, tenant.key);
    expect((await sendCode(server.url, user.accessToken, user.email)).status).toBe(200);
    expect((await verifyCode(server.url, user.accessToken, smtp.latestCode(user.email))).status).toBe(200);

    await sleep(1_100);
    const next = `${unique("next")}@example.com`;
    expect((await sendCode(server.url, user.accessToken, next)).status).toBe(200);
    const verified = await verifyCode(server.url, user.accessToken, smtp.latestCode(next));
    expect(verified.status).toBe(200);
    expect(verified.data.user.email).toBe(next);
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.verifiedEmail).toBe(next);

    // The first address is no longer anyone's verified address.
    expect((await sendCode(server.url, other.accessToken, user.email)).status).toBe(200);
    expect((await verifyCode(server.url, other.accessToken, smtp.latestCode(user.email))).status).toBe(200);
  });
});

// The hourly failure budget shrunk to 8 s (RATE_LIMIT_WINDOW_SCALE) to watch it slide: budget 6.
describe.skipIf(!hasRedis)("clientEmailVerification: the hourly failure budget slides", () => {
  const HOUR_MS = 8_000;
  let server: TestServer;
  beforeAll(async () => {
    ({ server } = await startTestServerWithMail({
      env: { RATE_LIMIT_SCALE: "100", OTP_FAILURES_PER_HOUR: "6", RATE_LIMIT_WINDOW_SCALE: String(HOUR_MS / 3_600_000) },
    }));
  });
  afterAll(() => server.close());

  it("a failure frees one attempt an hour after it, not the whole budget an hour after the first", async () => {
    const tenant = await createTenant();
    const user = await signUpUser(server.url, tenant.key);
    expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(401);
    const firstCounted = Date.now();
    await sleep(HOUR_MS / 2);
    const laterCounted = Date.now();
    for (let i = 0; i < 5; i++) expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(401);
    expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(429);

    // The first failure has aged out, the five later ones have not (they do at laterCounted + HOUR_MS).
    await sleep(firstCounted + HOUR_MS + 300 - Date.now());
    expect((await verifyCode(server.url, user.accessToken, "000000")).status).toBe(401);
    const refused = await verifyCode(server.url, user.accessToken, "000000");
    expect([refused.status, refused.appCode]).toEqual([429, "rateLimit/TooManyRequests"]);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(Math.ceil((laterCounted + HOUR_MS - Date.now()) / 1000) + 1);
    // A fixed window (a counter expiring an hour after its first failure) would have let both through.
    expect(Date.now()).toBeLessThan(laterCounted + HOUR_MS);
  });
});
