import { createHash, randomBytes } from "node:crypto";
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { getConfig } from "../config";
import { appError } from "../errors";
import { currentSigningKey, SIGNING_ALG, verificationKey } from "./signing-keys";

/** The access token's claims (CONTRACT "Access token claims"). */
export interface AccessClaims extends JWTPayload {
  sub: string;
  tid: string;
  tkey: string;
  sid: string;
  role: "member" | "manager";
  src: "self_signup" | "admin_issued";
  ev: boolean;
  pcr: boolean;
  iat: number;
  exp: number;
  /** Absent from tokens issued before it was added; nothing on the server reads it. */
  jti?: string;
}

export interface AccessTokenSubject {
  user: {
    id: string;
    role: "member" | "manager";
    source: "self_signup" | "admin_issued";
    emailVerifiedAt: Date | null;
    mustChangePassword: boolean;
  };
  tenant: { id: string; key: string };
  sessionId: string;
}

export async function issueAccessToken(subject: AccessTokenSubject): Promise<{ accessToken: string; accessTokenExpiresAt: string }> {
  const config = getConfig();
  const { kid, key } = await currentSigningKey();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + config.tokens.accessTtlSeconds;
  const accessToken = await new SignJWT({
    tid: subject.tenant.id,
    tkey: subject.tenant.key,
    sid: subject.sessionId,
    role: subject.user.role,
    src: subject.user.source,
    ev: subject.user.emailVerifiedAt !== null,
    pcr: subject.user.mustChangePassword,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: "JWT" })
    .setIssuer(config.appUrl)
    .setAudience(config.jwtAudience)
    .setSubject(subject.user.id)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    // 128 random bits: without them two tokens of one session minted in the same second are
    // byte-identical, and a client comparing tokens (the SDK across tabs) sees no change.
    .setJti(randomBytes(16).toString("base64url"))
    .sign(key);
  return { accessToken, accessTokenExpiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Tokens whose signature this process has already verified, until they expire: the hot path
 * then skips the signature check (the session row is still read on every request, so a
 * revocation is seen at once). Bounded; the oldest entries go first.
 */
const VERIFIED_MAX = 20_000;
const verifiedTokens = new Map<string, { claims: AccessClaims; kid: string }>();

function rememberVerified(token: string, claims: AccessClaims, kid: string): void {
  if (verifiedTokens.size >= VERIFIED_MAX) {
    const oldest = verifiedTokens.keys().next().value;
    if (oldest !== undefined) verifiedTokens.delete(oldest);
  }
  verifiedTokens.set(token, { claims, kid });
}

async function fromVerifiedCache(token: string): Promise<AccessClaims | undefined> {
  const hit = verifiedTokens.get(token);
  if (!hit) return undefined;
  const config = getConfig();
  const live =
    hit.claims.exp * 1000 > Date.now() &&
    hit.claims.iss === config.appUrl &&
    hit.claims.aud === config.jwtAudience &&
    // A key that is no longer published no longer vouches for its tokens.
    (await verificationKey(hit.kid)) !== undefined;
  if (live) return hit.claims;
  verifiedTokens.delete(token);
  return undefined;
}

/** Verifies signature, algorithm, kid, issuer, audience and expiry; 401 for anything wrong. */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const cached = await fromVerifiedCache(token);
  if (cached) return cached;
  const config = getConfig();
  let kid: string;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== SIGNING_ALG || typeof header.kid !== "string") throw new Error("unexpected header");
    kid = header.kid;
  } catch {
    throw appError("auth/Unauthenticated");
  }
  // Outside the try: failing to load keys is the database being down (503), not a bad token.
  const key = await verificationKey(kid);
  if (!key) throw appError("auth/Unauthenticated");
  try {
    const { payload } = await jwtVerify<AccessClaims>(token, key, {
      algorithms: [SIGNING_ALG],
      issuer: config.appUrl,
      audience: config.jwtAudience,
      requiredClaims: ["sub", "sid", "tid", "exp", "iat"],
    });
    if (typeof payload.sid !== "string" || typeof payload.sub !== "string") throw new Error("missing claims");
    rememberVerified(token, payload, kid);
    return payload;
  } catch {
    throw appError("auth/Unauthenticated");
  }
}

/** Refresh tokens: `<family>.<secret>`, 256 random bits of secret; only SHA-256 is stored. */
export function newRefreshSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function newTokenFamily(): string {
  return randomBytes(16).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function parseRefreshToken(token: string): { family: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { family: match[1]!, secret: match[2]! } : undefined;
}
