import { isAppCode as isCatalogueAppCode, socialRedirectErrors } from "@gatehouse/contract/app-codes";
import { procedureMayAnswer, type ErrorOf } from "./procedure-errors";
import type { AppCode, ClientAppCode, ProcedurePath, ServerAppCode, SocialRedirectAppCode, ValidationIssue } from "./types";

/**
 * The extra fields an appCode's error carries in `data` (CONTRACT.md "Error codes"; the server's
 * `appError(code, { data })` calls). A code not listed here carries none: its `data` is undefined.
 */
export interface AppCodeData {
  "emailVerification/CooldownActive": { nextResendAvailableAt: string };
  "smsVerification/CooldownActive": { nextResendAvailableAt: string };
  /** The extra fields sent with a code the SDK could not type, if any, as they came. */
  "client/UnexpectedAppCode": Readonly<Record<string, unknown>> | undefined;
}

/** `data` of an error with appCode `C`. */
export type ErrorDataOf<C extends AppCode> = C extends keyof AppCodeData ? AppCodeData[C] : undefined;
/** Only `validation/Invalid` has field issues (possibly none, for a rule on the whole input). */
type IssuesOf<C extends AppCode> = C extends "validation/Invalid" ? ValidationIssue[] : undefined;
/** The code as the server sent it (in an answer or a redirect): the appCode itself, any string for the fallback, nothing for the SDK's own. */
type ServerAppCodeOf<C extends AppCode> = C extends ServerAppCode | SocialRedirectAppCode
  ? C
  : C extends "client/UnexpectedAppCode"
    ? string
    : undefined;

/** A field the constructor needs only when its type cannot be undefined. */
type FieldOf<K extends string, V> = undefined extends V ? { [F in K]?: V } : { [F in K]: V };

export type GatehouseErrorInit<C extends AppCode> = {
  appCode: C;
  status: number;
  message: string;
  retryAfterSeconds?: number | undefined;
  path?: string | undefined;
  cause?: unknown;
  /** Default: `[]` for `validation/Invalid`. */
  issues?: IssuesOf<C> | undefined;
} & FieldOf<"data", ErrorDataOf<C>> &
  (C extends "client/UnexpectedAppCode" ? { serverAppCode: string } : unknown);

/**
 * An error answer, as the facades return it in `res.error` (and as `toGatehouseError` makes it
 * from anything the tRPC proxy throws). It is an `Error`, so `throw res.error` keeps a stack.
 * `C` is its appCode; an answer is typed `GatehouseErrorOf<codes>`, one variant per code, so
 * `switch (error.appCode)` narrows `data`, `issues` and `serverAppCode`.
 */
export class GatehouseError<C extends AppCode = AppCode> extends Error {
  override name = "GatehouseError";
  /** The contract's appCode (`"auth/InvalidCredentials"`), or one of the SDK's (`ClientAppCode`). */
  readonly appCode: C;
  /**
   * The appCode exactly as the server sent it; undefined when no Gatehouse error arrived. Differs
   * from `appCode` only for `client/UnexpectedAppCode` (e.g. a code newer than this SDK).
   */
  readonly serverAppCode: ServerAppCodeOf<C>;
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** Field problems of a `validation/Invalid` answer; undefined for every other code. */
  readonly issues: IssuesOf<C>;
  /** The code's extra fields (`AppCodeData`), e.g. `nextResendAvailableAt` with CooldownActive. */
  readonly data: ErrorDataOf<C>;
  /** From the Retry-After header of a 429 (or a 503), in seconds, when the answer let us read it. */
  readonly retryAfterSeconds: number | undefined;
  /** The procedure, e.g. `"clientAuth.signIn"`. */
  readonly path: string | undefined;

