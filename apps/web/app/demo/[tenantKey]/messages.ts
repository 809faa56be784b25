import type { AppCode, GatehouseError } from "@gatehouse/client";

/**
 * What the demo tells an end user for each answer, in plain words. The appCode itself only
 * appears in the small "details" line under the message.
 */
const friendly: Partial<Record<AppCode, string>> = {
  "validation/Invalid": "Please check the highlighted fields.",
  "request/Malformed": "The request could not be read. Reload the page and try again.",
  "signUp/EmailDomainNotAllowed": "This service does not accept addresses from that email domain.",
  "auth/Unauthenticated": "Your session has ended. Please sign in again.",
  "auth/InvalidCredentials": "That user ID and password do not match.",
  "auth/InvalidRefreshToken": "Your session has ended. Please sign in again.",
  "emailVerification/InvalidCode": "That code is not right, or it has expired. Check the latest email or send a new code.",
  "auth/EmailNotVerified": "Please verify your email address first.",
  "auth/PasswordChangeRequired": "Please choose a new password to continue.",
  "auth/AccountSuspended": "This account is suspended. Please contact the service's administrator.",
  "tenant/NotFound": "This service is not available: no such tenant.",
  "auth/MethodNotEnabled": "This service does not offer that way of signing in. Please use your user ID and password.",
  "social/AccessDenied": "You cancelled the sign-in at the provider. Nothing was changed; choose another way in or try again.",
  "social/ProviderError": "The provider could not sign you in just now. Please try again, or use another way in.",
  "social/InvalidState": "This sign-in link is old, was already used, or was opened in another browser. Please start the sign-in again.",
  "social/InvalidCode": "This sign-in took too long or was already finished. Please start it again.",
  "social/RedirectUriNotAllowed": "This page is not registered as a return address for this service's social sign-in.",
  "social/InvalidProviderToken": "The provider's sign-in was not accepted. Please try again.",
  "auth/InvalidSignupToken": "This sign-up took too long or was already finished. Please ask for a new code and try again.",
  "user/UserIdDuplicated": "That user ID is taken. Please choose another.",
  "user/EmailDuplicated": "Another account has already verified this email address.",
  "emailVerification/CooldownActive": "A code was sent moments ago.",
  "smsVerification/InvalidCode": "That code is not right, or it has expired. Check the latest text message or send a new code.",
  "smsVerification/CooldownActive": "A code was sent moments ago.",
  "user/PhoneDuplicated": "Another account has already verified this phone number.",
  "auth/InvalidResetToken": "This password reset took too long or was already finished. Please ask for a new code and start again.",
  "rateLimit/TooManyRequests": "Too many attempts.",
  "service/Unavailable": "The sign-in service is unavailable right now. Please try again in a moment.",
  "network/Unavailable": "The server could not be reached. Check your connection and try again.",
  "network/Aborted": "The request was cancelled.",
  "network/Timeout": "The server took too long to answer. Please try again.",
  "client/TokenStoreFailed":
    "This browser could not keep your session (storage is full or blocked). Free some space or allow site data, then sign in again.",
};

/** Fields that an answer is about, when it names one (besides validation issues). */
const fieldOf: Partial<Record<AppCode, string>> = {
  "user/UserIdDuplicated": "userId",
  "signUp/EmailDomainNotAllowed": "email",
  "user/EmailDuplicated": "email",
  "emailVerification/InvalidCode": "code",
  "smsVerification/InvalidCode": "code",
  "user/PhoneDuplicated": "phone",
};

/** Where a code goes by text message, `auth/MethodNotEnabled` means this deployment sends none. */
const NO_SMS = "This service does not send text messages. Please use your email address instead.";
const smsPaths = new Set(["clientPhoneVerification.sendCode", "clientPasswordReset.sendSmsCode", "clientPasswordReset.verifyCode"]);

const dateTime = () => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = () => new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/** A timestamp in the reader's own time zone and language, e.g. "2 Dec 2026, 22:04". */
export function localDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : dateTime().format(date);
}

export function localTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeOnly().format(date);
}

function waitWords(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The sentence for an error answer. */
export function errorWords(error: GatehouseError): string {
  if (error.appCode === "auth/MethodNotEnabled" && error.path !== undefined && smsPaths.has(error.path)) return NO_SMS;
  const base = friendly[error.appCode] ?? "Something went wrong. Please try again.";
  if (error.appCode === "emailVerification/CooldownActive" || error.appCode === "smsVerification/CooldownActive") {
    const next = error.data?.nextResendAvailableAt;
    return typeof next === "string" ? `${base} You can ask for another at ${localTime(next)}.` : `${base} Please wait a minute.`;
  }
  if (error.appCode === "rateLimit/TooManyRequests") {
    return error.retryAfterSeconds
      ? `${base} Please try again in ${waitWords(error.retryAfterSeconds)}.`
      : `${base} Please try again later.`;
  }
  return base;
}

/** The problem with one field: a validation issue of the server, or an answer about that field. */
export function fieldProblem(error: GatehouseError | null, field: string): string | undefined {
  if (!error) return undefined;
  const issue = error.issues?.find((i) => i.path[0] === field)?.message;
  if (issue) return issue;
  return fieldOf[error.appCode] === field ? friendly[error.appCode] : undefined;
}
