import { isAppCode, type AppCode } from "@gatehouse/contract";

/**
 * The API's appCodes in plain words for BackOffice staff (CONTRACT.md "Error codes"), and the
 * one place that turns any failed call into a form-level message plus field-level messages.
 * Keyed by the catalogue's `AppCode`: a new code fails the typecheck until it has words here.
 */
const plainWords: Record<AppCode, string> = {
  "validation/Invalid": "Some fields need attention. Check the messages next to them.",
  "request/Malformed": "The request could not be read. Reload the page and try again.",
  "signUp/EmailDomainNotAllowed": "That email domain is not on this tenant's allowed list.",
  "auth/MethodNotEnabled": "This way of signing in is switched off for this tenant.",
  "auth/PasswordNotSet": "This account has no password yet.",
  "social/RedirectUriNotAllowed": "That redirect URI is not on this tenant's list of redirect URIs.",
  "social/InvalidState": "That sign-in link is unknown, used or expired. Start the sign-in again.",
  "social/InvalidCode": "That sign-in code is invalid, used or expired. Start the sign-in again.",
  "social/InvalidProviderToken": "The provider's token was refused or was issued to another app.",
  "auth/Unauthenticated": "Your session has ended. Sign in again to continue.",
  "auth/InvalidCredentials": "The current password is incorrect.",
  "auth/InvalidRefreshToken": "That sign-in has ended. Sign in again to continue.",
  "auth/InvalidSignupToken": "That sign-up link has expired or was already used. Ask for a new code.",
  "auth/InvalidResetToken": "That password-reset link has expired or was already used. Ask for a new code.",
  "smsVerification/InvalidCode": "The text-message code is wrong or has expired. Ask for a new one.",
  "emailVerification/InvalidCode": "The code is wrong or has expired. Ask for a new one.",
  "auth/EmailNotVerified": "The email address has to be verified first.",
  "auth/PasswordChangeRequired": "A password change is required first.",
  "auth/AccountSuspended": "This account is suspended.",
  "auth/Forbidden": "Your role can view this but not change it. Ask an admin.",
  "tenant/NotFound": "This tenant no longer exists, or it has been deleted.",
  "user/NotFound": "This user no longer exists.",
  "staff/NotFound": "This staff member no longer exists.",
  "session/NotFound": "That session no longer exists.",
  "request/NotFound": "That action does not exist (any more). Reload the page and try again.",
  "request/MethodNotAllowed": "The request was sent the wrong way. Reload the page and try again.",
  "tenant/KeyDuplicated": "That tenant key is already taken (keys of deleted tenants stay reserved).",
  "user/UserIdDuplicated": "That user ID is already taken in this tenant.",
  "user/EmailDuplicated": "Another user of this tenant has already verified that email address.",
  "user/PhoneDuplicated": "Another user of this tenant has already verified that phone number.",
  "staff/EmailDuplicated": "A staff member with that email already exists.",
  "request/PayloadTooLarge": "That is too much data to send at once.",
  "request/UnsupportedMediaType": "The request could not be read. Reload the page and try again.",
  "emailVerification/CooldownActive": "A code was sent a moment ago. Wait a minute before asking for another.",
  "smsVerification/CooldownActive": "A text message was sent a moment ago. Wait a minute before asking for another.",
  "rateLimit/TooManyRequests": "Too many attempts in a short time. Wait a few minutes and try again.",
  "server/InternalError": "Something went wrong on our side. Try again; if it keeps happening, tell the Gatehouse operators.",
  "service/Unavailable":
    "Gatehouse cannot reach one of its services right now (database, cache or mail). Nothing was changed; try again shortly.",
};

const NETWORK_ERROR_MESSAGE = "Gatehouse could not be reached. Check your connection and try again.";

/** The words for an appCode from the wire; one this build does not know gets the generic fault's. */
export function messageForAppCode(appCode: string | undefined): string {
  return isAppCode(appCode) ? plainWords[appCode] : plainWords["server/InternalError"];
}

export interface DescribedError {
  appCode: string | undefined;
  /** A sentence for the form's error summary. */
  message: string;
  /** Field name (first path segment, or the joined path) → the schema's message. */
  fieldErrors: Record<string, string>;
  /** The staff session is gone: the caller should send the browser to sign in. */
  sessionExpired: boolean;
}

interface ErrorDataLike {
  appCode?: string;
  issues?: { path: (string | number)[]; message: string }[];
}

/** Reads a TRPCClientError (or anything else) without depending on its class. */
export function describeError(error: unknown): DescribedError {
  const data = (error as { data?: ErrorDataLike | null } | null)?.data ?? undefined;
  const appCode = data?.appCode;
  const fieldErrors: Record<string, string> = {};
  for (const issue of data?.issues ?? []) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "_";
    fieldErrors[key] ??= issue.message;
    const first = issue.path[0];
    if (first !== undefined) fieldErrors[String(first)] ??= issue.message;
  }
  let message: string;
  if (!appCode) {
    message = NETWORK_ERROR_MESSAGE;
  } else if (appCode === "validation/Invalid" && Object.keys(fieldErrors).length === 0) {
    // A rule checked after the schema (e.g. "the last enabled admin") carries its own sentence.
    message = (error as { message?: string }).message || plainWords[appCode];
  } else {
    message = messageForAppCode(appCode);
  }
  return { appCode, message, fieldErrors, sessionExpired: appCode === "auth/Unauthenticated" };
}
