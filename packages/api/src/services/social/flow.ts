import { createHash, timingSafeEqual } from "node:crypto";
import { getPrisma, isDatabaseUnavailable, type SocialProvider, type Tenant } from "@gatehouse/db";
import { getConfig } from "../../config";
import type { SocialRedirectError } from "@gatehouse/contract";
import { appError, appErrorOf, type AppCode } from "../../errors";
import { getLogger } from "../../lib/log";
import { isRedisUnavailable } from "../../lib/redis";
import { isRedirectUriAllowed } from "../../policy/redirect-uri";
import { auditUserAction } from "../audit";
import { openSession, sessionRefusedError, sessionTokens, type ClientInfo, type SessionTokens } from "../sessions";
import { findLiveTenant } from "../tenants";
import { providerAdapter as adapterFor } from "./providers";
import { findProviderCredentials } from "./credentials";
import { resolveSocialUser } from "./identity";
import { ProviderFailure, type ProviderCredentials } from "./provider";
import { issueCode, randomToken, saveRound, takeCode, takeRound } from "./rounds";

/**
 * CONTRACT v2 "clientSocial": `start`, the provider's callback, `exchange` and `signInWithToken`.
 * The provider's protocol is its adapter's (./providers); who the profile is, ./identity.ts; the
 * round trip's memory, ./rounds.ts. Order of checks ("v2 rules in detail"): schema and per-IP
 * limit (the router), tenant (404), provider enabled (400), then what each step adds.
 */

/** `Session & {isNewUser}`. */
export type SocialSession = SessionTokens & { isNewUser: boolean };

/** Gatehouse's one callback for every tenant: `APP_URL/api/social/<provider>/callback`. */
export function callbackUrlOf(provider: SocialProvider): string {
  return `${getConfig().appUrl}/api/social/${provider}/callback`;
}

/** The tenant's credentials at `provider`, when configured and enabled (else 400 auth/MethodNotEnabled). */
async function enabledCredentials(tenant: Tenant, provider: SocialProvider): Promise<ProviderCredentials> {
  const found = await findProviderCredentials(getPrisma(), tenant.id, provider);
  if (!found?.enabled) throw appError("auth/MethodNotEnabled");
  const { enabled: _enabled, ...credentials } = found;
  return credentials;
}

/** A provider that could not be reached, as the contract answers it (503). */
function unreachable(error: ProviderFailure) {
  return appError("service/Unavailable", { message: "The sign-in provider could not be reached. Try again shortly.", cause: error });
}

/**
 * What an operator needs when a provider fails: which, how, and the adapter's words (never shown
 * to the caller; adapters keep tokens and secrets out of them, and the log's scrub pass runs too).
 */
function logProviderFailure(provider: SocialProvider, error: ProviderFailure): void {
  const log = getLogger();
  const line = { provider, kind: error.kind, err: error.message };
  if (error.kind === "unreachable") log.warn(line, "social provider unreachable");
  else log.info(line, "social provider refused");
}

/** BASE64URL(SHA-256(verifier)) (RFC 7636 §4.2). */
const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

export interface StartInput {
  tenantKey: string;
  provider: SocialProvider;
  redirectUri: string;
  state?: string | undefined;
  codeChallenge?: string | undefined;
}

/** `start`: remembers the round (state, nonce, Gatehouse's PKCE toward the provider) and answers the provider's URL. */
export async function startSocialSignIn(input: StartInput): Promise<{ authorizationUrl: string; expiresAt: string }> {
  const tenant = await findLiveTenant(getPrisma(), input.tenantKey);
  const credentials = await enabledCredentials(tenant, input.provider);
  if (!isRedirectUriAllowed(input.redirectUri, tenant.redirectUris)) throw appError("social/RedirectUriNotAllowed");
  const nonce = randomToken();
  const providerCodeVerifier = randomToken();
  const { state, expiresAt } = await saveRound({
    tenantId: tenant.id,
    provider: input.provider,
    redirectUri: input.redirectUri,
    appState: input.state ?? null,
    appCodeChallenge: input.codeChallenge ?? null,
    nonce,
    providerCodeVerifier,
  });
  try {
    const authorizationUrl = await adapterFor(input.provider).authorizationUrl(credentials, {
      callbackUrl: callbackUrlOf(input.provider),
      state,
      nonce,
      codeChallenge: s256(providerCodeVerifier),
    });
    return { authorizationUrl, expiresAt: expiresAt.toISOString() };
  } catch (error) {
    // Google's discovery document could not be read: the round is dead weight until it expires.
    await takeRound(state).catch(() => null);
    if (!(error instanceof ProviderFailure)) throw error;
    logProviderFailure(input.provider, error);
    throw unreachable(error);
  }
}

/** Where the callback sends the browser: the app's redirect URI with a code, or with an error. */
export type CallbackOutcome =
  | { kind: "code"; redirectUri: string; code: string; appState: string | null }
  | { kind: "error"; redirectUri: string; error: AppCode | SocialRedirectError; appState: string | null };

/**
 * The provider's callback (`GET /api/social/<provider>/callback`): the round is taken (unknown,
 * used, expired, or another provider's: 400 social/InvalidState, nowhere to send the browser),
 * the provider's answer completed by the adapter, the profile resolved to a user, and a one-time
 * code issued for `exchange`. No session here: the app's server or SDK trades the code.
 */
