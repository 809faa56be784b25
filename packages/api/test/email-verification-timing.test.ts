import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { redisKeys } from "../src/lib/keys";
import { getRedis } from "../src/lib/redis";
import {
  createTenant,
  expectError,
  hasRedis,
  sendCode,
  signUpUser,
  sleep,
  unique,
  useServer,
  verifiedUser,
  verifyCode,
  wrongCode,
} from "./kit";

// Short lifetimes instead of long sleeps: codes live 2 s, the cooldown is 1 s, and the hourly
// failure budget is 6 (the attempt cap stays 5).
describe.skipIf(!hasRedis)("clientEmailVerification over time", () => {
  const suite = useServer({ mail: true, env: { OTP_TTL_SECONDS: "2", OTP_RESEND_COOLDOWN_SECONDS: "1", OTP_FAILURES_PER_HOUR: "6" } });
  const { client } = suite;

  it("an expired code is a 401", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    const sent = await sendCode(user, user.email);
    expect(Date.parse(sent.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000);
    const code = suite.smtp.latestCode(user.email);
    await sleep(2_300);
    await expectError(verifyCode(user, code), "emailVerification/InvalidCode");
  });

  it("a new send replaces the previous code: after a resend the old code fails", async () => {
    const user = await signUpUser(client, (await createTenant({ allowedEmailDomains: ["example.com"] })).key);
    await sendCode(user, user.email);
    const first = suite.smtp.latestCode(user.email);
    await sleep(1_100);
    let second = first;
    // Two random codes may coincide (1 in 10^6); send until they differ.
    while (second === first) {
      await sendCode(user, user.email);
      second = suite.smtp.latestCode(user.email);
      if (second === first) await sleep(1_100);
    }
    await expectError(verifyCode(user, first), "emailVerification/InvalidCode");
    await verifyCode(user, second);
  });

  it("a resend restores neither the attempts of the hour nor lifts the budget; past it send and verify are 429", async () => {
    const tenant = await createTenant({ allowedEmailDomains: ["example.com"] });
    const user = await signUpUser(client, tenant.key);
    await sendCode(user, user.email);
    const first = suite.smtp.latestCode(user.email);
    for (let i = 1; i <= 5; i++) await expectError(verifyCode(user, wrongCode(first, i)), "emailVerification/InvalidCode");

    await sleep(1_100);
    await sendCode(user, user.email);
    const second = suite.smtp.latestCode(user.email);
    await expectError(verifyCode(user, wrongCode(second)), "emailVerification/InvalidCode");

    // Budget spent: even the right code is refused, and so is a new send.
    const right = await expectError(verifyCode(user, second), "rateLimit/TooManyRequests");
    const retryAfter = Number(right.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3_500);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    await sleep(1_100);
    const send = await expectError(sendCode(user, user.email), "rateLimit/TooManyRequests");
    expect(Number(send.headers.get("retry-after"))).toBeGreaterThan(3_500);
    expect(suite.smtp.mailsTo(user.email)).toHaveLength(2);
    // The address is judged before the budget (README "Decisions"): no code could go there anyway.
    await expectError(sendCode(user, `${unique("x")}@elsewhere.test`), "signUp/EmailDomainNotAllowed");
    // Refusals past the budget are not failures themselves; the user is still unverified.
    expect(await getRedis().zcard(redisKeys.otpFailures(tenant.id, user.session.user.id))).toBe(6);
    expect((await getPrisma().user.findUniqueOrThrow({ where: { id: user.session.user.id } })).emailVerifiedAt).toBeNull();
  });

  it("every 401 counts toward the budget, with or without a live code", async () => {
    const user = await signUpUser(client, (await createTenant()).key);
    for (let i = 0; i < 6; i++) await expectError(verifyCode(user, "000000"), "emailVerification/InvalidCode");
    const blocked = await expectError(sendCode(user, user.email), "rateLimit/TooManyRequests");
    expect(blocked.headers.get("retry-after")).not.toBeNull();
    await expectError(verifyCode(user, "000000"), "rateLimit/TooManyRequests");
  });

  it("a verified user may verify another address, which replaces the first and frees it", async () => {
    const tenant = await createTenant();
    const user = await verifiedUser(client, tenant.key, suite.smtp);
    const other = await signUpUser(client, tenant.key);

    await sleep(1_100);
    const next = `${unique("next")}@example.com`;
    await sendCode(user, next);
    const verified = await verifyCode(user, suite.smtp.latestCode(next));
    expect(verified.user.email).toBe(next);
    const row = await getPrisma().user.findUniqueOrThrow({ where: { id: user.session.user.id } });
    expect(row.verifiedEmail).toBe(next);

    // The first address is no longer anyone's verified address.
    await sendCode(other, user.email);
    await verifyCode(other, suite.smtp.latestCode(user.email));
  });
});

// The hourly failure budget shrunk to 8 s (RATE_LIMIT_WINDOW_SCALE) to watch it slide: budget 6.
describe.skipIf(!hasRedis)("clientEmailVerification: the hourly failure budget slides", () => {
  const HOUR_MS = 8_000;
  const suite = useServer({ mail: true, env: { OTP_FAILURES_PER_HOUR: "6", RATE_LIMIT_WINDOW_SCALE: String(HOUR_MS / 3_600_000) } });

  it("a failure frees one attempt an hour after it, not the whole budget an hour after the first", async () => {
    const user = await signUpUser(suite.client, (await createTenant()).key);
    await expectError(verifyCode(user, "000000"), "emailVerification/InvalidCode");
    const firstCounted = Date.now();
    await sleep(HOUR_MS / 2);
    const laterCounted = Date.now();
    for (let i = 0; i < 5; i++) await expectError(verifyCode(user, "000000"), "emailVerification/InvalidCode");
    await expectError(verifyCode(user, "000000"), "rateLimit/TooManyRequests");

    // The first failure has aged out, the five later ones have not (they do at laterCounted + HOUR_MS).
    await sleep(firstCounted + HOUR_MS + 300 - Date.now());
    await expectError(verifyCode(user, "000000"), "emailVerification/InvalidCode");
    const refused = await expectError(verifyCode(user, "000000"), "rateLimit/TooManyRequests");
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(Math.ceil((laterCounted + HOUR_MS - Date.now()) / 1000) + 1);
    // A fixed window (a counter expiring an hour after its first failure) would have let both through.
    expect(Date.now()).toBeLessThan(laterCounted + HOUR_MS);
  });
});
