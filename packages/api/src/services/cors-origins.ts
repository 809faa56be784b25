import { getPrisma } from "@gatehouse/db";

/**
 * The browser origins allowed to call client* procedures (and /api/v1): the origins of live
 * tenants' `appUrl`s and of their http(s) `redirectUris`. Cached per process and re-read at most every REFRESH_MS (a tenant's new appUrl is
 * honoured by every instance within that time; at once by the instance that changed it).
 */
const REFRESH_MS = 30_000;

/** This process's cache (the API's modules are loaded once per process: see runtime.ts). */
let cache: { origins: Set<string>; loadedAt: number; loading?: Promise<Set<string>> } | undefined;

export function originOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

async function load(): Promise<Set<string>> {
  const tenants = await getPrisma().tenant.findMany({ where: { deletedAt: null }, select: { appUrl: true, redirectUris: true } });
  // CONTRACT v2 "CORS": a callback page may live on another origin than appUrl; app schemes
  // (com.example.app:/…) have no web origin and add none.
  const urls = tenants.flatMap((t) => [t.appUrl, ...t.redirectUris]);
  return new Set(urls.map(originOf).filter((o): o is string => o !== undefined));
}

export async function isAllowedClientOrigin(origin: string): Promise<boolean> {
  if (cache && Date.now() - cache.loadedAt < REFRESH_MS) return cache.origins.has(origin);
  const entry = (cache ??= { origins: new Set(), loadedAt: 0 });
  entry.loading ??= load()
    .then((origins) => {
      entry.origins = origins;
      entry.loadedAt = Date.now();
      return origins;
    })
    .finally(() => (entry.loading = undefined));
  return (await entry.loading).has(origin);
}

/** Called when a tenant's appUrl, redirectUris or deletion changes, so this instance applies it at once. */
export function invalidateCorsOrigins(): void {
  if (cache) cache.loadedAt = 0;
}
