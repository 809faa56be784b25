import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { restRoutes } from "@gatehouse/contract";
import { publicProcedure } from "../src/procedures";
import { appRouter, clientRouters } from "../src/root";
import { createTRPCRouter } from "../src/trpc";
import { invalidateCorsOrigins } from "../src/services/cors-origins";
import { createTenant, hasRedis, newPassword, signUpUser, startServer, unique, useServer, type SignedUp, type TestServer } from "./kit";
import { rest, type RestAnswer } from "./rest-wire";

/**
 * The REST transport's wire (CONTRACT.md "REST and OpenAPI"): routes, methods, bodies, problem
 * details, headers, CORS. What each procedure answers is the tRPC suites' subject, and
 * rest-parity.test.ts holds REST to the same answers.
 */
interface Problem {
  type: string;
  title: string;
  status: number;
  appCode: string;
  detail?: string;
  issues?: { path: (string | number)[]; message: string }[];
}

function expectProblem(answer: RestAnswer, status: number, appCode: string): Problem {
  expect({ status: answer.status, appCode: answer.appCode }, answer.text).toEqual({ status, appCode });
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  const problem = answer.body as Problem;
  expect(problem).toMatchObject({ type: `urn:gatehouse:error:${appCode}`, status, appCode, title: expect.any(String) });
  return problem;
}

const served = new Set(Object.keys(appRouter._def.procedures));

describe.skipIf(!hasRedis)("REST /api/v1: the route table", () => {
  const suite = useServer();
  const send = (method: string, path: string, input?: unknown, options: Parameters<typeof rest>[4] = {}) =>
    rest(suite.server.url, method, path, input, { ...options, headers: { "x-forwarded-for": suite.ip, ...options.headers } });

  it("serves every route of the table whose procedure the router has, and only those", async () => {
    expect(restRoutes.length).toBeGreaterThan(0);
    for (const route of restRoutes) {
      // Any real value for a path parameter; unknown enum values are the 404 tested below.
      const path = route.path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{provider}", "google");
      const answer = await send(route.method, path, route.method === "POST" || route.method === "PATCH" ? {} : undefined);
      const label = `${route.method} ${route.path} → ${route.procedure}: ${answer.status} ${answer.text.slice(0, 200)}`;
      if (served.has(route.procedure)) {
        // Served: the procedure answered (its own validation or gate), not the router's 404/405.
        expect(answer.appCode, label).not.toBe("request/NotFound");
        expect(answer.appCode, label).not.toBe("request/MethodNotAllowed");
        expect(answer.status, label).toBeLessThan(500);
      } else {
        expectProblem(answer, 404, "request/NotFound");
      }
    }
  });

  it("every served route's method matches its procedure's kind (GET for queries, the rest for mutations)", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    for (const route of restRoutes.filter((r) => served.has(r.procedure))) {
      expect(`${route.method} ${procedures[route.procedure]!._def.type}`).toBe(
        route.method === "GET" ? `GET query` : `${route.method} mutation`,
      );
    }
  });
});

