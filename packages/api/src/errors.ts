import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/**
 * The one error catalogue (CONTRACT.md "Error codes"): each appCode with its HTTP status and a
 * default human message. Routers and services throw `appError("tenant/NotFound")`.
 */
export const errorCatalogue = {
  "validation/Invalid": { status: 400, message: "The input is invalid." },
  "request/Malformed": { status: 400, message: "The request body is not valid JSON." },
  "signUp/EmailDomainNotAllowed": { status: 400, message: "This email domain is not allowed for this tenant." },
  "auth/Unauthenticated": { status: 401, message: "Authentication is required." },
  "auth/InvalidCredentials": { status: 401, message: "The user ID or password is incorrect." },
  "auth/InvalidRefreshToken": { status: 401, message: "The refresh token is invalid or has expired." },
  "emailVerification/InvalidCode": { status: 401, message: "The code is invalid or has expired." },
  "auth/EmailNotVerified": { status: 403, message: "Verify your email address first." },
  "auth/PasswordChangeRequired": { status: 403, message: "You must change your password first." },
  "auth/AccountSuspended": { status: 403, message: "This account is suspended." },
  "auth/Forbidden": { status: 403, message: "Your role does not allow this action." },
  "tenant/NotFound": { status: 404, message: "Tenant not found." },
  "user/NotFound": { status: 404, message: "User not found." },
  // Added to the contract (README changelog): backOffice.staff.update names an unknown staff email.
  "staff/NotFound": { status: 404, message: "Staff member not found." },
  // Added to the contract (README changelog): revokeSession with an id that is not one of yours.
  "session/NotFound": { status: 404, message: "Session not found." },
  "request/NotFound": { status: 404, message: "No such procedure or route." },
  "request/MethodNotAllowed": { status: 405, message: "This HTTP method is not allowed here." },
  "tenant/KeyDuplicated": { status: 409, message: "This tenant key is already taken." },
  "user/UserIdDuplicated": { status: 409, message: "This user ID is already taken in this tenant." },
  "user/EmailDuplicated": { status: 409, message: "This email address is already verified by another user." },
  "staff/EmailDuplicated": { status: 409, message: "A staff member with this email already exists." },
  "request/PayloadTooLarge": { status: 413, message: "The request body is larger than 64 KiB." },
  "request/UnsupportedMediaType": { status: 415, message: "Send the request body as application/json." },
  "emailVerification/CooldownActive": { status: 429, message: "Please wait before requesting another code." },
  "rateLimit/TooManyRequests": { status: 429, message: "Too many requests. Try again later." },
  // Added to the contract (README changelog): an unexpected fault, never with details.
  "server/InternalError": { status: 500, message: "Internal server error." },
  "service/Unavailable": { status: 503, message: "The service is temporarily unavailable. Try again shortly." },
} as const satisfies Record<string, { status: number; message: string }>;

export type AppCode = keyof typeof errorCatalogue;

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
export function appError(
  appCode: AppCode,
  options: AppErrorDetails & { message?: string; cause?: unknown } = {},
): TRPCError {
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
