import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../src/trpc";
import { appError } from "../src/errors";
import { call, hasRedis, startTestServer, type TestServer } from "./helpers";

// A small router exercising the transport layer: the same handler, formatter and catalogue the
// real routers go through.
const router = createTRPCRouter({
  echo: publicProcedure.input(z.object({ name: z.string().min(2) })).mutation(({ input }) => ({ hello: input.name })),
  ping: publicProcedure.query(() => ({ pong: true })),
  greet: publicProcedure.input(z.object({ name: z.string() })).query(({ input }) => ({ hello: input.name })),
  whoami: publicProcedure.query(({ ctx }) => ({ ip: ctx.ip })),
  leaky: publicProcedure.mutation(() => {
    throw new Error('relation "User" does not exist: SELECT "passwordHash" FROM "User"');
  }),
  redisDown: publicProcedure.mutation(() => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  }),
  limited: publicProcedure.mutation(() => {
    throw appError("rateLimit/TooManyRequests", { retryAfterSeconds: 7.2 });
  }),
});

function expectNoLeak(text: string) {
  expect(text).not.toMatch(/\bat .+\.(ts|js|mjs):\d+/); // stack frames
  expect(text).not.toContain("stack");
  expect(text).not.toMatch(/SELECT|passwordHash|relation "/);
}

describe("front server transport", () => {
  let server: TestServer;
  let trusted: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ router });
    trusted = await startTestServer({ router, env: { TRUST_PROXY: "1" } });
  });
  afterAll(async () => {
    await server.close();
    await trusted.close();
  });

  it("answers a mutation and a query in the contract's envelope with no-store", async () => {
    const m = await call(server.url, "echo", { name: "ada" });
    expect(m.status).toBe(200);
    expect(m.body).toEqual({ result: { data: { hello: "ada" } } });
    expect(m.headers.get("cache-control")).toBe("no-store");
    const q = await call(server.url, "ping", undefined, { method: "GET" });
    expect(q.status).toBe(200);
    expect(q.data).toEqual({ pong: true });
  });

  it("accepts batches", async () => {
    const res = await fetch(`${server.url}/api/trpc/ping,whoami?batch=1&input=${encodeURIComponent("{}")}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as unknown[];
    expect(body).toHaveLength(2);
  });

  it("request/Malformed: a body that is not JSON is a 400", async () => {
    const res = await fetch(`${server.url}/api/trpc/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": "ada"',
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).error.data).toMatchObject({ appCode: "request/Malformed", httpStatus: 400, path: "echo" });
    expectNoLeak(text);
    const get = await fetch(`${server.url}/api/trpc/greet?input=%7Bnope`);
    expect(get.status).toBe(400);
    expect(((await get.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe("request/Malformed");
  });

  it("validation/Invalid names the field in issues", async () => {
    const res = await call(server.url, "echo", { name: "a" });
    expect(res.status).toBe(400);
    expect(res.appCode).toBe("validation/Invalid");
    expect(res.body.error?.data.issues).toEqual([expect.objectContaining({ path: ["name"] })]);
    expect(res.body.error?.data.code).toBe("BAD_REQUEST");
  });

  it("request/PayloadTooLarge: a body over 64 KiB is a 413", async () => {
    const res = await call(server.url, "echo", { name: "x".repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(res.appCode).toBe("request/PayloadTooLarge");
    const justUnder = await call(server.url, "echo", { name: "x".repeat(60 * 1024) });
    expect(justUnder.status).toBe(200);
  });

  it.each([["text/plain"], ["multipart/form-data; boundary=x"], ["application/octet-stream"], ["application/x-www-form-urlencoded"]])(
    "request/UnsupportedMediaType: POST as %s is a 415",
    async (type) => {
      const res = await fetch(`${server.url}/api/trpc/echo`, { method: "POST", headers: { "content-type": type }, body: '{"name":"ada"}' });
      expect(res.status).toBe(415);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe("request/UnsupportedMediaType");
    },
  );

  it("request/UnsupportedMediaType: POST with no content type is a 415", async () => {
    const res = await fetch(`${server.url}/api/trpc/echo`, { method: "POST", body: new Uint8Array(Buffer.from('{"name":"ada"}')) });
    expect(res.status).toBe(415);
  });

  it("request/NotFound: unknown procedure and unknown API route are 404 with an appCode", async () => {
    const proc = await call(server.url, "nope", {});
    expect(proc.status).toBe(404);
    expect(proc.appCode).toBe("request/NotFound");
    const route = await fetch(`${server.url}/api/nothing-here`);
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe("request/NotFound");
  });

  it("request/MethodNotAllowed: GET on a mutation and POST on a query are 405", async () => {
    const get = await call(server.url, "echo", { name: "ada" }, { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.appCode).toBe("request/MethodNotAllowed");
    const post = await call(server.url, "ping", {});
    expect(post.status).toBe(405);
    expect(post.appCode).toBe("request/MethodNotAllowed");
  });

  it("an unexpected fault is a generic 500 that leaks nothing", async () => {
    const res = await fetch(`${server.url}/api/trpc/leaky`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text).error.data.appCode).toBe("server/InternalError");
    expectNoLeak(text);
  });

  it("an unreachable dependency is a 503 service/Unavailable", async () => {
    const res = await call(server.url, "redisDown", {});
    expect(res.status).toBe(503);
    expect(res.appCode).toBe("service/Unavailable");
  });

  it("429s carry Retry-After in whole seconds", async () => {
    const res = await call(server.url, "limited", {});
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("8");
  });

  it("a client-sent X-Forwarded-For does not change the IP unless TRUST_PROXY is set", async () => {
    const spoofed = { "x-forwarded-for": "203.0.113.9" };
    const plain = await call<{ ip: string }>(server.url, "whoami", undefined, { method: "GET", headers: spoofed });
    expect(plain.data.ip).toBe("127.0.0.1");
    const behindProxy = await call<{ ip: string }>(trusted.url, "whoami", undefined, {
      method: "GET",
      headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.9" },
    });
    // The nearest proxy appended the last entry; what the client wrote before it is ignored.
    expect(behindProxy.data.ip).toBe("203.0.113.9");
  });
});

describe("health and JWKS", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it.skipIf(!hasRedis)("GET /api/health is 200 with both dependencies up", async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok", redis: "ok" });
  });

  it("GET /.well-known/jwks.json publishes the signing key with max-age=300", async () => {
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("max-age=300");
    const body = (await res.json()) as { keys: { kid: string; alg: string; d?: string }[] };
    expect(body.keys.length).toBeGreaterThan(0);
    expect(body.keys[0]).toMatchObject({ alg: "EdDSA", kty: "OKP", crv: "Ed25519" });
    expect(body.keys.every((key) => key.d === undefined)).toBe(true);
  });
});