  /**
   * `instanceof` as ever (the prototype chain); declared so `e instanceof GatehouseError` narrows
   * to the union of variants (`GatehouseErrorOf`, TypeScript 5.3+) rather than to an error whose
   * appCode is `any`.
   */
  static override [Symbol.hasInstance](value: unknown): value is GatehouseErrorOf {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  constructor(init: GatehouseErrorInit<C>) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    // The init's conditional fields, read plainly (their types hold per code by GatehouseErrorInit).
    const fields = init as { serverAppCode?: string; issues?: ValidationIssue[]; data?: unknown };
    this.appCode = init.appCode;
    this.serverAppCode = (fields.serverAppCode ??
      (isServerAppCode(init.appCode) || isSocialRedirectAppCode(init.appCode) ? init.appCode : undefined)) as ServerAppCodeOf<C>;
    this.status = init.status;
    this.issues = (fields.issues ?? (init.appCode === "validation/Invalid" ? [] : undefined)) as IssuesOf<C>;
    this.data = fields.data as ErrorDataOf<C>;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.path = init.path;
  }
}

/** One `GatehouseError` variant per appCode of `C` (default: every code), so `switch (e.appCode)` narrows. */
export type GatehouseErrorOf<C extends AppCode = AppCode> = C extends AppCode ? GatehouseError<C> : never;

export function isGatehouseError(value: unknown): value is GatehouseErrorOf {
  return value instanceof GatehouseError;
}

const isServerAppCode = isCatalogueAppCode;
/** One of the two codes only a social sign-in's redirect carries. */
const isSocialRedirectAppCode = (value: unknown): value is SocialRedirectAppCode =>
  typeof value === "string" && Object.hasOwn(socialRedirectErrors, value);

/** The SDK's own codes, as data (a code added to `ClientAppCode` must be added here). */
const clientAppCodes: Record<ClientAppCode, true> = {
  "network/Unavailable": true,
  "network/Aborted": true,
  "network/Timeout": true,
  "network/UnexpectedResponse": true,
  "client/TokenStoreFailed": true,
  "client/UnexpectedAppCode": true,
};

/** Whether a value is one of the appCodes this SDK knows: the server's catalogue or its own. */
export function isAppCode(value: unknown): value is AppCode {
  return isServerAppCode(value) || isSocialRedirectAppCode(value) || (typeof value === "string" && Object.hasOwn(clientAppCodes, value));
}

