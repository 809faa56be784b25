import { anyProcedure, userGates, type contract } from "@gatehouse/contract";
import { transportAppCodes } from "@gatehouse/contract/app-codes";
import type { ClientAppCode, ProcedurePath, ServerAppCode, SocialRedirectAppCode, TransportAppCode } from "./types";

type ContractRouters = typeof contract;

/**
 * A procedure's `errors` list in the contract (packages/contract). Only for the checks here and
 * in the tests: the contract's entries carry their zod schemas, which the published declarations
 * must not name, so no exported type refers to this one.
 */
export type ContractErrorOf<P extends ProcedurePath> = P extends `${infer R extends keyof ContractRouters}.${infer K}`
  ? K extends keyof ContractRouters[R]
    ? ContractRouters[R][K] extends { errors: readonly (infer C)[] }
      ? C
      : never
    : never
  : never;

// The gates as the contract marks each procedure (CONTRACT.md "Gates"; docs/api.md).
const anyState = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: true });
const fullyGated = userGates({ allowUnverifiedEmail: false, allowPasswordChangeRequired: false });
const unverified = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: false });

/**
 * Each procedure's own appCodes, the contract's `errors` lists copied as plain data: the SDK's
 * bundle cannot take the contract's entries (they are built with zod). The copy cannot drift:
 * `satisfies` refuses a code the contract does not list for the procedure, and
 * test/error-types.test-d.ts (type-checked with the package) refuses a code missing here.
 */
export const procedureErrors = {
  "clientAuth.signUp": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "signUp/EmailDomainNotAllowed",
    "user/UserIdDuplicated",
    ...anyProcedure,
  ],
  "clientAuth.signIn": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/InvalidCredentials",
    "auth/AccountSuspended",
    ...anyProcedure,
  ],
  "clientAuth.refresh": [
    "rateLimit/TooManyRequests",
    "auth/InvalidRefreshToken",
    "tenant/NotFound",
    "auth/AccountSuspended",
    ...anyProcedure,
  ],
  "clientAuth.signOut": [...anyState, "auth/InvalidRefreshToken", ...anyProcedure],
  "clientAuth.me": [...anyState, ...anyProcedure],
  "clientAuth.updateMe": [...fullyGated, ...anyProcedure],
  "clientAuth.changePassword": [
    ...anyState,
    "auth/PasswordNotSet",
    "rateLimit/TooManyRequests",
    "auth/InvalidCredentials",
    ...anyProcedure,
  ],
  "clientAuth.listSessions": [...anyState, ...anyProcedure],
  "clientAuth.revokeSession": [...anyState, "session/NotFound", ...anyProcedure],
  "clientEmailVerification.sendVerification": [
    ...unverified,
    "rateLimit/TooManyRequests",
    "signUp/EmailDomainNotAllowed",
    "user/EmailDuplicated",
    "emailVerification/CooldownActive",
    ...anyProcedure,
  ],
  "clientEmailVerification.verifyEmail": [
    ...unverified,
    "rateLimit/TooManyRequests",
    "emailVerification/InvalidCode",
    "user/EmailDuplicated",
    ...anyProcedure,
  ],
  "clientPasswordless.sendCode": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "signUp/EmailDomainNotAllowed",
    "emailVerification/CooldownActive",
    ...anyProcedure,
  ],
  "clientPasswordless.verify": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "emailVerification/InvalidCode",
    "auth/AccountSuspended",
    ...anyProcedure,
  ],
  "clientPasswordless.register": [
    "rateLimit/TooManyRequests",
    "auth/InvalidSignupToken",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "user/UserIdDuplicated",
    "user/EmailDuplicated",
    ...anyProcedure,
  ],
  "clientSocial.start": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "social/RedirectUriNotAllowed",
    ...anyProcedure,
  ],
  "clientSocial.exchange": ["rateLimit/TooManyRequests", "social/InvalidCode", "auth/AccountSuspended", "tenant/NotFound", ...anyProcedure],
  "clientSocial.signInWithToken": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "social/InvalidProviderToken",
    "signUp/EmailDomainNotAllowed",
    "auth/AccountSuspended",
    ...anyProcedure,
  ],
  "clientSocial.listIdentities": [...anyState, ...anyProcedure],
  "clientPhoneVerification.sendCode": [
    ...unverified,
    "rateLimit/TooManyRequests",
    "auth/MethodNotEnabled",
    "user/PhoneDuplicated",
    "smsVerification/CooldownActive",
    ...anyProcedure,
  ],
  "clientPhoneVerification.verifyPhone": [
    ...unverified,
    "rateLimit/TooManyRequests",
    "smsVerification/InvalidCode",
    "user/PhoneDuplicated",
    ...anyProcedure,
  ],
  "clientPasswordReset.sendSmsCode": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "smsVerification/CooldownActive",
    ...anyProcedure,
  ],
  "clientPasswordReset.sendEmailCode": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "emailVerification/CooldownActive",
    ...anyProcedure,
  ],
  "clientPasswordReset.verifyCode": [
    "rateLimit/TooManyRequests",
    "tenant/NotFound",
    "auth/MethodNotEnabled",
    "smsVerification/InvalidCode",
    "emailVerification/InvalidCode",
    ...anyProcedure,
  ],
  "clientPasswordReset.resetPassword": ["rateLimit/TooManyRequests", "auth/InvalidResetToken", ...anyProcedure],
} as const satisfies { [P in ProcedurePath]: readonly ContractErrorOf<P>[] };

/**
 * The `error` values a social sign-in's redirect back to the app may carry (CONTRACT v2
 * "clientSocial", browser flow): the two redirect-only codes and the refusals Gatehouse's
 * callback makes on the app's behalf (the tenant deleted meanwhile among them). Another value
 * arrives as `client/UnexpectedAppCode`.
 */
export const socialRedirectErrorCodes = [
  "social/AccessDenied",
  "social/ProviderError",
  "signUp/EmailDomainNotAllowed",
  "auth/AccountSuspended",
  "auth/MethodNotEnabled",
  "service/Unavailable",
  "tenant/NotFound",
] as const satisfies readonly (ServerAppCode | SocialRedirectAppCode)[];

/**
 * What `ClientSocial.handleCallback` can answer: a state this browser did not store (checked
 * before any call), a missing code, the redirect's `error`, and `exchange`'s own codes.
 */
export type SocialCallbackErrorCode =
  ErrorOf<"clientSocial.exchange"> | "social/InvalidState" | "social/InvalidCode" | (typeof socialRedirectErrorCodes)[number];

/**
 * The appCodes a call of procedure `P` can answer: the procedure's own (its contract entry's
 * `errors`), the transport's (`TransportAppCode`) and the SDK's (`ClientAppCode`). A facade's
 * `res.error.appCode` has this type, so a `switch` over it can be exhaustive and a `case` the
 * procedure cannot answer does not compile.
 */
export type ErrorOf<P extends ProcedurePath> = (typeof procedureErrors)[P][number] | TransportAppCode | ClientAppCode;

/**
 * Whether a call of `path` may answer `appCode` (a server code): its own codes and the
 * transport's. A path the SDK does not know (an untyped call) may answer any.
 */
export function procedureMayAnswer(path: string, appCode: string): boolean {
  if (!Object.hasOwn(procedureErrors, path)) return true;
  const own: readonly string[] = procedureErrors[path as ProcedurePath];
  return own.includes(appCode) || (transportAppCodes as readonly string[]).includes(appCode);
}
