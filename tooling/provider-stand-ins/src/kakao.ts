import type { ServerResponse } from "node:http";
import {
  answeredByMode,
  bearer,
  consentDecision,
  listen,
  pkceMatches,
  randomToken,
  readForm,
  redirect,
  sendConsentPage,
  sendJson,
  type StandInBase,
  type StandInMode,
  type StandInOptions,
} from "./http";

/**
 * Kakao Login's shapes (developers.kakao.com, "REST API"): kauth `/oauth/authorize` and
 * `/oauth/token`, kapi `/v2/user/me` and `/v1/user/access_token_info`, errors as Kakao sends them.
 * One server answers both hosts (OAUTH_KAKAO_AUTH_URL and OAUTH_KAKAO_API_URL both point at it).
 */

export interface KakaoApp {
  /** The app's REST API key: the OAuth `client_id`. */
  restApiKey: string;
  /** When the app enabled "Client Secret", the token request must carry it. */
  clientSecret?: string;
  /** The numeric App ID that token info reports as `app_id` (what native clients are keyed by). */
  appId: number;
}

export interface KakaoPerson {
  /** Kakao's member number (per app in reality; sequential integers). */
  id: number;
  nickname: string;
  /** Absent: the account has no email. */
  email?: string;
  isEmailValid?: boolean;
  isEmailVerified?: boolean;
}

export interface KakaoStandIn extends StandInBase {
  registerApp(app: KakaoApp): void;
  /** The person every following sign-in returns (until changed). */
  signInAs(person: KakaoPerson): void;
  /** An access token as Kakao's native SDKs hand one to an app (for `signInWithToken` tests). */
  issueAccessToken(input: { appId: number; person: KakaoPerson; scope?: string[]; expiresInSeconds?: number }): string;
}

const ACCESS_TTL = 21_599;
const REFRESH_TTL = 5_183_999;

export const defaultKakaoPerson: KakaoPerson = {
  id: 4_100_000_001,
  nickname: "Kim Demo",
  email: "kim.demo@kakao.example",
  isEmailValid: true,
  isEmailVerified: true,
};

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  scope: string[];
  challenge?: { value: string; method: string };
  person: KakaoPerson;
}

interface IssuedToken {
  appId: number;
  person: KakaoPerson;
  scope: string[];
  expiresAt: number;
  connectedAt: string;
}

function kakaoError(res: ServerResponse, status: number, error: string, description: string, code: string): void {
  sendJson(res, status, { error, error_description: description, error_code: code });
}

