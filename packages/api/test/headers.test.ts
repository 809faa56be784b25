import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { clientRouters } from "../src/root";
import { backOfficeRouter } from "../src/router/back-office";
import { ensureSigningKey } from "../src/services/signing-keys";
import { publicProcedure } from "../src/procedures";
import { createTRPCRouter } from "../src/trpc";
import { type MailCatcher, startMailCatcher } from "@gatehouse/testing/mail";
import { hasRedis, startServer, unique, type TestServer } from "./kit";

/**
 * Security headers on every API answer (CONTRACT "Wire format", issue "Hostile input"):
 * X-Content-Type-Options, X-Frame-Options, Referrer-Policy, X-Request-Id and
 * Cache-Control: no-store (the JWKS: max-age=300) on successes, every error class, health, JWKS,
 * unknown routes and CORS preflights; Strict-Transport-Security exactly when APP_URL is https.
 * (Pages get theirs, CSP included, from apps/web.)
 */

// The real routers plus one procedure that fails unexpectedly, for the 500's headers.
const router = createTRPCRouter({
  ...clientRouters,
  backOffice: backOfficeRouter,
  headersTest: createTRPCRouter({
    boom: publicProcedure.mutation(() => {
      throw new Error("unexpected");
    }),
  }),
});

interface Answer {
  label: string;
  status: number;
  headers: Headers;
}

async function everyKindOfAnswer(server: TestServer, smtp: MailCatcher): Promise<Answer[]> {
  const ip = `10.66.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
  const appUrl = `https://${unique("hdr")}.example.com`;
  const tenant = await getPrisma().tenant.create({
    data: { key: unique("hdr").slice(0, 30), name: "Headers", appUrl, allowedEmailDomains: ["example.com"] },
  });
  const answers: Answer[] = [];
  const hit = async (label: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("x-forwarded-for", ip);
    if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    const res = await fetch(`${server.url}${path}`, { ...init, headers });
    const text = await res.text();
    answers.push({ label, status: res.status, headers: res.headers });
    return {
      status: res.status,
      headers: res.headers,
      json: text ? (JSON.parse(text) as { result: { data: { accessToken: string; refreshToken: string } } }) : undefined,
    };
  };
  const post = (label: string, path: string, input: unknown, headers: Record<string, string> = {}) =>
    hit(label, `/api/trpc/${path}`, { method: "POST", body: JSON.stringify(input), headers });

  const userId = unique("h").slice(0, 20);
  const signUp = await post("200 signUp (tokens)", "clientAuth.signUp", {
    tenantKey: tenant.key,
    userId,
    password: "a-Long-unusual-passphrase-42",
    displayName: "H",
    email: `${userId}@example.com`,
  });
  expect(signUp.status).toBe(200);
  const token = signUp.json!.result.data.accessToken as string;
  const auth = { authorization: `Bearer ${token}` };
  expect((await post("200 refresh (tokens)", "clientAuth.refresh", { refreshToken: signUp.json!.result.data.refreshToken })).status).toBe(
    200,
  );
  expect((await hit("200 query", "/api/trpc/clientAuth.me", { headers: auth })).status).toBe(200);
  expect(
    (await hit("207 batch", `/api/trpc/clientAuth.me,clientAuth.nope?batch=1&input=${encodeURIComponent("{}")}`, { headers: auth })).status,
  ).toBeLessThan(500);
  expect((await post("400 validation", "clientAuth.signIn", { tenantKey: "" })).status).toBe(400);
  expect((await hit("400 malformed", "/api/trpc/clientAuth.signIn", { method: "POST", body: "{" })).status).toBe(400);
  expect((await post("400 domain policy", "clientEmailVerification.sendVerification", { email: "x@elsewhere.example" }, auth)).status).toBe(
    400,
  );
  expect((await hit("401 unauthenticated", "/api/trpc/clientAuth.me")).status).toBe(401);
  expect((await post("401 credentials", "clientAuth.signIn", { tenantKey: tenant.key, userId, password: "wrong-password" })).status).toBe(
    401,
  );
  expect((await post("403 email gate", "clientAuth.updateMe", { displayName: "x" }, auth)).status).toBe(403);
  expect((await post("404 tenant", "clientAuth.signIn", { tenantKey: "no-such-tenant-h", userId, password: "x" })).status).toBe(404);
  expect((await post("404 procedure", "clientAuth.nope", {})).status).toBe(404);
  expect((await hit("404 route", "/api/nope")).status).toBe(404);
  expect((await hit("405 method", "/api/trpc/clientAuth.signIn")).status).toBe(405);
  expect((await hit("405 health method", "/api/health", { method: "POST" })).status).toBe(405);
  expect(
    (
      await post("409 duplicate", "clientAuth.signUp", {
        tenantKey: tenant.key,
        userId,
        password: "a-Long-unusual-passphrase-42",
        displayName: "H",
        email: `${userId}@example.com`,
      })
    ).status,
  ).toBe(409);
  expect(
    (await hit("413 too large", "/api/trpc/clientAuth.signIn", { method: "POST", body: JSON.stringify({ pad: "x".repeat(70_000) }) }))
      .status,
  ).toBe(413);
  expect(
    (await hit("415 media type", "/api/trpc/clientAuth.signIn", { method: "POST", body: "{}", headers: { "content-type": "text/plain" } }))
      .status,
  ).toBe(415);
  expect((await post("200 send code", "clientEmailVerification.sendVerification", { email: `${userId}@example.com` }, auth)).status).toBe(
    200,
  );
  expect((await post("429 cooldown", "clientEmailVerification.sendVerification", { email: `${userId}@example.com` }, auth)).status).toBe(
    429,
  );
  expect(answers.at(-1)!.headers.get("retry-after")).toMatch(/^\d+$/);
  const other = unique("h2").slice(0, 20);
  const second = await post("200 signUp 2", "clientAuth.signUp", {
    tenantKey: tenant.key,
    userId: other,
    password: "a-Long-unusual-passphrase-42",
    displayName: "H",
    email: `${other}@example.com`,
  });
  smtp.refuse = true;
  expect(
    (
      await post(
        "503 mail refused",
        "clientEmailVerification.sendVerification",
        { email: `${other}@example.com` },
        { authorization: `Bearer ${second.json!.result.data.accessToken}` },
      )
    ).status,
  ).toBe(503);
  smtp.refuse = false;
  expect((await post("500 unexpected", "headersTest.boom", {})).status).toBe(500);
  expect((await hit("401 backOffice", "/api/trpc/backOffice.tenants.list")).status).toBe(401);
  expect(
    (await hit("403 cross-origin backOffice", "/api/trpc/backOffice.tenants.list", { headers: { origin: "https://evil.example" } })).status,
  ).toBe(403);
  expect((await hit("200 health", "/api/health")).status).toBe(200);
  expect((await hit("200 health HEAD", "/api/health", { method: "HEAD" })).status).toBe(200);
  expect((await hit("200 jwks", "/.well-known/jwks.json")).status).toBe(200);
  expect(
    (
      await hit("204 preflight allowed", "/api/trpc/clientAuth.signIn", {
        method: "OPTIONS",
        headers: { origin: appUrl, "access-control-request-method": "POST" },
      })
    ).status,
  ).toBe(204);
  expect(
    (await hit("204 preflight refused", "/api/trpc/clientAuth.signIn", { method: "OPTIONS", headers: { origin: "https://evil.example" } }))
      .status,
  ).toBe(204);
  expect((await hit("204 preflight no origin", "/api/trpc/clientAuth.signIn", { method: "OPTIONS" })).status).toBe(204);
  expect((await post("401 cross-origin client call", "clientAuth.refresh", { refreshToken: "x" }, { origin: appUrl })).status).toBe(401);
  return answers;
}

