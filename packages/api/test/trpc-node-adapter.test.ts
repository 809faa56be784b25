import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { getPrisma } from "@gatehouse/db";
import { appError } from "../src/errors";
import { createSession } from "../src/services/sessions";
import { publicProcedure } from "../src/procedures";
import { createTRPCRouter } from "../src/trpc";
import { startServer, unique, type TestServer } from "./kit";
import { FUZZ_RUNS, anyValue, encodeJson, fuzzParameters, send, trickyStrings, type RawResponse } from "./fuzz-harness";

/**
 * Gatehouse answers plain tRPC calls with its own lean Node adapter (src/http/trpc-node-adapter.ts)
 * instead of tRPC's Fetch-based one. These tests send the same bytes to a server on each and
 * require the same answer: status, body and headers (except the ones that differ by nature:
 * date, request id, framing).
 */
const router = createTRPCRouter({
  ping: publicProcedure.query(() => ({ pong: true })),
  nothing: publicProcedure.query(() => undefined),
  greet: publicProcedure.input(z.object({ name: z.string().min(2) })).query(({ input }) => ({ hello: input.name })),
  echo: publicProcedure.input(z.object({ name: z.string().min(2), n: z.number().optional() })).mutation(({ input }) => input),
  anything: publicProcedure.input(z.unknown()).mutation(({ input }) => ({ input })),
  withHeader: publicProcedure.mutation(({ ctx }) => {
    ctx.setHeader?.("x-from-procedure", "yes");
    return { ok: true };
  }),
  leaky: publicProcedure.mutation(() => {
    throw new Error('relation "User" does not exist');
  }),
  unavailable: publicProcedure.query(() => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  }),
  limited: publicProcedure.mutation(() => {
    throw appError("rateLimit/TooManyRequests", { retryAfterSeconds: 7.2 });
  }),
  streams: publicProcedure.query(() => ({ later: Promise.resolve(1) })),
  nested: createTRPCRouter({ deep: publicProcedure.query(() => "deep") }),
});

/** Headers that differ between any two answers, or only in framing (Content-Length vs chunked). */
const VARYING = new Set(["date", "x-request-id", "content-length", "transfer-encoding", "connection", "keep-alive"]);

function comparable(res: RawResponse) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
  return { status: res.status, headers, body: res.text };
}

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string | undefined>;
  body?: Buffer | string;
}

const json = { "content-type": "application/json" };

