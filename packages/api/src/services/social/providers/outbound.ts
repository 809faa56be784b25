import * as client from "openid-client";
import { getConfig } from "../../../config";
import { ProviderFailure, type ProviderFailureKind } from "../provider";

/**
 * What the three adapters share: the one fetch every provider call goes through (bounded by
 * OUTBOUND_TIMEOUT_MS), the http:// rule, and the mapping of openid-client's and fetch's errors
 * to ProviderFailure. Failure messages carry only our own words, an OAuth `error` value and an
 * HTTP status: never a provider's description (Kakao's echoes the code), a token or a secret, and
 * no `cause` (a logged cause would carry the response body).
 */

/** openid-client's fetch, cut off after OUTBOUND_TIMEOUT_MS (read per call: tests shorten it). */
export const outboundFetch: client.CustomFetch = (url, options) => {
  const timeout = AbortSignal.timeout(getConfig().outboundTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // FetchBody's Uint8Array is typed wider than undici's BodyInit; openid-client sends strings and forms here.
  return fetch(url, { ...options, body: options.body as BodyInit | null | undefined, signal });
};

/** openid-client refuses http:// unless told: allowed exactly when an operator pointed an endpoint at http:// (stand-ins). */
export function isInsecure(...urls: string[]): boolean {
  return urls.some((url) => url.startsWith("http://"));
}

/** Gives a Configuration the bounded fetch and, for http:// endpoints, permission to use them. */
export function prepare(config: client.Configuration, insecure: boolean): client.Configuration {
  config[client.customFetch] = outboundFetch;
  if (insecure) client.allowInsecureRequests(config);
  return config;
}

function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    out.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}

/** Connection refused or reset, DNS, TLS, or no answer in time. */
function isNoAnswer(error: unknown): boolean {
  return chain(error).some((e) => {
    if (!(e instanceof Error)) return false;
    if (e.name === "TimeoutError" || e.name === "AbortError") return true;
    if (e instanceof client.ClientError && (e.code === "OAUTH_TIMEOUT" || e.code === "OAUTH_ABORT")) return true;
    return e instanceof TypeError && e.message === "fetch failed";
  });
}

/** The HTTP status a failed call got, when it got one. */
function statusOf(error: unknown): number | undefined {
  for (const e of chain(error)) {
    if (e instanceof client.ResponseBodyError || e instanceof client.WWWAuthenticateChallengeError) return e.status;
    if (e instanceof Response) return e.status;
  }
  return undefined;
}

/**
 * Maps an error thrown while talking to a provider. `rejected` is what a provider's refusal means
 * here: `refused` in the browser flow, `invalid-token` for a native token.
 */
export function toProviderFailure(error: unknown, what: string, rejected: ProviderFailureKind = "refused"): ProviderFailure {
  if (error instanceof ProviderFailure) return error;
  if (isNoAnswer(error)) return new ProviderFailure("unreachable", `${what}: no answer within the timeout or connection failed`);
  if (error instanceof client.AuthorizationResponseError) {
    return error.error === "access_denied"
      ? new ProviderFailure("denied", `${what}: the person cancelled at the provider`)
      : new ProviderFailure("refused", `${what}: the provider answered the authorization with error=${safeWord(error.error)}`);
  }
  const status = statusOf(error);
  if (status !== undefined && status >= 500) return new ProviderFailure("unreachable", `${what}: HTTP ${status}`);
  if (error instanceof client.ResponseBodyError) {
    return new ProviderFailure(rejected, `${what}: the provider refused (error=${safeWord(error.error)}, HTTP ${error.status})`);
  }
  const code = error instanceof client.ClientError && error.code ? error.code : error instanceof Error ? error.name : "unknown";
  return new ProviderFailure(rejected, `${what}: unexpected answer (${safeWord(code)}${status ? `, HTTP ${status}` : ""})`);
}

/** An OAuth `error` value or code name as logged: a short word, never free text. */
function safeWord(value: string): string {
  return /^[\w.-]{1,64}$/.test(value) ? value : "unrecognised";
}

/**
 * A protected-resource answer as JSON. `rejected` for a 4xx; a 5xx is unreachable; anything that
 * is not a JSON object is refused.
 */
async function readResource(response: Response, what: string, rejected: ProviderFailureKind): Promise<Record<string, unknown>> {
  if (response.status >= 500) throw new ProviderFailure("unreachable", `${what}: HTTP ${response.status}`);
  if (response.status >= 400) throw new ProviderFailure(rejected, `${what}: the provider rejected the token (HTTP ${response.status})`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (isNoAnswer(error)) throw new ProviderFailure("unreachable", `${what}: the answer did not arrive in time`);
    throw new ProviderFailure("refused", `${what}: the answer is not JSON (HTTP ${response.status})`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ProviderFailure("refused", `${what}: the answer is not a JSON object`);
  }
  return body as Record<string, unknown>;
}

/** Calls a provider's API with a bearer token through openid-client (its fetch, its http:// rule). */
export async function fetchResource(
  config: client.Configuration,
  accessToken: string,
  url: URL,
  what: string,
  rejected: ProviderFailureKind,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await client.fetchProtectedResource(config, accessToken, url, "GET");
  } catch (error) {
    throw toProviderFailure(error, what, rejected);
  }
  return readResource(response, what, rejected);
}

/** A small keyed cache of Configurations (per provider endpoint, client id and secret). */
export class ConfigurationCache {
  readonly #entries = new Map<string, client.Configuration>();
  constructor(private readonly max = 500) {}

  get(key: string[], build: () => client.Configuration): client.Configuration {
    const k = JSON.stringify(key);
    let found = this.#entries.get(k);
    if (found) return found;
    found = build();
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(k, found);
    return found;
  }
}
