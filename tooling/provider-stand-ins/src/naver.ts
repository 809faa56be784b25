import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  answeredByMode,
  bearer,
  consentDecision,
  listen,
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
 * Naver Login's shapes (developers.naver.com, "네이버 로그인 API"): nid `/oauth2.0/authorize` and
 * `/oauth2.0/token` (state required; errors with status 200; `expires_in` a string), openapi
 * `/v1/nid/me` (`resultcode "00"` or a failure). No PKCE: Naver has none. One server answers both
 * hosts (OAUTH_NAVER_AUTH_URL and OAUTH_NAVER_API_URL both point at it).
 */

export interface NaverApp {
  clientId: string;
  clientSecret: string;
}

export interface NaverPerson {
  /** Who the person is at Naver; the `id` an app sees is derived from it and the app's client id. */
  key: string;
  email?: string;
  name?: string;
  nickname?: string;
  mobile?: string;
}

export interface NaverStandIn extends StandInBase {
  registerApp(app: NaverApp): void;
  /** The person every following sign-in returns (until changed). */
  signInAs(person: NaverPerson): void;
  /** An access token as Naver's native SDKs hand one to an app (for `signInWithToken` tests). */
  issueAccessToken(input: { clientId: string; person: NaverPerson }): string;
  /** The `response.id` this app sees for the person (Naver ids are per application). */
  idFor(clientId: string, person: NaverPerson): string;
}

export const defaultNaverPerson: NaverPerson = {
  key: "naver-demo",
  email: "demo@naver.example",
  name: "Lee Demo",
  nickname: "demo",
  mobile: "010-0000-0000",
};

const ACCESS_TTL = 3600;

interface IssuedCode {
  clientId: string;
  state: string;
  person: NaverPerson;
}

/** Naver answers token errors with HTTP 200 and an `error` body. */
function naverError(res: ServerResponse, error: string, description: string): void {
  sendJson(res, 200, { error, error_description: description });
}

function naverIdFor(clientId: string, person: NaverPerson): string {
  return createHash("sha256").update(`${clientId}\0${person.key}`).digest("base64url").slice(0, 43);
}

export async function startNaverStandIn(options: StandInOptions = {}): Promise<NaverStandIn> {
  const consent = options.consent ?? "auto";
  const apps = new Map<string, NaverApp>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { clientId: string; person: NaverPerson; expiresAt: number }>();
  let person = defaultNaverPerson;
  let mode: StandInMode = "ok";
  const denyNext = { value: false };

  const issue = (clientId: string, who: NaverPerson): string => {
    const token = randomToken(48);
    tokens.set(token, { clientId, person: who, expiresAt: Date.now() + ACCESS_TTL * 1000 });
    return token;
  };

  const { url, stop } = await listen(async (req, res, reqUrl) => {
    const q = reqUrl.searchParams;
    if (req.method === "GET" && reqUrl.pathname === "/oauth2.0/authorize") {
      const app = apps.get(q.get("client_id") ?? "");
      const redirectUri = q.get("redirect_uri");
      const state = q.get("state");
      if (!app || !redirectUri || !state || q.get("response_type") !== "code") {
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
        res.end(
          "<html><body>잘못된 요청입니다 (invalid request: client_id, redirect_uri, response_type=code and state are required)</body></html>",
        );
        return;
      }
      const back = new URL(redirectUri);
      const decision = consentDecision(consent, reqUrl, denyNext);
      if (decision === "show") return sendConsentPage(res, "Naver", reqUrl, `${person.name ?? person.key} (${person.email ?? "no email"})`);
      if (decision === "deny") {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "Canceled By User");
      } else {
        const code = randomToken(12);
        codes.set(code, { clientId: app.clientId, state, person });
        back.searchParams.set("code", code);
      }
      back.searchParams.set("state", state);
      return redirect(res, back);
    }

    if (answeredByMode(mode, res)) return;

    if ((req.method === "POST" || req.method === "GET") && reqUrl.pathname === "/oauth2.0/token") {
      // Naver reads its parameters from the query string or a form body alike.
      const params = new URLSearchParams(q);
      if (req.method === "POST") for (const [k, v] of await readForm(req)) params.set(k, v);
      if (params.get("grant_type") !== "authorization_code") {
        return naverError(res, "unsupported_grant_type", "grant_type is not supported");
      }
      const app = apps.get(params.get("client_id") ?? "");
      if (!app) return naverError(res, "invalid_request", "client_id is invalid");
      if (params.get("client_secret") !== app.clientSecret) return naverError(res, "invalid_client", "client_secret is invalid");
      const state = params.get("state");
      if (!state) return naverError(res, "invalid_request", "state is required");
      const code = params.get("code") ?? "";
      const issued = codes.get(code);
      codes.delete(code);
      if (!issued || issued.clientId !== app.clientId || issued.state !== state) {
        return naverError(res, "invalid_request", "no valid data in session");
      }
      return sendJson(res, 200, {
        access_token: issue(app.clientId, issued.person),
        refresh_token: randomToken(24),
        token_type: "bearer",
        // A string, as Naver sends it.
        expires_in: String(ACCESS_TTL),
      });
    }

    if (req.method === "GET" && reqUrl.pathname === "/v1/nid/me") {
      const token = tokens.get(bearer(req) ?? "");
      if (!token || token.expiresAt <= Date.now()) {
        return sendJson(res, 401, { resultcode: "024", message: "Authentication failed", response: null });
      }
      const who = token.person;
      return sendJson(res, 200, {
        resultcode: "00",
        message: "success",
        response: {
          id: naverIdFor(token.clientId, who),
          ...(who.email !== undefined ? { email: who.email } : {}),
          ...(who.name !== undefined ? { name: who.name } : {}),
          ...(who.nickname !== undefined ? { nickname: who.nickname } : {}),
          ...(who.mobile !== undefined ? { mobile: who.mobile } : {}),
        },
      });
    }

    sendJson(res, 404, { resultcode: "404", message: "not found" });
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
      apps.set(app.clientId, app);
    },
    signInAs: (next) => {
      person = next;
    },
    issueAccessToken: ({ clientId, person: who }) => issue(clientId, who),
    idFor: naverIdFor,
  };
}
