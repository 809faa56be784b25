import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { ClientRouter } from "@gatehouse/api";
import type { AppCode as CatalogueAppCode } from "@gatehouse/contract/app-codes";

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
 * Codes the SDK itself produces; the server never sends them (status 0 unless noted):
 * - `network/Unavailable`: no answer at all (offline, DNS, connection refused, CORS).
 * - `network/Aborted`: the caller's AbortSignal fired.
 * - `network/Timeout`: no answer within `timeoutMs` (the client's, or the call's own).
 * - `client/TokenStoreFailed`: the token store could not save tokens an answer carried.
 * - `network/UnexpectedResponse`: an answer that is not a Gatehouse error (e.g. an HTML page
 *   from a proxy); `status` is that answer's HTTP status.
 */
export type ClientAppCode =
  "network/Unavailable" | "network/Aborted" | "network/Timeout" | "network/UnexpectedResponse" | "client/TokenStoreFailed";

/**
 * The contract only ever adds appCodes, so an SDK older than the server may see one it does not
 * list: the `string & {}` keeps such codes assignable while the known ones autocomplete.
 */
export type AppCode = ServerAppCode | ClientAppCode | (string & {});

/** One field problem of a `validation/Invalid` answer. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}