export async function startKakaoStandIn(options: StandInOptions = {}): Promise<KakaoStandIn> {
  const consent = options.consent ?? "auto";
  const apps = new Map<string, KakaoApp>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, IssuedToken>();
  let person = defaultKakaoPerson;
  let mode: StandInMode = "ok";
  const denyNext = { value: false };

  const issue = (appId: number, who: KakaoPerson, scope: string[], ttl = ACCESS_TTL): string => {
    const token = randomToken(40);
    tokens.set(token, { appId, person: who, scope, expiresAt: Date.now() + ttl * 1000, connectedAt: new Date().toISOString() });
    return token;
  };

  const liveToken = (auth: string | undefined): IssuedToken | undefined => {
    const found = auth ? tokens.get(auth) : undefined;
    return found && found.expiresAt > Date.now() ? found : undefined;
  };

  const { url, stop } = await listen(async (req, res, reqUrl) => {
    const q = reqUrl.searchParams;
    if (req.method === "GET" && reqUrl.pathname === "/oauth/authorize") {
      const app = apps.get(q.get("client_id") ?? "");
      const redirectUri = q.get("redirect_uri");
      if (!app || !redirectUri || q.get("response_type") !== "code") {
        // Kakao shows its own error page here (KOE101 unknown app, KOE006 bad redirect).
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
        res.end("<html><body>KOE101: the app is not registered or the request is invalid</body></html>");
        return;
      }
      const back = new URL(redirectUri);
      const state = q.get("state");
      const decision = consentDecision(consent, reqUrl, denyNext);
      if (decision === "show") return sendConsentPage(res, "Kakao", reqUrl, `${person.nickname} (${person.email ?? "no email"})`);
      if (decision === "deny") {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "User denied access");
      } else {
        const code = randomToken(40);
        const challenge = q.get("code_challenge");
        codes.set(code, {
          clientId: app.restApiKey,
          redirectUri,
          scope: (q.get("scope") ?? "").split(/[ ,]+/).filter(Boolean),
          person,
          ...(challenge ? { challenge: { value: challenge, method: q.get("code_challenge_method") ?? "plain" } } : {}),
        });
        back.searchParams.set("code", code);
      }
      if (state !== null) back.searchParams.set("state", state);
      return redirect(res, back);
    }

    if (answeredByMode(mode, res)) return;

    if (req.method === "POST" && reqUrl.pathname === "/oauth/token") {
      const form = await readForm(req);
      if (form.get("grant_type") !== "authorization_code") {
        return kakaoError(res, 400, "unsupported_grant_type", "grant_type is not supported", "KOE008");
      }
      const app = apps.get(form.get("client_id") ?? "");
      if (!app || (app.clientSecret !== undefined && form.get("client_secret") !== app.clientSecret)) {
        return kakaoError(res, 401, "invalid_client", "Bad client credentials", "KOE010");
      }
      const code = form.get("code") ?? "";
      const issued = codes.get(code);
      codes.delete(code);
      if (!issued || issued.clientId !== app.restApiKey) {
        return kakaoError(res, 400, "invalid_grant", `authorization code not found for code=${code}`, "KOE320");
      }
      if (form.get("redirect_uri") !== issued.redirectUri) {
        return kakaoError(res, 400, "invalid_grant", "Redirect URI mismatch.", "KOE303");
      }
      if (issued.challenge && !pkceMatches(form.get("code_verifier"), issued.challenge)) {
        return kakaoError(res, 400, "invalid_grant", "PKCE verification failed.", "KOE322");
      }
      const accessToken = issue(app.appId, issued.person, issued.scope);
      return sendJson(res, 200, {
        token_type: "bearer",
        access_token: accessToken,
        expires_in: ACCESS_TTL,
        refresh_token: randomToken(40),
        refresh_token_expires_in: REFRESH_TTL,
        ...(issued.scope.length > 0 ? { scope: issued.scope.join(" ") } : {}),
      });
    }

    if (req.method === "GET" && (reqUrl.pathname === "/v2/user/me" || reqUrl.pathname === "/v1/user/access_token_info")) {
      const token = liveToken(bearer(req));
      if (!token) return sendJson(res, 401, { msg: "this access token does not exist", code: -401 });
      if (reqUrl.pathname === "/v1/user/access_token_info") {
        return sendJson(res, 200, {
          id: token.person.id,
          expires_in: Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000)),
          app_id: token.appId,
        });
      }
      return sendJson(res, 200, userMe(token));
    }

    sendJson(res, 404, { msg: "not found", code: -1 });
  }, options);

  return {
    url,
    stop,
    setMode: (next) => {
      mode = next;
    },
    deny: () => {
      denyNext.value = true;
    },
    registerApp: (app) => {
      apps.set(app.restApiKey, app);
    },
    signInAs: (next) => {
      person = next;
    },
    issueAccessToken: ({ appId, person: who, scope, expiresInSeconds }) =>
      issue(appId, who, scope ?? ["profile_nickname", "account_email"], expiresInSeconds),
  };
}

/** `/v2/user/me` as Kakao answers it: email fields only when the account has one, the address only with consent. */
function userMe(token: IssuedToken) {
  const { person } = token;
  const emailConsented = token.scope.includes("account_email");
  const emailFields =
    person.email === undefined
      ? {}
      : {
          has_email: true,
          email_needs_agreement: !emailConsented,
          ...(emailConsented
            ? {
                is_email_valid: person.isEmailValid ?? true,
                is_email_verified: person.isEmailVerified ?? true,
                email: person.email,
              }
            : {}),
        };
  return {
    id: person.id,
    connected_at: token.connectedAt,
    properties: { nickname: person.nickname },
    kakao_account: {
      profile_nickname_needs_agreement: false,
      profile: { nickname: person.nickname, is_default_nickname: false },
      ...emailFields,
    },
  };
}