/** Thrown by the SDK's fetch wrapper for answers that are not JSON (so their status is kept). */
export class UnexpectedResponseError extends Error {
  override name = "UnexpectedResponseError";
  constructor(readonly status: number) {
    super(`Unexpected answer from the server (HTTP ${status}).`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** An abort (the caller's signal) or a timeout (the SDK's deadline), by the error's name. */
function abortKind(error: unknown): "network/Aborted" | "network/Timeout" | undefined {
  if (!isRecord(error)) return undefined;
  if (error.name === "TimeoutError") return "network/Timeout";
  return error.name === "AbortError" ? "network/Aborted" : undefined;
}

function headerOf(response: unknown, name: string): string | null {
  if (!isRecord(response) || !isRecord(response.headers)) return null;
  const get = response.headers.get;
  return typeof get === "function" ? (get.call(response.headers, name) as string | null) : null;
}

/** `data` fields that describe the error itself rather than add to it. */
const RESERVED_DATA = new Set(["code", "httpStatus", "path", "appCode", "issues", "stack"]);

/**
 * Reads the fields `AppCodeData` promises for each server code that has some; null when the
 * answer lacks them (the error is then not typed as that code). Every such code needs a reader.
 */
const dataReaders: { [C in keyof AppCodeData & ServerAppCode]: (extra: Record<string, unknown>) => AppCodeData[C] | null } = {
  "emailVerification/CooldownActive": ({ nextResendAvailableAt }) =>
    typeof nextResendAvailableAt === "string" ? { nextResendAvailableAt } : null,
  "smsVerification/CooldownActive": ({ nextResendAvailableAt }) =>
    typeof nextResendAvailableAt === "string" ? { nextResendAvailableAt } : null,
};

/** `{ data }` for a server code (undefined when the code has none), or null when the answer lacks it. */
function typedData(appCode: ServerAppCode, extra: Record<string, unknown>): { data: unknown } | null {
  if (!Object.hasOwn(dataReaders, appCode)) return { data: undefined };
  const data = dataReaders[appCode as keyof typeof dataReaders](extra);
  return data === null ? null : { data };
}

/** A server error with this SDK's types when they fit, else `client/UnexpectedAppCode` with the code as sent. */
function fromServerAnswer(
  error: unknown,
  data: Record<string, unknown>,
  meta: Record<string, unknown> | undefined,
  message: string,
  procedure: ProcedurePath | undefined,
): GatehouseErrorOf {
  const sent = String(data.appCode);
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!RESERVED_DATA.has(key)) extra[key] = value;
  const retryAfter = Number(headerOf(meta?.response, "retry-after"));
  const common = {
    status: typeof data.httpStatus === "number" ? data.httpStatus : 0,
    message,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    path: typeof data.path === "string" ? data.path : undefined,
    cause: error,
  };
  if (isServerAppCode(sent) && (procedure === undefined || procedureMayAnswer(procedure, sent))) {
    const typed = typedData(sent, extra);
    if (typed) {
      const issues = sent === "validation/Invalid" && Array.isArray(data.issues) ? (data.issues as ValidationIssue[]) : undefined;
      return new GatehouseError({ appCode: sent, ...common, issues, data: typed.data } as GatehouseErrorInit<AppCode>) as GatehouseErrorOf;
    }
  }
  return new GatehouseError({
    appCode: "client/UnexpectedAppCode",
    serverAppCode: sent,
    ...common,
    data: Object.keys(extra).length > 0 ? extra : undefined,
  });
}

/** An error already made (e.g. by `toGatehouseError(e)`), retyped for a procedure. */
function forProcedure(error: GatehouseErrorOf, procedure: ProcedurePath): GatehouseErrorOf {
  if (!isServerAppCode(error.appCode) || procedureMayAnswer(procedure, error.appCode)) return error;
  return new GatehouseError({
    appCode: "client/UnexpectedAppCode",
    serverAppCode: error.appCode,
    status: error.status,
    message: error.message,
    data: (error.data ?? undefined) as Readonly<Record<string, unknown>> | undefined,
    retryAfterSeconds: error.retryAfterSeconds,
    path: error.path,
    cause: error,
  });
}

/**
 * Turns anything a tRPC call can fail with (a TRPCClientError carrying the server's error
 * shape, a network failure, an abort) into one GatehouseError. With the procedure's path, the
 * error is typed for it (`ErrorOf<path>`): a server code the procedure does not declare (a newer
 * server's) becomes `client/UnexpectedAppCode`, as a code missing from the catalogue always does.
 */
export function toGatehouseError(error: unknown): GatehouseErrorOf;
export function toGatehouseError<P extends ProcedurePath>(error: unknown, path: P): GatehouseErrorOf<ErrorOf<P>>;
export function toGatehouseError(error: unknown, path?: ProcedurePath): GatehouseErrorOf {
  // The SDK's own errors (a token store failure, say) reach tRPC callers wrapped in a TRPCClientError.
  const own = error instanceof GatehouseError ? error : isRecord(error) && error.cause instanceof GatehouseError ? error.cause : undefined;
  if (own) {
    const made = own as GatehouseErrorOf;
    return path === undefined ? made : forProcedure(made, path);
  }
  const err = isRecord(error) ? error : {};
  const data = isRecord(err.data) ? err.data : undefined;
  const meta = isRecord(err.meta) ? err.meta : undefined;
  const cause = err.cause;
  const message = typeof err.message === "string" && err.message ? err.message : "Request failed.";

  if (data && typeof data.appCode === "string") return fromServerAnswer(error, data, meta, message, path);
  const abort = abortKind(error) ?? abortKind(cause);
  if (abort === "network/Timeout") {
    return new GatehouseError({ appCode: abort, status: 0, message: "Gatehouse did not answer in time.", cause: error });
  }
  if (abort) return new GatehouseError({ appCode: abort, status: 0, message: "The request was aborted.", cause: error });
  const unexpected = cause instanceof UnexpectedResponseError ? cause : error instanceof UnexpectedResponseError ? error : undefined;
  const response = meta?.response;
  const status = unexpected?.status ?? (isRecord(response) && typeof response.status === "number" ? response.status : undefined);
  if (status !== undefined) {
    return new GatehouseError({
      appCode: "network/UnexpectedResponse",
      status,
      message: `Unexpected answer from the server (HTTP ${status}).`,
      cause: error,
    });
  }
  return new GatehouseError({
    appCode: "network/Unavailable",
    status: 0,
    message: "The Gatehouse server could not be reached.",
    cause: error,
  });
}