export async function completeSocialCallback(provider: SocialProvider, currentUrl: URL, client: ClientInfo): Promise<CallbackOutcome> {
  const state = currentUrl.searchParams.get("state");
  const round = state ? await takeRound(state) : null;
  if (!state || !round || round.provider !== provider) throw appError("social/InvalidState");
  const back = { redirectUri: round.redirectUri, appState: round.appState };
  try {
    const tenant = await getPrisma().tenant.findUnique({ where: { id: round.tenantId } });
    if (!tenant || tenant.deletedAt) throw appError("tenant/NotFound");
    const credentials = await enabledCredentials(tenant, provider);
    const profile = await adapterFor(provider).completeAuthorization(credentials, {
      callbackUrl: callbackUrlOf(provider),
      currentUrl,
      state,
      nonce: round.nonce,
      codeVerifier: round.providerCodeVerifier,
    });
    const { user, isNewUser } = await resolveSocialUser(tenant, provider, profile, client);
    const code = await issueCode({ tenantId: tenant.id, userId: user.id, provider, isNewUser, appCodeChallenge: round.appCodeChallenge });
    return { kind: "code", code, ...back };
  } catch (error) {
    if (error instanceof ProviderFailure) logProviderFailure(provider, error);
    return { kind: "error", error: callbackErrorOf(error), ...back };
  }
}

/** The `error` value of a failed callback (CONTRACT v2): never a provider's own words. */
function callbackErrorOf(error: unknown): AppCode | SocialRedirectError {
  if (error instanceof ProviderFailure) {
    if (error.kind === "denied") return "social/AccessDenied";
    if (error.kind === "unreachable") return "service/Unavailable";
    return "social/ProviderError";
  }
  // The contract's refusals (tenant gone, provider disabled, domain policy, suspension) go back
  // to the app by their appCode; an outage as service/Unavailable; anything else is a fault.
  const known = appErrorOf(error);
  if (known && known.appCode !== "server/InternalError") return known.appCode;
  if (isRedisUnavailable(error) || isDatabaseUnavailable(error)) return "service/Unavailable";
  throw error;
}

export interface ExchangeInput {
  code: string;
  codeVerifier?: string | undefined;
  tenantKey?: string | undefined;
}

/**
 * `exchange`: the one-time code for a session. The code is taken first, so every refusal below
 * burns it (a wrong verifier cannot be retried); a malformed verifier never gets here (400).
 */
export async function exchangeSocialCode(input: ExchangeInput, client: ClientInfo): Promise<SocialSession> {
  const grant = await takeCode(input.code);
  if (!grant) throw appError("social/InvalidCode");
  if (!pkceHolds(grant.appCodeChallenge, input.codeVerifier)) throw appError("social/InvalidCode");
  const tenant = await getPrisma().tenant.findUnique({ where: { id: grant.tenantId } });
  if (input.tenantKey !== undefined && tenant?.key !== input.tenantKey) throw appError("social/InvalidCode");
  if (!tenant || tenant.deletedAt) throw appError("tenant/NotFound");
  const user = await getPrisma().user.findUnique({ where: { id: grant.userId } });
  if (!user || user.deletedAt) throw appError("social/InvalidCode");
  return { ...(await signInSocialUser(tenant, user, grant.provider, client)), isNewUser: grant.isNewUser };
}

/** A code issued with a challenge needs its verifier; one issued without takes none. */
function pkceHolds(challenge: string | null, verifier: string | undefined): boolean {
  if (challenge === null) return verifier === undefined;
  if (verifier === undefined) return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(s256(verifier));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface NativeInput {
  tenantKey: string;
  provider: SocialProvider;
  idToken?: string | undefined;
  accessToken?: string | undefined;
}

/** `signInWithToken`: a native SDK's token, checked by the adapter for this tenant's app. */
export async function signInWithProviderToken(input: NativeInput, client: ClientInfo): Promise<SocialSession> {
  const tenant = await findLiveTenant(getPrisma(), input.tenantKey);
  const credentials = await enabledCredentials(tenant, input.provider);
  const adapter = adapterFor(input.provider);
  // The contract's schema already refused the other kind of token (400).
  const token = adapter.nativeTokenKind === "idToken" ? input.idToken : input.accessToken;
  if (token === undefined) throw appError("social/InvalidProviderToken");
  let profile;
  try {
    profile = await adapter.verifyNativeToken(credentials, token);
  } catch (error) {
    if (!(error instanceof ProviderFailure)) throw error;
    logProviderFailure(input.provider, error);
    if (error.kind === "unreachable") throw unreachable(error);
    throw appError("social/InvalidProviderToken", { cause: error });
  }
  const { user, isNewUser } = await resolveSocialUser(tenant, input.provider, profile, client);
  return { ...(await signInSocialUser(tenant, user, input.provider, client)), isNewUser };
}

/** Sessions refused because the user changed between the read and the insert are read again this often. */
const SIGN_IN_READS = 3;

/**
 * Opens the session (the one primitive every way in uses), sets lastLoginAt and audits
 * `user.signedIn` with the provider as the method. A user suspended meanwhile is 403.
 */
async function signInSocialUser(
  tenant: Tenant,
  user: { id: string },
  provider: SocialProvider,
  client: ClientInfo,
): Promise<SessionTokens> {
  const prisma = getPrisma();
  for (let read = 0; read < SIGN_IN_READS; read++) {
    const current = await prisma.user.findUnique({ where: { id: user.id } });
    if (!current || current.deletedAt) throw appError("social/InvalidCode");
    if (current.suspendedAt) throw appError("auth/AccountSuspended");
    const opened = await openSession(current, tenant, client);
    if (opened.opened) {
      const updated = await prisma.user.update({ where: { id: current.id }, data: { lastLoginAt: new Date() } });
      await auditUserAction(prisma, updated, "user.signedIn", { tenant, ip: client.ip, details: { method: provider } });
      return sessionTokens(updated, tenant, opened.session);
    }
    if (opened.reason === "tenant_gone") throw sessionRefusedError(opened.reason);
  }
  throw appError("service/Unavailable");
}
