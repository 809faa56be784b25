/**
 * Raw HTTP to the REST routes (/api/v1), for the REST suites: the answer's status, headers and
 * parsed body (a result, or an RFC 9457 problem document).
 */
export interface RestAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed body (undefined when empty). */
  body: T | undefined;
  /** The problem's appCode, when the answer is one. */
  appCode: string | undefined;
  text: string;
}

export interface RestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** The body exactly as sent (otherwise `input` as JSON with an application/json type). */
  rawBody?: string;
}

/** One request to `path` (the full `/api/v1/...`), `input` as the JSON body when given. */
export async function rest<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  input?: unknown,
  options: RestOptions = {},
): Promise<RestAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (body === undefined && input !== undefined) {
    body = JSON.stringify(input);
    headers["content-type"] = "application/json";
  }
  Object.assign(headers, options.headers);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON answer ${res.status} from ${method} ${path}: ${text.slice(0, 200)}`);
    }
  }
  const isProblem = res.headers.get("content-type")?.startsWith("application/problem+json") === true;
  return {
    status: res.status,
    headers: res.headers,
    body: parsed as T | undefined,
    appCode: isProblem ? (parsed as { appCode?: string } | undefined)?.appCode : undefined,
    text,
  };
}
