import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import * as client from "openid-client";
import { getConfig } from "../../../config";
import { ProviderFailure, type ProviderCredentials, type ProviderProfile, type SocialProviderAdapter } from "../provider";
import { ConfigurationCache, isInsecure, outboundFetch, prepare, toProviderFailure } from "./outbound";

/**
 * Google (OpenID Connect) by discovery from OAUTH_GOOGLE_ISSUER: the authorization code flow with
 * state, nonce and PKCE and the id_token's claims (iss, aud, exp, nonce) checked by openid-client,
 * and native id_tokens checked here with jose. (In the code flow the id_token comes straight from
 * the token endpoint over the server-authenticated channel, which OIDC Core 3.1.3.7 accepts in
 * place of its signature, as openid-client does by default; a native id_token comes from the app,
 * so its signature is what proves it.)
 *
 * The discovery document is fetched from `<issuer>/.well-known/openid-configuration` on first use
 * and cached per issuer; the `iss` tokens must carry is the document's `issuer`. The JWKS is
 * fetched on first use, cached per issuer, refetched after JWKS_MAX_AGE_MS and when a token names
 * a `kid` it lacks (Google rotates keys), the latter at most once per JWKS_REFETCH_INTERVAL_MS (a
 * forged token can name any kid).
 */

const DISCOVERY_MAX_AGE_MS = 24 * 3600_000;
const JWKS_MAX_AGE_MS = 3600_000;
export const JWKS_REFETCH_INTERVAL_MS = 1000;
const DEFAULT_SCOPES = ["openid", "email", "profile"];
/** Google's own bare issuer spelling, accepted beside the discovered one for accounts.google.com. */
const GOOGLE_ISSUER = "https://accounts.google.com";

interface Discovered {
  metadata: client.ServerMetadata;
  at: number;
}
interface KeySet {
  jwks: JSONWebKeySet;
  at: number;
}

const discoveries = new Map<string, Promise<Discovered>>();
const configurations = new ConfigurationCache();
/** Per jwks_uri. */
const keySets = new Map<string, { current?: KeySet; pending?: Promise<KeySet> }>();

function issuerUrl(): string {
  return getConfig().social.endpoints.googleIssuer;
}

