/**
 * Raw HTTP, for the tests that are about the wire itself (status lines, headers, bodies, batching,
 * adapter equivalence, the fuzz transport) and for next-auth's form flow. Behaviour tests use the
 * typed client (./client.ts).
 */

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  body: {
    result?: { data: T };
    error?: { message: string; code: number; data: Record<string, unknown> & { appCode: string; httpStatus: number } };
  };
  data: T;
  appCode: string | undefined;
}

/** Calls a procedure over HTTP the way the contract describes (POST mutations, GET queries). */
export async function call<T = unknown>(
  baseUrl: string,
  path: string,
  input?: unknown,
  options: { method?: "GET" | "POST"; token?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const method = options.method ?? "POST";
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let url = `${baseUrl}/api/trpc/${path}`;
  let body: string | undefined;
  if (method === "GET") {
    if (input !== undefined) url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
  } else {
    headers["content-type"] ??= "application/json";
    body = input === undefined ? undefined : JSON.stringify(input);
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: CallResult<T>["body"];
  try {
    parsed = JSON.parse(text) as CallResult<T>["body"];
  } catch {
    throw new Error(`non-JSON answer ${res.status} from ${path}: ${text.slice(0, 200)}`);
  }
  return {
    status: res.status,
    headers: res.headers,
    body: parsed,
    data: parsed.result?.data as T,
    appCode: parsed.error?.data.appCode,
  };
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function setCookiesOf(headers: Headers): string[] {
  return headers.getSetCookie().map((c) => c.split(";", 1)[0]!);
}

/** The next-auth session cookie a response sets, if any. */
export function sessionCookieOf(headers: Headers): string | undefined {
  return setCookiesOf(headers).find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
}

/**
 * Signs a staff member in exactly as a browser does (GET /api/auth/csrf, form-POST the
 * credentials callback) and returns the Cookie header to send, or undefined when refused.
 */
export async function signInStaff(
  baseUrl: string,
  email: string,
  password: string,
  options: { headers?: Record<string, string> } = {},
): Promise<string | undefined> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { ...options.headers } });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const csrfCookies = setCookiesOf(csrfRes.headers).join("; ");
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...options.headers, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  return sessionCookieOf(res.headers);
}
