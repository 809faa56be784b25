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
  /** This token's random id: no two tokens share one. Absent from tokens issued before it was added. */
  jti?: string;
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
  /** The token's `pcr` is true, and `allowPasswordChangeRequired` is not set. */
  | "token/PasswordChangeRequired"
  /** A self-signed-up user whose email was not verified (`ev: false`), and `allowUnverifiedEmail` is not set. */
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
  "token/PasswordChangeRequired": 403,
  "token/EmailNotVerified": 403,
  "jwks/Unavailable": 503,
};

/** Why a token was refused: an answer, never thrown by the verifiers. */
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

/**
 * The helpers' options are wrong (a missing tenant choice, a jwksUrl that is not an http(s)
 * URL…): thrown when a helper is set up, so it surfaces at start-up, not as refused requests.
 * `option` names the option.
 */
export class GatehouseConfigError extends TypeError {
  override name = "GatehouseConfigError";
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`@gatehouse/client/server: option \`${option}\` ${problem}`);
  }
}

export type VerifyAccessTokenResult =
  { ok: true; claims: AccessTokenClaims; error?: undefined } | { ok: false; claims?: undefined; error: AccessTokenError };

interface VerifyAccessTokenBaseOptions {
  /** e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** Gatehouse's APP_URL (the tokens' `iss`). */
  issuer: string;
  /** Gatehouse's JWT_AUDIENCE (`"gatehouse"` unless configured). */
  audience: string;
  /**
   * Accept tokens issued while a password change is required (`pcr: true`), like a Gatehouse
   * procedure marked `C`: for the routes that let the user change it. Default: refused (403).
   */
  allowPasswordChangeRequired?: boolean;
  /**
   * Accept self-signed-up users who have not verified their email, like a Gatehouse procedure
   * marked `U`. Default: refused (403). Admin-issued users are never refused for their email.
   */
  allowUnverifiedEmail?: boolean;
  /**
   * @deprecated The email rule is now on by default. `true` is the default (the server's rule:
   * admin-issued users pass); `false` means `allowUnverifiedEmail: true`.
   */
  requireVerifiedEmail?: boolean;
  /** Allowed clock difference in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** JWKS caching (see README): defaults 300 s max age (the JWKS's own max-age), 10 s between refetches for an unknown kid. */
  jwks?: { cacheMaxAgeMs?: number; cooldownMs?: number; timeoutMs?: number };
}

/**
 * Whose users to accept: one tenant's (`tenantKey`), or every tenant's, said out loud
 * (`anyTenant: true`). One of the two is required, so an unset environment variable cannot
 * quietly open the app to every tenant.
 */
type TenantChoice =
  | {
      /** Accept only this tenant's users (a tenant key, compared lower-cased). */
      tenantKey: string;
      anyTenant?: false;
    }
  | {
      tenantKey?: never;
      /** Accept the users of every tenant (check `claims.tkey` yourself where it matters). */
      anyTenant: true;
    };

export type VerifyAccessTokenOptions = VerifyAccessTokenBaseOptions & TenantChoice;

/** Gatehouse signs with Ed25519 (EdDSA) or ES256 (CONTRACT). */
const ALGORITHMS = ["EdDSA", "Ed25519", "ES256"];
/** CONTRACT "Fields": a tenant key, lower-cased before checking. */
const TENANT_KEY = /^[a-z0-9][a-z0-9-]{1,31}$/;

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;
/** One remote key set per URL and settings, shared by every verifier: the keys are cached. */
const keySets = new Map<string, RemoteSet>();

