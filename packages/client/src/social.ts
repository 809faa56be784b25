import { errorCatalogue, isAppCode as isCatalogueAppCode, socialRedirectErrors } from "@gatehouse/contract/app-codes";
import { GatehouseError, type GatehouseErrorInit, type GatehouseErrorOf } from "./errors";
import type { ApiResult, CallOptions, FacadeOf } from "./facades";
import { socialRedirectErrorCodes, type ErrorOf, type SocialCallbackErrorCode } from "./procedure-errors";
import type { StorageLike } from "./token-store";
import type { RouterInputs, RouterOutputs, User } from "./types";

/** `"google"`, `"kakao"` or `"naver"`. */
export type SocialProvider = RouterInputs["clientSocial"]["start"]["provider"];

export interface SocialStartOptions extends CallOptions {
  tenantKey: string;
  provider: SocialProvider;
  /** Where the provider round trip ends: exactly one of the tenant's `redirectUris` (your callback page). */
  redirectUri: string;
  /**
   * Send the browser to the provider (`location.assign`) once the URL is known. Default: true
   * where there is a `location` (a browser page); false answers the URL instead.
   */
  redirect?: boolean;
}

/** `start`'s answer: the provider's authorization URL and when this round trip's state dies. */
export type SocialStartResult = RouterOutputs["clientSocial"]["start"];

/** A finished social sign-in: the user (the session is stored by then) and whether it was created now. */
export interface SocialSignIn {
  user: User;
  isNewUser: boolean;
}

/**
 * `signInWithToken`'s body: Google takes the `idToken` Google Sign-In gave the app, Kakao and Naver
 * the `accessToken` of their SDKs (the wrong kind does not compile; the server answers it 400).
 */
export type SignInWithTokenBody =
  { tenantKey: string; provider: "google"; idToken: string } | { tenantKey: string; provider: "kakao" | "naver"; accessToken: string };

type Raw = FacadeOf<"clientSocial">;

/**
 * Social sign-in with Google, Kakao and Naver (CONTRACT v2 "clientSocial"). In a browser:
 * `start` on the sign-in page, `handleCallback` on the page `redirectUri` names. In a native app:
 * `signInWithToken` with the provider SDK's token. Every answer is `{ data, error }`, as the
 * other facades'; the session `handleCallback` (`exchange`) or `signInWithToken` answers is stored.
 */
export interface ClientSocialFacade {
  /**
   * Starts a browser sign-in: makes a `state` and a PKCE verifier (32 random bytes each,
   * base64url; the S256 challenge goes to Gatehouse), keeps them in the social storage
   * (sessionStorage by default) until the callback, asks Gatehouse for the provider's URL and goes
   * there. Where the page navigates away, the answer only matters for its `error`.
   */
  start(options: SocialStartOptions): Promise<ApiResult<SocialStartResult, ErrorOf<"clientSocial.start">>>;
  /**
   * Finishes a browser sign-in on the callback page: `url` (default `location.href`) carries
   * `code` and `state`, or `error` and `state`. A `state` this browser did not store is
   * `social/InvalidState`, answered without a call; `error=<appCode>` is that code (an unknown
   * one `client/UnexpectedAppCode`); otherwise the code and the stored verifier go to `exchange`
   * and the session is stored. Removes `code`, `state` and `error` from the address bar. The
   * stored state is spent by any answer except a failure to reach Gatehouse (status 0), after
   * which the same `url` may be tried again. Concurrent calls for one URL share one exchange.
   */
  handleCallback(url?: string | URL, options?: CallOptions): Promise<ApiResult<SocialSignIn, SocialCallbackErrorCode>>;
  /** `clientSocial.exchange` itself (handleCallback calls it): the code, the verifier, the tenant. */
  exchange: Raw["exchange"];
  /** Native apps: signs in with the provider SDK's token (`idToken` for Google, `accessToken` for Kakao and Naver). */
  signInWithToken(
    args: CallOptions & { body: SignInWithTokenBody },
  ): Promise<ApiResult<RouterOutputs["clientSocial"]["signInWithToken"], ErrorOf<"clientSocial.signInWithToken">>>;
  /** The signed-in user's linked provider accounts. */
  listIdentities: Raw["listIdentities"];
}

