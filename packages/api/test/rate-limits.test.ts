import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { callByName, clientAt, createTenant, expectError, hasRedis, settle, useServer, type Api, type ErrorAnswer } from "./kit";

// TRUST_PROXY=1 lets each test speak from its own client IPs (the last X-Forwarded-For entry).
// Tripping a limit uses windows 4× shorter than production (1 min → 15 s), long enough that a
// loaded CI machine sends the whole burst inside one window; freeing uses 1 min → 3 s.
const WINDOW_SCALE = 0.25;
const SHORT_WINDOW_SCALE = 0.05;
let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter = (ipCounter % 250) + 1)}`;
/** The first three groups of a fresh /64 (the fourth is 0): `2001:db8:<run>:<n>`. */
const runGroup = Math.floor(Math.random() * 0xffff).toString(16);
let prefixCounter = 0;
const freshIpv6Prefix = () => `2001:db8:${runGroup}:${(++prefixCounter).toString(16)}`;

const noSuchTenant = { tenantKey: "no-such-tenant", userId: "x", password: "y" };
/** A procedure, its per-IP limit per minute, and a call of it as `api`. */
type LimitedCall = [path: string, limit: number, send: (api: Api) => Promise<unknown>];

describe.skipIf(!hasRedis)("rate limits", () => {
  // The limits as configured (RATE_LIMIT_SCALE 1); no mail server (sendVerification gets past its limit to a 503).
  const suite = useServer({
    env: {
      RATE_LIMIT_SCALE: "1",
      RATE_LIMIT_WINDOW_SCALE: String(WINDOW_SCALE),
      OTP_FAILURES_PER_HOUR: "1000",
      SMTP_URL: "smtp://127.0.0.1:1",
    },
  });
  /** The typed client from `ip`. */
  const from = (ip: string) => clientAt(suite.server.url, ip);
  const signInFrom = (ip: string, input: { tenantKey: string; userId: string; password: string }) =>
    from(ip).api.clientAuth.signIn.mutate(input);

  async function expectLimited(call: Promise<unknown>, windowSeconds: number): Promise<ErrorAnswer> {
    const res = await expectError(call, "rateLimit/TooManyRequests");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(windowSeconds * WINDOW_SCALE) + 1);
    return res;
  }

  /** A tenant and one signed-up user of it (from a fresh IP): their key and session. */
  async function tenantWithUser(userId: string, password: string) {
    const tenant = await createTenant();
    const session = await from(freshIp()).api.clientAuth.signUp.mutate({
      tenantKey: tenant.key,
      userId,
      password,
      displayName: userId,
      email: `${userId}@example.com`,
    });
    return { tenant, session };
  }

  /**
   * The per-IP limits are Upstash sliding windows over fixed buckets, and Upstash rounds the
   * previous bucket's weight down: a burst straddling a bucket boundary gets one request more.
   * A test that counts exactly starts its burst well inside one bucket.
   */
  async function awayFromBucketEdge(windowSeconds: number, burstMs = 5_000) {
    const bucket = Math.round(windowSeconds * WINDOW_SCALE * 1000);
    const left = bucket - (Date.now() % bucket);
    if (left < burstMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
  }

  it.each<LimitedCall>([
    ["clientAuth.signIn", 30, (api: Api) => api.clientAuth.signIn.mutate(noSuchTenant)],
    [
      "clientAuth.signUp",
      20,
      (api: Api) =>
        api.clientAuth.signUp.mutate({
          tenantKey: "no-such-tenant",
          userId: "xyz",
          password: "not-common-at-all-9",
          displayName: "X",
          email: "x@example.com",
        }),
    ],
    ["clientAuth.refresh", 60, (api: Api) => api.clientAuth.refresh.mutate({ refreshToken: "not-a-token" })],
  ])("%s: %i per minute per IP, then 429 with Retry-After; other IPs unaffected", async (_path, limit, send) => {
    const ip = freshIp();
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: limit }, () => settle(send(from(ip).api))));
    expect(answers.every((a) => a.status !== 429)).toBe(true);
    await expectLimited(send(from(ip).api), 60);
    expect((await settle(send(from(freshIp()).api))).status).not.toBe(429);
  });

  it("per-IP limits count the client's network: 31 sign-ins from 31 addresses of one IPv6 /64, the 31st is 429; another /64 is unaffected", async () => {
    const prefix = freshIpv6Prefix();
    // Thirty different spellings and addresses of one /64 (upper case, leading zeros, other hosts).
    const addresses = Array.from({ length: 31 }, (_, i) =>
      i % 2 === 0 ? `${prefix}::${(i + 1).toString(16)}` : `${prefix.toUpperCase()}:0:ffff:${i}:0${i + 1}`,
    );
    expect(new Set(addresses).size).toBe(31);
    await awayFromBucketEdge(60);
    const answers = await Promise.all(addresses.slice(0, 30).map((ip) => settle(signInFrom(ip, noSuchTenant))));
    expect(answers.every((a) => a.status === 404)).toBe(true);
    await expectLimited(signInFrom(addresses[30]!, noSuchTenant), 60);
    await expectError(signInFrom(`${freshIpv6Prefix()}::1`, noSuchTenant), "tenant/NotFound");
  });

  it("an IPv4-mapped IPv6 address is the IPv4 address's network", async () => {
    const ip = freshIp();
    await awayFromBucketEdge(60);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => settle(signInFrom(i % 2 === 0 ? ip : `::ffff:${ip}`, noSuchTenant))),
    );
    expect(answers.every((a) => a.status === 404)).toBe(true);
    await expectLimited(signInFrom(`::FFFF:${ip}`, noSuchTenant), 60);
  });

  it("failed sign-ins: the per-(account, IP) budget is per network, so 10 addresses of one /64 spend it for the 11th", async () => {
    const password = "unusual-but-valid-password-4";
    const { tenant } = await tenantWithUser("hal", password);
    const prefix = freshIpv6Prefix();
    for (let i = 1; i <= 10; i++) {
      await expectError(
        signInFrom(`${prefix}:${i}::${i}`, { tenantKey: tenant.key, userId: "hal", password: `wrong-${i}` }),
        "auth/InvalidCredentials",
      );
    }
    await expectLimited(signInFrom(`${prefix}:ffff::11`, { tenantKey: tenant.key, userId: "hal", password }), 15 * 60);
    await signInFrom(`${freshIpv6Prefix()}::1`, { tenantKey: tenant.key, userId: "hal", password });
  });

  it.each<LimitedCall>([
    [
      "clientEmailVerification.sendVerification",
      20,
      (api: Api) => api.clientEmailVerification.sendVerification.mutate({ email: "ivy@example.com" }),
    ],
    ["clientEmailVerification.verifyEmail", 60, (api: Api) => api.clientEmailVerification.verifyEmail.mutate({ code: "000000" })],
  ])("%s: %i per minute per IP (after the access check), then 429", async (_path, limit, send) => {
    const { session } = await tenantWithUser("ivy", "unusual-but-valid-password-6");
    const ivy = from(freshIp()).as(session.accessToken);
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: limit }, () => settle(send(ivy))));
    expect(answers.some((a) => !a.ok && a.appCode === "rateLimit/TooManyRequests")).toBe(false);
    await expectLimited(send(ivy), 60);
  });

  it.each([
    ["clientPasswordless.sendCode", 20, { tenantKey: "no-such-tenant-rl", email: "a@example.com" }, "tenant/NotFound"],
    ["clientPasswordless.verify", 60, { tenantKey: "no-such-tenant-rl", email: "a@example.com", code: "000000" }, "tenant/NotFound"],
    ["clientPasswordless.register", 20, { signupToken: "never-issued", displayName: "Rl" }, "auth/InvalidSignupToken"],
    [
      "clientSocial.start",
      60,
      { tenantKey: "no-such-tenant-rl", provider: "google", redirectUri: "https://app.example.com/cb" },
      "tenant/NotFound",
    ],
    ["clientSocial.exchange", 60, { code: "never-issued" }, "social/InvalidCode"],
    ["clientSocial.signInWithToken", 30, { tenantKey: "no-such-tenant-rl", provider: "kakao", accessToken: "x" }, "tenant/NotFound"],
  ] as const)(
    "%s: %i per minute per IP, counted before the tenant or token is looked up, then 429",
    async (path, limit, input, refusal) => {
      const { api } = from(freshIp());
      await awayFromBucketEdge(60);
      const answers = await Promise.all(Array.from({ length: limit }, () => settle(callByName(api, "mutation", path, input))));
      expect(answers.map((a) => (a.ok ? "ok" : a.appCode))).toEqual(Array(limit).fill(refusal));
      await expectLimited(callByName(api, "mutation", path, input), 60);
      // Another IP's allowance is its own.
      await expectError(callByName(from(freshIp()).api, "mutation", path, input), refusal);
    },
  );

  it("clientPasswordless (CONTRACT v2 order): the input schema before the per-IP limit, so a malformed call is 400 and spends nothing", async () => {
    const ip = freshIp();
    const { api } = from(ip);
    const bad = { tenantKey: "-", email: "not-an-email" };
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: 25 }, () => settle(api.clientPasswordless.sendCode.mutate(bad))));
    expect(answers.map((a) => (a.ok ? "ok" : a.appCode))).toEqual(Array(25).fill("validation/Invalid"));
    // The IP's allowance is whole: 20 well-formed calls get past the limit, the 21st does not,
    // and a malformed one past the limit is still its 400.
    const good = { tenantKey: "no-such-tenant-rl", email: "a@example.com" };
    const counted = await Promise.all(Array.from({ length: 20 }, () => settle(api.clientPasswordless.sendCode.mutate(good))));
    expect(counted.map((a) => (a.ok ? "ok" : a.appCode))).toEqual(Array(20).fill("tenant/NotFound"));
    await expectLimited(api.clientPasswordless.sendCode.mutate(good), 60);
    await expectError(api.clientPasswordless.sendCode.mutate(bad), "validation/Invalid");
  });

  // Where each limit stands in its procedure's chain (procedures.ts: .meta({ ipLimit }) is enforced
  // after the access checks and before the input is parsed; unstorable text is refused first).
  it("signUp counts malformed input too: 20 bad calls from one IP are 400, the 21st is 429; unstorable text is still 400", async () => {
    const { api } = from(freshIp());
    const bad = { tenantKey: "-", userId: "", password: "x", displayName: "", email: "not-an-email" };
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: 20 }, () => settle(api.clientAuth.signUp.mutate(bad))));
    expect(answers.map((a) => (a.ok ? "ok" : a.appCode))).toEqual(Array(20).fill("validation/Invalid"));
    await expectLimited(api.clientAuth.signUp.mutate(bad), 60);
    await expectError(api.clientAuth.signUp.mutate({ ...bad, displayName: "a\u0000b" }), "validation/Invalid");
  });

  it.each([
    ["clientEmailVerification.sendVerification", 20, { email: "kim@example.com" }],
    ["clientEmailVerification.verifyEmail", 60, { code: "000000" }],
  ] as const)(
    "%s counts only callers past the gates: a flood without a session stays 401 and spends nothing",
    async (path, limit, input) => {
      const ip = freshIp();
      const { api } = from(ip);
      await awayFromBucketEdge(60);
      const answers = await Promise.all(Array.from({ length: limit + 5 }, () => settle(callByName(api, "mutation", path, input))));
      expect(answers.map((a) => (a.ok ? "ok" : a.appCode))).toEqual(Array(limit + 5).fill("auth/Unauthenticated"));
      // The same IP's allowance is whole: a signed-in user from it is not limited.
      const { session } = await tenantWithUser("kim", "unusual-but-valid-password-3");
      const outcome = await settle(callByName(from(ip).as(session.accessToken), "mutation", path, input));
      expect(outcome.ok ? "ok" : outcome.appCode).not.toBe("rateLimit/TooManyRequests");
    },
  );

  it("failed sign-ins: 10 per (account, IP), then 429 even with the right password; another IP still signs in", async () => {
    const password = "unusual-but-valid-password-7";
    const { tenant } = await tenantWithUser("dave", password);
    const attacker = freshIp();
    for (let i = 0; i < 10; i++) {
      await expectError(signInFrom(attacker, { tenantKey: tenant.key, userId: "dave", password: `wrong-${i}` }), "auth/InvalidCredentials");
    }
    await expectLimited(signInFrom(attacker, { tenantKey: tenant.key, userId: "dave", password }), 15 * 60);
    await signInFrom(freshIp(), { tenantKey: tenant.key, userId: "DAVE", password });
  });

  it("failed sign-ins in parallel: a burst of 25 from one IP gets 10 password checks, the rest 429", async () => {
    const password = "unusual-but-valid-password-5";
    const { tenant } = await tenantWithUser("gus", password);
    const attacker = freshIp();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => settle(signInFrom(attacker, { tenantKey: tenant.key, userId: "gus", password: `guess-${i}` }))),
    );
    const codes = answers.map((a) => (a.ok ? undefined : a.appCode));
    expect(codes.filter((c) => c === "auth/InvalidCredentials")).toHaveLength(10);
    expect(codes.filter((c) => c === "rateLimit/TooManyRequests")).toHaveLength(15);
    // A right password gives its attempt back: the owner's sign-ins from elsewhere never count.
    const home = freshIp();
    for (let i = 0; i < 12; i++) await signInFrom(home, { tenantKey: tenant.key, userId: "gus", password });
  });

  // 101 bcrypt checks: past the default 30 s on a loaded shared 2-core machine (seen there, on
  // main too), hence its own timeout.
  it("failed sign-ins: 100 per account per hour from all IPs, then every IP gets 429", async () => {
    const password = "unusual-but-valid-password-8";
    const { tenant } = await tenantWithUser("erin", password);
    for (let batch = 0; batch < 10; batch++) {
      const ip = freshIp();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          settle(signInFrom(ip, { tenantKey: tenant.key, userId: "erin", password: `bad-${batch}-${i}` })),
        ),
      );
      expect(answers.map((a) => (a.ok ? undefined : a.appCode))).toEqual(Array(10).fill("auth/InvalidCredentials"));
    }
    await expectLimited(signInFrom(freshIp(), { tenantKey: tenant.key, userId: "erin", password }), 60 * 60);
    // Unknown accounts have budgets too, and another account of the tenant is unaffected.
    await expectError(signInFrom(freshIp(), { tenantKey: tenant.key, userId: "nobody", password }), "auth/InvalidCredentials");
  }, 120_000);

  it("changePassword with a wrong current password counts as a failed sign-in", async () => {
    const password = "unusual-but-valid-password-9";
    const tenant = await createTenant();
    const ip = freshIp();
    const session = await from(ip).api.clientAuth.signUp.mutate({
      tenantKey: tenant.key,
      userId: "fay",
      password,
      displayName: "Fay",
      email: "fay@example.com",
    });
    await getPrisma().user.updateMany({ where: { tenantId: tenant.id }, data: { emailVerifiedAt: new Date() } });
    const fay = from(ip).as(session.accessToken);
    for (let i = 0; i < 10; i++) {
      await expectError(
        fay.clientAuth.changePassword.mutate({ currentPassword: `nope-${i}`, newPassword: "another-unusual-pass-1" }),
        "auth/InvalidCredentials",
      );
    }
    await expectLimited(signInFrom(ip, { tenantKey: tenant.key, userId: "fay", password }), 15 * 60);
  });
});

describe.skipIf(!hasRedis)("rate limits free after their window", () => {
  const suite = useServer({ env: { RATE_LIMIT_SCALE: "1", RATE_LIMIT_WINDOW_SCALE: String(SHORT_WINDOW_SCALE) } });

  it("a client that waits out Retry-After is served again", async () => {
    const client = clientAt(suite.server.url, freshIp());
    let limited: ErrorAnswer | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await settle(client.api.clientAuth.signIn.mutate(noSuchTenant));
      if (res.status === 429 && !res.ok) limited = res.answer;
    }
    expect(limited?.appCode).toBe("rateLimit/TooManyRequests");
    const retryAfter = Number(limited!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(60 * SHORT_WINDOW_SCALE) + 1);
    // Sliding windows: the previous window's count decays across the next one.
    await new Promise((resolve) => setTimeout(resolve, (retryAfter + 60 * SHORT_WINDOW_SCALE) * 1000));
    await expectError(client.api.clientAuth.signIn.mutate(noSuchTenant), "tenant/NotFound");
  });
});