describe("the lean tRPC adapter answers exactly as tRPC's own", () => {
  let lean: TestServer;
  let stock: TestServer;
  let userToken: string;
  let leanAppRouter: TestServer;
  let stockAppRouter: TestServer;

  async function both(server: { lean: TestServer; stock: TestServer }, req: Req) {
    const body = typeof req.body === "string" ? Buffer.from(req.body) : req.body;
    const options = { method: req.method, path: req.path, headers: req.headers, body };
    const [a, b] = await Promise.all([send(server.lean.url, options), send(server.stock.url, options)]);
    return { lean: comparable(a), stock: comparable(b) };
  }

  beforeAll(async () => {
    lean = await startServer({ router });
    stock = await startServer({ router, stockTrpcAdapter: true });
    leanAppRouter = await startServer();
    stockAppRouter = await startServer({ stockTrpcAdapter: true });
    const prisma = getPrisma();
    const tenant = await prisma.tenant.create({
      data: { key: unique("lad").slice(0, 30), name: "Adapter", appUrl: "https://adapter.example" },
    });
    const userId = unique("lu").toLowerCase();
    const user = await prisma.user.create({
      data: { tenantId: tenant.id, userId, email: `${userId}@example.com`, displayName: "L", source: "admin_issued", role: "manager" },
    });
    userToken = (await createSession(user, tenant, { ip: "10.2.2.2", userAgent: "adapter-test" })).accessToken;
  });
  afterAll(async () => {
    await Promise.all([lean.close(), stock.close(), leanAppRouter.close(), stockAppRouter.close()]);
  });

  const q = (value: string) => encodeURIComponent(value);
  const cases: [string, Req][] = [
    ["a query", { method: "GET", path: "/api/trpc/ping" }],
    ["a query answering undefined", { method: "GET", path: "/api/trpc/nothing" }],
    ["a query with input", { method: "GET", path: `/api/trpc/greet?input=${q('{"name":"ada"}')}` }],
    ["a query with other parameters", { method: "GET", path: `/api/trpc/greet?x=1&input=${q('{"name":"ada"}')}&y` }],
    ["a repeated input parameter", { method: "GET", path: `/api/trpc/greet?input=${q('{"name":"ada"}')}&input=zz` }],
    ["a query with invalid input", { method: "GET", path: `/api/trpc/greet?input=${q('{"name":"a"}')}` }],
    ["a query with malformed input", { method: "GET", path: "/api/trpc/greet?input=%7Bnope" }],
    ["a query with an empty input", { method: "GET", path: "/api/trpc/greet?input=" }],
    ["a query without input", { method: "GET", path: "/api/trpc/greet" }],
    ["a query with a body", { method: "GET", path: "/api/trpc/ping", headers: json, body: "{}" }],
    ["a nested path", { method: "GET", path: "/api/trpc/nested.deep" }],
    ["a percent-encoded path", { method: "GET", path: "/api/trpc/p%69ng" }],
    ["a broken percent-encoding", { method: "GET", path: "/api/trpc/p%E0%A4ng" }],
    ["an unknown procedure", { method: "GET", path: "/api/trpc/nope" }],
    ["the bare base path", { method: "GET", path: "/api/trpc/" }],
    ["the base path without its slash", { method: "GET", path: "/api/trpc" }],
    ["the base path without its slash, with input", { method: "GET", path: "/api/trpc?input=1" }],
    ["a trailing slash", { method: "GET", path: "/api/trpc/ping/" }],
    ["an encoded slash", { method: "GET", path: "/api/trpc/nested%2Fdeep" }],
    ["a router, not a procedure", { method: "GET", path: "/api/trpc/nested" }],
    ["a mutation", { method: "POST", path: "/api/trpc/echo", headers: json, body: '{"name":"ada","n":1}' }],
    [
      "a mutation with a charset",
      { method: "POST", path: "/api/trpc/echo", headers: { "content-type": "Application/JSON; charset=utf-8" }, body: '{"name":"ada"}' },
    ],
    ["a mutation with a BOM", { method: "POST", path: "/api/trpc/echo", headers: json, body: '\ufeff{"name":"ada"}' }],
    [
      "a mutation with invalid UTF-8",
      { method: "POST", path: "/api/trpc/anything", headers: json, body: Buffer.from([0x22, 0xff, 0xfe, 0x22]) },
    ],
    ["a mutation with invalid input", { method: "POST", path: "/api/trpc/echo", headers: json, body: '{"name":1}' }],
    ["a mutation with malformed JSON", { method: "POST", path: "/api/trpc/echo", headers: json, body: '{"name": "ada"' }],
    [
      "a mutation with an empty chunked body",
      { method: "POST", path: "/api/trpc/echo", headers: { ...json, "transfer-encoding": "chunked" } },
    ],
    ["a mutation without a body", { method: "POST", path: "/api/trpc/withHeader", headers: json }],
    ["a mutation without a body or a type", { method: "POST", path: "/api/trpc/withHeader" }],
    ["a mutation with null", { method: "POST", path: "/api/trpc/anything", headers: json, body: "null" }],
    ["a mutation with NUL", { method: "POST", path: "/api/trpc/anything", headers: json, body: '{"a":"x\\u0000"}' }],
    ["a mutation with a lone surrogate", { method: "POST", path: "/api/trpc/anything", headers: json, body: '["\\ud800"]' }],
    ["a body over the limit", { method: "POST", path: "/api/trpc/anything", headers: json, body: `"${"x".repeat(70_000)}"` }],
    ["a body just under the limit", { method: "POST", path: "/api/trpc/anything", headers: json, body: `"${"x".repeat(65_000)}"` }],
    ["a text body", { method: "POST", path: "/api/trpc/echo", headers: { "content-type": "text/plain" }, body: '{"name":"ada"}' }],
    [
      "a form body",
      { method: "POST", path: "/api/trpc/echo", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x--" },
    ],
    ["a query sent as POST", { method: "POST", path: "/api/trpc/ping", headers: json, body: "{}" }],
    ["a mutation sent as GET", { method: "GET", path: "/api/trpc/echo" }],
    ["an unknown procedure by POST", { method: "POST", path: "/api/trpc/nope", headers: json, body: "{}" }],
    ["a header set by the procedure", { method: "POST", path: "/api/trpc/withHeader", headers: json, body: "{}" }],
    ["an unexpected error", { method: "POST", path: "/api/trpc/leaky", headers: json, body: "{}" }],
    ["an infrastructure error", { method: "GET", path: "/api/trpc/unavailable" }],
    ["a rate limit", { method: "POST", path: "/api/trpc/limited", headers: json, body: "{}" }],
    ["a stream-like answer", { method: "GET", path: "/api/trpc/streams" }],
    ["a batch", { method: "GET", path: `/api/trpc/ping,greet?batch=1&input=${q('{"1":{"name":"ada"}}')}` }],
    ["batch=0", { method: "GET", path: "/api/trpc/ping?batch=0" }],
    // Batches go to tRPC's adapter from both servers; these pin that the lean one hands them over
    // (and so answers batch refusals exactly as tRPC's, classified by error-shape.ts).
    ["a GET batch naming a mutation", { method: "GET", path: `/api/trpc/ping,echo?batch=1&input=${q('{"1":{"name":"ada"}}')}` }],
    ["a GET batch of mutations only", { method: "GET", path: `/api/trpc/echo,echo?batch=1&input=${q('{"0":{"name":"ada"}}')}` }],
    ["a POST batch naming a query", { method: "POST", path: "/api/trpc/ping,echo?batch=1", headers: json, body: '{"1":{"name":"ada"}}' }],
    ["a batch at the limit", { method: "GET", path: `/api/trpc/${Array.from({ length: 20 }, () => "ping").join(",")}?batch=1` }],
    ["a batch over the limit", { method: "GET", path: `/api/trpc/${Array.from({ length: 21 }, () => "ping").join(",")}?batch=1` }],
    ["a batch with malformed input", { method: "GET", path: "/api/trpc/greet?batch=1&input=%7Bnope" }],
    ["a batch whose input is not an object", { method: "GET", path: "/api/trpc/greet?batch=1&input=1" }],
    ["a batched mutation with malformed JSON", { method: "POST", path: "/api/trpc/echo?batch=1", headers: json, body: "{nope" }],
    ["a batch with a broken percent-encoding", { method: "GET", path: "/api/trpc/ping,p%E0%A4ng?batch=1" }],
    ["a streaming accept header", { method: "GET", path: "/api/trpc/ping", headers: { accept: "application/jsonl" } }],
    ["trpc-accept", { method: "GET", path: "/api/trpc/ping", headers: { "trpc-accept": "application/jsonl" } }],
    ["an Origin (CORS path)", { method: "GET", path: "/api/trpc/ping", headers: { origin: "https://elsewhere.example" } }],
    ["HEAD", { method: "HEAD", path: "/api/trpc/ping" }],
  ];

  it.each(cases)("%s", async (_name, req) => {
    const { lean: a, stock: b } = await both({ lean, stock }, req);
    expect(a).toEqual(b);
  });

  it("a plain call really takes the lean path: one body with a Content-Length, not tRPC's chunked stream", async () => {
    const options = { method: "GET", path: "/api/trpc/ping" };
    const [a, b] = await Promise.all([send(lean.url, options), send(stock.url, options)]);
    expect(a.headers["content-length"]).toBe(String(Buffer.byteLength(a.text)));
    expect(a.headers["transfer-encoding"]).toBeUndefined();
    expect(b.headers["transfer-encoding"]).toBe("chunked");
  });

  it("the real session check, with and without a valid token", async () => {
    const servers = { lean: leanAppRouter, stock: stockAppRouter };
    const ok = await both(servers, { method: "GET", path: "/api/trpc/clientAuth.me", headers: { authorization: `Bearer ${userToken}` } });
    expect(ok.lean.status).toBe(200);
    expect(JSON.parse(ok.lean.body).result.data.user.role).toBe("manager");
    expect(ok.lean).toEqual(ok.stock);
    for (const authorization of [undefined, "Bearer nope.nope.nope", `Bearer ${userToken}x`]) {
      const res = await both(servers, { method: "GET", path: "/api/trpc/clientAuth.me", headers: { authorization } });
      expect(res.lean.status).toBe(401);
      expect(res.lean).toEqual(res.stock);
    }
  });

  it("fuzzed requests get the same answer from both", async () => {
    const paths = ["ping", "greet", "echo", "anything", "nope", "nested.deep", "limited", "leaky"];
    const input = fc.oneof(
      anyValue(["name", "n"]).map(encodeJson),
      fc.constantFrom(...trickyStrings.filter((s): s is string => typeof s === "string")).map((s) => JSON.stringify({ name: s })),
      fc.string({ maxLength: 40 }),
    );
    const arbitrary = fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: fc.constantFrom(...paths),
      input: fc.option(input, { nil: undefined }),
      contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", undefined),
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ method, path, input: text, contentType }) => {
        const req: Req =
          method === "GET"
            ? { method, path: `/api/trpc/${path}${text === undefined ? "" : `?input=${encodeURIComponent(text)}`}` }
            : { method, path: `/api/trpc/${path}`, headers: { "content-type": contentType }, body: text };
        const { lean: a, stock: b } = await both({ lean, stock }, req);
        expect(a).toEqual(b);
      }),
      fuzzParameters("lean and stock adapters", Math.min(FUZZ_RUNS, 500)),
    );
  });
});