/** What `start` keeps for the callback, by state. */
interface PendingSignIn {
  codeVerifier: string;
  provider: SocialProvider;
  redirectUri: string;
  tenantKey: string;
  /** Epoch ms; the server forgets the state then too. */
  expiresAt: number;
}

const STORAGE_KEY = "gatehouse.social";
/** The server's state lifetime (SOCIAL_STATE_TTL_SECONDS' default), until its answer says. */
const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 bytes from the platform's CSPRNG: 256 bits, 43 base64url characters. */
const randomToken = () => base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA-256(ASCII(verifier))). */
async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

/** A StorageLike in this page's memory: where there is no sessionStorage (tests, server rendering). */
export function memoryStorage(): StorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The pending sign-ins, by state, in one storage entry; expired ones are left out. */
class PendingStore {
  constructor(private readonly storage: () => StorageLike) {}

  private readAll(): Record<string, PendingSignIn> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.storage().getItem(STORAGE_KEY) ?? "{}");
    } catch {
      return {};
    }
    if (typeof parsed !== "object" || parsed === null) return {};
    const live: Record<string, PendingSignIn> = {};
    for (const [state, entry] of Object.entries(parsed as Record<string, Partial<PendingSignIn>>)) {
      if (typeof entry?.codeVerifier === "string" && typeof entry.tenantKey === "string" && Number(entry.expiresAt) > Date.now()) {
        live[state] = entry as PendingSignIn;
      }
    }
    return live;
  }

  private writeAll(all: Record<string, PendingSignIn>): void {
    if (Object.keys(all).length === 0) this.storage().removeItem(STORAGE_KEY);
    else this.storage().setItem(STORAGE_KEY, JSON.stringify(all));
  }

  put(state: string, entry: PendingSignIn): void {
    this.writeAll({ ...this.readAll(), [state]: entry });
  }

  /** Undefined too when the storage cannot be read (blocked site data): the callback then cannot be trusted. */
  get(state: string): PendingSignIn | undefined {
    try {
      const all = this.readAll();
      return Object.hasOwn(all, state) ? all[state] : undefined;
    } catch {
      return undefined;
    }
  }

  remove(state: string): void {
    try {
      const all = this.readAll();
      delete all[state];
      this.writeAll(all);
    } catch {
      // A storage that cannot write now keeps an entry that expires by itself.
    }
  }
}

/** A GatehouseError the SDK makes for a code the server would answer (or the redirect carried). */
function localError<C extends SocialCallbackErrorCode>(appCode: C, message?: string): GatehouseErrorOf<C> {
  const known = isCatalogueAppCode(appCode) ? errorCatalogue[appCode] : undefined;
  const redirectOnly = Object.hasOwn(socialRedirectErrors, appCode)
    ? socialRedirectErrors[appCode as keyof typeof socialRedirectErrors]
    : undefined;
  return new GatehouseError({
    appCode,
    // The catalogue's status for its codes; the redirect-only ones were never an HTTP answer.
    status: known?.status ?? 0,
    message: message ?? known?.message ?? redirectOnly?.message ?? "Social sign-in failed.",
    path: "clientSocial.handleCallback",
  } as GatehouseErrorInit<C>) as GatehouseErrorOf<C>;
}

/** The redirect's `error=` as a typed error, or `client/UnexpectedAppCode` for a value this SDK does not expect there. */
function redirectError(value: string): GatehouseErrorOf<SocialCallbackErrorCode> {
  if ((socialRedirectErrorCodes as readonly string[]).includes(value)) {
    return localError(value as (typeof socialRedirectErrorCodes)[number]) as GatehouseErrorOf<SocialCallbackErrorCode>;
  }
  return new GatehouseError({
    appCode: "client/UnexpectedAppCode",
    serverAppCode: value.slice(0, 100),
    status: 0,
    message: "The sign-in came back with an error this app does not know.",
    path: "clientSocial.handleCallback",
  });
}

interface Location {
  href: string;
  assign(url: string): void;
}
interface HistoryLike {
  state: unknown;
  replaceState(data: unknown, unused: string, url?: string): void;
}
const browser = () => globalThis as { location?: Location; history?: HistoryLike };

