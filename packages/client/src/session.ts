import { GatehouseError, toGatehouseError } from "./errors";
import type { StoredTokens, TokenStore } from "./token-store";
import type { Session } from "./types";

export type SessionChangeReason =
  /** signUp, signIn, email-code sign-in (verify of a known user, register) or a social sign-in (exchange, signInWithToken) answered. */
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

/**
 * Something the app should know that is not the error of one call.
 * - `crossTabLockUnavailable`: the token store is shared between tabs but there are no Web Locks
 *   (an old browser, or a page not served over https or from localhost), so two tabs can
 *   refresh at once, which the server takes for token theft: it signs the user out everywhere.
 */
export interface GatehouseWarning {
  code: "crossTabLockUnavailable";
  message: string;
}

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
  /**
   * Ends a session whose tokens arrived but could not be stored (clientAuth.signOut with those
   * tokens, outside the auth link). Best effort: its failure is ignored.
   */
  endSession?: (tokens: StoredTokens) => Promise<unknown>;
  /** Web Locks; default `navigator.locks` where present. `null` turns cross-tab locking off. */
  locks?: LocksLike | null;
  /** Refresh this long before the access token expires. */
  refreshLeewayMs: number;
  lockName: string;
  channelName: string;
  /** Default: console.warn. */
  onWarning?: (warning: GatehouseWarning) => void;
}

/** What one refresh came to. */
export interface RefreshOutcome {
  /** The tokens stored afterwards; null when there is no session (none, or the refresh was refused). */
  tokens: StoredTokens | null;
  /** The server's answer, when this refresh rotated the pair (not when another tab had). */
  session?: Session;
  /** The refusal of the refresh token. */
  error?: GatehouseError;
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

const isStoreFailure = (error: unknown): error is GatehouseError =>
  error instanceof GatehouseError && error.appCode === "client/TokenStoreFailed";

const LOCKLESS_WARNING =
  "Gatehouse: the token store is shared between tabs, but Web Locks (navigator.locks) are unavailable " +
  "(an old browser, or a page not served over https or from localhost). Two tabs may refresh the same " +
  "token at once; Gatehouse treats that as token theft and signs the user out in every tab. Serve the " +
  "app over https, or keep tokens per tab (memoryTokenStore(), or browserStorageTokenStore({ storage: sessionStorage })).";

/**
 * Holds the session: reads and writes the token store (in call order), tells listeners of
 * changes, and refreshes single-flight: one refresh at a time within the page (concurrent
 * callers share it) and, for stores shared between tabs, one Web Lock across tabs, re-reading
 * the store under the lock because another tab may have refreshed already.
 */
export class SessionManager {
  private readonly listeners = new Set<SessionListener>();
  /** What listeners last heard; undefined until first known. */
  private last: StoredTokens | null | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The refresh automatic callers join, while it runs. */
  private flight: Promise<RefreshOutcome> | undefined;
  /** Every exchange of a refresh token, one after another (so two never overlap in this page). */
  private exchanges: Promise<unknown> = Promise.resolve();
  private readonly locks: LocksLike | null;
  private readonly channel: ChannelLike | undefined;
  private readonly unsubscribeStore: (() => void) | undefined;
  private warned = false;

  constructor(private readonly options: SessionManagerOptions) {
    const { store } = options;
    const globals = globalThis as { navigator?: { locks?: LocksLike }; BroadcastChannel?: ChannelConstructor; document?: unknown };
    this.locks = store.shared ? (options.locks === undefined ? (globals.navigator?.locks ?? null) : options.locks) : null;
    if (store.shared && typeof globals.BroadcastChannel === "function") {
      const channel = new globals.BroadcastChannel(options.channelName);
      channel.onmessage = () => void this.syncFromStore();
      // Node keeps the process alive for an open channel; a browser has no unref.
      channel.unref?.();
      this.channel = channel;
    }
    this.unsubscribeStore = store.subscribe?.(() => void this.syncFromStore());
    // In a page, say it at once so it shows during development; elsewhere (server-side
    // rendering, which never refreshes for a tab) only when a refresh runs without the lock.
    if (globals.document !== undefined) this.warnIfLockless();
  }

