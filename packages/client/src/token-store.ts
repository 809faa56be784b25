/** What the SDK keeps between calls: the current token pair and when each expires. */
export interface StoredTokens {
  accessToken: string | null;
  /** ISO-8601, as the server sends it. */
  accessTokenExpiresAt: string | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: string | null;
}

/**
 * Where tokens live. `get`/`set` may be synchronous or return promises (e.g. a secure store in
 * a native app). `null` means signed out.
 */
export interface TokenStore {
  get(): StoredTokens | null | Promise<StoredTokens | null>;
  set(tokens: StoredTokens | null): void | Promise<void>;
  /**
   * True when other tabs or windows see the same value (localStorage does). The SDK then
   * serializes refreshes across tabs (Web Locks) and tells the other tabs of every change
   * (BroadcastChannel), because two tabs refreshing one token would count as token reuse.
   */
  readonly shared?: boolean;
  /** Calls `listener` when the value changed from outside this page (another tab). */
  subscribe?(listener: () => void): () => void;
}

/** The default: tokens live in this page's memory only and are gone on reload. */
export function memoryTokenStore(initial: StoredTokens | null = null): TokenStore {
  let value = initial;
  return {
    get: () => value,
    set: (tokens) => {
      value = tokens;
    },
  };
}

/** The part of the Web Storage API the SDK uses (localStorage and sessionStorage fit). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface BrowserStorageTokenStoreOptions {
  /** Default `globalThis.localStorage`. */
  storage?: StorageLike;
  /** Default `"gatehouse.session"`. */
  key?: string;
  /** Whether other tabs share the storage. Default: true for localStorage, else false. */
  shared?: boolean;
}

function parseTokens(raw: string | null): StoredTokens | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredTokens> | null;
    if (!value || typeof value !== "object") return null;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const tokens: StoredTokens = {
      accessToken: str(value.accessToken),
      accessTokenExpiresAt: str(value.accessTokenExpiresAt),
      refreshToken: str(value.refreshToken),
      refreshTokenExpiresAt: str(value.refreshTokenExpiresAt),
    };
    return tokens.accessToken || tokens.refreshToken ? tokens : null;
  } catch {
    return null;
  }
}

interface StorageEventLike {
  key: string | null;
  storageArea?: unknown;
}
interface EventTargetLike {
  addEventListener(type: "storage", listener: (event: StorageEventLike) => void): void;
  removeEventListener(type: "storage", listener: (event: StorageEventLike) => void): void;
}

/**
 * Tokens in Web Storage (localStorage by default), shared by the tabs of one origin and kept
 * across reloads. Anything that can run script on the origin can read them: prefer the memory
 * store where a reload may sign the user out.
 */
export function browserStorageTokenStore(options: BrowserStorageTokenStoreOptions = {}): TokenStore {
  const globals = globalThis as { localStorage?: StorageLike } & Partial<EventTargetLike>;
  // Looked up on use, so a client made during server-side rendering (no localStorage) is harmless:
  // there it reads as signed out and keeps nothing.
  const storage = () => options.storage ?? globals.localStorage;
  const key = options.key ?? "gatehouse.session";
  const shared = options.shared ?? (options.storage === undefined || options.storage === globals.localStorage);
  return {
    shared,
    get: () => {
      const area = storage();
      return area ? parseTokens(area.getItem(key)) : null;
    },
    set: (tokens) => {
      const area = storage();
      if (!area) return;
      if (tokens) area.setItem(key, JSON.stringify(tokens));
      else area.removeItem(key);
    },
    subscribe(listener) {
      if (typeof globals.addEventListener !== "function" || typeof globals.removeEventListener !== "function") return () => {};
      const onStorage = (event: StorageEventLike) => {
        if (event.key === key || event.key === null) listener();
      };
      globals.addEventListener("storage", onStorage);
      return () => globals.removeEventListener?.("storage", onStorage);
    },
  };
}
