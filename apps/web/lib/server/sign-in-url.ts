/** Only BackOffice paths on this origin are followed after sign-in (no open redirect). */
export function safeNextPath(value: string | undefined | null): string | undefined {
  if (!value || value.length > 1000) return undefined;
  if (!value.startsWith("/backoffice") || value.startsWith("/backoffice/sign-in")) return undefined;
  if (value.includes("//") || value.includes("\\")) return undefined;
  return value;
}

export function signInUrl(options: { expired?: boolean; next?: string | undefined } = {}): string {
  const params = new URLSearchParams();
  if (options.expired) params.set("expired", "1");
  const next = safeNextPath(options.next);
  if (next && next !== "/backoffice") params.set("next", next);
  const query = params.toString();
  return query ? `/backoffice/sign-in?${query}` : "/backoffice/sign-in";
}