function expectSecurityHeaders(answers: Answer[], hsts: boolean) {
  const problems: string[] = [];
  for (const { label, headers } of answers) {
    const expectHeader = (name: string, want: RegExp | string) => {
      const value = headers.get(name);
      if (value === null || (typeof want === "string" ? value !== want : !want.test(value)))
        problems.push(`${label}: ${name} = ${String(value)}`);
    };
    expectHeader("x-content-type-options", "nosniff");
    expectHeader("x-frame-options", "DENY");
    expectHeader("referrer-policy", "no-referrer");
    expectHeader("x-request-id", /^[0-9a-f-]{36}$/);
    expectHeader("cache-control", label.includes("jwks") ? "max-age=300" : "no-store");
    const sts = headers.get("strict-transport-security");
    if (hsts && !/^max-age=\d{8,}; includeSubDomains$/.test(sts ?? ""))
      problems.push(`${label}: strict-transport-security = ${String(sts)}`);
    if (!hsts && sts !== null) problems.push(`${label}: strict-transport-security on plain http`);
  }
  expect(problems).toEqual([]);
}

describe.skipIf(!hasRedis)("security headers on every API answer", () => {
  let smtp: MailCatcher;
  beforeAll(async () => {
    smtp = await startMailCatcher();
    await ensureSigningKey();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  describe("APP_URL on http", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        router,
        env: { RATE_LIMIT_SCALE: "100", TRUST_PROXY: "1", SMTP_URL: smtp.url, MAIL_FROM: "Gatehouse <no-reply@example.com>" },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("nosniff, DENY, no-referrer, a request id and no-store (the JWKS: max-age=300) on every answer, no HSTS", async () => {
      const answers = await everyKindOfAnswer(server, smtp);
      expect(answers.length).toBeGreaterThanOrEqual(30);
      expectSecurityHeaders(answers, false);
    });
  });

  describe("APP_URL on https", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        router,
        env: {
          RATE_LIMIT_SCALE: "100",
          TRUST_PROXY: "1",
          SMTP_URL: smtp.url,
          MAIL_FROM: "Gatehouse <no-reply@example.com>",
          APP_URL: "https://gatehouse.example",
        },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("the same headers, plus Strict-Transport-Security (two years, subdomains) on every answer", async () => {
      const answers = await everyKindOfAnswer(server, smtp);
      expectSecurityHeaders(answers, true);
    });
  });
});
