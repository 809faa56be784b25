import { startGoogleStandIn, type GoogleStandIn } from "./google";
import type { StandInOptions } from "./http";
import { startKakaoStandIn, type KakaoStandIn } from "./kakao";
import { startNaverStandIn, type NaverStandIn } from "./naver";

/**
 * Local stand-ins for Google, Kakao and Naver that speak their real protocols and shapes on
 * 127.0.0.1: for the tests and `pnpm dev` only, never production (the server bundle keeps this
 * package out; `pnpm dev` loads it by dynamic import).
 */

export { defaultGooglePerson, startGoogleStandIn, type GooglePerson, type GoogleStandIn } from "./google";
export type { StandInMode, StandInOptions } from "./http";
export { defaultKakaoPerson, startKakaoStandIn, type KakaoApp, type KakaoPerson, type KakaoStandIn } from "./kakao";
export { startSmsCapture, startSolapiFake, startTwilioFake, type CapturedSms, type SmsGatewayFake, type SmsGatewayMode } from "./sms";
export { defaultNaverPerson, startNaverStandIn, type NaverApp, type NaverPerson, type NaverStandIn } from "./naver";

/** The apps the three stand-ins know after `startStandIns` (what a tenant configures for them). */
export const standInApps = {
  google: { clientId: "gatehouse-dev.apps.googleusercontent.com", clientSecret: "stand-in-google-secret" },
  kakao: { restApiKey: "standinkakaorestapikey0000000001", clientSecret: "stand-in-kakao-secret", appId: 1_000_001 },
  naver: { clientId: "StandInNaverClientId", clientSecret: "StandInNaverSecret" },
} as const;

export interface StandIns {
  google: GoogleStandIn;
  kakao: KakaoStandIn;
  naver: NaverStandIn;
  /** The OAUTH_* variables that point Gatehouse at these stand-ins. */
  env: {
    OAUTH_GOOGLE_ISSUER: string;
    OAUTH_KAKAO_AUTH_URL: string;
    OAUTH_KAKAO_API_URL: string;
    OAUTH_NAVER_AUTH_URL: string;
    OAUTH_NAVER_API_URL: string;
  };
  /** Credentials to configure per provider (Kakao's nativeClientIds hold its numeric App ID). */
  credentials: {
    google: { clientId: string; clientSecret: string };
    kakao: { clientId: string; clientSecret: string; nativeClientIds: string[] };
    naver: { clientId: string; clientSecret: string };
  };
  stop(): Promise<void>;
}

/** Starts all three (free ports unless given), each with the `standInApps` app registered. */
export async function startStandIns(options: Omit<StandInOptions, "port"> = {}): Promise<StandIns> {
  const [google, kakao, naver] = await Promise.all([startGoogleStandIn(options), startKakaoStandIn(options), startNaverStandIn(options)]);
  google.registerClient(standInApps.google);
  kakao.registerApp(standInApps.kakao);
  naver.registerApp(standInApps.naver);
  return {
    google,
    kakao,
    naver,
    env: {
      OAUTH_GOOGLE_ISSUER: google.issuer,
      OAUTH_KAKAO_AUTH_URL: kakao.url,
      OAUTH_KAKAO_API_URL: kakao.url,
      OAUTH_NAVER_AUTH_URL: naver.url,
      OAUTH_NAVER_API_URL: naver.url,
    },
    credentials: {
      google: { ...standInApps.google },
      kakao: {
        clientId: standInApps.kakao.restApiKey,
        clientSecret: standInApps.kakao.clientSecret,
        nativeClientIds: [String(standInApps.kakao.appId)],
      },
      naver: { ...standInApps.naver },
    },
    stop: async () => {
      await Promise.all([google.stop(), kakao.stop(), naver.stop()]);
    },
  };
}
