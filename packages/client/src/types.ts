import type { TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { ClientRouter } from "@gatehouse/api";
import type { AppCode as CatalogueAppCode, SocialRedirectError, transportAppCodes } from "@gatehouse/contract/app-codes";

/**
 * The end-user API (CONTRACT.md "clientAuth" and "clientEmailVerification") as a tRPC router
 * type. The published declarations inline it, so consumers need no server package.
 */
export type { ClientRouter };

export type RouterInputs = inferRouterInputs<ClientRouter>;
export type RouterOutputs = inferRouterOutputs<ClientRouter>;

/** The contract's `Session`: the answer of signUp, signIn and refresh. */
export type Session = RouterOutputs["clientAuth"]["signIn"];
/** The contract's `User`. */
export type User = Session["user"];

/**
 * Every appCode the server can answer with (CONTRACT.md "Error codes", plus recorded additions):
 * the catalogue's keys, taken from @gatehouse/contract. The published declarations inline the
 * union, so consumers need no server or contract package.
 */
export type ServerAppCode = CatalogueAppCode;

/**
 * Codes the HTTP layer answers before (or instead of) a procedure: the request's framing, route
 * or method is wrong. Any call can get them, so every procedure's `ErrorOf` has them.
 */
export type TransportAppCode = (typeof transportAppCodes)[number];

/**
 * Codes the SDK itself produces; the server never sends them (status 0 unless noted):
 * - `network/Unavailable`: no answer at all (offline, DNS, connection refused, CORS).
 * - `network/Aborted`: the caller's AbortSignal fired.
 * - `network/Timeout`: no answer within `timeoutMs` (the client's, or the call's own).
 * - `client/TokenStoreFailed`: the token store could not save tokens an answer carried.
 * - `network/UnexpectedResponse`: an answer that is not a Gatehouse error (e.g. an HTML page
 *   from a proxy); `status` is that answer's HTTP status.
 * - `client/UnexpectedAppCode`: a Gatehouse error whose appCode this SDK cannot type for the
 *   call (a newer server's code, or one the procedure does not declare); `serverAppCode` holds
 *   the code as sent, `status` the answer's status.
 */
export type ClientAppCode =
  | "network/Unavailable"
  | "network/Aborted"
  | "network/Timeout"
  | "network/UnexpectedResponse"
  | "client/TokenStoreFailed"
  | "client/UnexpectedAppCode";

/**
 * The two codes only a social sign-in's redirect back to the app carries (`?error=…`, CONTRACT v2
 * "Redirect-only values of `error`"), never an HTTP answer: `social/AccessDenied` (the user
 * cancelled at the provider) and `social/ProviderError` (the provider refused or answered
 * garbage). `ClientSocial.handleCallback` answers them; their `status` is 0.
 */
export type SocialRedirectAppCode = SocialRedirectError;

/**
 * Every appCode a `GatehouseError` can have: closed, so a typo does not compile and a `switch`
 * can be exhaustive. A code a newer server sends that is not here arrives as
 * `client/UnexpectedAppCode`, with the code itself in `serverAppCode`.
 */
export type AppCode = ServerAppCode | SocialRedirectAppCode | ClientAppCode;

/** Every procedure of the SDK's router by its dotted name, as tRPC names it: `"clientAuth.signIn"`. */
export type ProcedurePath = {
  [R in keyof RouterInputs & string]: `${R}.${keyof RouterInputs[R] & string}`;
}[keyof RouterInputs & string];

/** One field problem of a `validation/Invalid` answer. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What the tRPC client (`trpc.clientAuth.me.query()`) and the React hooks (`useQuery(...).error`)
 * reject with: `error.data?.appCode` is typed, as the server's error formatter declares it (a
 * newer server's code is still its raw string there; `toGatehouseError` maps it).
 */
export type GatehouseTRPCError = TRPCClientError<ClientRouter>;
