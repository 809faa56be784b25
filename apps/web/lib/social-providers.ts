import { defaultSocialScopes, type SocialProviderName } from "@gatehouse/contract";

/**
 * Words for a tenant's social sign-in settings (CONTRACT v2 `backOffice.socialProviders`), shared
 * by the admin's forms and the read-only view viewers get. A plain module, not the client form's:
 * a server page reading a value exported by a "use client" module would get a client reference.
 */
interface ProviderWords {
  name: string;
  clientIdLabel: string;
  clientIdHint: string;
  nativeHint: string;
  /** Where the admin finds the credentials. */
  console: string;
}

export const socialProviderWords: Record<SocialProviderName, ProviderWords> = {
  google: {
    name: "Google",
    clientIdLabel: "Client ID",
    clientIdHint: "The web application's OAuth client ID from the Google Cloud console, such as 1234-abc.apps.googleusercontent.com.",
    nativeHint:
      "The Android and iOS client IDs whose id_tokens your apps send to signInWithToken. Separate them with spaces, commas or new lines.",
    console: "Google Cloud console → APIs & Services → Credentials",
  },
  kakao: {
    name: "Kakao",
    clientIdLabel: "REST API key",
    clientIdHint: "The app's REST API key (Kakao uses it as the OAuth client ID).",
    nativeHint:
      "The numeric App IDs of your Kakao apps (what Kakao's token info reports as app_id), not app keys. Separate them with spaces, commas or new lines.",
    console: "Kakao Developers → My Application",
  },
  naver: {
    name: "Naver",
    clientIdLabel: "Client ID",
    clientIdHint: "The application's Client ID from Naver Developers.",
    nativeHint: "Naver checks native access tokens itself: this list is not used for Naver.",
    console: "Naver Developers → Application → My Applications",
  },
};

/** The provider's default scopes as a scope string, or words saying there are none. */
export function defaultScopesText(provider: SocialProviderName): string {
  const scopes = defaultSocialScopes[provider];
  return scopes.length > 0 ? scopes.join(" ") : "none";
}

/** Whether `scopes` (as the API answers them: the effective list) are the provider's default. */
export function isDefaultScopes(provider: SocialProviderName, scopes: readonly string[]): boolean {
  const defaults = defaultSocialScopes[provider];
  return scopes.length === defaults.length && scopes.every((scope, i) => scope === defaults[i]);
}

/** A list typed into one field: split on spaces, commas and new lines, blanks dropped. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}
