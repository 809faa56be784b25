import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/** An access token's claims (CONTRACT.md "Access token claims"). */
export interface AccessTokenClaims {
  /** Gatehouse's APP_URL. */
  iss: string;
  aud: string | string[];
  /** User.id (a UUID), stable for the user's lifetime. */
  sub: string;
  /** Tenant.id. */
  tid: string;
  /** Tenant key. */
  tkey: string;
  /** Session id. */
  sid: string;
  role: "member" | "manager";
  src: "self_signup" | "admin_issued";
  /** The email was verified when the token was issued. */
  ev: boolean;
  /** A password change was required when the token was issued. */
  pcr: boolean;
  iat: number;
  exp: number;
}

export type AccessTokenErrorCode =
  /** No token in the request (middleware helpers only). */
  | "token/Missing"
  /** Not a compact JWS, or not one of Gatehouse's algorithms. */
  | "token/Malformed"
  | "token/Expired"
  /** Bad signature, or a key the JWKS does not publish (even after fetching it again). */
  | "token/InvalidSignature"
  /** Wrong issuer or audience, or a claim missing or of the wrong type. */
  | "token/InvalidClaims"
  /** Signed by Gatehouse for another tenant than `tenantKey`. */
  | "token/WrongTenant"
  /** `requireVerifiedEmail` and the token's `ev` is false. */
  | "token/EmailNotVerified"
  /** The JWKS could not be fetched; the token may be fine. */
  | "jwks/Unavailable";

const statusByCode: Record<AccessTokenErrorCode, 401 | 403 | 503> = {
  "token/Missing": 401,
  "token/Malformed": 401,
  "token/Expired": 401,
  "token/InvalidSignature": 401,
  "token/InvalidClaims": 401,
  "token/WrongTenant": 401,
  "token/EmailNotVerified": 403,
  "jwks/Unavailable": 503,
};

export class AccessTokenError extends Error {
  override name = "AccessTokenError";
  /** The HTTP status an API answering this request should use. */
  readonly status: 401 | 403 | 503;
  constructor(
    readonly code: AccessTokenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = statusByCode[code];
  }
}

export type VerifyAccessTokenResult =
  { ok: true; claims: AccessTokenClaims; error?: undefined } | { ok: false; claims?: undefined; error: AccessTokenError };

export interface VerifyAccessTokenOptions {
  /** e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** Gatehouse's APP_URL (the tokens' `iss`). */
  issuer: string;
  /** Gatehouse's JWT_AUDIENCE (`"gatehouse"` unless configured). */
  audience: string;
  /** Accept only tokens of this tenant. */
  tenantKey?: string;
  /** Accept only tokens issued after the user verified their email (`ev: true`). */
  requireVerifiedEmail?: boolean;
  /** Allowed clock difference in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** JWKS caching (see README): defaults 300 s max age (the JWKS's own max-age), 10 s between refetches for an unknown kid. */
  jwks?: { cacheMaxAgeMs?: number; cooldownMs?: number; timeoutMs?: number };
}

/** Gatehouse signs with Ed25519 (EdDSA) or ES256 (CONTRACT). */
const ALGORITHMS = ["EdDSA", "Ed25519", "ES256"];

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;
/** One remote key set per URL and settings, shared by every call: the keys are cached. */
const keySets = new Map<string, RemoteSet>();

function keySetFor(options: VerifyAccessTokenOptions): RemoteSet {
  const url = new URL(options.jwksUrl);
  const cacheMaxAge = options.jwks?.cacheMaxAgeMs ?? 300_000;
  const cooldownDuration = options.jwks?.cooldownMs ?? 10_000;
  const timeoutDuration = options.jwks?.timeoutMs ?? 5_000;
  const id = `${url.href} ${cacheMaxAge} ${cooldownDuration} ${timeoutDuration}`;
  let set = keySets.get(id);
  if (!set) {
    // jose fetches the set on first use, serves it from memory for cacheMaxAge, and fetches it
    // again when a token names a kid it does not hold (a rotated-in key), at most once per cooldown.
    set = createRemoteJWKSet(url, { cacheMaxAge, cooldownDuration, timeoutDuration });
    keySets.set(id, set);
  }
  return set;
}

const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0;

function claimsOf(payload: JWTPayload): AccessTokenClaims | undefined {
  const p = payload as Record<string, unknown>;
  if (
    !isString(p.iss) ||
    !(isString(p.aud) || Array.isArray(p.aud)) ||
    !isString(p.sub) ||
    !isString(p.tid) ||
    !isString(p.tkey) ||
    !isString(p.sid) ||
    (p.role !== "member" && p.role !== "manager") ||
    (p.src !== "self_signup" && p.src !== "admin_issued") ||
    typeof p.ev !== "boolean" ||
    typeof p.pcr !== "boolean" ||
    typeof p.iat !== "number" ||
    typeof p.exp !== "number"
  ) {
    return undefined;
  }
  return {
    iss: p.iss,
    aud: p.aud as string | string[],
    sub: p.sub,
    tid: p.tid,
    tkey: p.tkey,
    sid: p.sid,
    role: p.role,
    src: p.src,
    ev: p.ev,
    pcr: p.pcr,
    iat: p.iat,
    exp: p.exp,
  };
}

function errorOf(cause: unknown): AccessTokenError {
  const code = (cause as { code?: unknown } | null)?.code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return new AccessTokenError("token/Expired", "The access token has expired.", { cause });
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return new AccessTokenError("token/InvalidClaims", "The access token was not issued for this app.", { cause });
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return new AccessTokenError("token/InvalidSignature", "The access token's signature is not valid.", { cause });
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return new AccessTokenError("token/Malformed", "The access token is malformed.", { cause });
    default:
      // Timeouts, network failures, a JWKS answer that is not 200 or not a key set.
      return new AccessTokenError("jwks/Unavailable", "The signing keys could not be fetched.", { cause });
  }
}

/**
 * Verifies a Gatehouse access token locally: signature against the published JWKS (fetched
 * once, cached, fetched again for an unknown kid), algorithm, issuer, audience, expiry and the
 * claim types; then, when asked, the tenant and the verified email. Never throws.
 *
 * Revocation reaches a local verifier only when the token expires (at most its lifetime, 1 h
 * by default); call `clientAuth.me` when a revoked session must be refused at once.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<VerifyAccessTokenResult> {
  if (typeof token !== "string" || token.length === 0 || token.length > 8192) {
    return { ok: false, error: new AccessTokenError("token/Malformed", "The access token is malformed.") };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySetFor(options), {
      algorithms: ALGORITHMS,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (cause) {
    return { ok: false, error: errorOf(cause) };
  }
  const claims = claimsOf(payload);
  if (!claims) return { ok: false, error: new AccessTokenError("token/InvalidClaims", "The access token lacks Gatehouse's claims.") };
  if (options.tenantKey !== undefined && claims.tkey !== options.tenantKey.trim().toLowerCase()) {
    return { ok: false, error: new AccessTokenError("token/WrongTenant", "The access token belongs to another tenant.") };
  }
  if (options.requireVerifiedEmail && !claims.ev) {
    return { ok: false, error: new AccessTokenError("token/EmailNotVerified", "The user has not verified their email address.") };
  }
  return { ok: true, claims };
}
