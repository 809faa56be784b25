import { createHash, randomBytes } from "node:crypto";
import type { SocialProvider } from "@gatehouse/db";
import { getConfig } from "../../config";
import { redisKeys } from "../../lib/keys";
import { getRedis } from "../../lib/redis";

/**
 * The two short-lived things of a social sign-in, kept in Redis so any instance can finish what
 * another started (CONTRACT v2 "clientSocial"):
 * - a round: `start` → the provider → the callback, by its `state` (SOCIAL_STATE_TTL_SECONDS);
 * - a one-time code: the callback → the app → `exchange` (SOCIAL_CODE_TTL_SECONDS).
 * Both are single use: taken with one GETDEL, so of two callers at most one gets it, and a
 * refusal after the take leaves nothing to retry with. Only the SHA-256 of the value names the
 * key: reading Redis gives no state or code that would work.
 */

/** What `start` remembers for the callback. */
export interface SocialRound {
  tenantId: string;
  provider: SocialProvider;
  redirectUri: string;
  /** The app's own `state`, handed back on the redirect (null: none was given). */
  appState: string | null;
  /** The app's PKCE S256 challenge toward Gatehouse (null: `exchange` takes no verifier). */
  appCodeChallenge: string | null;
  /** OIDC nonce toward the provider (Google checks it in the id_token). */
  nonce: string;
  /** Gatehouse's own PKCE verifier toward the provider. */
  providerCodeVerifier: string;
}

/** What the callback hands to `exchange` through the app. */
export interface SocialCodeGrant {
  tenantId: string;
  userId: string;
  provider: SocialProvider;
  isNewUser: boolean;
  appCodeChallenge: string | null;
}

const keyHash = (value: string) => createHash("sha256").update(value).digest("base64url");

/** 256 random bits, base64url: a state, nonce, PKCE verifier or one-time code. */
export const randomToken = () => randomBytes(32).toString("base64url");

/** Keeps a round under a new random state; answers the state and when the round dies. */
export async function saveRound(round: SocialRound): Promise<{ state: string; expiresAt: Date }> {
  const ttl = getConfig().social.stateTtlSeconds;
  const state = randomToken();
  await getRedis().set(redisKeys.socialRound(keyHash(state)), JSON.stringify(round), "EX", ttl);
  return { state, expiresAt: new Date(Date.now() + ttl * 1000) };
}

/** Takes the round of `state` (unknown, used or expired: null). */
export async function takeRound(state: string): Promise<SocialRound | null> {
  const stored = await getRedis().getdel(redisKeys.socialRound(keyHash(state)));
  return stored ? (JSON.parse(stored) as SocialRound) : null;
}

/** Keeps a grant under a new one-time code; answers the code. */
export async function issueCode(grant: SocialCodeGrant): Promise<string> {
  const code = randomToken();
  await getRedis().set(redisKeys.socialCode(keyHash(code)), JSON.stringify(grant), "EX", getConfig().social.codeTtlSeconds);
  return code;
}

/** Takes the grant of `code` (unknown, used or expired: null); whatever follows, it is spent. */
export async function takeCode(code: string): Promise<SocialCodeGrant | null> {
  const stored = await getRedis().getdel(redisKeys.socialCode(keyHash(code)));
  return stored ? (JSON.parse(stored) as SocialCodeGrant) : null;
}
