import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import * as core from "@trpc/server/unstable-core-do-not-import";

/**
 * Canary for the lean tRPC adapter (src/http/trpc-node-adapter.ts, see src/http/README.md).
 *
 * The adapter imports functions from `@trpc/server/unstable-core-do-not-import`, which tRPC may
 * change in any release, and re-creates a few of tRPC's answers by hand. This test fails first,
 * with a message that points at the adapter, when the installed tRPC is not the version the
 * adapter was verified against or those internals no longer look and behave as the adapter
 * assumes. On a tRPC upgrade: run test/trpc-node-adapter.test.ts (the equivalence test), fix the
 * adapter if needed, then move VERIFIED_TRPC_VERSION.
 *
 * Built on a bare initTRPC router so it depends on tRPC alone, not on Gatehouse's procedures.
 */
const VERIFIED_TRPC_VERSION = "11.22.1";

const UPGRADE_HINT = `src/http/trpc-node-adapter.ts was verified against @trpc/server ${VERIFIED_TRPC_VERSION}; see src/http/README.md`;

/** Every value the adapter imports from tRPC's internals, and what kind of thing it must be. */
const ADAPTER_IMPORTS = {
  getErrorShape: "function",
  getHTTPStatusCode: "function",
  getProcedureAtPath: "function",
  getTRPCErrorFromUnknown: "function",
  isAsyncIterable: "function",
  isObject: "function",
  isPromise: "function",
  transformTRPCResponse: "function",
  TRPCError: "function",
} as const;

const t = initTRPC.create();
const router = t.router({
  ping: t.procedure.query(() => ({ pong: true })),
  echo: t.procedure.input((raw: unknown) => raw).mutation(({ input }) => ({ got: input })),
  streams: t.procedure.query(() => ({ later: Promise.resolve(1) })),
  nested: t.router({ deep: t.procedure.query(() => "deep") }),
});
const config = router._def._config;

/** tRPC's own answer (its Fetch adapter), for the strings and headers the adapter copies. */
async function stockAnswer(method: string, path: string, body?: string) {
  const req = new Request(`http://canary.test/trpc/${path}`, {
    method,
    body,
    headers: body === undefined ? {} : { "content-type": "application/json" },
  });
  const res = await fetchRequestHandler({ endpoint: "/trpc", req, router, createContext: () => ({}) });
  return { status: res.status, vary: res.headers.get("vary"), json: (await res.json()) as { error?: { message: string } } };
}

