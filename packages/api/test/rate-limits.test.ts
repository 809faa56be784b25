import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { call, hasRedis, startTestServer, unique, type CallResult, type TestServer } from "./helpers";

// TRUST_PROXY=1 lets each test speak from its own client IPs (the last X-Forwarded-For entry).
// Tripping a limit uses windows 4× shorter than production (1 min → 15 s), long enough that a
// loaded CI machine sends the whole burst inside one window; freeing uses 1 min → 3 s.
const WINDOW_SCALE = 0.25;
const SHORT_WINDOW_SCALE = 0.05;
let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter = (ipCounter % 250) + 1)}`;
const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
/** The first three groups of a fresh /64 (the fourth is 0): `2001:db8:<run>:<n>`. */
const runGroup = Math.floor(Math.random() * 0xffff).toString(16);
let prefixCounter = 0;
const freshIpv6Prefix = () => `2001:db8:${runGroup}:${(++prefixCounter).toString(16)}`;

describe.skipIf(!hasRedis)("rate limits", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { TRUST_PROXY: "1", RATE_LIMIT_WINDOW_SCALE: String(WINDOW_SCALE), OTP_FAILURES_PER_HOUR: "1000", SMTP_URL: "smtp://127.0.0.1:1" },
    });
  });
  afterAll(() => server.close());

  async function newTenant() {
    const key = unique("rl");
    const tenant = await getPrisma().tenant.create({ data: { key, name: key, allowedEmailDomains: [] } });
    return tenant;
  }

  function expectLimited(res: CallResult, windowSeconds: number) {
    expect(res.status).toBe(429);
    expect(res.appCode).toBe("rateLimit/TooManyRequests");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(windowSeconds * WINDOW_SCALE) + 1);
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

  it.each([
    ["clientAuth.signIn", 30, { tenantKey: "no-such-tenant", userId: "x", password: "y" }],
    ["clientAuth.signUp", 20, { tenantKey: "no-such-tenant", userId: "xyz", password: "not-common-at-all-9", displayName: "X", email: "x@example.com" }],
    ["clientAuth.refresh", 60, { refreshToken: "not-a-token" }],
  ] as const)("%s: %i per minute per IP, then 429 with Retry-After; other IPs unaffected", async (path, limit, input) => {
    const ip = freshIp();
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: limit }, () => call(server.url, path, input, from(ip))));
    expect(answers.every((a) => a.status !== 429)).toBe(true);
    expectLimited(await call(server.url, path, input, from(ip)), 60);
    expect((await call(server.url, path, input, from(freshIp()))).status).not.toBe(429);
  });

  it("per-IP limits count the client's network: 31 sign-ins from 31 addresses of one IPv6 /64, the 31st is 429; another /64 is unaffected", async () => {
    const prefix = freshIpv6Prefix();
    const input = { tenantKey: "no-such-tenant", userId: "x", password: "y" };
    // Thirty different spellings and addresses of one /64 (upper case, leading zeros, other hosts).
    const addresses = Array.from({ length: 31 }, (_, i) => (i % 2 === 0 ? `${prefix}::${(i + 1).toString(16)}` : `${prefix.toUpperCase()}:0:ffff:${i}:0${i + 1}`));
    expect(new Set(addresses).size).toBe(31);
    await awayFromBucketEdge(60);
    const answers = await Promise.all(addresses.slice(0, 30).map((ip) => call(server.url, "clientAuth.signIn", input, from(ip))));
    expect(answers.every((a) => a.status === 404)).toBe(true);
    expectLimited(await call(server.url, "clientAuth.signIn", input, from(addresses[30]!)), 60);
    expect((await call(server.url, "clientAuth.signIn", input, from(`${freshIpv6Prefix()}::1`))).status).toBe(404);
  });

  it("an IPv4-mapped IPv6 address is the IPv4 address's network", async () => {
    const ip = freshIp();
    const input = { tenantKey: "no-such-tenant", userId: "x", password: "y" };
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => call(server.url, "clientAuth.signIn", input, from(i % 2 === 0 ? ip : `::ffff:${ip}`))));
    expect(answers.every((a) => a.status === 404)).toBe(true);
    expectLimited(await call(server.url, "clientAuth.signIn", input, from(`::FFFF:${ip}`)), 60);
  });

  it("failed sign-ins: the per-(account, IP) budget is per network, so 10 addresses of one /64 spend it for the 11th", async () => {
    const tenant = await newTenant();
    const password = "unusual-but-valid-password-4";
    expect((await call(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "hal", password, displayName: "Hal", email: "hal@example.com" }, from(freshIp()))).status).toBe(200);
    const prefix = freshIpv6Prefix();
    for (let i = 1; i <= 10; i++) {
      const wrong = await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "hal", password: `wrong-${i}` }, from(`${prefix}:${i}::${i}`));
      expect(wrong.appCode).toBe("auth/InvalidCredentials");
    }
    expectLimited(await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "hal", password }, from(`${prefix}:ffff::11`)), 15 * 60);
    expect((await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "hal", password }, from(`${freshIpv6Prefix()}::1`))).status).toBe(200);
  });

  it.each([
    ["clientEmailVerification.sendVerification", 20, { email: "ivy@example.com" }],
    ["clientEmailVerification.verifyEmail", 60, { code: "000000" }],
  ] as const)("%s: %i per minute per IP (after the access check), then 429", async (path, limit, input) => {
    const tenant = await newTenant();
    const ip = freshIp();
    const session = await call<{ accessToken: string }>(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "ivy", password: "unusual-but-valid-password-6", displayName: "Ivy", email: "ivy@example.com" }, from(freshIp()));
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: limit }, () => call(server.url, path, input, { token: session.data.accessToken, ...from(ip) })));
    expect(answers.some((a) => a.appCode === "rateLimit/TooManyRequests")).toBe(false);
    expectLimited(await call(server.url, path, input, { token: session.data.accessToken, ...from(ip) }), 60);
  });

  // Where each limit stands in its procedure's chain (procedures.ts: .meta({ ipLimit }) is enforced
  // after the access checks and before the input is parsed; unstorable text is refused first).
  it("signUp counts malformed input too: 20 bad calls from one IP are 400, the 21st is 429; unstorable text is still 400", async () => {
    const ip = freshIp();
    const bad = { tenantKey: "-", userId: "", password: "x", displayName: "", email: "not-an-email" };
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(server.url, "clientAuth.signUp", bad, from(ip))));
    expect(answers.map((a) => a.appCode)).toEqual(Array(20).fill("validation/Invalid"));
    expectLimited(await call(server.url, "clientAuth.signUp", bad, from(ip)), 60);
    const nul = await call(server.url, "clientAuth.signUp", { ...bad, displayName: "a\u0000b" }, from(ip));
    expect(nul.status).toBe(400);
    expect(nul.appCode).toBe("validation/Invalid");
  });

  it.each([
    ["clientEmailVerification.sendVerification", 20, { email: "kim@example.com" }],
    ["clientEmailVerification.verifyEmail", 60, { code: "000000" }],
  ] as const)("%s counts only callers past the gates: a flood without a session stays 401 and spends nothing", async (path, limit, input) => {
    const ip = freshIp();
    await awayFromBucketEdge(60);
    const answers = await Promise.all(Array.from({ length: limit + 5 }, () => call(server.url, path, input, from(ip))));
    expect(answers.map((a) => a.appCode)).toEqual(Array(limit + 5).fill("auth/Unauthenticated"));
    // The same IP's allowance is whole: a signed-in user from it is not limited.
    const tenant = await newTenant();
    const session = await call<{ accessToken: string }>(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "kim", password: "unusual-but-valid-password-3", displayName: "Kim", email: "kim@example.com" }, from(freshIp()));
    expect((await call(server.url, path, input, { token: session.data.accessToken, ...from(ip) })).appCode).not.toBe("rateLimit/TooManyRequests");
  });

  it("failed sign-ins: 10 per (account, IP), then 429 even with the right password; another IP still signs in", async () => {
    const tenant = await newTenant();
    const password = "unusual-but-valid-password-7";
    const signUp = await call(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "dave", password, displayName: "Dave", email: "dave@example.com" }, from(freshIp()));
    expect(signUp.status).toBe(200);
    const attacker = freshIp();
    for (let i = 0; i < 10; i++) {
      const wrong = await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "dave", password: `wrong-${i}` }, from(attacker));
      expect(wrong.appCode).toBe("auth/InvalidCredentials");
    }
    const blocked = await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "dave", password }, from(attacker));
    expectLimited(blocked, 15 * 60);
    const owner = await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "DAVE", password }, from(freshIp()));
    expect(owner.status).toBe(200);
  });

  it("failed sign-ins in parallel: a burst of 25 from one IP gets 10 password checks, the rest 429", async () => {
    const tenant = await newTenant();
    const password = "unusual-but-valid-password-5";
    expect((await call(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "gus", password, displayName: "Gus", email: "gus@example.com" }, from(freshIp()))).status).toBe(200);
    const attacker = freshIp();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "gus", password: `guess-${i}` }, from(attacker))),
    );
    const codes = answers.map((a) => a.appCode);
    expect(codes.filter((c) => c === "auth/InvalidCredentials")).toHaveLength(10);
    expect(codes.filter((c) => c === "rateLimit/TooManyRequests")).toHaveLength(15);
    // A right password gives its attempt back: the owner's sign-ins from elsewhere never count.
    const home = freshIp();
    for (let i = 0; i < 12; i++) expect((await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "gus", password }, from(home))).status).toBe(200);
  });

  // 101 bcrypt checks: past the default 30 s on a loaded shared 2-core machine (seen there, on
  // main too), hence its own timeout.
  it("failed sign-ins: 100 per account per hour from all IPs, then every IP gets 429", async () => {
    const tenant = await newTenant();
    const password = "unusual-but-valid-password-8";
    expect((await call(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "erin", password, displayName: "Erin", email: "erin@example.com" }, from(freshIp()))).status).toBe(200);
    for (let batch = 0; batch < 10; batch++) {
      const ip = freshIp();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "erin", password: `bad-${batch}-${i}` }, from(ip))),
      );
      expect(answers.map((a) => a.appCode)).toEqual(Array(10).fill("auth/InvalidCredentials"));
    }
    expectLimited(await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "erin", password }, from(freshIp())), 60 * 60);
    // Unknown accounts have budgets too, and another account of the tenant is unaffected.
    expect((await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "nobody", password }, from(freshIp()))).appCode).toBe("auth/InvalidCredentials");
  }, 120_000);

  it("changePassword with a wrong current password counts as a failed sign-in", async () => {
    const tenant = await newTenant();
    const password = "unusual-but-valid-password-9";
    const ip = freshIp();
    const session = await call<{ accessToken: string }>(server.url, "clientAuth.signUp", { tenantKey: tenant.key, userId: "fay", password, displayName: "Fay", email: "fay@example.com" }, from(ip));
    await getPrisma().user.updateMany({ where: { tenantId: tenant.id }, data: { emailVerifiedAt: new Date() } });
    for (let i = 0; i < 10; i++) {
      const wrong = await call(server.url, "clientAuth.changePassword", { currentPassword: `nope-${i}`, newPassword: "another-unusual-pass-1" }, { token: session.data.accessToken, ...from(ip) });
      expect(wrong.appCode).toBe("auth/InvalidCredentials");
    }
    expectLimited(await call(server.url, "clientAuth.signIn", { tenantKey: tenant.key, userId: "fay", password }, from(ip)), 15 * 60);
  });
});

describe.skipIf(!hasRedis)("rate limits free after their window", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: "1", RATE_LIMIT_WINDOW_SCALE: String(SHORT_WINDOW_SCALE) } });
  });
  afterAll(() => server.close());

  it("a client that waits out Retry-After is served again", async () => {
    const ip = freshIp();
    const input = { tenantKey: "no-such-tenant", userId: "x", password: "y" };
    let limited: CallResult | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await call(server.url, "clientAuth.signIn", input, from(ip));
      if (res.status === 429) limited = res;
    }
    expect(limited?.appCode).toBe("rateLimit/TooManyRequests");
    const retryAfter = Number(limited!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(60 * SHORT_WINDOW_SCALE) + 1);
    // Sliding windows: the previous window's count decays across the next one.
    await new Promise((resolve) => setTimeout(resolve, (retryAfter + 60 * SHORT_WINDOW_SCALE) * 1000));
    expect((await call(server.url, "clientAuth.signIn", input, from(ip))).status).toBe(404);
  });
});
