import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { appRouter, createCallerFactory, createContext } from "@gatehouse/api";
import { CLIENT_IP_HEADER } from "@gatehouse/api/http";
import { hasSessionCookie } from "./staff";
import { routeParam } from "../route-params";
import { isTenantKey } from "../validation";
import { signInUrl } from "./sign-in-url";

const createCaller = createCallerFactory(appRouter);

/**
 * The API in-process for server components: the same procedures, middlewares and staff-session
 * check as over HTTP (the context carries this request's cookies and the client IP the front
 * server determined), so a page sees exactly what its staff member may see.
 */
async function backOfficeCaller() {
  const requestHeaders = new Headers(await headers());
  const ctx = createContext({ ip: requestHeaders.get(CLIENT_IP_HEADER) ?? "unknown", headers: requestHeaders });
  return createCaller(ctx).backOffice;
}

export type BackOfficeApi = Awaited<ReturnType<typeof backOfficeCaller>>;

/** The appCode an in-process call failed with (the catalogue's AppError rides as the cause). */
export function appCodeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause && typeof cause === "object" && typeof (cause as { appCode?: unknown }).appCode === "string") {
    return (cause as { appCode: string }).appCode;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "BAD_REQUEST") return "validation/Invalid";
  return undefined;
}

export class ApiPageError extends Error {
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
    appCode = appCodeOf(error);
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

/** A tenant's user with their live sessions, once per request; unknown tenant or user → `notFound()`. */
export const loadUser = cache(async (rawKey: string, rawUserId: string) => {
  const tenant = await loadTenant(rawKey);
  const userId = routeParam(rawUserId)?.toLowerCase();
  if (!userId || userId.length > 64) notFound();
  const { user, sessions } = await loadFromApi((api) => api.users.get({ tenantKey: tenant.key, userId }));
  return { tenant, user, sessions };
});
