import { toGatehouseError, type GatehouseError } from "./errors";
import type { StoredTokens, TokenStore } from "./token-store";
import type { Session } from "./types";

export type SessionChangeReason =
  /** signUp or signIn answered. */
  | "signedIn"
  /** A refresh gave a new pair. */
  | "refreshed"
  /** verifyEmail or changePassword gave a fresh access token. */
  | "accessTokenUpdated"
  /** hooks.setAccessToken / hooks.setRefreshToken. */
  | "set"
  /** signOut answered (or the server said the session is gone). */
  | "signedOut"
  /** hooks.clear(). */
  | "cleared"
  /** The refresh token was refused: the session is over. `error` says why. */
  | "refreshFailed"
  /** Another tab changed the shared store. */
  | "otherTab";

export interface SessionChange {
  reason: SessionChangeReason;
  error?: GatehouseError;
}

/** `tokens` is null once signed out. Called only when the tokens actually changed. */
export type SessionListener = (tokens: StoredTokens | null, change: SessionChange) => void;

/** The part of the Web Locks API the SDK uses (`navigator.locks`). */
export interface LocksLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: unknown) => void) | null;
  close(): void;
  unref?: () => void;
}
type ChannelConstructor = new (name: string) => ChannelLike;

export interface SessionManagerOptions {
  store: TokenStore;
  /** Exchanges a refresh token for a new pair (clientAuth.refresh, outside the auth link). */
  refresh: (refreshToken: string) => Promise<Session>;
  /** Web Locks; default `navigator.locks` where present. `null` turns cross-tab locking off. */
  locks?: LocksLike | null;
  /** Refresh this long before the access token expires. */
  refreshLeewayMs: number;
  lockName: string;
  channelName: string;
}

export const tokensOfSession = (
  session: Pick<Session, "accessToken" | "accessTokenExpiresAt" | "refreshToken" | "refreshTokenExpiresAt">,
): StoredTokens => ({
  accessToken: session.accessToken,
  accessTokenExpiresAt: session.accessTokenExpiresAt,
  refreshToken: session.refreshToken,
  refreshTokenExpiresAt: session.refreshTokenExpiresAt,
});

const emptyTokens: StoredTokens = { accessToken: null, accessTokenExpiresAt: null, refreshToken: null, refreshTokenExpiresAt: null };

function sameTokens(a: StoredTokens | null | undefined, b: StoredTokens | null): boolean {
  if (a === undefined) return false;
  if (a === null || b === null) return a === b;
  return (
    a.accessToken === b.accessToken &&
    a.accessTokenExpiresAt === b.accessTokenExpiresAt &&
    a.refreshToken === b.refreshToken &&
    a.refreshTokenExpiresAt === b.refreshTokenExpiresAt
  );
}

/** A refusal of the refresh token itself; 429 and 5xx are passing troubles that keep the session. */
const endsSession = (error: GatehouseError) => error.status >= 400 && error.status < 500 && error.status !== 429;

/**
 * Holds the session: reads and writes the token store (in call order), tells listeners of
 * changes, and refreshes single-flight: one shared promise within the page and, for stores
 * shared between tabs, one Web Lock across tabs, re-reading the store under the lock because
 * another tab may have refreshed already.
 */
export class SessionManager {
  private readonly listeners = new Set<SessionListener>();
  /** What listeners last heard; undefined until first known. */
  private last: StoredTokens | null | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private inflight: Promise<StoredTokens | null> | undefined;
  private readonly locks: LocksLike | null;
  private readonly channel: ChannelLike | undefined;
  private readonly unsubscribeStore: (() => void) | undefined;

  constructor(private readonly options: SessionManagerOptions) {
    const { store } = options;
    const globals = globalThis as { navigator?: { locks?: LocksLike }; BroadcastChannel?: ChannelConstructor };
    this.locks = store.shared ? (options.locks === undefined ? (globals.navigator?.locks ?? null) : options.locks) : null;
    if (store.shared && typeof globals.BroadcastChannel === "function") {
      const channel = new globals.BroadcastChannel(options.channelName);
      channel.onmessage = () => void this.syncFromStore();
      // Node keeps the process alive for an open channel; a browser has no unref.
      channel.unref?.();
      this.channel = channel;
    }
    this.unsubscribeStore = store.subscribe?.(() => void this.syncFromStore());
  }

  /** Runs store operations one after another, in the order they were asked for. */
  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  read(): Promise<StoredTokens | null> {
    return this.serial(async () => {
      const tokens = await this.options.store.get();
      if (this.last === undefined) this.last = tokens;
      return tokens;
    });
  }

