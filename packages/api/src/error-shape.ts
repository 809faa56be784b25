import type { TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { isDatabaseUnavailable } from "@gatehouse/db";
import { isMailUnavailable } from "@gatehouse/email";
import { AppError, appErrorOf, errorCatalogue, trpcCodeFor, type AppCode } from "./errors";
import { isRedisUnavailable } from "./lib/redis";

/** What tRPC's own errors mean in the contract's words. */
const appCodeByTrpcCode: Partial<Record<TRPCError["code"], AppCode>> = {
  PARSE_ERROR: "request/Malformed",
  BAD_REQUEST: "request/Malformed",
  NOT_FOUND: "request/NotFound",
  METHOD_NOT_SUPPORTED: "request/MethodNotAllowed",
  PAYLOAD_TOO_LARGE: "request/PayloadTooLarge",
  UNSUPPORTED_MEDIA_TYPE: "request/UnsupportedMediaType",
  SERVICE_UNAVAILABLE: "service/Unavailable",
};

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
}

function zodIssuesOf(error: TRPCError): ZodLikeIssue[] | undefined {
  const cause = error.cause as { issues?: unknown; name?: string } | undefined;
  if (error.code !== "BAD_REQUEST" || !cause || !Array.isArray(cause.issues)) return undefined;
  return cause.issues as ZodLikeIssue[];
}

/** Classifies any error a procedure can end with into one catalogue entry. */
export function classifyError(error: TRPCError): AppError {
  const known = appErrorOf(error);
  if (known) return known;
  const issues = zodIssuesOf(error);
  if (issues) {
    return new AppError("validation/Invalid", errorCatalogue["validation/Invalid"].message, {
      issues: issues.map((issue) => ({
        path: issue.path.map((part) => (typeof part === "number" ? part : String(part))),
        message: issue.message,
      })),
    });
  }
  const cause = error.cause;
  if (isRedisUnavailable(cause) || isDatabaseUnavailable(cause) || isMailUnavailable(cause)) {
    return new AppError("service/Unavailable", errorCatalogue["service/Unavailable"].message, {}, { cause });
  }
  const mapped = appCodeByTrpcCode[error.code];
  if (mapped) return new AppError(mapped, errorCatalogue[mapped].message, {}, { cause });
  return new AppError("server/InternalError", errorCatalogue["server/InternalError"].message, {}, { cause });
}

export interface ErrorData {
  code: TRPCError["code"];
  httpStatus: number;
  path: string | undefined;
  appCode: AppCode;
  issues?: { path: (string | number)[]; message: string }[];
  [extra: string]: unknown;
}

export interface ErrorShape {
  message: string;
  code: number;
  data: ErrorData;
}

/** The contract's error body. Never a stack, SQL or internal message. */
export function formatError(error: TRPCError, path: string | undefined): ErrorShape {
  const appErr = classifyError(error);
  const trpcCode = trpcCodeFor(appErr.appCode);
  const data: ErrorData = {
    ...appErr.details.data,
    code: trpcCode,
    httpStatus: errorCatalogue[appErr.appCode].status,
    path,
    appCode: appErr.appCode,
  };
  if (appErr.details.issues) data.issues = appErr.details.issues;
  // tRPC's own messages for request/* are safe and useful; anything unexpected gets the generic one.
  const message = appErr.appCode === "server/InternalError" ? errorCatalogue["server/InternalError"].message : appErr.message;
  return { message, code: TRPC_ERROR_CODES_BY_KEY[trpcCode], data };
}

/** Seconds for the Retry-After header, if any error of the response carries one. */
export function retryAfterOf(errors: readonly TRPCError[]): number | undefined {
  let max: number | undefined;
  for (const error of errors) {
    const seconds = appErrorOf(error)?.details.retryAfterSeconds;
    if (seconds !== undefined) max = Math.max(max ?? 0, Math.max(1, Math.ceil(seconds)));
  }
  return max;
}
