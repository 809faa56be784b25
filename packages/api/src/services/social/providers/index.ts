import type { SocialProvider } from "@gatehouse/db";
import type { SocialProviderAdapter } from "../provider";
import { googleAdapter } from "./google";
import { kakaoAdapter } from "./kakao";
import { naverAdapter } from "./naver";

/** Each provider's adapter (the services of clientSocial reach providers only through these). */
const adapters: Record<SocialProvider, SocialProviderAdapter> = {
  google: googleAdapter,
  kakao: kakaoAdapter,
  naver: naverAdapter,
};

export function providerAdapter(provider: SocialProvider): SocialProviderAdapter {
  return adapters[provider];
}
