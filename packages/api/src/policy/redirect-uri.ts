import { isLoopbackHost } from "@gatehouse/contract";

/**
 * CONTRACT v2 "Tenant" `redirectUris`: where a social sign-in may send the browser back to, and
 * how Gatehouse adds its parameters there.
 */

/** `http://<loopback host>[:port]<rest>`, as written (no normalization: the comparison stays a string one). */
const LOOPBACK_HTTP = /^http:\/\/([^/:?#]+|\[[^\]]*\])(?::(\d{1,5}))?([/?#].*)?$/s;

/** The URI as written with its port left out, when it is plain http on a loopback host (else null). */
function loopbackWithoutPort(value: string): string | null {
  const match = LOOPBACK_HTTP.exec(value);
  if (!match || !isLoopbackHost(match[1]!)) return null;
  return `http://${match[1]!}${match[3] ?? ""}`;
}

/**
 * Whether `redirectUri` is one of the tenant's: equal as a string to an entry, except that for
 * http on a loopback host the port is ignored (RFC 8252 §7.3: a native app listens on whatever
 * port the OS gives it). No prefix, no normalization otherwise: what was registered is what
 * matches.
 */
export function isRedirectUriAllowed(redirectUri: string, registered: readonly string[]): boolean {
  if (registered.includes(redirectUri)) return true;
  const loopback = loopbackWithoutPort(redirectUri);
  return loopback !== null && registered.some((entry) => loopbackWithoutPort(entry) === loopback);
}

/**
 * `redirectUri` with `params` added to its own query (its existing parameters kept, in order);
 * works for private-use schemes (`com.example.app:/oauth`) as for https.
 */
export function withQueryParameters(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.append(name, value);
  return url.href;
}
