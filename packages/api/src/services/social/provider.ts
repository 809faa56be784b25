import type { SocialProvider } from "@gatehouse/db";

/**
 * The one shape every provider (Google, Kakao, Naver) has inside Gatehouse: the services of
 * `clientSocial` talk to providers only through it, and each provider's protocol details live in
 * its own file under `providers/` (openid-client; endpoints from server configuration only).
 */

/** A tenant's credentials at one provider, the secret opened (never logged, never returned). */
export interface ProviderCredentials {
  provider: SocialProvider;
  clientId: string;
  clientSecret: string | undefined;
  nativeClientIds: string[];
  /** As stored; empty: the provider's default scopes. */
  scopes: string[];
}

/** What Gatehouse learns about the person from the provider. */
export interface ProviderProfile {
  /** The provider's stable user id for this app (Google `sub`, Kakao `id`, Naver `response.id`). */
  providerUserId: string;
  /** Lower-case; null when the provider gave none. */
  email: string | null;
  /**
   * The provider vouches for the address now (CONTRACT v2 "Identity"): Google `email_verified`
   * and authoritative (`@gmail.com` or `hd` equal to its domain); Kakao `is_email_valid &&
   * is_email_verified`; Naver never.
   */
  emailVerified: boolean;
  /** A name to show (Google `name`, Kakao nickname, Naver name/nickname), when the provider gave one. */
  displayName: string | null;
}

/**
 * Why a provider call did not give a profile:
 * - `denied`: the user cancelled at the provider (`error=access_denied` on the callback);
 * - `refused`: the provider refused the code, or answered something that is not its protocol;
 * - `invalid-token`: a native token the provider rejects, that was issued to another app, or
 *   (Google) an id_token whose signature, `iss`, `aud`, `exp` or `iat` does not hold;
 * - `unreachable`: connection refused, a 5xx, or no answer within OUTBOUND_TIMEOUT_MS.
 * `message` is for the log only (never shown, never echoing a provider's text to the client).
 */
export type ProviderFailureKind = "denied" | "refused" | "invalid-token" | "unreachable";

export class ProviderFailure extends Error {
  override name = "ProviderFailure";
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SocialProviderAdapter {
  readonly provider: SocialProvider;
  /** The one kind of token `signInWithToken` takes for this provider (the other is 400). */
  readonly nativeTokenKind: "idToken" | "accessToken";
  /**
   * The provider's authorization URL for one round trip. `callbackUrl` is Gatehouse's one
   * callback (`APP_URL/api/social/<provider>/callback`); `codeChallenge` is Gatehouse's own PKCE
   * S256 challenge toward the provider (sent where the provider takes it).
   */
  authorizationUrl(
    credentials: ProviderCredentials,
    round: { callbackUrl: string; state: string; nonce: string; codeChallenge: string },
  ): Promise<string>;
  /**
   * Finishes the round trip from the callback's full URL (its query holds `code` or `error`):
   * exchanges the code (with `state`, the PKCE verifier and, for Google, the nonce checked) and
   * reads the profile. Throws ProviderFailure.
   */
  completeAuthorization(
    credentials: ProviderCredentials,
    round: { callbackUrl: string; currentUrl: URL; state: string; nonce: string; codeVerifier: string },
  ): Promise<ProviderProfile>;
  /** Native apps: checks the token belongs to this tenant's app and reads the profile. Throws ProviderFailure. */
  verifyNativeToken(credentials: ProviderCredentials, token: string): Promise<ProviderProfile>;
}
