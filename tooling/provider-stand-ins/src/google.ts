import type { IncomingMessage } from "node:http";
import { generateKeyPair, SignJWT } from "jose";
import { OAuth2Issuer, OAuth2Service, type MutableRedirectUri, type MutableResponse, type MutableToken } from "oauth2-mock-server";
import {
  answeredByMode,
  consentDecision,
  DECISION_PARAM,
  listen,
  redirect,
  sendConsentPage,
  sendJson,
  type StandInBase,
  type StandInMode,
  type StandInOptions,
} from "./http";

/**
 * Google's OpenID Connect issuer, played by oauth2-mock-server (discovery, JWKS, RS256 id_tokens
 * carrying the authorize request's nonce) behind a thin node:http front that adds what the mock
 * leaves out: the person to sign in as, single-use codes bound to their redirect_uri and client,
 * PKCE required once a challenge was sent, a bearer-checked userinfo, consent, deny and failure modes.
 */

export interface GooglePerson {
  sub: string;
  email?: string;
  email_verified?: boolean;
  /** Google Workspace domain (only for Workspace accounts). */
  hd?: string;
  name?: string;
}

export interface GoogleStandIn extends StandInBase {
  /** The issuer (equal to `url`): what OAUTH_GOOGLE_ISSUER points at and id_tokens carry as `iss`. */
  issuer: string;
  /** The person every following sign-in returns (until changed). */
  signInAs(person: GooglePerson): void;
  /** Registers a web client; once any is registered, the token endpoint checks client_id and client_secret. */
  registerClient(client: { clientId: string; clientSecret: string }): void;
  /**
   * An id_token as Google Sign-In hands one to a native app, signed by the issuer's current key.
   * `claims` override the current person's and the defaults (`iss`, `iat` now, `exp` in an hour).
   */
  mintIdToken(claims: { aud: string | string[] } & Record<string, unknown>, options?: { expiresInSeconds?: number }): Promise<string>;
  /** Like mintIdToken but signed by a key that is NOT in the JWKS (under the current `kid` unless given). */
  forgeIdToken(claims: { aud: string | string[] } & Record<string, unknown>, options?: { kid?: string }): Promise<string>;
  /** The next token answer's id_token gets a signature that no published key made (claims untouched). */
  tamperNextIdToken(): void;
  /** Publishes a new signing key and signs native tokens with it from now on; returns its `kid`. */
  rotateKey(): Promise<string>;
}

export const defaultGooglePerson: GooglePerson = {
  sub: "100000000000000000001",
  email: "demo.person@gmail.com",
  email_verified: true,
  name: "Demo Person",
};

interface IssuedCode {
  person: GooglePerson;
  redirectUri: string;
  clientId: string;
  challenge: boolean;
}

/** The claims an id_token (or userinfo) carries for a person. */
function personClaims(person: GooglePerson): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: person.sub };
  if (person.email !== undefined) {
    claims.email = person.email;
    claims.email_verified = person.email_verified ?? false;
  }
  if (person.hd !== undefined) claims.hd = person.hd;
  if (person.name !== undefined) claims.name = person.name;
  return claims;
}

