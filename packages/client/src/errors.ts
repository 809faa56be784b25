import type { AppCode, ValidationIssue } from "./types";

/**
 * An error answer, as the facades return it in `res.error` (and as `toGatehouseError` makes it
 * from anything the tRPC proxy throws). It is an `Error`, so `throw res.error` keeps a stack.
 */
export class GatehouseError extends Error {
  override name = "GatehouseError";
  /** The contract's appCode (`"auth/InvalidCredentials"`), or a `network/*` code of the SDK. */
  readonly appCode: AppCode;
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** Field problems of a `validation/Invalid` answer. */
  readonly issues: ValidationIssue[] | undefined;
  /** Extra fields of the error's `data` (e.g. `nextResendAvailableAt` with CooldownActive). */
  readonly data: Record<string, unknown> | undefined;
  /** From the Retry-After header of a 429, in seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** The procedure, e.g. `"clientAuth.signIn"`. */
  readonly path: string | undefined;

  constructor(init: {
    appCode: AppCode;
    status: number;
    message: string;
    issues?: ValidationIssue[] | undefined;
    data?: Record<string, unknown> | undefined;
    retryAfterSeconds?: number | undefined;
    path?: string | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.appCode = init.appCode;
    this.status = init.status;
    this.issues = init.issues;
    this.data = init.data;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.path = init.path;
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
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
 * Turns anything a tRPC call can fail with (a TRPCClientError carrying the server's error
 * shape, a network failure, an abort) into one GatehouseError.
 */
export function toGatehouseError(error: unknown): GatehouseError {
  if (error instanceof GatehouseError) return error;
  // The SDK's own errors (a token store failure, say) reach tRPC callers wrapped in a TRPCClientError.
  if (isRecord(error) && error.cause instanceof GatehouseError) return error.cause;
  const err = isRecord(error) ? error : {};
  const data = isRecord(err.data) ? err.data : undefined;
  const meta = isRecord(err.meta) ? err.meta : undefined;
  const cause = err.cause;
  const message = typeof err.message === "string" && err.message ? err.message : "Request failed.";

  if (data && typeof data.appCode === "string") {
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) if (!RESERVED_DATA.has(key)) extra[key] = value;
    const retryAfter = Number(headerOf(meta?.response, "retry-after"));
    const path = typeof data.path === "string" ? data.path : undefined;
    return new GatehouseError({
      appCode: data.appCode,
      status: typeof data.httpStatus === "number" ? data.httpStatus : 0,
      message,
      issues: Array.isArray(data.issues) ? (data.issues as ValidationIssue[]) : undefined,
      data: Object.keys(extra).length > 0 ? extra : undefined,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      path,
      cause: error,
    });
  }
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
