import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { errorCatalogue, type AppCode } from "@gatehouse/contract";

/**
 * The one error catalogue (CONTRACT.md "Error codes"): each appCode with its HTTP status and a
 * default human message lives in @gatehouse/contract (shared with the BackOffice and the SDK);
 * this module turns it into tRPC errors. Routers and services throw `appError("tenant/NotFound")`.
 */
export { errorCatalogue, type AppCode };

const trpcCodeByStatus: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

export function trpcCodeFor(appCode: AppCode): TRPC_ERROR_CODE_KEY {
  return trpcCodeByStatus[errorCatalogue[appCode].status] ?? "INTERNAL_SERVER_ERROR";
}

export interface AppErrorDetails {
  /** Extra fields placed in `error.data` (e.g. nextResendAvailableAt). */
  data?: Record<string, unknown>;
  /** Sets the Retry-After header (whole seconds). */
  retryAfterSeconds?: number;
  /** Field issues for validation/Invalid. */
  issues?: { path: (string | number)[]; message: string }[];
}

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly appCode: AppCode,
    message: string,
    readonly details: AppErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get status(): number {
    return errorCatalogue[this.appCode].status;
  }
}

function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** The error to throw from routers and services. */
export function appError(appCode: AppCode, options: AppErrorDetails & { message?: string; cause?: unknown } = {}): TRPCError {
  const { message, cause, ...details } = options;
  const text = message ?? errorCatalogue[appCode].message;
  return new TRPCError({
    code: trpcCodeFor(appCode),
    message: text,
    cause: new AppError(appCode, text, details, { cause }),
  });
}

/** A validation failure found after schema parsing (e.g. the password policy), on one field. */
export function invalidField(path: string, message: string): TRPCError {
  return appError("validation/Invalid", { message, issues: [{ path: [path], message }] });
}

export function appErrorOf(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (error instanceof Error && isAppError(error.cause)) return error.cause;
  return undefined;
}
