import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "@gatehouse/db";
import { verificationCodeOf, type CapturedMail } from "@gatehouse/testing/mail";
import { startProductionServer, type ProductionServer } from "./production-server";

// Two production servers on different ports sharing one Postgres and one Redis (and one key
// prefix and AUTH_SECRET), with requests alternating between them.
describe("two instances, one Postgres and one Redis", () => {
  let a: ProductionServer;
  let b: ProductionServer;
  const tenantKey = `multi${randomBytes(3).toString("hex")}`;
  const password = "shared-instances-password-1";

  beforeAll(async () => {
    const common = {
      RATE_LIMIT_SCALE: "1",
      REDIS_KEY_PREFIX: `ghmulti:${randomBytes(4).toString("hex")}:`,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      TRUST_PROXY: "1",
      // Behind one load balancer every instance has the same public URL (the token issuer).
      APP_URL: "http://gatehouse.test",
    };
    a = await startProductionServer(common);
    b = await startProductionServer(common, { databaseUrl: a.env.DATABASE_URL! });
    const prisma = createPrismaClient(a.env.DATABASE_URL!);
    await prisma.tenant.create({ data: { key: tenantKey, name: "Multi", allowedEmailDomains: [] } });
    await prisma.$disconnect();
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const servers = () => [a, b];
  async function rpc(
    server: ProductionServer,
    path: string,
    input: unknown,
    opts: { token?: string; ip?: string; method?: "GET" | "POST" } = {},
  ) {
    const headers: Record<string, string> = { "x-forwarded-for": opts.ip ?? "192.0.2.1" };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let url = `${server.url}/api/trpc/${path}`;
    let body: string | undefined;
    if (opts.method === "GET") url += `?input=${encodeURIComponent(JSON.stringify(input ?? {}))}`;
    else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(input);
    }
    const res = await fetch(url, { method: opts.method ?? "POST", headers, body });
    const json = (await res.json()) as { result?: { data: Record<string, unknown> }; error?: { data: { appCode: string } } };
    return { status: res.status, data: json.result?.data as Record<string, string>, appCode: json.error?.data.appCode };
  }

  function codeFrom(mails: CapturedMail[], to: string): string | undefined {
    const mail = [...mails].reverse().find((m) => m.to.includes(to));
    return mail ? verificationCodeOf(mail.raw) : undefined;
  }

  it("keeps the per-IP sign-in limit across instances", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < 30; i++) {
      const res = await rpc(servers()[i % 2]!, "clientAuth.signIn", { tenantKey: "no-such-tenant", userId: "x", password: "y" }, { ip });
      expect(res.status).toBe(404);
    }
    expect((await rpc(a, "clientAuth.signIn", { tenantKey: "no-such-tenant", userId: "x", password: "y" }, { ip })).status).toBe(429);
    expect((await rpc(b, "clientAuth.signIn", { tenantKey: "no-such-tenant", userId: "x", password: "y" }, { ip })).status).toBe(429);
  });

  it("detects refresh-token reuse across instances", async () => {
    const signUp = await rpc(
      a,
      "clientAuth.signUp",
      { tenantKey, userId: "gina", password, displayName: "Gina", email: "gina@example.com" },
      { ip: "192.0.2.10" },
    );
    expect(signUp.status).toBe(200);
    const first = signUp.data.refreshToken!;
    const rotated = await rpc(b, "clientAuth.refresh", { refreshToken: first }, { ip: "192.0.2.10" });
    expect(rotated.status).toBe(200);
    // Tokens issued by one instance are accepted by the other.
    expect((await rpc(a, "clientAuth.me", undefined, { method: "GET", token: rotated.data.accessToken })).status).toBe(200);
    const replay = await rpc(a, "clientAuth.refresh", { refreshToken: first }, { ip: "192.0.2.10" });
    expect(replay.appCode).toBe("auth/InvalidRefreshToken");
    // The whole session is gone on both instances, newest tokens included.
    expect((await rpc(b, "clientAuth.refresh", { refreshToken: rotated.data.refreshToken }, { ip: "192.0.2.10" })).appCode).toBe(
      "auth/InvalidRefreshToken",
    );
    expect((await rpc(a, "clientAuth.me", undefined, { method: "GET", token: rotated.data.accessToken })).appCode).toBe(
      "auth/Unauthenticated",
    );
  });

  it("keeps the resend cooldown and the 5-attempt cap across instances", async () => {
    const signUp = await rpc(
      a,
      "clientAuth.signUp",
      { tenantKey, userId: "hugo", password, displayName: "Hugo", email: "hugo@example.com" },
      { ip: "192.0.2.11" },
    );
    const token = signUp.data.accessToken!;
    const sent = await rpc(a, "clientEmailVerification.sendVerification", { email: "hugo@example.com" }, { token, ip: "192.0.2.11" });
    expect(sent.status).toBe(200);
    const again = await rpc(b, "clientEmailVerification.sendVerification", { email: "hugo@example.com" }, { token, ip: "192.0.2.11" });
    expect(again.appCode).toBe("emailVerification/CooldownActive");
    await expect.poll(() => codeFrom([...a.mails, ...b.mails], "hugo@example.com"), { timeout: 5000 }).toBeDefined();
    const code = codeFrom([...a.mails, ...b.mails], "hugo@example.com")!;
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      const res = await rpc(servers()[i % 2]!, "clientEmailVerification.verifyEmail", { code: wrong }, { token, ip: "192.0.2.11" });
      expect(res.appCode).toBe("emailVerification/InvalidCode");
    }
    expect((await rpc(b, "clientEmailVerification.verifyEmail", { code }, { token, ip: "192.0.2.11" })).appCode).toBe(
      "emailVerification/InvalidCode",
    );
  });
});
