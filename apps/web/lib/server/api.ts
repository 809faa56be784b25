import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import type { BackOfficeCaller } from "@gatehouse/api/pages";
import { socialProviders, type SocialProviderName } from "@gatehouse/contract";
import { pagesApi } from "@gatehouse/api/pages-handoff";
import { hasSessionCookie } from "./staff";
import { routeParam } from "../route-params";
import { isTenantKey } from "../validation";
import { signInUrl } from "./sign-in-url";

/**
 * The API in-process for server components: the same procedures, middlewares and staff-session
 * check as over HTTP (the context carries this request's cookies and the client IP the front
 * server determined), so a page sees exactly what its staff member may see. The front server
 * hands it over (@gatehouse/api/pages): Next's bundle holds no copy of the API.
 */
async function backOfficeCaller(): Promise<BackOfficeCaller> {
  return pagesApi().backOffice(new Headers(await headers()));
}

export type BackOfficeApi = BackOfficeCaller;

class ApiPageError extends Error {
  constructor(readonly appCode: string | undefined) {
    super(`BackOffice API call failed (${appCode ?? "unknown"})`);
  }
}

/**
 * Runs API calls for a page. An ended session goes to sign-in (saying so), a missing tenant or
 * user to the not-found page; anything else reaches the segment's error boundary.
 */
export async function loadFromApi<T>(load: (api: BackOfficeApi) => Promise<T>): Promise<T> {
  let appCode: string | undefined;
  try {
    return await load(await backOfficeCaller());
  } catch (error) {
    appCode = pagesApi().appCodeOf(error);
    if (!appCode) throw error;
  }
  if (appCode === "auth/Unauthenticated") {
    redirect(signInUrl({ expired: await hasSessionCookie(), next: (await headers()).get("x-gatehouse-path") ?? undefined }));
  }
  if (appCode === "tenant/NotFound" || appCode === "user/NotFound" || appCode === "staff/NotFound") notFound();
  throw new ApiPageError(appCode);
}

/**
 * The tenant a `[key]` route names (deleted ones too), once per request (the page and its
 * metadata share it). Unknown → `notFound()`. The tenant and user pages have no loading boundary
 * above them, so this runs before anything is streamed and the answer is a real HTTP 404.
 */
export const loadTenant = cache(async (rawKey: string) => {
  const key = routeParam(rawKey);
  if (!key || !isTenantKey(key)) notFound();
  return loadFromApi((api) => api.tenants.get({ key }));
});

/** A tenant's user with their live sessions and linked identities, once per request; unknown tenant or user → `notFound()`. */
export const loadUser = cache(async (rawKey: string, rawUserId: string) => {
  const tenant = await loadTenant(rawKey);
  const userId = routeParam(rawUserId)?.toLowerCase();
  if (!userId || userId.length > 64) notFound();
  const { user, sessions, identities } = await loadFromApi((api) => api.users.get({ tenantKey: tenant.key, userId }));
  return { tenant, user, sessions, identities };
});

/**
 * A live tenant's social sign-in settings (secrets never leave the API) and the callback URL to
 * register at each provider. A deleted tenant has none to show (the API answers 404 for it).
 */
export async function loadSocialProviders(tenantKey: string) {
  const { items } = await loadFromApi((api) => api.socialProviders.list({ tenantKey }));
  const callbackUrls = Object.fromEntries(socialProviders.map((provider) => [provider, pagesApi().socialCallbackUrl(provider)])) as Record<
    SocialProviderName,
    string
  >;
  return { providers: items, callbackUrls };
}

/** CONTRACT v2 `backOffice.tenants.stats`: the tenant page's Activity card (deleted tenants too). */
export async function loadTenantStats(tenantKey: string) {
  return loadFromApi((api) => api.tenants.stats({ key: tenantKey }));
}