  private warnIfLockless(): void {
    if (this.warned || !this.options.store.shared || this.locks) return;
    this.warned = true;
    const warning: GatehouseWarning = { code: "crossTabLockUnavailable", message: LOCKLESS_WARNING };
    try {
      (this.options.onWarning ?? ((w: GatehouseWarning) => console.warn(w.message)))(warning);
    } catch {
      // The app's handler must not break the refresh that triggered it.
    }
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

  /**
   * Writes `update(current)` and tells listeners (and, for shared stores, the other tabs).
   * A store that cannot write gives `client/TokenStoreFailed`, its own error as the cause.
   */
  private update(update: (current: StoredTokens | null) => StoredTokens | null, change: SessionChange): Promise<StoredTokens | null> {
    return this.serial(async () => {
      const current = await this.options.store.get();
      if (this.last === undefined) this.last = current;
      const next = update(current);
      if (sameTokens(current, next)) {
        this.emit(next, change);
        return next;
      }
      try {
        await this.options.store.set(next);
      } catch (cause) {
        throw new GatehouseError({
          appCode: "client/TokenStoreFailed",
          status: 0,
          message: "The token store could not save the session.",
          cause,
        });
      }
      this.emit(next, change);
      this.channel?.postMessage({ type: "gatehouse-session-changed" });
      return next;
    });
  }

  private async syncFromStore(): Promise<void> {
    const tokens = await this.serial(() => this.options.store.get());
    this.emit(tokens, { reason: "otherTab" });
  }

  /**
   * Stores a session the server just opened or rotated. If the store cannot keep it, nobody
   * holds its tokens: it is ended on the server (best effort) rather than left live for
   * weeks, and the store's error is thrown.
   */
  async setSession(session: Parameters<typeof tokensOfSession>[0], reason: SessionChangeReason): Promise<StoredTokens | null> {
    const tokens = tokensOfSession(session);
    try {
      return await this.update(() => tokens, { reason });
    } catch (error) {
      if (isStoreFailure(error)) await this.options.endSession?.(tokens).catch(() => undefined);
      throw error;
    }
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

  /**
   * The tokens to call with now (null when signed out), refreshed first when the access token
   * is missing or about to expire.
   */
  async tokensForCall(): Promise<StoredTokens | null> {
    const tokens = await this.read();
    if (!tokens) return null;
    if ((tokens.accessToken && !this.expiresSoon(tokens)) || !tokens.refreshToken) return tokens;
    try {
      return (await this.refreshAfter(tokens)).tokens;
    } catch {
      // The server could not refresh right now; the old token may still be good for a moment.
      return tokens;
    }
  }

  /**
   * An automatic refresh: the tokens `seen` were refused (401 auth/Unauthenticated) or are about
   * to expire. Joins the refresh already running, if any; otherwise refreshes, unless the store
   * changed since `seen` (another call or tab refreshed). Throws a GatehouseError when the
   * refresh could not be done right now (network, timeout, 429, 5xx); the session is kept.
   */
  refreshAfter(seen: StoredTokens): Promise<RefreshOutcome> {
    return this.flight ?? this.startFlight(seen);
  }

  /**
   * A refresh the app asked for (hooks.refresh, clientAuth.refresh with the stored token or none):
   * joins the refresh already running when that one rotated the pair, else rotates the stored
   * refresh token itself, in turn with every other refresh.
   */
  async refreshNow(): Promise<RefreshOutcome> {
    for (;;) {
      const running = this.flight;
      if (!running) return this.startFlight(null);
      const outcome = await running;
      if (outcome.session || !outcome.tokens) return outcome;
      // That refresh took another tab's pair: rotate ourselves, so the caller gets a Session.
    }
  }

  /**
   * clientAuth.refresh as the app called it. `given` is the body's refresh token. Null when
   * there is nothing to refresh (no stored session and no token given).
   */
  async refreshForApp(given: string | undefined): Promise<RefreshOutcome | null> {
    const current = await this.read();
    if (given !== undefined && given !== current?.refreshToken) {
      // A token the SDK does not hold: the app hands it a session to take over (restored from
      // its own storage, say). Exchanged in turn with every other refresh; the answer is stored.
      return this.inTurn(() => this.exchange(given));
    }
    if (!current?.refreshToken) return null;
    const outcome = await this.refreshNow();
    return outcome.session || outcome.error ? outcome : null;
  }

  private startFlight(seen: StoredTokens | null): Promise<RefreshOutcome> {
    const flight = this.inTurn(() => this.refreshStored(seen)).finally(() => {
      if (this.flight === flight) this.flight = undefined;
    });
    this.flight = flight;
    return flight;
  }

  /** One exchange at a time in this page, and across tabs under the lock. */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exchanges.then(() => this.exclusive(fn));
    this.exchanges = run.catch(() => undefined);
    return run;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locks) return this.locks.request(this.options.lockName, fn);
    this.warnIfLockless();
    return fn();
  }

  /** Under the lock: rotates the stored refresh token, unless it changed since `seen` (null: always). */
  private async refreshStored(seen: StoredTokens | null): Promise<RefreshOutcome> {
    const current = await this.read();
    if (!current?.refreshToken) return { tokens: null };
    // Another call or tab rotated while we waited: use theirs. The refresh token tells, since
    // two access tokens minted in one second may be byte-identical.
    const changed = seen !== null && (current.refreshToken !== seen.refreshToken || current.accessToken !== seen.accessToken);
    if (changed && current.accessToken && !this.expiresSoon(current)) {
      this.emit(current, { reason: "otherTab" });
      return { tokens: current };
    }
    return this.exchange(current.refreshToken);
  }

  private async exchange(refreshToken: string): Promise<RefreshOutcome> {
    let session: Session;
    try {
      session = await this.options.refresh(refreshToken);
    } catch (cause) {
      const error = toGatehouseError(cause);
      if (!endsSession(error)) throw error;
      // Clear only what we tried: a token written meanwhile (a sign-in) stays.
      const tokens = await this.update((now) => (now?.refreshToken === refreshToken ? null : now), { reason: "refreshFailed", error });
      return { tokens, error };
    }
    return { tokens: await this.setSession(session, "refreshed"), session };
  }

  /** Closes the cross-tab channel and store subscription. */
  dispose(): void {
    this.channel?.close();
    this.unsubscribeStore?.();
    this.listeners.clear();
  }
}
