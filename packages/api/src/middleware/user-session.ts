import { appError } from "../errors";
import { loadSessionState, type SessionState } from "../services/session-state";
import { verifyAccessToken, type AccessClaims } from "../services/tokens";
import { middleware, type MiddlewareAfter } from "../trpc";

interface UserAuth extends SessionState {
  claims: AccessClaims;
}

/**
 * `A`: a valid access token whose session is live, whose user exists and whose tenant is not
 * deleted. Revocation is seen at once: every call reads the session (one indexed query).
 * Puts `ctx.auth` in the context.
 */
export const requireUserSession = middleware(async ({ ctx, next }) => {
  const header = ctx.header("authorization");
  // The scheme is case-insensitive (RFC 9110 §11.1); the token is a compact JWS.
  const match = header ? /^Bearer +([A-Za-z0-9._-]{10,4096})$/i.exec(header.trim()) : null;
  const token = match?.[1];
  if (!token) throw appError("auth/Unauthenticated");
  const claims = await verifyAccessToken(token);
  const state = await loadSessionState(claims.sid);
  if (
    !state ||
    state.user.id !== claims.sub ||
    state.session.revokedAt ||
    state.session.expiresAt <= new Date() ||
    state.tenant.deletedAt ||
    state.user.deletedAt
  ) {
    throw appError("auth/Unauthenticated");
  }
  const auth: UserAuth = { ...state, claims };
  return next({ ctx: { auth } });
});

/**
 * The gates, in the contract's order, reading current state; they stand behind
 * requireUserSession. A procedure opts out of the password-change gate with
 * `meta.allowPasswordChangeRequired` (C) and of the email gate with `meta.allowUnverifiedEmail`
 * (U); anything added later is gated by default.
 */
export const userGates: MiddlewareAfter<{ auth: UserAuth }> = async ({ ctx, meta, next }) => {
  const { user } = ctx.auth;
  if (user.suspendedAt) throw appError("auth/AccountSuspended");
  if (user.mustChangePassword && !meta?.allowPasswordChangeRequired) throw appError("auth/PasswordChangeRequired");
  if (user.source === "self_signup" && user.emailVerifiedAt === null && !meta?.allowUnverifiedEmail) {
    throw appError("auth/EmailNotVerified");
  }
  return next();
};
