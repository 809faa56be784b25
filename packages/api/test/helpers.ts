import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Auth } from "@auth/core";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import type { AnyTRPCRouter } from "@trpc/server";
import { startMailCatcher, type MailCatcher } from "@gatehouse/testing/mail";
import { createApiHandler } from "../src/http";
import { loadConfig, setConfig, type Config } from "../src/config";
import { appRouter } from "../src/root";
import { ensureSigningKey } from "../src/services/signing-keys";
import { staffAuthConfig } from "../src/staff/auth-config";
import { CLIENT_IP_HEADER } from "../src/http/headers";
import { clientIp } from "../src/http/client-ip";
import { getPrisma, type User } from "@gatehouse/db";
import { newSessionRecord, sessionTokens, type ClientInfo, type SessionTokens } from "../src/services/sessions";

export const hasRedis = inject("redisUrl") !== "";
/** For suites that need Redis: `describe.skipIf(!hasRedis)` (never skipped under CI). */
export const needsRedis = !hasRedis;

export interface TestServer {
  url: string;
  config: Config;
  close(): Promise<void>;
}

/** The real HTTP handler (as the front server mounts it) on an ephemeral port. */
export async function startTestServer(
  options: { env?: Record<string, string>; router?: AnyTRPCRouter; stockTrpcAdapter?: boolean } = {},
): Promise<TestServer> {
  const config = setConfig(loadConfig({ ...process.env, ...options.env }, "test"));
  if (!options.router) await ensureSigningKey();
  const handle = createApiHandler(options.router ?? appRouter, { stockTrpcAdapter: options.stockTrpcAdapter });
  const server: Server = createServer((req, res) => {
    // As the front server does: the client IP header is ours, never the client's.
    req.headers[CLIENT_IP_HEADER] = clientIp(req, config.trustProxyHops);
    if (handle(req, res)) return;
    if (req.url?.startsWith("/api/auth/")) {
      void serveAuth(req, res);
      return;
    }
    res.statusCode = 404;
    res.end("not handled by the API");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** startTestServer with a mail catcher as its SMTP server (SMTP_URL); the server's close() stops both. */
export async function startTestServerWithMail(
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<{ server: TestServer; smtp: MailCatcher }> {
  const smtp = await startMailCatcher();
  try {
    const server = await startTestServer({ ...options, env: { ...options.env, SMTP_URL: smtp.url } });
    const close = async () => {
      await server.close();
      await smtp.close();
    };
    return { server: { ...server, close }, smtp };
  } catch (error) {
    await smtp.close();
    throw error;
  }
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  body: { result?: { data: T }; error?: { message: string; code: number; data: Record<string, unknown> & { appCode: string; httpStatus: number } } };
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

/** A short unique name for tenants, users and emails of one test. */
export function unique(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** next-auth's routes as Next serves them, through @auth/core with the same config. */
async function serveAuth(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const response = await Auth(
    new Request(url, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body }),
    staffAuthConfig(),
  );
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
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
  const csrfCookies = csrfRes.headers.getSetCookie().map((c) => c.split(";", 1)[0]).join("; ");
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...options.headers, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";", 1)[0]!)
    .find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
  return session;
}

/**
 * A live session for any user, whatever their state, written without openSession's checks: for
 * suites that must see how the gates treat a session no way in would open today (e.g. one of a
 * user suspended behind the API's back). Everything else uses createSession.
 */
export async function plantSession(user: User, tenant: { id: string; key: string }, client: ClientInfo): Promise<SessionTokens> {
  const { data, refreshToken } = newSessionRecord(user, tenant, client);
  const row = await getPrisma().session.create({ data });
  return sessionTokens(user, tenant, { sessionId: row.id, refreshToken, refreshTokenExpiresAt: data.refreshTokenExpiresAt });
}