  private emit(tokens: StoredTokens | null, change: SessionChange): void {
    if (sameTokens(this.last, tokens)) return;
    this.last = tokens;
    for (const listener of [...this.listeners]) {
      try {
        listener(tokens, change);
      } catch {
        // A listener's fault must not break the call that changed the session.
      }
    }
  }

  /** Writes `update(current)` and tells listeners (and, for shared stores, the other tabs). */
  private update(update: (current: StoredTokens | null) => StoredTokens | null, change: SessionChange): Promise<StoredTokens | null> {
    return this.serial(async () => {
      const current = await this.options.store.get();
      if (this.last === undefined) this.last = current;
      const next = update(current);
      if (sameTokens(current, next)) {
        this.emit(next, change);
        return next;
      }
      await this.options.store.set(next);
      this.emit(next, change);
      this.channel?.postMessage({ type: "gatehouse-session-changed" });
      return next;
    });
  }

  private async syncFromStore(): Promise<void> {
    const tokens = await this.serial(() => this.options.store.get());
    this.emit(tokens, { reason: "otherTab" });
  }

  setSession(session: Parameters<typeof tokensOfSession>[0], reason: SessionChangeReason): Promise<StoredTokens | null> {
    return this.update(() => tokensOfSession(session), { reason });
  }

  setAccessToken(
    accessToken: string,
    accessTokenExpiresAt: string | null,
    reason: SessionChangeReason = "set",
  ): Promise<StoredTokens | null> {
    return this.update((current) => ({ ...(current ?? emptyTokens), accessToken, accessTokenExpiresAt }), { reason });
  }

  setRefreshToken(
    refreshToken: string,
    refreshTokenExpiresAt: string | null,
    reason: SessionChangeReason = "set",
  ): Promise<StoredTokens | null> {
    return this.update((current) => ({ ...(current ?? emptyTokens), refreshToken, refreshTokenExpiresAt }), { reason });
  }

  async clear(reason: SessionChangeReason = "cleared", error?: GatehouseError): Promise<void> {
    await this.update(() => null, error ? { reason, error } : { reason });
  }

  onSessionChange(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private expiresSoon(tokens: StoredTokens): boolean {
    if (!tokens.accessTokenExpiresAt) return false;
    const expiresAt = Date.parse(tokens.accessTokenExpiresAt);
    return Number.isFinite(expiresAt) && expiresAt - Date.now() <= this.options.refreshLeewayMs;
  }

  /** The token to send now, refreshed first when it is missing or about to expire. */
  async accessTokenForCall(): Promise<string | null> {
    const tokens = await this.read();
    if (!tokens) return null;
    if (tokens.accessToken && !this.expiresSoon(tokens)) return tokens.accessToken;
    if (!tokens.refreshToken) return tokens.accessToken;
    try {
      const fresh = await this.refreshOnce(tokens.accessToken);
      return fresh ? fresh.accessToken : null;
    } catch {
      // The server could not refresh right now; the old token may still be good for a moment.
      return tokens.accessToken;
    }
  }

  /**
   * After the server refused `rejected` with auth/Unauthenticated: a token to retry with, or
   * null when there is none (no refresh token, or the refresh was refused and the session is
   * cleared). Throws a GatehouseError when the refresh could not be done right now.
   */
  refreshAfterRejection(rejected: string | null): Promise<StoredTokens | null> {
    return this.refreshOnce(rejected);
  }

  /** One refresh at a time: concurrent callers share it. */
  refreshOnce(stale: string | null): Promise<StoredTokens | null> {
    this.inflight ??= this.exclusive(() => this.refreshNow(stale)).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.request(this.options.lockName, fn) : fn();
  }

  private async refreshNow(stale: string | null): Promise<StoredTokens | null> {
    const current = await this.read();
    if (!current?.refreshToken) return null;
    // Another call or another tab replaced the stale token while we waited: use theirs.
    if (current.accessToken && current.accessToken !== stale && !this.expiresSoon(current)) {
      this.emit(current, { reason: "otherTab" });
      return current;
    }
    let session: Session;
    try {
      session = await this.options.refresh(current.refreshToken);
    } catch (cause) {
      const error = toGatehouseError(cause);
      if (!endsSession(error)) throw error;
      // Clear only what we tried: a token written meanwhile (a sign-in) stays.
      await this.update((now) => (now?.refreshToken === current.refreshToken ? null : now), { reason: "refreshFailed", error });
      return null;
    }
    return this.setSession(session, "refreshed");
  }

  /** Closes the cross-tab channel and store subscription. */
  dispose(): void {
    this.channel?.close();
    this.unsubscribeStore?.();
    this.listeners.clear();
  }
}
