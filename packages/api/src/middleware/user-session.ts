import { appError } from "../errors";
import { loadSessionState, type SessionState } from "../services/session-state";
import { verifyAccessToken, type AccessClaims } from "../services/tokens";
import { middleware } from "../trpc";

interface UserAuth extends SessionState {
  claims: AccessClaims;
}

/**
 * `A`: a valid access token whose session is live, whose user exists and whose tenant is not
 * deleted. Revocation is seen at once: every call reads the session (one indexed query).
 */
export const requireUserSession = middleware(async ({ ctx, next }) => {
  const header = ctx.header("authorization");
  // The scheme is case-insensitive (RFC 9110 §11.1); the token is a compact JWS.
  const match = header ? /^Bearer +([A-Za-z0-9._-]{10,4096})$/i.exec(header.trim()) : null;
  if (!match) throw appError("auth/Unauthenticated");
  const claims = await verifyAccessToken(match[1]!);
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
  return next({ ctx: { ...ctx, auth } });
});

/**
 * The gates, in the contract's order, reading current state. A procedure opts out of the
 * password-change gate with `meta.allowPasswordChangeRequired` (C) and of the email gate with
 * `meta.allowUnverifiedEmail` (U); anything added later is gated by default.
 */
export const userGates = middleware(async ({ ctx, meta, next }) => {
  const auth = (ctx as typeof ctx & { auth?: UserAuth }).auth;
  if (!auth) throw appError("auth/Unauthenticated");
  const { user } = auth;
  if (user.suspendedAt) throw appError("auth/AccountSuspended");
  if (user.mustChangePassword && !meta?.allowPasswordChangeRequired) throw appError("auth/PasswordChangeRequired");
  if (user.source === "self_signup" && user.emailVerifiedAt === null && !meta?.allowUnverifiedEmail) {
    throw appError("auth/EmailNotVerified");
  }
  return next();
});
