import * as client from "openid-client";
import { getConfig } from "../../../config";
import { ProviderFailure, type ProviderCredentials, type ProviderProfile, type SocialProviderAdapter } from "../provider";
import { ConfigurationCache, fetchResource, isInsecure, prepare, toProviderFailure } from "./outbound";

/**
 * Naver Login (plain OAuth 2.0, no PKCE): authorize and token at OAUTH_NAVER_AUTH_URL (`state`
 * required in both; token errors come with status 200; `expires_in` is a string, which
 * oauth4webapi ≥ 3.8.8 reads), the profile at OAUTH_NAVER_API_URL `/v1/nid/me`
 * (`resultcode "00"` or a failure). Naver ids are per application and its email is a contact
 * address: never verified here.
 */

const configurations = new ConfigurationCache();

function endpoints() {
  const { naverAuthUrl, naverApiUrl } = getConfig().social.endpoints;
  return { authUrl: naverAuthUrl, apiUrl: naverApiUrl };
}

function configurationFor(credentials: ProviderCredentials): client.Configuration {
  const { authUrl, apiUrl } = endpoints();
  return configurations.get([authUrl, apiUrl, credentials.clientId, credentials.clientSecret ?? ""], () =>
    prepare(
      new client.Configuration(
        { issuer: authUrl, authorization_endpoint: `${authUrl}/oauth2.0/authorize`, token_endpoint: `${authUrl}/oauth2.0/token` },
        credentials.clientId,
        credentials.clientSecret,
        client.ClientSecretPost(credentials.clientSecret ?? ""),
      ),
      isInsecure(authUrl, apiUrl),
    ),
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

async function readProfile(
  config: client.Configuration,
  accessToken: string,
  rejected: "refused" | "invalid-token",
): Promise<ProviderProfile> {
  const me = await fetchResource(config, accessToken, new URL(`${endpoints().apiUrl}/v1/nid/me`), "naver /v1/nid/me", rejected);
  if (me.resultcode !== "00") {
    throw new ProviderFailure(
      rejected,
      `naver /v1/nid/me: resultcode ${typeof me.resultcode === "string" ? me.resultcode.slice(0, 8) : "missing"}`,
    );
  }
  const person = isObject(me.response) ? me.response : undefined;
  if (!person || typeof person.id !== "string" || person.id === "") throw new ProviderFailure("refused", "naver /v1/nid/me: no id");
  const email = typeof person.email === "string" && person.email.includes("@") ? person.email.toLowerCase() : null;
  const name = typeof person.name === "string" && person.name.trim() ? person.name.trim() : null;
  const nickname = typeof person.nickname === "string" && person.nickname.trim() ? person.nickname.trim() : null;
  return { providerUserId: person.id, email, emailVerified: false, displayName: name ?? nickname };
}

export const naverAdapter: SocialProviderAdapter = {
  provider: "naver",
  nativeTokenKind: "accessToken",

  authorizationUrl(credentials, round) {
    // No PKCE (Naver has none) and no scope unless a tenant stored one: consent is set per app at Naver.
    const url = client.buildAuthorizationUrl(configurationFor(credentials), {
      redirect_uri: round.callbackUrl,
      response_type: "code",
      state: round.state,
      ...(credentials.scopes.length > 0 ? { scope: credentials.scopes.join(" ") } : {}),
    });
    return Promise.resolve(url.href);
  },

  async completeAuthorization(credentials, round) {
    const config = configurationFor(credentials);
    const callback = new URL(round.callbackUrl);
    callback.search = round.currentUrl.search;
    let tokens: client.TokenEndpointResponse;
    try {
      // Naver requires the state in the token request too.
      tokens = await client.authorizationCodeGrant(config, callback, { expectedState: round.state }, { state: round.state });
    } catch (error) {
      throw toProviderFailure(error, "naver token");
    }
    return readProfile(config, tokens.access_token, "refused");
  },

  verifyNativeToken(credentials, token) {
    return readProfile(configurationFor(credentials), token, "invalid-token");
  },
};
