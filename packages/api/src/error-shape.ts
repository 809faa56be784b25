import type { TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_NUMBER } from "@trpc/server/rpc";
import { isDatabaseUnavailable } from "@gatehouse/db";
import { isMailUnavailable } from "@gatehouse/email";
import { AppError, appErrorOf, errorCatalogue, trpcCodeFor, type AppCode } from "./errors";
import { MAX_BATCH_CALLS } from "./http/limits";
import { isRedisUnavailable } from "./lib/redis";

/** What tRPC's own errors mean in the contract's words (BAD_REQUEST and PARSE_ERROR: requestFault). */
const appCodeByTrpcCode: Partial<Record<TRPCError["code"], AppCode>> = {
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

/**
 * tRPC reads a call's JSON from `?input=` on a GET and from the body on a POST, and fails either
 * the same way (a BAD_REQUEST caused by a SyntaxError). The formatter sees only the error, so the
 * HTTP layer's onError, which both tRPC's adapter and ours call before formatting, records the
 * request's method for such an error here.
 */
const requestMethods = new WeakMap<TRPCError, string>();

export function noteRequestMethod(error: TRPCError, method: string | undefined): void {
  if (method !== undefined && error.code === "BAD_REQUEST" && error.cause instanceof SyntaxError) requestMethods.set(error, method);
}

const NOT_JSON_MESSAGES: Record<string, string> = {
  GET: "The `input` query parameter is not valid JSON.",
  POST: errorCatalogue["request/Malformed"].message,
};

/**
 * tRPC's own refusals of a request's shape carry no cause: the message is all that says which of
 * its rules the request broke. Matched here and nowhere else; test/http.test.ts pins each one
 * (a tRPC upgrade that rewords one fails there, and the request gets the generic sentence).
 */
const trpcRefusals: { prefix: string; appCode: AppCode; message: string }[] = [
  // The batch names a mutation by GET or a query by POST (the contract's 405), refused as a whole.
  {
    prefix: "Cannot mix procedure types in call",
    appCode: "request/MethodNotAllowed",
    message: "A batch cannot mix queries and mutations: send queries by GET and mutations by POST.",
  },
  {
    prefix: "Batch call exceeds maximum size",
    appCode: "request/Malformed",
    message: `A batch may hold at most ${MAX_BATCH_CALLS} calls.`,
  },
  {
    prefix: '"input" needs to be an object when doing a batch call',
    appCode: "request/Malformed",
    message: 'A batch\'s input must be a JSON object keyed by call position ("0", "1", ...).',
  },
  {
    prefix: "Streaming requests must be batched",
    appCode: "request/Malformed",
    message: "A streamed answer (application/jsonl) is only given to a batch (batch=1).",
  },
];

/**
 * A BAD_REQUEST or PARSE_ERROR that is not a field's validation: something wrong with the request
 * itself, told apart by its cause.
 */
function requestFault(error: TRPCError): AppError {
  const cause = error.cause;
  if (error.code === "BAD_REQUEST" && cause instanceof SyntaxError) {
    const method = requestMethods.get(error);
    const message =
      (method === undefined ? undefined : NOT_JSON_MESSAGES[method]) ??
      "The request body or the `input` query parameter is not valid JSON.";
    return new AppError("request/Malformed", message, {}, { cause });
  }
  if (cause instanceof URIError) {
    return new AppError("request/Malformed", "The procedure path is not valid percent-encoding.", {}, { cause });
  }
  const refusal = cause === undefined ? trpcRefusals.find((rule) => error.message.startsWith(rule.prefix)) : undefined;
  if (refusal) return new AppError(refusal.appCode, refusal.message, {}, { cause: error });
  return new AppError("request/Malformed", "The request is malformed.", {}, { cause: cause ?? error });
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
  if (error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") return requestFault(error);
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

/**
 * The error body's type. `code` is tRPC's own number type: a plain `number` does not satisfy
 * tRPC's `TRPCErrorShape`, and the routers' types then fall back to the default shape, whose
 * `data` has no appCode (the SDK's `error.data?.appCode` needs this one).
 */
export interface ErrorShape {
  message: string;
  code: TRPC_ERROR_CODE_NUMBER;
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
  // The classified error's message (the app's, or a sentence chosen above, never a cause's own
  // text); anything unexpected gets the generic one.
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