export async function startGoogleStandIn(options: StandInOptions = {}): Promise<GoogleStandIn> {
  const consent = options.consent ?? "auto";
  const issuer = new OAuth2Issuer();
  let currentKid = (await issuer.keys.generate("RS256")).kid;
  const service = new OAuth2Service(issuer);
  const clients = new Map<string, string>();
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, GooglePerson>();
  let person = defaultGooglePerson;
  let mode: StandInMode = "ok";
  const denyNext = { value: false };
  const forgeKey = await generateKeyPair("RS256");
  const tamperNext = { value: false };

  service.on("beforeAuthorizeRedirect", (redirectUri: MutableRedirectUri, req: IncomingMessage & { query: Record<string, unknown> }) => {
    const code = redirectUri.url.searchParams.get("code");
    if (!code) return;
    codes.set(code, {
      person,
      redirectUri: String(req.query.redirect_uri),
      clientId: String(req.query.client_id),
      challenge: typeof req.query.code_challenge === "string" && req.query.code_challenge !== "",
    });
  });

  service.on("beforeTokenSigning", (token: MutableToken, req: IncomingMessage & { body: Record<string, unknown> }) => {
    const issued = typeof req.body.code === "string" ? codes.get(req.body.code) : undefined;
    const who = issued?.person ?? person;
    // The id_token is the one with an audience; the access token only gets the subject.
    if ("aud" in token.payload) Object.assign(token.payload, personClaims(who));
    else token.payload.sub = who.sub;
  });

  service.on("beforeResponse", (response: MutableResponse, req: IncomingMessage & { body: Record<string, unknown> }) => {
    const body = req.body;
    const refuse = (status: number, error: string, description: string) => {
      response.statusCode = status;
      response.body = { error, error_description: description };
    };
    if (body.grant_type !== "authorization_code") return refuse(400, "unsupported_grant_type", "Only authorization_code here.");
    const code = typeof body.code === "string" ? body.code : "";
    const issued = codes.get(code);
    codes.delete(code);
    if (!issued) return refuse(400, "invalid_grant", "Malformed auth code.");
    if (clients.size > 0 && clients.get(String(body.client_id)) !== body.client_secret) {
      return refuse(401, "invalid_client", "The OAuth client was not found.");
    }
    if (issued.clientId !== body.client_id) return refuse(400, "invalid_grant", "Malformed auth code.");
    if (issued.redirectUri !== body.redirect_uri) return refuse(400, "redirect_uri_mismatch", "Bad Request");
    if (issued.challenge && typeof body.code_verifier !== "string") return refuse(400, "invalid_grant", "Missing code verifier.");
    if (response.body !== "" && typeof response.body.access_token === "string") {
      accessTokens.set(response.body.access_token, issued.person);
    }
    if (tamperNext.value && response.body !== "" && typeof response.body.id_token === "string") {
      tamperNext.value = false;
      // Same header and claims, another signature: what a token forged in transit looks like.
      const [header, payload, signature] = response.body.id_token.split(".");
      response.body.id_token = `${header}.${payload}.${[...signature!].reverse().join("")}`;
    }
  });

  service.on("beforeUserinfo", (response: MutableResponse, req: IncomingMessage) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const who = token ? accessTokens.get(token) : undefined;
    if (!who) {
      response.statusCode = 401;
      response.body = { error: "invalid_token", error_description: "Invalid Credentials" };
      return;
    }
    response.body = personClaims(who);
  });

  const handle = service.requestHandler;
  const { url, stop } = await listen((req, res, reqUrl) => {
    if (req.method === "GET" && reqUrl.pathname === "/authorize") {
      const redirectUri = reqUrl.searchParams.get("redirect_uri");
      if (!redirectUri || !URL.canParse(redirectUri))
        return sendJson(res, 400, { error: "invalid_request", error_description: "Missing redirect_uri." });
      if (clients.size > 0 && !clients.has(reqUrl.searchParams.get("client_id") ?? "")) {
        // Google shows its own "Error 401: invalid_client" page here, never redirecting.
        return sendJson(res, 401, { error: "invalid_client", error_description: "The OAuth client was not found." });
      }
      const decision = consentDecision(consent, reqUrl, denyNext);
      if (decision === "show")
        return sendConsentPage(res, "Google", reqUrl, `${person.name ?? person.sub} (${person.email ?? "no email"})`);
      if (decision === "deny") {
        const back = new URL(redirectUri);
        back.searchParams.set("error", "access_denied");
        const state = reqUrl.searchParams.get("state");
        if (state !== null) back.searchParams.set("state", state);
        return redirect(res, back);
      }
      reqUrl.searchParams.delete(DECISION_PARAM);
      req.url = `${reqUrl.pathname}${reqUrl.search}`;
      return handle(req, res);
    }
    if (answeredByMode(mode, res)) return;
    return handle(req, res);
  }, options);
  issuer.url = url;

  const baseClaims = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: url, iat: now, exp: now + 3600, ...personClaims(person) };
  };

  return {
    url,
    issuer: url,
    stop,
    setMode: (next) => {
      mode = next;
    },
    deny: () => {
      denyNext.value = true;
    },
    tamperNextIdToken: () => {
      tamperNext.value = true;
    },
    signInAs: (next) => {
      person = next;
    },
    registerClient: ({ clientId, clientSecret }) => {
      clients.set(clientId, clientSecret);
    },
    mintIdToken: (claims, opts) =>
      issuer.buildToken({
        kid: currentKid,
        ...(opts?.expiresInSeconds !== undefined ? { expiresIn: opts.expiresInSeconds } : {}),
        scopesOrTransform: (_header, payload) => {
          Object.assign(payload, personClaims(person), claims);
        },
      }),
    forgeIdToken: (claims, opts) =>
      new SignJWT({ ...baseClaims(), ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: opts?.kid ?? currentKid })
        .sign(forgeKey.privateKey),
    rotateKey: async () => {
      currentKid = (await issuer.keys.generate("RS256")).kid;
      return currentKid;
    },
  };
}