/** The discovery document of `issuer` (its `issuer` is what id_tokens must carry, whatever URL served it). */
async function discover(issuer: string): Promise<Discovered> {
  const cached = discoveries.get(issuer);
  if (cached) {
    const found = await cached.catch(() => undefined);
    if (found && Date.now() - found.at < DISCOVERY_MAX_AGE_MS) return found;
    if (discoveries.get(issuer) === cached) discoveries.delete(issuer);
  }
  let pending = discoveries.get(issuer);
  if (!pending) {
    pending = client
      .discovery(new URL(`${issuer}/.well-known/openid-configuration`), "gatehouse", undefined, undefined, {
        [client.customFetch]: outboundFetch,
        ...(isInsecure(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .then((config) => ({ metadata: config.serverMetadata(), at: Date.now() }));
    discoveries.set(issuer, pending);
    pending.catch(() => {
      if (discoveries.get(issuer) === pending) discoveries.delete(issuer);
    });
  }
  try {
    const discovered = await pending;
    const { metadata } = discovered;
    if (!metadata.jwks_uri || !metadata.token_endpoint || !metadata.authorization_endpoint) {
      throw new ProviderFailure("refused", "google discovery: the document lacks jwks_uri, token or authorization endpoint");
    }
    return discovered;
  } catch (error) {
    throw toProviderFailure(error, "google discovery");
  }
}

async function downloadKeys(metadata: client.ServerMetadata): Promise<KeySet> {
  let response: Response;
  try {
    response = await outboundFetch(metadata.jwks_uri!, {
      method: "GET",
      headers: { accept: "application/json" },
      redirect: "manual",
      body: undefined,
    });
  } catch (error) {
    throw toProviderFailure(error, "google jwks");
  }
  if (response.status >= 500) throw new ProviderFailure("unreachable", `google jwks: HTTP ${response.status}`);
  let body: unknown;
  try {
    body = response.ok ? await response.json() : undefined;
  } catch (error) {
    throw toProviderFailure(error, "google jwks");
  }
  if (typeof body !== "object" || body === null || !Array.isArray((body as JSONWebKeySet).keys)) {
    throw new ProviderFailure("refused", `google jwks: not a JWK set (HTTP ${response.status})`);
  }
  return { jwks: body as JSONWebKeySet, at: Date.now() };
}

/** The issuer's keys; refetched when `kid` is given and missing (rate-limited), or when old. */
async function keysFor(metadata: client.ServerMetadata, kid: string | undefined): Promise<JSONWebKeySet> {
  const jwksUri = metadata.jwks_uri!;
  let entry = keySets.get(jwksUri);
  if (!entry) keySets.set(jwksUri, (entry = {}));
  const { current } = entry;
  const age = current ? Date.now() - current.at : Infinity;
  const hasKid = current !== undefined && (kid === undefined || current.jwks.keys.some((k) => k.kid === kid));
  if (current && age < JWKS_MAX_AGE_MS && (hasKid || age < JWKS_REFETCH_INTERVAL_MS)) return current.jwks;
  if (!entry.pending) {
    const slot = entry;
    slot.pending = downloadKeys(metadata).finally(() => {
      slot.pending = undefined;
    });
    slot.pending.then((set) => (slot.current = set)).catch(() => undefined);
  }
  return (await entry.pending!).jwks;
}

function scopesOf(credentials: ProviderCredentials): string {
  const scopes = credentials.scopes.length > 0 ? credentials.scopes : DEFAULT_SCOPES;
  return [...new Set(["openid", ...scopes])].join(" ");
}

/**
 * Google vouches for an address only when it says so and is its authority: a `@gmail.com`
 * address, or a Workspace account whose `hd` is the address's domain (CONTRACT v2 "Identity").
 */
function profileFrom(claims: JWTPayload): ProviderProfile {
  if (typeof claims.sub !== "string" || claims.sub === "") throw new ProviderFailure("refused", "google: the id_token has no sub");
  const email = typeof claims.email === "string" && claims.email.includes("@") ? claims.email.toLowerCase() : null;
  const domain = email?.slice(email.lastIndexOf("@") + 1);
  const authoritative = domain === "gmail.com" || (typeof claims.hd === "string" && claims.hd.toLowerCase() === domain);
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : null;
  return {
    providerUserId: claims.sub,
    email,
    emailVerified: email !== null && claims.email_verified === true && authoritative,
    displayName: name,
  };
}

/**
 * One Configuration per (discovery document, client id, secret).
 */
function configurationFor(discovered: Discovered, credentials: ProviderCredentials): client.Configuration {
  const { metadata, at } = discovered;
  return configurations.get([metadata.issuer, String(at), credentials.clientId, credentials.clientSecret ?? ""], () => {
    const config = prepare(
      new client.Configuration(
        metadata,
        credentials.clientId,
        credentials.clientSecret,
        credentials.clientSecret ? client.ClientSecretPost(credentials.clientSecret) : client.None(),
      ),
      isInsecure(issuerUrl(), metadata.authorization_endpoint!, metadata.token_endpoint!),
    );
    return config;
  });
}

/**
 * An id_token checked against the issuer's key set (refetched for an unknown `kid`): signature,
 * `iss` (the discovery document's; bare `accounts.google.com` too for the real Google), `aud`
 * one of `audiences`, `exp`. A refusal is a ProviderFailure of `kind`.
 */
async function verifiedIdToken(
  metadata: Discovered["metadata"],
  token: string,
  audiences: string[],
  kind: "invalid-token" | "refused",
): Promise<JWTPayload> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new ProviderFailure(kind, "google id_token: not a JWS");
  }
  const jwks = await keysFor(metadata, kid);
  const issuers = metadata.issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, "accounts.google.com"] : [metadata.issuer];
  const algorithms = (metadata.id_token_signing_alg_values_supported ?? ["RS256"]).filter((alg) => /^(RS|PS|ES)\d{3}$|^EdDSA$/.test(alg));
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: issuers,
      audience: audiences,
      algorithms,
      requiredClaims: ["sub", "iat", "exp"],
      clockTolerance: 5,
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new ProviderFailure(kind, `google id_token: ${error.code}`);
    throw toProviderFailure(error, "google id_token", kind);
  }
}

export const googleAdapter: SocialProviderAdapter = {
  provider: "google",
  nativeTokenKind: "idToken",

  async authorizationUrl(credentials, round) {
    const config = configurationFor(await discover(issuerUrl()), credentials);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: round.callbackUrl,
      response_type: "code",
      scope: scopesOf(credentials),
      state: round.state,
      nonce: round.nonce,
      code_challenge: round.codeChallenge,
      code_challenge_method: "S256",
    }).href;
  },

  async completeAuthorization(credentials, round) {
    const discovered = await discover(issuerUrl());
    const { metadata } = discovered;
    const config = configurationFor(discovered, credentials);
    const callback = new URL(round.callbackUrl);
    callback.search = round.currentUrl.search;
    let claims: JWTPayload | undefined;
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        expectedState: round.state,
        expectedNonce: round.nonce,
        pkceCodeVerifier: round.codeVerifier,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      idToken = tokens.id_token;
    } catch (error) {
      throw toProviderFailure(error, "google token");
    }
    if (!claims || !idToken) throw new ProviderFailure("refused", "google token: no id_token");
    // openid-client checked the claims (iss, aud, exp, nonce); the signature is checked too, by
    // the same key set as native tokens: OIDC lets a client skip it for a token read straight
    // from the token endpoint over TLS, but stand-ins are reached over http, and it costs one
    // cached key set.
    await verifiedIdToken(metadata, idToken, [credentials.clientId], "refused");
    return profileFrom(claims);
  },

  async verifyNativeToken(credentials, token) {
    const { metadata } = await discover(issuerUrl());
    const payload = await verifiedIdToken(metadata, token, [credentials.clientId, ...credentials.nativeClientIds], "invalid-token");
    const age = Math.floor(Date.now() / 1000) - payload.iat!;
    if (age > getConfig().social.nativeIdTokenMaxAgeSeconds) {
      throw new ProviderFailure("invalid-token", `google id_token: issued ${age} s ago`);
    }
    return profileFrom(payload);
  },
};