describe("the tRPC internals the lean adapter relies on (canary)", () => {
  it(`the installed @trpc/server is ${VERIFIED_TRPC_VERSION}, the version the adapter was verified against`, () => {
    const { version } = createRequire(import.meta.url)("@trpc/server/package.json") as { version: string };
    expect(version, UPGRADE_HINT).toBe(VERIFIED_TRPC_VERSION);
  });

  it("this canary lists exactly what the adapter imports from tRPC's internals", () => {
    const source = readFileSync(new URL("../src/http/trpc-node-adapter.ts", import.meta.url), "utf8");
    const block = /import\s*\{([^}]*)\}\s*from\s*"@trpc\/server\/unstable-core-do-not-import"/.exec(source)?.[1] ?? "";
    const imported = block
      .split(",")
      .map((name) => name.replace(/^\s*type\s+/, "").trim())
      .filter(Boolean);
    expect(imported.sort(), "update ADAPTER_IMPORTS (and its checks) when the adapter's imports change").toEqual(
      Object.keys(ADAPTER_IMPORTS).sort(),
    );
  });

  it("every internal the adapter imports still exists", () => {
    const found = Object.fromEntries(Object.keys(ADAPTER_IMPORTS).map((name) => [name, typeof (core as Record<string, unknown>)[name]]));
    expect(found, UPGRADE_HINT).toEqual(ADAPTER_IMPORTS);
  });

  it("the router still carries its config (transformer) where the adapter reads it", () => {
    expect(typeof config.transformer.input.deserialize, UPGRADE_HINT).toBe("function");
    expect(typeof config.transformer.output.serialize, UPGRADE_HINT).toBe("function");
  });

  it("getProcedureAtPath finds nested procedures (with _def.type) and answers null for unknown paths", async () => {
    const deep = (await core.getProcedureAtPath(router, "nested.deep")) as { _def: { type: string } } | null;
    expect(deep?._def.type, UPGRADE_HINT).toBe("query");
    expect((await core.getProcedureAtPath(router, "echo"))?._def.type, UPGRADE_HINT).toBe("mutation");
    expect(await core.getProcedureAtPath(router, "nope"), UPGRADE_HINT).toBeNull();
  });

  it("a procedure is still called with { path, getRawInput, ctx, type, signal, batchIndex }", async () => {
    const echo = (await core.getProcedureAtPath(router, "echo")) as unknown as (opts: object) => Promise<unknown>;
    const data = await echo({ path: "echo", getRawInput: async () => "hi", ctx: {}, type: "mutation", signal: undefined, batchIndex: 0 });
    expect(data, UPGRADE_HINT).toEqual({ got: "hi" });
  });

  it("an unknown throwable becomes an INTERNAL_SERVER_ERROR TRPCError; a TRPCError passes through", () => {
    const wrapped = core.getTRPCErrorFromUnknown(new Error("boom"));
    expect(wrapped, UPGRADE_HINT).toBeInstanceOf(core.TRPCError);
    expect(wrapped.code, UPGRADE_HINT).toBe("INTERNAL_SERVER_ERROR");
    const own = new core.TRPCError({ code: "PAYLOAD_TOO_LARGE" });
    expect(core.getTRPCErrorFromUnknown(own), UPGRADE_HINT).toBe(own);
  });

  it("getErrorShape + getHTTPStatusCode + transformTRPCResponse give the body and status the adapter writes", () => {
    const error = new core.TRPCError({ code: "NOT_FOUND", message: 'No procedure found on path "x"' });
    const shape = core.getErrorShape({ config, ctx: undefined, error, input: undefined, path: "x", type: "unknown" });
    expect(shape, UPGRADE_HINT).toMatchObject({
      message: 'No procedure found on path "x"',
      code: -32004,
      data: { code: "NOT_FOUND", httpStatus: 404, path: "x" },
    });
    expect(core.getHTTPStatusCode({ error: shape } as Parameters<typeof core.getHTTPStatusCode>[0]), UPGRADE_HINT).toBe(404);
    expect(core.getHTTPStatusCode({ result: { data: 1 } } as Parameters<typeof core.getHTTPStatusCode>[0]), UPGRADE_HINT).toBe(200);
    const body = core.transformTRPCResponse(config, { result: { data: { a: 1 } } } as Parameters<typeof core.transformTRPCResponse>[1]);
    expect(body, UPGRADE_HINT).toEqual({ result: { data: { a: 1 } } });
  });

  it("isObject / isPromise / isAsyncIterable still tell a stream-like result apart", () => {
    async function* gen() {
      yield 1;
    }
    expect([core.isObject({}), core.isObject(null), core.isObject([])], UPGRADE_HINT).toEqual([true, false, false]);
    expect([core.isPromise(Promise.resolve(1)), core.isPromise({})], UPGRADE_HINT).toEqual([true, false]);
    expect([core.isAsyncIterable(gen()), core.isAsyncIterable([])], UPGRADE_HINT).toEqual([true, false]);
  });

  it("tRPC's own answers still carry the header and messages the adapter writes by hand", async () => {
    const ok = await stockAnswer("GET", "ping");
    expect(ok.vary, UPGRADE_HINT).toBe("trpc-accept, accept");

    const missing = await stockAnswer("GET", "nope");
    expect(missing.json.error?.message, UPGRADE_HINT).toBe('No procedure found on path "nope"');

    const wrongMethod = await stockAnswer("GET", "echo");
    expect(wrongMethod.status, UPGRADE_HINT).toBe(405);
    expect(wrongMethod.json.error?.message, UPGRADE_HINT).toBe('Unsupported GET-request to mutation procedure at path "echo"');

    const streams = await stockAnswer("GET", "streams");
    expect(streams.status, UPGRADE_HINT).toBe(415);
    expect(streams.json.error?.message, UPGRADE_HINT).toBe(
      "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
    );
  });
});