describe.skipIf(!hasRedis)("REST /api/v1: requests and answers", () => {
  const suite = useServer();
  const send = (method: string, path: string, input?: unknown, options: Parameters<typeof rest>[4] = {}) =>
    rest(suite.server.url, method, path, input, { ...options, headers: { "x-forwarded-for": suite.ip, ...options.headers } });
  let user: SignedUp;
  beforeAll(async () => {
    user = await signUpUser(suite.client, suite.tenantKey);
  });

  it("POST sign-up answers 201 with the session as plain JSON (no envelope), no-store", async () => {
    const userId = unique("u").toLowerCase();
    const answer = await send("POST", "/api/v1/auth/sign-up", {
      tenantKey: suite.tenantKey,
      userId,
      password: newPassword(),
      displayName: "Rest",
      email: `${userId}@example.com`,
    });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { userId } });
    expect(answer.body).not.toHaveProperty("result");
  });

  it("GET me with a Bearer token answers 200 with the user", async () => {
    const answer = await send("GET", "/api/v1/auth/me", undefined, { token: user.session.accessToken });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ user: expect.objectContaining({ userId: user.userId }) });
  });

  it("401 answers are problem details with WWW-Authenticate: Bearer", async () => {
    for (const token of [undefined, "not-a-token"]) {
      const answer = await send("GET", "/api/v1/auth/me", undefined, { token });
      expectProblem(answer, 401, "auth/Unauthenticated");
      expect(answer.headers.get("www-authenticate")).toBe("Bearer");
    }
    const wrongPassword = await send("POST", "/api/v1/auth/sign-in", {
      tenantKey: suite.tenantKey,
      userId: user.userId,
      password: "wrong-Pass-1",
    });
    expectProblem(wrongPassword, 401, "auth/InvalidCredentials");
    expect(wrongPassword.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("validation/Invalid names the fields in `issues`; a detail only where it says more than the title", async () => {
    const answer = await send("POST", "/api/v1/auth/sign-in", { tenantKey: "" });
    const problem = expectProblem(answer, 400, "validation/Invalid");
    expect(problem.issues?.map((issue) => issue.path[0])).toEqual(expect.arrayContaining(["tenantKey", "userId", "password"]));
    expect(problem.title).toBe("The input is invalid.");
    expect(problem.detail).toBeUndefined();
    const notFound = expectProblem(
      await send("POST", "/api/v1/auth/sign-in", { tenantKey: "no-such-tenant", userId: "x", password: "y" }),
      404,
      "tenant/NotFound",
    );
    expect(notFound.title).toBe("Tenant not found.");
  });

  it("a POST with an empty body is {} (sign-out without a refresh token)", async () => {
    const own = await signUpUser(suite.client, suite.tenantKey);
    const answer = await send("POST", "/api/v1/auth/sign-out", undefined, { token: own.session.accessToken });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ success: true });
    // Empty but declared JSON, and whitespace only: the same.
    const other = await signUpUser(suite.client, suite.tenantKey);
    const declared = await send("POST", "/api/v1/auth/sign-out", undefined, {
      token: other.session.accessToken,
      rawBody: " \n",
      headers: { "content-type": "application/json" },
    });
    expect(declared.status, declared.text).toBe(200);
  });

  it("a PATCH carries its input in a JSON body", async () => {
    const verifiedLike = await signUpUser(suite.client, suite.tenantKey);
    // updateMe is fully gated: an unverified user is refused there, as over tRPC.
    expectProblem(
      await send("PATCH", "/api/v1/auth/me", { displayName: "New" }, { token: verifiedLike.session.accessToken }),
      403,
      "auth/EmailNotVerified",
    );
  });

  it("{id} comes from the path: DELETE sessions/{id} revokes that session", async () => {
    const own = await signUpUser(suite.client, suite.tenantKey);
    const second = await own.api.clientAuth.signIn.mutate({ tenantKey: own.tenantKey, userId: own.userId, password: own.password });
    const { items } = await own.api.clientAuth.listSessions.query();
    const other = items.find((s) => !s.current)!;
    const answer = await send("DELETE", `/api/v1/auth/sessions/${other.id}`, undefined, { token: own.session.accessToken });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ success: true });
    expectProblem(await send("GET", "/api/v1/auth/me", undefined, { token: second.accessToken }), 401, "auth/Unauthenticated");
    // Revoking it again is idempotent; an id that is not one of the user's is a 404.
    expect((await send("DELETE", `/api/v1/auth/sessions/${other.id}`, undefined, { token: own.session.accessToken })).status).toBe(200);
    expectProblem(
      await send("DELETE", `/api/v1/auth/sessions/${randomUUID()}`, undefined, { token: own.session.accessToken }),
      404,
      "session/NotFound",
    );
    const malformedId = expectProblem(
      await send("DELETE", "/api/v1/auth/sessions/not-a-uuid", undefined, { token: own.session.accessToken }),
      400,
      "validation/Invalid",
    );
    expect(malformedId.issues?.[0]?.path).toEqual(["id"]);
  });

  it("GET and DELETE take no body (400 request/Malformed)", async () => {
    const answer = await send("DELETE", "/api/v1/auth/sessions/00000000-0000-4000-8000-000000000000", undefined, {
      token: user.session.accessToken,
      rawBody: '{"id":"x"}',
      headers: { "content-type": "application/json" },
    });
    const problem = expectProblem(answer, 400, "request/Malformed");
    expect(problem.detail).toMatch(/no request body/);
  });

  it("unknown paths are 404 request/NotFound problems, whatever the method", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/auth/nope"],
      ["POST", "/api/v1/auth/me/extra"],
      ["GET", "/api/v1/auth/me/"],
      ["GET", "/api/v1"],
      ["GET", "/api/v1/"],
      ["DELETE", "/api/v1/auth/sessions/"],
      ["DELETE", "/api/v1/auth/sessions/a/b"],
      ["DELETE", "/api/v1/auth/sessions/%E0%A4"],
      ["POST", "/api/v1/Auth/Sign-In"],
    ] as const) {
      const answer = await send(method, path);
      expectProblem(answer, 404, "request/NotFound");
      expect(answer.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("a wrong method is 405 request/MethodNotAllowed with an Allow header naming the path's methods", async () => {
    const me = await send("DELETE", "/api/v1/auth/me");
    expectProblem(me, 405, "request/MethodNotAllowed");
    expect(me.headers.get("allow")).toBe("GET, PATCH, OPTIONS");
    for (const method of ["GET", "PUT", "HEAD"]) {
      const signIn = await fetch(`${suite.server.url}/api/v1/auth/sign-in`, { method, headers: { "x-forwarded-for": suite.ip } });
      expect(signIn.status, method).toBe(405);
      expect(signIn.headers.get("allow")).toBe("POST, OPTIONS");
    }
    const sessions = await send("POST", "/api/v1/auth/sessions/00000000-0000-4000-8000-000000000000", {});
    expectProblem(sessions, 405, "request/MethodNotAllowed");
    expect(sessions.headers.get("allow")).toBe("DELETE, OPTIONS");
  });

  it("a body over 64 KiB is 413 request/PayloadTooLarge; just under is read", async () => {
    const over = await send("POST", "/api/v1/auth/sign-in", { tenantKey: "x".repeat(65 * 1024) });
    expectProblem(over, 413, "request/PayloadTooLarge");
    const under = await send("POST", "/api/v1/auth/sign-in", { tenantKey: "x".repeat(60 * 1024) });
    expectProblem(under, 400, "validation/Invalid");
    // Streamed (no Content-Length): counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 70; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${suite.server.url}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": suite.ip },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it.each([["text/plain"], ["application/x-www-form-urlencoded"], ["multipart/form-data; boundary=x"], ["application/jsonx"]])(
    "a body sent as %s is 415 request/UnsupportedMediaType",
    async (type) => {
      const answer = await send("POST", "/api/v1/auth/sign-in", undefined, {
        rawBody: '{"tenantKey":"x"}',
        headers: { "content-type": type },
      });
      expectProblem(answer, 415, "request/UnsupportedMediaType");
    },
  );

  it("a body with no content type is 415; JSON with a charset is fine", async () => {
    const res = await fetch(`${suite.server.url}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "x-forwarded-for": suite.ip },
      body: new Uint8Array(Buffer.from('{"tenantKey":"x"}')),
    });
    expect(res.status).toBe(415);
    const charset = await send("POST", "/api/v1/auth/sign-in", undefined, {
      rawBody: JSON.stringify({ tenantKey: "no-such-tenant", userId: "x", password: "y" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expectProblem(charset, 404, "tenant/NotFound");
  });

  it.each([['{"tenantKey": "x"'], ["nope"], ["{'a':1}"]])("malformed JSON %s is 400 request/Malformed", async (raw) => {
    const answer = await send("POST", "/api/v1/auth/sign-in", undefined, { rawBody: raw, headers: { "content-type": "application/json" } });
    expectProblem(answer, 400, "request/Malformed");
  });

  it("JSON that is not an object goes to the procedure's schema: 400 validation/Invalid", async () => {
    for (const raw of ["[]", "null", "42", '"text"']) {
      const answer = await send("POST", "/api/v1/auth/sign-in", undefined, {
        rawBody: raw,
        headers: { "content-type": "application/json" },
      });
      expectProblem(answer, 400, "validation/Invalid");
    }
  });

  it("every answer carries the API's security headers and a request id", async () => {
    const answers = [
      await send("GET", "/api/v1/auth/me", undefined, { token: user.session.accessToken }),
      await send("GET", "/api/v1/auth/me"),
      await send("GET", "/api/v1/auth/nope"),
      await send("PUT", "/api/v1/auth/me"),
      await send("OPTIONS", "/api/v1/auth/me"),
    ];
    for (const answer of answers) {
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe.skipIf(!hasRedis)("REST /api/v1: CORS", () => {
  const suite = useServer();
  const appOrigin = `https://${unique("rest")}.example.com`;
  beforeAll(async () => {
    await createTenant({ name: "REST CORS", appUrl: `${appOrigin}/` });
    invalidateCorsOrigins();
  });
  const preflight = (path: string, origin: string, method = "POST") =>
    fetch(`${suite.server.url}${path}`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" },
    });

  it("a preflight from a tenant's origin allows exactly the methods the path has, Authorization and JSON, no credentials", async () => {
    for (const [path, methods] of [
      ["/api/v1/auth/me", "GET, PATCH"],
      ["/api/v1/auth/sign-in", "POST"],
      ["/api/v1/auth/sessions/00000000-0000-4000-8000-000000000000", "DELETE"],
    ] as const) {
      const res = await preflight(path, appOrigin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
      expect(res.headers.get("access-control-allow-methods"), path).toBe(methods);
      expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
      expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
      expect(res.headers.get("vary")).toContain("Origin");
    }
  });

  it("any other origin gets no CORS headers; an unknown path is still 404", async () => {
    const res = await preflight("/api/v1/auth/me", "https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-methods")).toBeNull();
    const unknown = await preflight("/api/v1/auth/nope", appOrigin);
    expect(unknown.status).toBe(404);
  });

  it("the actual request from the tenant's origin carries CORS headers and exposes Retry-After and the challenge", async () => {
    const res = await fetch(`${suite.server.url}/api/v1/auth/me`, { headers: { origin: appOrigin } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(appOrigin);
    const exposed = res.headers.get("access-control-expose-headers") ?? "";
    expect(exposed).toContain("retry-after");
    expect(exposed).toContain("www-authenticate");
    expect(res.headers.get("vary")).toContain("Origin");
    const other = await fetch(`${suite.server.url}/api/v1/auth/me`, { headers: { origin: "https://evil.example" } });
    expect(other.status).toBe(401);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

// The `{provider}` routes' procedure as a stand-in (the real one has its own suites): what the
// handler does with a path parameter whose input field is an enum.
const withSocial = createTRPCRouter({
  ...clientRouters,
  clientSocial: createTRPCRouter({
    start: publicProcedure
      .input(z.object({ provider: z.enum(["google", "kakao", "naver"]), tenantKey: z.string() }))
      .mutation(({ input }) => ({ received: input })),
  }),
});

describe("REST /api/v1: path parameters", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ router: withSocial });
  });
  afterAll(() => server.close());
  const start = (provider: string, input?: unknown) => rest(server.url, "POST", `/api/v1/auth/social/${provider}/start`, input);

  it("a path parameter becomes the input field of the same name, beside the body's", async () => {
    const answer = await start("kakao", { tenantKey: "acme" });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ received: { provider: "kakao", tenantKey: "acme" } });
    // Percent-encoded, the same value.
    expect((await start("goo%67le", { tenantKey: "acme" })).body).toEqual({ received: { provider: "google", tenantKey: "acme" } });
  });

  it("a value the field's enum does not have names no route: 404 request/NotFound, not a 400", async () => {
    for (const provider of ["facebook", "Google", "%20", "google%2Fstart", "%E0%A4"]) {
      expectProblem(await start(provider, { tenantKey: "acme" }), 404, "request/NotFound");
    }
  });

  it("a path parameter repeated in the body is 400 validation/Invalid on that field", async () => {
    const problem = expectProblem(await start("google", { tenantKey: "acme", provider: "google" }), 400, "validation/Invalid");
    expect(problem.issues).toEqual([{ path: ["provider"], message: expect.stringMatching(/path/) }]);
  });

  it("a body that is not an object goes to the schema as sent", async () => {
    const answer = await rest(server.url, "POST", "/api/v1/auth/social/google/start", undefined, {
      rawBody: "[1]",
      headers: { "content-type": "application/json" },
    });
    expectProblem(answer, 400, "validation/Invalid");
  });

  it("the table's other routes of an unbuilt router stay absent", async () => {
    expectProblem(await rest(server.url, "POST", "/api/v1/auth/social/google/token", {}), 404, "request/NotFound");
  });
});
