import * as client from "openid-client";
import { getConfig } from "../../../config";
import { ProviderFailure, type ProviderCredentials, type ProviderProfile, type SocialProviderAdapter } from "../provider";
import { ConfigurationCache, fetchResource, isInsecure, prepare, toProviderFailure } from "./outbound";

/**
 * Kakao Login (plain OAuth 2.0 with PKCE; developers.kakao.com "REST API"): authorize and token
 * at OAUTH_KAKAO_AUTH_URL, `/v2/user/me` and `/v1/user/access_token_info` at OAUTH_KAKAO_API_URL.
 * Client auth is client_secret_post (the secret only when the app enabled one).
 */

/** Asking for unapproved items fails the authorize step (KOE205): tenants add `account_email` themselves. */
const DEFAULT_SCOPES = ["profile_nickname"];

const configurations = new ConfigurationCache();

function endpoints() {
  const { kakaoAuthUrl, kakaoApiUrl } = getConfig().social.endpoints;
  return { authUrl: kakaoAuthUrl, apiUrl: kakaoApiUrl };
}

function configurationFor(credentials: ProviderCredentials): client.Configuration {
  const { authUrl, apiUrl } = endpoints();
  return configurations.get([authUrl, apiUrl, credentials.clientId, credentials.clientSecret ?? ""], () =>
    prepare(
      new client.Configuration(
        { issuer: authUrl, authorization_endpoint: `${authUrl}/oauth/authorize`, token_endpoint: `${authUrl}/oauth/token` },
        credentials.clientId,
        credentials.clientSecret,
        credentials.clientSecret ? client.ClientSecretPost(credentials.clientSecret) : client.None(),
      ),
      isInsecure(authUrl, apiUrl),
    ),
  );
}

/**
 * The stored scopes, else the default. `openid` is left out: with it Kakao adds an id_token that
 * this plain-OAuth configuration has no keys to check, and the profile comes from `/v2/user/me` anyway.
 */
function scopesOf(credentials: ProviderCredentials): string[] {
  const scopes = credentials.scopes.filter((s) => s !== "openid");
  return scopes.length > 0 ? scopes : DEFAULT_SCOPES;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `/v2/user/me` → the profile; the email counts as verified only when `is_email_valid && is_email_verified`. */
function profileFrom(me: Record<string, unknown>): ProviderProfile {
  const id = me.id;
  if (typeof id !== "number" && typeof id !== "string") throw new ProviderFailure("refused", "kakao /v2/user/me: no id");
  const account = isObject(me.kakao_account) ? me.kakao_account : {};
  const profile = isObject(account.profile) ? account.profile : {};
  const properties = isObject(me.properties) ? me.properties : {};
  const valid = account.is_email_valid === true;
  const email =
    typeof account.email === "string" && account.email.includes("@") && account.is_email_valid !== false
      ? account.email.toLowerCase()
      : null;
  const nickname =
    typeof profile.nickname === "string" ? profile.nickname : typeof properties.nickname === "string" ? properties.nickname : null;
  return {
    providerUserId: String(id),
    email,
    emailVerified: email !== null && valid && account.is_email_verified === true,
    displayName: nickname?.trim() || null,
  };
}

async function readProfile(
  config: client.Configuration,
  accessToken: string,
  rejected: "refused" | "invalid-token",
): Promise<ProviderProfile> {
  const me = await fetchResource(config, accessToken, new URL(`${endpoints().apiUrl}/v2/user/me`), "kakao /v2/user/me", rejected);
  return profileFrom(me);
}

export const kakaoAdapter: SocialProviderAdapter = {
  provider: "kakao",
  nativeTokenKind: "accessToken",

  authorizationUrl(credentials, round) {
    const url = client.buildAuthorizationUrl(configurationFor(credentials), {
      redirect_uri: round.callbackUrl,
      response_type: "code",
      // Kakao separates scope items with commas.
      scope: scopesOf(credentials).join(","),
      state: round.state,
      code_challenge: round.codeChallenge,
      code_challenge_method: "S256",
    });
    return Promise.resolve(url.href);
  },

  async completeAuthorization(credentials, round) {
    const config = configurationFor(credentials);
    const callback = new URL(round.callbackUrl);
    callback.search = round.currentUrl.search;
    let tokens: client.TokenEndpointResponse;
    try {
      tokens = await client.authorizationCodeGrant(config, callback, {
        expectedState: round.state,
        pkceCodeVerifier: round.codeVerifier,
      });
    } catch (error) {
      throw toProviderFailure(error, "kakao token");
    }
    return readProfile(config, tokens.access_token, "refused");
  },

  async verifyNativeToken(credentials, token) {
    const config = configurationFor(credentials);
    // Which app the token was issued to: only the tenant's own native apps (numeric App IDs).
    const info = await fetchResource(
      config,
      token,
      new URL(`${endpoints().apiUrl}/v1/user/access_token_info`),
      "kakao /v1/user/access_token_info",
      "invalid-token",
    );
    const appId = typeof info.app_id === "number" || typeof info.app_id === "string" ? String(info.app_id) : undefined;
    if (appId === undefined) throw new ProviderFailure("refused", "kakao token info: no app_id");
    if (!credentials.nativeClientIds.includes(appId)) {
      throw new ProviderFailure("invalid-token", "kakao token info: the token was issued to another app");
    }
    const profile = await readProfile(config, token, "invalid-token");
    if (info.id !== undefined && String(info.id) !== profile.providerUserId) {
      throw new ProviderFailure("invalid-token", "kakao: token info and profile name different users");
    }
    return profile;
  },
};
