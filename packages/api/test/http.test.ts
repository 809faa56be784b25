import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { publicProcedure } from "../src/procedures";
import { createTRPCRouter } from "../src/trpc";
import { appError } from "../src/errors";
import { call, hasRedis, startServer, type TestServer } from "./kit";

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
    server = await startServer({ router });
    trusted = await startServer({ router, env: { TRUST_PROXY: "1" } });
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

  type ErrorBody = { error: { message: string; data: { appCode: string; httpStatus: number; code: string; path?: string } } };
  const jsonPost = (body: string) => ({ method: "POST", headers: { "content-type": "application/json" }, body });

  it("request/Malformed says which JSON is malformed: the `input` query parameter or the body", async () => {
    const inputMessage = "The `input` query parameter is not valid JSON.";
    const bodyMessage = "The request body is not valid JSON.";
    // A plain query (the lean adapter) and a batched one (tRPC's own) read `?input=`.
    const plain = await fetch(`${server.url}/api/trpc/greet?input=%7Bnope`);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as ErrorBody).error).toMatchObject({
      message: inputMessage,
      data: { appCode: "request/Malformed", path: "greet" },
    });
    const batched = await fetch(`${server.url}/api/trpc/greet?batch=1&input=%7Bnope`);
    expect(batched.status).toBe(400);
    expect(((await batched.json()) as ErrorBody[])[0]?.error).toMatchObject({
      message: inputMessage,
      data: { appCode: "request/Malformed" },
    });
    // A mutation reads the body, plain or batched.
    const post = await fetch(`${server.url}/api/trpc/echo`, jsonPost('{"name": "ada"'));
    expect(((await post.json()) as ErrorBody).error).toMatchObject({
      message: bodyMessage,
      data: { appCode: "request/Malformed", path: "echo" },
    });
    const postBatch = await fetch(`${server.url}/api/trpc/echo?batch=1`, jsonPost("{nope"));
    expect(((await postBatch.json()) as ErrorBody[])[0]?.error).toMatchObject({
      message: bodyMessage,
      data: { appCode: "request/Malformed" },
    });
  });

  it("request/MethodNotAllowed: a batch naming a mutation by GET, or a query by POST, is a 405 as a whole", async () => {
    const get = await fetch(`${server.url}/api/trpc/ping,echo?batch=1&input=${encodeURIComponent('{"1":{"name":"ada"}}')}`);
    const getText = await get.text();
    expect(get.status).toBe(405);
    const getError = (JSON.parse(getText) as ErrorBody).error;
    expect(getError.data).toMatchObject({ appCode: "request/MethodNotAllowed", httpStatus: 405, code: "METHOD_NOT_SUPPORTED" });
    expect(getError.message).not.toMatch(/JSON|body/);
    expectNoLeak(getText);
    const post = await fetch(`${server.url}/api/trpc/ping,echo?batch=1`, jsonPost('{"1":{"name":"ada"}}'));
    expect(post.status).toBe(405);
    expect(((await post.json()) as ErrorBody).error.data.appCode).toBe("request/MethodNotAllowed");
    // A GET batch of mutations only was already refused call by call, as an unbatched GET is.
    const onlyMutations = await fetch(`${server.url}/api/trpc/echo?batch=1&input=${encodeURIComponent('{"0":{"name":"ada"}}')}`);
    expect(onlyMutations.status).toBe(405);
    expect(((await onlyMutations.json()) as ErrorBody[])[0]?.error.data.appCode).toBe("request/MethodNotAllowed");
  });

  it("request/Malformed: a batch of more than 20 calls is refused with a message naming the limit", async () => {
    const paths = (n: number) => Array.from({ length: n }, () => "ping").join(",");
    const over = await fetch(`${server.url}/api/trpc/${paths(21)}?batch=1`);
    expect(over.status).toBe(400);
    const error = ((await over.json()) as ErrorBody).error;
    expect(error.data).toMatchObject({ appCode: "request/Malformed", httpStatus: 400 });
    expect(error.message).toBe("A batch may hold at most 20 calls.");
    const atLimit = await fetch(`${server.url}/api/trpc/${paths(20)}?batch=1`);
    expect(atLimit.status).toBe(200);
    expect((await atLimit.json()) as unknown[]).toHaveLength(20);
  });

  it("request/Malformed: a batch whose input is not an object keyed by position says so", async () => {
    const res = await fetch(`${server.url}/api/trpc/greet?batch=1&input=1`);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody[])[0]?.error;
    expect(error?.data.appCode).toBe("request/Malformed");
    expect(error?.message).toMatch(/batch/);
    expect(error?.message).not.toMatch(/not valid JSON/);
  });

  it("request/Malformed: tRPC's other refusals of a request's shape say what is wrong", async () => {
    const unbatchedStream = await fetch(`${server.url}/api/trpc/ping`, { headers: { "trpc-accept": "application/jsonl" } });
    expect(unbatchedStream.status).toBe(400);
    expect(((await unbatchedStream.json()) as ErrorBody).error).toMatchObject({
      message: "A streamed answer (application/jsonl) is only given to a batch (batch=1).",
      data: { appCode: "request/Malformed" },
    });
    const brokenPath = await fetch(`${server.url}/api/trpc/p%E0%A4ng`);
    expect(brokenPath.status).toBe(400);
    expect(((await brokenPath.json()) as ErrorBody).error).toMatchObject({
      message: "The procedure path is not valid percent-encoding.",
      data: { appCode: "request/Malformed" },
    });
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
    const res = await fetch(`${server.url}/api/trpc/leaky`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
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
    server = await startServer();
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
