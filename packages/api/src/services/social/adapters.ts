import type { SocialProvider } from "@gatehouse/db";
import type { SocialProviderAdapter } from "./provider";

/** The adapter of each provider (services/social/providers/*). */
export function adapterFor(provider: SocialProvider): SocialProviderAdapter {
  throw new Error(`no adapter for ${provider} yet`);
}