function keySetFor(url: URL, cacheMaxAge: number, cooldownDuration: number, timeoutDuration: number): RemoteSet {
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

/** The options, checked once: what a verification needs. */
interface VerifierConfig {
  keySet: RemoteSet;
  issuer: string;
  audience: string;
  /** Undefined: any tenant (chosen with `anyTenant: true`). */
  tenantKey: string | undefined;
  allowPasswordChangeRequired: boolean;
  allowUnverifiedEmail: boolean;
  clockTolerance: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

function jwksUrlOf(value: unknown): URL {
  const expected = "must be the absolute http(s) URL of Gatehouse's JWKS, e.g. https://auth.example.com/.well-known/jwks.json";
  if (!(value instanceof URL) && (typeof value !== "string" || value.trim() === "")) {
    throw new GatehouseConfigError(
      "jwksUrl",
      `${expected} (got ${typeof value === "string" ? "a blank string" : value === null ? "null" : typeof value})`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatehouseConfigError("jwksUrl", `${expected} (got something that is not an absolute URL)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new GatehouseConfigError("jwksUrl", `${expected} (got a ${url.protocol} URL)`);
  }
  // The JWKS is public; credentials in its URL are a mistake, and would be sent on every fetch.
  if (url.username !== "" || url.password !== "") {
    throw new GatehouseConfigError("jwksUrl", `${expected}, without credentials (user:password@)`);
  }
  return url;
}

function exactString(options: Record<string, unknown>, name: "issuer" | "audience", example: string): string {
  const value = options[name];
  if (typeof value !== "string" || value === "" || value.trim() !== value) {
    throw new GatehouseConfigError(name, `must be a non-empty string without surrounding spaces (${example})`);
  }
  return value;
}

function optionalBoolean(options: Record<string, unknown>, name: string): boolean | undefined {
  const value = options[name];
  if (value !== undefined && typeof value !== "boolean") throw new GatehouseConfigError(name, "must be true or false when given");
  return value;
}

function optionalNumber(value: unknown, name: string, fallback: number, min: { above: number } | { atLeast: number }): number {
  if (value === undefined) return fallback;
  const ok = typeof value === "number" && Number.isFinite(value) && ("above" in min ? value > min.above : value >= min.atLeast);
  if (!ok)
    throw new GatehouseConfigError(name, `must be a finite number ${"above" in min ? `above ${min.above}` : `of at least ${min.atLeast}`}`);
  return value;
}

function tenantKeyOf(options: Record<string, unknown>): string | undefined {
  const { tenantKey, anyTenant } = options;
  if (anyTenant !== undefined && typeof anyTenant !== "boolean") throw new GatehouseConfigError("anyTenant", "must be true when given");
  if (anyTenant === true) {
    if (tenantKey !== undefined) throw new GatehouseConfigError("anyTenant", "and `tenantKey` exclude each other: give one");
    return undefined;
  }
  if (tenantKey === undefined) {
    // Also the case of `tenantKey: process.env.X` with X unset: refusing to start beats accepting every tenant.
    throw new GatehouseConfigError(
      "tenantKey",
      "is required: name the tenant whose users this app accepts, or pass `anyTenant: true` to accept every tenant's users",
    );
  }
  const key = typeof tenantKey === "string" ? tenantKey.trim().toLowerCase() : undefined;
  if (key === undefined || !TENANT_KEY.test(key)) {
    throw new GatehouseConfigError("tenantKey", "must be a tenant key: 2-32 letters, digits or hyphens, starting with a letter or digit");
  }
  return key;
}

function allowUnverifiedEmailOf(options: Record<string, unknown>): boolean {
  const allow = optionalBoolean(options, "allowUnverifiedEmail");
  const require = optionalBoolean(options, "requireVerifiedEmail");
  if (require === undefined) return allow ?? false;
  if (allow !== undefined && allow === require) {
    throw new GatehouseConfigError(
      "requireVerifiedEmail",
      `(deprecated) contradicts \`allowUnverifiedEmail: ${allow}\`: keep allowUnverifiedEmail only`,
    );
  }
  return !require;
}

/** Checks every option and says which one is wrong; throws GatehouseConfigError. */
function verifierConfigOf(options: unknown): VerifierConfig {
  if (!isObject(options))
    throw new GatehouseConfigError("options", "must be an object with jwksUrl, issuer, audience and tenantKey (or anyTenant: true)");
  const url = jwksUrlOf(options.jwksUrl);
  const issuer = exactString(options, "issuer", "Gatehouse's APP_URL, e.g. https://auth.example.com");
  const audience = exactString(options, "audience", 'Gatehouse\'s JWT_AUDIENCE, "gatehouse" unless configured');
  const tenantKey = tenantKeyOf(options);
  const allowPasswordChangeRequired = optionalBoolean(options, "allowPasswordChangeRequired") ?? false;
  const allowUnverifiedEmail = allowUnverifiedEmailOf(options);
  const clockTolerance = optionalNumber(options.clockToleranceSeconds, "clockToleranceSeconds", 5, { atLeast: 0 });
  const jwks = options.jwks;
  if (jwks !== undefined && !isObject(jwks)) throw new GatehouseConfigError("jwks", "must be an object when given");
  const keySet = keySetFor(
    url,
    optionalNumber(jwks?.cacheMaxAgeMs, "jwks.cacheMaxAgeMs", 300_000, { atLeast: 0 }),
    optionalNumber(jwks?.cooldownMs, "jwks.cooldownMs", 10_000, { atLeast: 0 }),
    optionalNumber(jwks?.timeoutMs, "jwks.timeoutMs", 5_000, { above: 0 }),
  );
  return { keySet, issuer, audience, tenantKey, allowPasswordChangeRequired, allowUnverifiedEmail, clockTolerance };
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
    typeof p.exp !== "number" ||
    // Optional: tokens issued before jti was added still verify.
    (p.jti !== undefined && !isString(p.jti))
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
    ...(p.jti !== undefined ? { jti: p.jti } : {}),
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

async function verifyWith(config: VerifierConfig, token: string): Promise<VerifyAccessTokenResult> {
  if (typeof token !== "string" || token.length === 0 || token.length > 8192) {
    return { ok: false, error: new AccessTokenError("token/Malformed", "The access token is malformed.") };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, config.keySet, {
      algorithms: ALGORITHMS,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockTolerance,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (cause) {
    return { ok: false, error: errorOf(cause) };
  }
  const claims = claimsOf(payload);
  if (!claims) return { ok: false, error: new AccessTokenError("token/InvalidClaims", "The access token lacks Gatehouse's claims.") };
  if (config.tenantKey !== undefined && claims.tkey !== config.tenantKey) {
    return { ok: false, error: new AccessTokenError("token/WrongTenant", "The access token belongs to another tenant.") };
  }
  // The server's gates (CONTRACT "Gates"), in its order, on the token's snapshot of the user.
  if (claims.pcr && !config.allowPasswordChangeRequired) {
    return { ok: false, error: new AccessTokenError("token/PasswordChangeRequired", "The user must change their password first.") };
  }
  if (claims.src === "self_signup" && !claims.ev && !config.allowUnverifiedEmail) {
    return { ok: false, error: new AccessTokenError("token/EmailNotVerified", "The user has not verified their email address.") };
  }
  return { ok: true, claims };
}

export interface AccessTokenVerifier {
  /** Verifies one token; never throws (a bad token is an `ok: false` answer). */
  verify(token: string): Promise<VerifyAccessTokenResult>;
}

/**
 * Checks the options once (throws GatehouseConfigError naming a wrong one) and returns a
 * verifier: create it at module load, so a wrong option stops the app at start-up.
 */
export function createAccessTokenVerifier(options: VerifyAccessTokenOptions): AccessTokenVerifier {
  const config = verifierConfigOf(options);
  return { verify: (token) => verifyWith(config, token) };
}

/**
 * Verifies a Gatehouse access token locally: signature against the published JWKS (fetched
 * once, cached, fetched again for an unknown kid), algorithm, issuer, audience, expiry and the
 * claim types; then the tenant and the server's gates (password change, then email) unless
 * opted out. Never throws for a bad token; rejects with GatehouseConfigError for bad options.
 *
 * Revocation reaches a local verifier only when the token expires (at most its lifetime, 1 h
 * by default); call `clientAuth.me` when a revoked session must be refused at once.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<VerifyAccessTokenResult> {
  return createAccessTokenVerifier(options).verify(token);
}
