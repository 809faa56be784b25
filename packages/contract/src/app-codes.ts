/**
 * The one appCode catalogue (CONTRACT.md "Error codes"): each appCode with its HTTP status and a
 * default human message. Data only (no zod), so the SDK can take it without a schema library;
 * the API's `errors.ts` builds its errors from it, the BackOffice keys its words by `AppCode`.
 */
export const errorCatalogue = {
  "validation/Invalid": { status: 400, message: "The input is invalid." },
  "request/Malformed": { status: 400, message: "The request body is not valid JSON." },
  "signUp/EmailDomainNotAllowed": { status: 400, message: "This email domain is not allowed for this tenant." },
  // CONTRACT v2 "New error codes".
  "auth/MethodNotEnabled": { status: 400, message: "This way of signing in is not enabled for this tenant." },
  "auth/PasswordNotSet": { status: 400, message: "This account has no password; set one through password reset by email." },
  "social/RedirectUriNotAllowed": { status: 400, message: "This redirect URI is not registered for this tenant." },
  "social/InvalidState": { status: 400, message: "This sign-in link is unknown, used or expired. Start again." },
  "auth/Unauthenticated": { status: 401, message: "Authentication is required." },
  "auth/InvalidCredentials": { status: 401, message: "The user ID or password is incorrect." },
  "auth/InvalidRefreshToken": { status: 401, message: "The refresh token is invalid or has expired." },
  // CONTRACT v2 "New error codes".
  "auth/InvalidSignupToken": { status: 401, message: "The sign-up token is invalid or has expired." },
  "social/InvalidCode": { status: 401, message: "The sign-in code is invalid, used or expired. Start again." },
  "social/InvalidProviderToken": { status: 401, message: "The provider's token was refused or was issued to another app." },
  "auth/InvalidResetToken": { status: 401, message: "The reset token is invalid or has expired." },
  "smsVerification/InvalidCode": { status: 401, message: "The code is invalid or has expired." },
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
  "user/PhoneDuplicated": { status: 409, message: "This phone number is already verified by another user." },
  "staff/EmailDuplicated": { status: 409, message: "A staff member with this email already exists." },
  "request/PayloadTooLarge": { status: 413, message: "The request body is larger than 64 KiB." },
  "request/UnsupportedMediaType": { status: 415, message: "Send the request body as application/json." },
  "emailVerification/CooldownActive": { status: 429, message: "Please wait before requesting another code." },
  "smsVerification/CooldownActive": { status: 429, message: "Please wait before requesting another code." },
  "rateLimit/TooManyRequests": { status: 429, message: "Too many requests. Try again later." },
  // Added to the contract (README changelog): an unexpected fault, never with details.
  "server/InternalError": { status: 500, message: "Internal server error." },
  "service/Unavailable": { status: 503, message: "The service is temporarily unavailable. Try again shortly." },
} as const satisfies Record<string, { status: number; message: string }>;

export type AppCode = keyof typeof errorCatalogue;

/**
 * CONTRACT v2 "Redirect-only values of `error`": a social sign-in's callback redirects to the
 * app with `error=<appCode>`; these two are never an HTTP answer, so they are not in the
 * catalogue above (any appCode of the catalogue may also come back that way).
 */
export const socialRedirectErrors = {
  "social/AccessDenied": { message: "The sign-in was cancelled at the provider." },
  "social/ProviderError": { message: "The provider could not sign you in. Try again." },
} as const satisfies Record<string, { message: string }>;

export type SocialRedirectError = keyof typeof socialRedirectErrors;

export const appCodes = Object.keys(errorCatalogue) as AppCode[];

export function isAppCode(value: unknown): value is AppCode {
  return typeof value === "string" && Object.hasOwn(errorCatalogue, value);
}

/**
 * Codes the HTTP layer answers before (or instead of) a procedure: the request's framing, route
 * or method is wrong. Any call can get them, so no procedure lists them among its own.
 */
export const transportAppCodes = [
  "request/Malformed",
  "request/NotFound",
  "request/MethodNotAllowed",
  "request/PayloadTooLarge",
  "request/UnsupportedMediaType",
] as const satisfies readonly AppCode[];
