import { createTRPCClient, getUntypedClient, httpLink, type TRPCClient } from "@trpc/client";
import { ACCESS_TOKEN_CONTEXT_KEY, gatehouseAuthLink } from "./auth-link";
import { deadlineLink, isTimeoutMs } from "./deadline-link";
import { UnexpectedResponseError } from "./errors";
import {
  createFacades,
  type ClientAuthFacade,
  type ClientEmailVerificationFacade,
  type ClientPasswordlessFacade,
  type ClientPasswordResetFacade,
  type ClientPhoneVerificationFacade,
} from "./facades";
import { memoryStorage, type ClientSocialFacade } from "./social";
import { SessionManager, type GatehouseWarning, type LocksLike, type SessionListener } from "./session";
import { memoryTokenStore, type StorageLike, type StoredTokens, type TokenStore } from "./token-store";
import type { ClientRouter } from "./types";

/** `fetch` or anything with its shape (tRPC calls it with a URL string and an init object). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The fetch shape tRPC's HTTP link takes. */
type FetchEsque = NonNullable<Parameters<typeof httpLink>[0]["fetch"]>;

export interface GatehouseClientOptions {
  /** Where Gatehouse runs, e.g. `https://auth.example.com` (calls go to `${baseUrl}/api/trpc`). */
  baseUrl: string;
  /** Default: memoryTokenStore() (this page only). See browserStorageTokenStore for tabs. */
  tokenStore?: TokenStore;
  /** Default: globalThis.fetch. */
  fetch?: FetchLike;
  /** Refresh when the access token expires within this many seconds. Default 30. */
  refreshLeewaySeconds?: number;
  /**
   * Cross-tab lock for refreshes of a shared store. Default `navigator.locks` where present;
   * `null` for none.
   */
  locks?: LocksLike | null;
  /**
   * How long one call may take, in ms (refresh and retry included); then it answers
   * `network/Timeout`. Refreshes have it too. `0` for no limit. Default 15 000. A call's own
   * `timeoutMs` (next to `signal`) overrides it for that call.
   */
  timeoutMs?: number;
  /**
   * Hears what the app should know that is not one call's error (see GatehouseWarning), once
   * each. Default: console.warn.
   */
  onWarning?: (warning: GatehouseWarning) => void;
  /**
   * Where `ClientSocial.start` keeps the state and PKCE verifier until the callback page (the
   * same tab, after the provider's pages). Default `sessionStorage` where there is one, else this
   * page's memory.
   */
  socialStorage?: StorageLike;
}

export interface GatehouseHooks {
  /** Stores an access token (and when it expires, ISO-8601, so it is refreshed in time). */
  setAccessToken(accessToken: string, accessTokenExpiresAt?: string | null): Promise<void>;
  setRefreshToken(refreshToken: string, refreshTokenExpiresAt?: string | null): Promise<void>;
  /** Forgets the session locally (use ClientAuth.signOut to end it on the server too). */
  clear(): Promise<void>;
  /** Called whenever the tokens change; with null once the session is gone. Returns an unsubscribe. */
  onSessionChange(listener: SessionListener): () => void;
  /** The stored tokens, or null when signed out. */
  getTokens(): Promise<StoredTokens | null>;
  /**
   * Rotates the stored session now, or joins the refresh already running (never presenting one
   * refresh token twice). Null if there is no session or the server refused the refresh token
   * (the session is then cleared); rejects with a GatehouseError when it could not be done now.
   */
  refresh(): Promise<StoredTokens | null>;
}

