import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runServerOnce, startProductionServer, type ProductionServer } from "./production-server";

describe("pnpm start (production server)", () => {
  it("refuses to start without DATABASE_URL, with one line naming what is missing", async () => {
    const { code, output } = await runServerOnce({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" });
    expect(code).not.toBe(0);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
  });

  describe("running", () => {
    let server: ProductionServer;
    beforeAll(async () => {
      server = await startProductionServer();
    });
    afterAll(() => server?.stop());

    it("serves /api/health from the API side and the BackOffice sign-in page from Next", async () => {
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", db: "ok", redis: "ok" });
      const page = await fetch(`${server.url}/backoffice/sign-in`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('name="password"');
      expect(html).toContain("Sign in");
    });

    it("signs the bootstrap admin in through next-auth (csrf, credentials callback, cookie)", async () => {
      const csrfRes = await fetch(`${server.url}/api/auth/csrf`);
      const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
      const cookies = csrfRes.headers
        .getSetCookie()
        .map((c) => c.split(";", 1)[0])
        .join("; ");
      const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
        body: new URLSearchParams({
          csrfToken,
          email: server.env.BACKOFFICE_ADMIN_EMAIL!,
          password: server.env.BACKOFFICE_ADMIN_PASSWORD!,
        }),
      });
      expect(res.status).toBe(302);
      const session = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
      expect(session).toBeDefined();
      const home = await fetch(`${server.url}/backoffice`, { headers: { cookie: session!.split(";", 1)[0]! }, redirect: "manual" });
      expect(home.status).toBe(200);
      expect(await home.text()).toContain(server.env.BACKOFFICE_ADMIN_EMAIL!);
    });

    it("answers an unknown procedure with the contract's JSON error, not Next's HTML", async () => {
      const res = await fetch(`${server.url}/api/trpc/nope.nothing`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { data: { appCode: string } } };
      expect(body.error.data.appCode).toBe("request/NotFound");
    });

    it("publishes the JWKS", async () => {
      const res = await fetch(`${server.url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("max-age=300");
      expect(((await res.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    });
  });
});
