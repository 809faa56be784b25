import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCRouter } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import {
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  transformTRPCResponse,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";
import { readBodyText } from "./read-body";

/**
 * Gatehouse's Node adapter for tRPC.
 *
 * tRPC's own Node adapter turns every request into a Fetch `Request` (URL, Headers, a body
 * stream, five AbortSignals joined with `AbortSignal.any`), resolves it, and pipes the Fetch
 * `Response` back through web streams with chunked encoding. Profiling the session check showed
 * that machinery costing more than the check itself (docs/performance.md). Here a plain call (one
 * procedure, JSON, no batching, no streaming) is answered straight from the Node request: the
 * same steps as tRPC's `resolveResponse` for a single call, in the same order, with tRPC's own
 * functions for everything that decides an answer (procedure lookup, error shape, status code,
 * transformer), and written with one `res.end(body)` and a Content-Length. Anything else (batches,
 * `application/jsonl` streaming, SSE, HEAD, non-JSON bodies, malformed paths) goes to tRPC's own
 * adapter unchanged. test/trpc-node-adapter.test.ts sends the same requests to both and requires
 * the same status, headers and body.
 */
export interface TrpcNodeHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  basePath: string;
  maxBodySize: number;
  maxBatchSize: number;
  createContext(req: IncomingMessage, res: ServerResponse): TContext | Promise<TContext>;
  /** Headers for an answer, given the errors in it (tRPC's `responseMeta`, headers only). */
  responseHeaders(errors: TRPCError[]): Record<string, string | string[]>;
  /** Called with every error before it is formatted (as tRPC does), and the request it arose in. */
  onError(opts: { error: TRPCError; path: string | undefined; ctx: TContext | undefined; req: IncomingMessage }): void;
  /** Send every request through tRPC's own adapter (the reference the tests compare with). */
  stockOnly?: boolean;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;
type ProcedureType = "query" | "mutation" | "subscription";

interface CallableProcedure {
  (opts: {
    path: string;
    getRawInput: () => Promise<unknown>;
    ctx: unknown;
    type: ProcedureType;
    signal: undefined;
    batchIndex: number;
  }): Promise<unknown>;
  _def: { type: ProcedureType };
}

const ACCEPTED_METHOD: Record<ProcedureType, string> = { query: "GET", mutation: "POST", subscription: "GET" };
/** What tRPC's resolveResponse starts every answer's headers with. */
const TRPC_VARY = "trpc-accept, accept";

function isJson(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().split(";", 1)[0]?.trim() === "application/json";
}

/** tRPC's own test for a value it cannot send as plain JSON. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

/** The body as text (UTF-8, BOM dropped), or tRPC's PAYLOAD_TOO_LARGE past the limit. */
function readBody(req: IncomingMessage, maxBodySize: number): Promise<string> {
  const preset = (req as IncomingMessage & { body?: unknown }).body;
  if (typeof preset === "string") return Promise.resolve(preset);
  return readBodyText(req, maxBodySize, () => new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
}

/**
 * The raw input of a single call, read and parsed once, on first use (tRPC's `memo` over
 * `getInputs`): `?input=` for GET, the JSON body for POST; parse failures are a BAD_REQUEST
 * with the parser's message, as in tRPC.
 */
function lazyInput(req: IncomingMessage, query: URLSearchParams | undefined, router: AnyTRPCRouter, maxBodySize: number) {
  const unread = Symbol("unread");
  let value: unknown = unread;
  let pending: Promise<unknown> | undefined;
  const load = async (): Promise<unknown> => {
    let inputs: unknown;
    if (req.method === "GET") {
      const queryInput = query?.get("input");
      if (queryInput) inputs = JSON.parse(queryInput);
    } else {
      inputs = JSON.parse(await readBody(req, maxBodySize));
    }
    return inputs === undefined ? undefined : router._def._config.transformer.input.deserialize(inputs);
  };
  return {
    read: async (): Promise<unknown> => {
      if (value !== unread) return value;
      pending ??= load().catch((cause: unknown) => {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
      });
      value = await pending;
      return value;
    },
    result: (): unknown => (value === unread ? undefined : value),
  };
}

export function createTrpcNodeHandler<TContext>(opts: TrpcNodeHandlerOptions<TContext>): NodeHandler {
  const { router, basePath } = opts;
  const config = router._def._config;

  const stock = createHTTPHandler({
    router,
    basePath,
    maxBodySize: opts.maxBodySize,
    allowBatching: true,
    maxBatchSize: opts.maxBatchSize,
    createContext: ({ req, res }) => opts.createContext(req, res),
    responseMeta: ({ errors }) => ({ headers: opts.responseHeaders(errors) }),
    onError: ({ error, path, ctx, req }) => opts.onError({ error, path, ctx: ctx as TContext | undefined, req }),
  });
  if (opts.stockOnly) return stock;

  /** A plain call's path, or undefined when tRPC's own adapter should answer. */
  function plainCallPath(req: IncomingMessage, query: URLSearchParams | undefined): string | undefined {
    if (req.method !== "GET" && req.method !== "POST") return undefined;
    if (req.method === "POST" && !isJson(req.headers["content-type"])) return undefined;
    if (req.headers["trpc-accept"] !== undefined) return undefined;
    const accept = req.headers.accept;
    if (accept !== undefined && accept.includes("application/jsonl")) return undefined;
    if (query && (query.has("batch") || query.has("connectionParams"))) return undefined;
    const url = req.url ?? "";
    const end = url.indexOf("?");
    const rawPath = url.slice(basePath.length, end === -1 ? undefined : end);
    try {
      return decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
  }

  async function answer(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams | undefined): Promise<void> {
    const procedure = (await getProcedureAtPath(router, path)) as CallableProcedure | null;
    const type = procedure?._def.type ?? "unknown";
    if (type === "subscription") {
      stock(req, res);
      return;
    }
    let ctx: TContext | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await opts.createContext(req, res);
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }
    const input = lazyInput(req, query, router, opts.maxBodySize);

    let body: { result: { data: unknown } } | { error: unknown };
    const errors: TRPCError[] = [];
    try {
      if (!procedure) throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${path}"` });
      if (ACCEPTED_METHOD[procedure._def.type] !== req.method) {
        throw new TRPCError({
          code: "METHOD_NOT_SUPPORTED",
          message: `Unsupported ${req.method}-request to ${procedure._def.type} procedure at path "${path}"`,
        });
      }
      if (ctxError) throw ctxError;
      body = {
        result: {
          data: await procedure({ path, getRawInput: input.read, ctx, type: procedure._def.type, signal: undefined, batchIndex: 0 }),
        },
      };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      errors.push(error);
      opts.onError({ error, path, ctx, req });
      body = { error: getErrorShape({ config, ctx, error, input: input.result(), path, type }) };
    }
    if ("result" in body && isDataStream(body.result.data)) {
      // tRPC refuses this after the call, for the request as a whole (no path in the shape).
      const error = new TRPCError({
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
      });
      errors.push(error);
      opts.onError({ error, path: undefined, ctx, req });
      body = { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) };
    }

    const status = getHTTPStatusCode(body as Parameters<typeof getHTTPStatusCode>[0]);
    const payload = JSON.stringify(transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1]));
    if (res.statusCode === 200) res.statusCode = status;
    // As tRPC merges `responseMeta` headers into its own: a list is appended, a string replaces.
    const headers: Record<string, string> = { vary: TRPC_VARY };
    for (const [name, value] of Object.entries(opts.responseHeaders(errors))) {
      const key = name.toLowerCase();
      if (!Array.isArray(value)) headers[key] = value;
      else for (const item of value) headers[key] = headers[key] === undefined ? item : `${headers[key]}, ${item}`;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.end(payload);
  }

  return (req, res) => {
    const url = req.url ?? "";
    const queryStart = url.indexOf("?");
    const query = queryStart === -1 ? undefined : new URLSearchParams(url.slice(queryStart + 1));
    const path = plainCallPath(req, query);
    if (path === undefined) {
      stock(req, res);
      return;
    }
    answer(req, res, path, query).catch((cause: unknown) => {
      // Only a fault in this adapter itself lands here (procedures' errors are answers above).
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError({ error, path, ctx: undefined, req });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const shape = getErrorShape({ config, ctx: undefined, error, input: undefined, path: undefined, type: "unknown" });
      res.statusCode = getHTTPStatusCode({ error: shape } as Parameters<typeof getHTTPStatusCode>[0]);
      res.end(JSON.stringify(transformTRPCResponse(config, { error: shape } as Parameters<typeof transformTRPCResponse>[1])));
    });
  };
}
