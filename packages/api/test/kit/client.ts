import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { createTRPCClient, getUntypedClient, httpLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../src/root";
import { expectNoSecrets } from "./expect";

/** The typed behaviour client: every procedure of the contract, as a product app or the BackOffice calls it. */
export type Api = TRPCClient<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Session = RouterOutputs["clientAuth"]["signUp"];
export type UserDto = Session["user"];

export interface ApiClientOptions {
  /** Sent as X-Forwarded-For (the server must trust it: TRUST_PROXY=1), and in the User-Agent. */
  ip?: string;
  /** An end user's access token, sent as `Authorization: Bearer`. */
  token?: string;
  /** A staff session cookie (`authjs.session-token=…`). */
  cookie?: string;
}

/**
 * `createTRPCClient<AppRouter>` over `httpLink` (one request a call, GET for queries, POST for
 * mutations, plain JSON: the contract's wire format). Every answer is also checked against the
 * contract's invariants before the client reads it: a result comes with 200, an error with its
 * `data.httpStatus`, and no answer ever holds a password or token hash.
 */
export function apiClient(baseUrl: string, options: ApiClientOptions = {}): Api {
  const headers: Record<string, string> = {};
  if (options.ip) Object.assign(headers, { "x-forwarded-for": options.ip, "user-agent": `vitest ${options.ip}` });
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/api/trpc`, headers, fetch: checkedFetch })],
  });
}

/**
 * A procedure called by its name (`backOffice.tenants.list`), for tests that walk the contract's
 * table of procedures; still the typed client's link and checks.
 */
export function callByName(api: Api, kind: "query" | "mutation", path: string, input?: unknown): Promise<unknown> {
  const untyped = getUntypedClient(api);
  return kind === "query" ? untyped.query(path, input) : untyped.mutation(path, input);
}

/** A client at one IP: anonymous (`api`) or with an access token (`as(token)`). */
export interface Client {
  ip: string;
  api: Api;
  as(token: string): Api;
}

/** A private address no other suite uses, so per-IP and per-(account, IP) budgets are the caller's own. */
export function randomIp(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

/** A client calling `baseUrl` from `ip` (a fresh one unless given). `baseUrl` may be read late (suites start in beforeAll). */
export function clientAt(baseUrl: string | (() => string), ip = randomIp()): Client {
  const url = typeof baseUrl === "string" ? () => baseUrl : baseUrl;
  return {
    ip,
    api: lazy(() => apiClient(url(), { ip })),
    as: (token) => apiClient(url(), { ip, token }),
  };
}

/** An object built on first use (a tRPC client is a proxy: every property read goes through). */
export function lazy<T extends object>(build: () => T): T {
  let built: T | undefined;
  return new Proxy({} as T, { get: (_target, key) => Reflect.get((built ??= build()), key) as unknown });
}

const answers = new AsyncLocalStorage<Response[]>();

/**
 * Runs one typed call and gives its HTTP response too, for the few behaviour checks that read a
 * header of a success (Cache-Control: no-store on tokens, a renewed staff cookie); its body is
 * still unread.
 */
export async function withResponse<T>(run: () => Promise<T>): Promise<{ data: T; response: Response }> {
  const seen: Response[] = [];
  const data = await answers.run(seen, run);
  if (seen.length !== 1) throw new Error(`withResponse: expected one HTTP request, saw ${seen.length}`);
  return { data, response: seen[0]! };
}

async function checkedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  answers.getStore()?.push(response.clone());
  const text = await response.clone().text();
  expectNoSecrets(text);
  let body: { result?: unknown; error?: { data?: { httpStatus?: unknown } } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return response; // tRPC's client reports a non-JSON answer itself
  }
  const expected = body?.error ? body.error.data?.httpStatus : 200;
  if (response.status !== expected) {
    throw new Error(`HTTP ${response.status} does not match the answer ${text.slice(0, 300)} (expected ${String(expected)})`);
  }
  return response;
}