export interface GatehouseClient {
  /** The typed tRPC client of the end-user API (the auth link is in it). */
  trpc: TRPCClient<ClientRouter>;
  ClientAuth: ClientAuthFacade;
  ClientEmailVerification: ClientEmailVerificationFacade;
  /** Email-code sign-in and sign-up; needs the tenant's `emailCodeSignIn`. */
  ClientPasswordless: ClientPasswordlessFacade;
  /** Sign-in with Google, Kakao or Naver: `start` and `handleCallback` in a browser, `signInWithToken` in a native app. */
  ClientSocial: ClientSocialFacade;
  /** A verified phone number for the signed-in user: `sendCode` texts a code, `verifyPhone` proves it. */
  ClientPhoneVerification: ClientPhoneVerificationFacade;
  /** Forgot password, by SMS or email: a code, then a short-lived reset token, then the new password. */
  ClientPasswordReset: ClientPasswordResetFacade;
  hooks: GatehouseHooks;
  /** Closes the cross-tab channel; the client must not be used afterwards. */
  dispose(): void;
}

/**
 * Keeps the status of answers tRPC cannot read (an HTML error page from a proxy, say), which it
 * would otherwise report as a bare JSON parse error. The content type is not trusted either way:
 * some of the server's own error answers are JSON sent as text/plain.
 */
function statusKeepingFetch(fetchImpl: FetchLike): FetchEsque {
  return async (input, init) => {
    const response = await fetchImpl(input, init as RequestInit | undefined);
    return {
      ok: response.ok,
      status: response.status,
      headers: response.headers,
      json: async () => {
        try {
          return (await response.json()) as unknown;
        } catch {
          throw new UnexpectedResponseError(response.status);
        }
      },
    };
  };
}

export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/api/trpc`;
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!isTimeoutMs(timeoutMs)) throw new RangeError(`timeoutMs must be a number of milliseconds ≥ 0, not ${String(timeoutMs)}.`);
  const http = httpLink({
    url,
    fetch: statusKeepingFetch(baseFetch),
    headers: ({ op }) => {
      const token = op.context[ACCESS_TOKEN_CONTEXT_KEY];
      return typeof token === "string" ? { authorization: `Bearer ${token}` } : {};
    },
  });

  // The session manager's own calls go around the auth link: a refresh must not recurse, and
  // ending a session it could not store takes that session's token, not the stored one.
  const bare = createTRPCClient<ClientRouter>({ links: [deadlineLink(timeoutMs), http] });
  const session = new SessionManager({
    store: options.tokenStore ?? memoryTokenStore(),
    refresh: (refreshToken) => bare.clientAuth.refresh.mutate({ refreshToken }),
    endSession: async ({ accessToken, refreshToken }) => {
      if (!accessToken) return;
      await bare.clientAuth.signOut.mutate(refreshToken ? { refreshToken } : undefined, {
        context: { [ACCESS_TOKEN_CONTEXT_KEY]: accessToken },
      });
    },
    ...(options.locks === undefined ? {} : { locks: options.locks }),
    refreshLeewayMs: (options.refreshLeewaySeconds ?? 30) * 1000,
    lockName: "gatehouse-refresh",
    channelName: "gatehouse-session",
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });

  const trpc = createTRPCClient<ClientRouter>({ links: [deadlineLink(timeoutMs), gatehouseAuthLink(session), http] });

  const hooks: GatehouseHooks = {
    setAccessToken: async (accessToken, accessTokenExpiresAt = null) => {
      await session.setAccessToken(accessToken, accessTokenExpiresAt);
    },
    setRefreshToken: async (refreshToken, refreshTokenExpiresAt = null) => {
      await session.setRefreshToken(refreshToken, refreshTokenExpiresAt);
    },
    clear: () => session.clear(),
    onSessionChange: (listener) => session.onSessionChange(listener),
    getTokens: () => session.read(),
    refresh: async () => (await session.refreshNow()).tokens,
  };

  // Looked up on use, like the token store's: a client made during server rendering has none yet.
  const fallbackStorage = memoryStorage();
  const socialStorage = () => options.socialStorage ?? (globalThis as { sessionStorage?: StorageLike }).sessionStorage ?? fallbackStorage;

  return {
    trpc,
    ...createFacades(getUntypedClient(trpc), socialStorage),
    hooks,
    dispose: () => session.dispose(),
  };
}
