import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { invalidateCorsOrigins } from "../src/services/cors-origins";
import { createTenant, hasRedis, unique, useServer } from "./kit";

// CORS is headers on the wire: these tests speak raw HTTP.
describe.skipIf(!hasRedis)("CORS", () => {
  const suite = useServer();
  const appOrigin = `https://${unique("app")}.example.com`;
  beforeAll(async () => {
    await createTenant({ name: "CORS", appUrl: `${appOrigin}/` });
    invalidateCorsOrigins();
  });

  const preflight = (path: string, origin: string) =>
    fetch(`${suite.server.url}/api/trpc/${path}`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });

  it("a preflight from a tenant's appUrl origin passes for client* procedures, with Authorization and JSON", async () => {
    const res = await preflight("clientAuth.signIn", appOrigin);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = res.headers.get("access-control-allow-headers") ?? "";
    expect(allowed).toContain("authorization");
    expect(allowed).toContain("content-type");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    const batch = await preflight("clientAuth.me,clientEmailVerification.sendVerification", appOrigin);
    expect(batch.headers.get("access-control-allow-origin")).toBe(appOrigin);
  });

  it("every client* router is a client procedure for CORS (clientPasswordless too), never refused as a BackOffice call", async () => {
    for (const path of ["clientPasswordless.sendCode", "clientPasswordless.verify", "clientPasswordless.register"]) {
      const res = await preflight(path, appOrigin);
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), path).toBe(appOrigin);
    }
    // From an origin no tenant has: no CORS headers, but the call itself is not refused before it runs.
    const foreign = await fetch(`${suite.server.url}/api/trpc/clientPasswordless.sendCode`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ tenantKey: "no-such-tenant", email: "a@example.com" }),
    });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a preflight from any other origin gets no CORS headers", async () => {
    const res = await preflight("clientAuth.signIn", "https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("backOffice never answers cross-origin, not even the tenant's own origin", async () => {
    for (const path of ["backOffice.tenants.list", "clientAuth.me,backOffice.tenants.list"]) {
      const res = await preflight(path, appOrigin);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    const get = await fetch(`${suite.server.url}/api/trpc/backOffice.tenants.list`, { headers: { origin: appOrigin } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a cross-origin backOffice call is refused before it runs (CSRF); same-origin is not", async () => {
    const post = await fetch(`${suite.server.url}/api/trpc/backOffice.tenants.create`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ key: "csrf-probe", name: "x", allowedEmailDomains: [] }),
    });
    expect(post.status).toBe(403);
    expect(((await post.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe("auth/Forbidden");
    const sameOrigin = await fetch(`${suite.server.url}/api/trpc/backOffice.tenants.list`, {
      headers: { origin: new URL(suite.server.config.appUrl).origin },
    });
    expect(sameOrigin.status).toBe(401); // reaches the API: no staff session in this test
  });

  it("the actual request from the tenant's origin carries the CORS headers and exposes Retry-After", async () => {
    const res = await fetch(`${suite.server.url}/api/trpc/clientAuth.signIn`, {
      method: "POST",
      headers: { origin: appOrigin, "content-type": "application/json" },
      body: JSON.stringify({ tenantKey: "no-such-tenant", userId: "x", password: "y" }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
    expect(res.headers.get("access-control-expose-headers")).toContain("retry-after");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  describe("the origins of tenants' http(s) redirectUris (CONTRACT v2)", () => {
    const callbackOrigin = `https://${unique("cb")}.example.com`;
    const loopbackOrigin = `http://127.0.0.1:${20_000 + Math.floor(Math.random() * 30_000)}`;
    const restPreflight = (origin: string) =>
      fetch(`${suite.server.url}/api/v1/auth/sign-in`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const allowedOrigin = async (origin: string) => ({
      trpc: (await preflight("clientAuth.signIn", origin)).headers.get("access-control-allow-origin"),
      rest: (await restPreflight(origin)).headers.get("access-control-allow-origin"),
    });

    it("answer client* procedures and /api/v1, at once after the change on this instance, and stop when removed", async () => {
      const tenant = await createTenant({ name: "CORS callbacks" });
      expect(await allowedOrigin(callbackOrigin)).toEqual({ trpc: null, rest: null });
      await getPrisma().tenant.update({
        where: { id: tenant.id },
        data: { redirectUris: [`${callbackOrigin}/auth/callback?x=1`, `${loopbackOrigin}/cb`, "com.example.corsapp:/oauth"] },
      });
      invalidateCorsOrigins(); // what tenants.update does
      expect(await allowedOrigin(callbackOrigin)).toEqual({ trpc: callbackOrigin, rest: callbackOrigin });
      expect(await allowedOrigin(loopbackOrigin)).toEqual({ trpc: loopbackOrigin, rest: loopbackOrigin });
      // Only the exact origin: another port, scheme or host is not one of them; an app scheme gives none.
      for (const other of [`${callbackOrigin}:8443`, callbackOrigin.replace("https:", "http:"), "com.example.corsapp:", "null"]) {
        expect(await allowedOrigin(other), other).toEqual({ trpc: null, rest: null });
      }
      // backOffice still never answers cross-origin.
      expect((await preflight("backOffice.tenants.list", callbackOrigin)).headers.get("access-control-allow-origin")).toBeNull();

      await getPrisma().tenant.update({ where: { id: tenant.id }, data: { deletedAt: new Date() } });
      invalidateCorsOrigins();
      expect(await allowedOrigin(callbackOrigin)).toEqual({ trpc: null, rest: null });
    });

    it("backOffice.tenants.update of redirectUris takes effect at once", async () => {
      const key = unique("corsbo").toLowerCase().slice(0, 32);
      const staff = await suite.newStaff("admin");
      const origin = `https://${unique("bo")}.example.com`;
      await staff.api.backOffice.tenants.create.mutate({ key, name: "CORS via BackOffice", allowedEmailDomains: [] });
      expect(await allowedOrigin(origin)).toEqual({ trpc: null, rest: null });
      await staff.api.backOffice.tenants.update.mutate({ key, redirectUris: [`${origin}/callback`] });
      expect(await allowedOrigin(origin)).toEqual({ trpc: origin, rest: origin });
      await staff.api.backOffice.tenants.update.mutate({ key, redirectUris: [] });
      expect(await allowedOrigin(origin)).toEqual({ trpc: null, rest: null });
    });
  });

  it("the JWKS may be read from any origin", async () => {
    const res = await fetch(`${suite.server.url}/.well-known/jwks.json`, { headers: { origin: "https://anywhere.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