/** Takes the callback's parameters out of the address bar, so a reload or a shared link does not carry the code. */
function cleanAddressBar(url: URL): void {
  const { location, history } = browser();
  if (!location || typeof history?.replaceState !== "function" || location.href !== url.href) return;
  const clean = new URL(url.href);
  for (const name of ["code", "state", "error"]) clean.searchParams.delete(name);
  history.replaceState(history.state, "", clean.href);
}

export function createClientSocial(raw: Raw, storage: () => StorageLike): ClientSocialFacade {
  const pending = new PendingStore(storage);
  /** Callbacks being handled, by their URL: StrictMode's second effect (or a second caller) joins the first. */
  const handling = new Map<string, Promise<ApiResult<SocialSignIn, SocialCallbackErrorCode>>>();

  async function start({
    tenantKey,
    provider,
    redirectUri,
    redirect,
    ...call
  }: SocialStartOptions): Promise<ApiResult<SocialStartResult, ErrorOf<"clientSocial.start">>> {
    const state = randomToken();
    const codeVerifier = randomToken();
    const res = await raw.start({ ...call, body: { tenantKey, provider, redirectUri, state, codeChallenge: await s256(codeVerifier) } });
    if (res.error) return res;
    const expiresAt = Date.parse(res.data.expiresAt);
    try {
      pending.put(state, {
        codeVerifier,
        provider,
        redirectUri,
        tenantKey,
        expiresAt: Number.isFinite(expiresAt) ? expiresAt : Date.now() + DEFAULT_STATE_TTL_MS,
      });
    } catch (cause) {
      // Without the verifier the callback cannot finish: better not to leave for the provider.
      const error = new GatehouseError({
        appCode: "client/TokenStoreFailed",
        status: 0,
        message: "This browser could not keep the sign-in's state (sessionStorage is full or blocked).",
        path: "clientSocial.start",
        cause,
      });
      return { data: undefined, error };
    }
    const { location } = browser();
    if ((redirect ?? typeof location?.assign === "function") && location) location.assign(res.data.authorizationUrl);
    return res;
  }

  async function finish(url: URL, call: CallOptions): Promise<ApiResult<SocialSignIn, SocialCallbackErrorCode>> {
    const params = url.searchParams;
    const state = params.get("state");
    const entry = state === null ? undefined : pending.get(state);
    // Not started here (a forged or replayed link, another browser, or expired): no call at all.
    if (state === null || !entry) return { data: undefined, error: localError("social/InvalidState") };
    const failure = params.get("error");
    const code = params.get("code");
    if (failure !== null || !code) {
      pending.remove(state);
      return { data: undefined, error: failure !== null ? redirectError(failure) : localError("social/InvalidCode") };
    }
    const res = await raw.exchange({ ...call, body: { code, codeVerifier: entry.codeVerifier, tenantKey: entry.tenantKey } });
    // Any answer spends the code (and so the state); without one, the same URL may be tried again.
    if (!res.error || res.error.status !== 0) pending.remove(state);
    if (res.error) return res;
    return { data: { user: res.data.user, isNewUser: res.data.isNewUser }, error: undefined };
  }

  /** The address bar as the last handleCallback left it, and the URL it had before. */
  let cleaned: { href: string; original: string } | undefined;

  function handleCallback(url?: string | URL, call: CallOptions = {}): Promise<ApiResult<SocialSignIn, SocialCallbackErrorCode>> {
    let href = url === undefined ? browser().location?.href : String(url);
    if (href === undefined) throw new TypeError("handleCallback needs the callback URL outside a browser page.");
    // A second call on the page the first one cleaned (StrictMode runs effects twice) means the same callback.
    if (url === undefined && cleaned?.href === href) href = cleaned.original;
    const parsed = new URL(href);
    cleanAddressBar(parsed);
    const now = browser().location?.href;
    if (now !== undefined && now !== parsed.href) cleaned = { href: now, original: parsed.href };
    const running = handling.get(parsed.href);
    if (running) return running;
    const run = finish(parsed, call).finally(() => handling.delete(parsed.href));
    handling.set(parsed.href, run);
    return run;
  }

  return {
    start,
    handleCallback,
    exchange: raw.exchange,
    signInWithToken: (args) => raw.signInWithToken(args),
    listIdentities: raw.listIdentities,
  };
}
