/**
 * CONTRACT.md "REST and OpenAPI": every `client*` procedure as a plain REST route under
 * `/api/v1`. The table is data, read by the REST handler (which answers it), the OpenAPI
 * document (which describes it) and the tests (which walk it). A route whose procedure does not
 * exist yet stays in the table: the handler serves only routes whose procedure the router has,
 * and a test fails on any route whose procedure exists but is not served.
 */

export type RestMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface RestRoute {
  method: RestMethod;
  /** The full path, OpenAPI style: `/api/v1/auth/sessions/{id}`. */
  path: string;
  /** The tRPC procedure it calls, by dotted path. */
  procedure: string;
  /** The success status: 200, or 201 where the contract says so. */
  status: 200 | 201;
}

export const REST_PREFIX = "/api/v1";

const route = (method: RestMethod, path: string, procedure: string, status: 200 | 201 = 200): RestRoute => ({
  method,
  path: `${REST_PREFIX}${path}`,
  procedure,
  status,
});

/** In the contract's order. `{id}` and `{provider}` become input fields of the same name. */
export const restRoutes: readonly RestRoute[] = [
  route("POST", "/auth/sign-up", "clientAuth.signUp", 201),
  route("POST", "/auth/sign-in", "clientAuth.signIn"),
  route("POST", "/auth/refresh", "clientAuth.refresh"),
  route("POST", "/auth/sign-out", "clientAuth.signOut"),
  route("POST", "/auth/change-password", "clientAuth.changePassword"),
  route("GET", "/auth/me", "clientAuth.me"),
  route("PATCH", "/auth/me", "clientAuth.updateMe"),
  route("GET", "/auth/sessions", "clientAuth.listSessions"),
  route("DELETE", "/auth/sessions/{id}", "clientAuth.revokeSession"),
  route("POST", "/auth/email-verification/send", "clientEmailVerification.sendVerification"),
  route("POST", "/auth/email-verification/verify", "clientEmailVerification.verifyEmail"),
  route("POST", "/auth/phone-verification/send", "clientPhoneVerification.sendCode"),
  route("POST", "/auth/phone-verification/verify", "clientPhoneVerification.verifyPhone"),
  route("POST", "/auth/email-code/send", "clientPasswordless.sendCode"),
  route("POST", "/auth/email-code/verify", "clientPasswordless.verify"),
  route("POST", "/auth/email-code/register", "clientPasswordless.register", 201),
  route("POST", "/auth/password-reset/sms", "clientPasswordReset.sendSmsCode"),
  route("POST", "/auth/password-reset/email", "clientPasswordReset.sendEmailCode"),
  route("POST", "/auth/password-reset/verify", "clientPasswordReset.verifyCode"),
  route("POST", "/auth/password-reset/reset", "clientPasswordReset.resetPassword"),
  route("POST", "/auth/social/{provider}/start", "clientSocial.start"),
  route("POST", "/auth/social/{provider}/token", "clientSocial.signInWithToken"),
  route("POST", "/auth/social/exchange", "clientSocial.exchange"),
  route("GET", "/auth/social/identities", "clientSocial.listIdentities"),
];

/** The names of a path's parameters: `/a/{id}/b` → `["id"]`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]!);
}
