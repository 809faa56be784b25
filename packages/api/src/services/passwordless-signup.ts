import type { Tenant } from "@gatehouse/db";
import { appError } from "../errors";
import type { ClientInfo, SessionTokens } from "./sessions";

/**
 * clientPasswordless after the code (CONTRACT v2 "clientPasswordless"): signing in the owner of a
 * verified address, or handing out and redeeming the signupToken. Placeholder bodies: the
 * pwless-register part replaces this file; the exports are the interface both parts compile to.
 */

/** `verify`'s answer: a signed-in session, or the token to finish signing up with. */
export type VerifyResult =
  (SessionTokens & { needSignup: false }) | { needSignup: true; signupToken: string; signupTokenExpiresAt: string };

/** `register`'s answer. */
export type NewUserSession = SessionTokens & { isNewUser: true };

/**
 * The code proved `email` (lower-cased) in `tenant`: the user whose verified email it is gets a
 * session (suspended → 403), anyone else a signupToken bound to (tenant, address).
 */
export async function signInVerifiedAddress(tenant: Tenant, email: string, client: ClientInfo): Promise<VerifyResult> {
  void tenant;
  void email;
  void client;
  return Promise.reject(appError("service/Unavailable"));
}

/** Creates the user the token names (verified, no password) and signs them in. */
export async function registerWithSignupToken(
  input: { signupToken: string; displayName: string; userId?: string | undefined },
  client: ClientInfo,
): Promise<NewUserSession> {
  void input;
  void client;
  // The placeholder issues no token, so every token is unknown.
  return Promise.reject(appError("auth/InvalidSignupToken"));
}
