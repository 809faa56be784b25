import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Auth } from "@auth/core";
import type { AnyTRPCRouter } from "@trpc/server";
import { inject } from "vitest";
import { startMailCatcher, type MailCatcher } from "@gatehouse/testing/mail";
import { loadConfig, setConfig, type Config } from "../../src/config";
import { createApiHandler } from "../../src/http";
import { clientIp } from "../../src/http/client-ip";
import { CLIENT_IP_HEADER } from "../../src/http/headers";
import { appRouter } from "../../src/root";
import { ensureSigningKey } from "../../src/services/signing-keys";
import { staffAuthConfig } from "../../src/staff/auth-config";

/** Redis-dependent suites: `describe.skipIf(!hasRedis)` (never skipped under CI: global setup fails first). */
export const hasRedis = inject("redisUrl") !== "";

export interface TestServer {
  url: string;
  config: Config;
  /** The mail catcher the server sends to (`startServer({ mail: true })`); reading it otherwise throws. */
  smtp: MailCatcher;
  /** Stops the server (and its mail catcher). */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Settings on top of the run's environment (read as the production server reads them). */
  env?: Record<string, string>;
  /** A mail catcher as the server's SMTP server (SMTP_URL). */
  mail?: boolean;
  /** Another router (wire tests of the handler itself); no signing key is ensured then. */
  router?: AnyTRPCRouter;
  /** Every tRPC request through tRPC's own Node adapter (adapter-equivalence tests). */
  stockTrpcAdapter?: boolean;
}

/**
 * The real HTTP handler on 127.0.0.1 and a free port, mounted as the front server mounts it
 * (apps/web/server/main.ts: the client IP header is ours, /api/* and the JWKS go to the API),
 * with next-auth's /api/auth/* served by @auth/core under the BackOffice's own config.
 * Installs the server's config for this test process (the API's config is a process singleton).
 */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const smtp = options.mail ? await startMailCatcher() : undefined;
  try {
    const env = { ...process.env, ...options.env, ...(smtp ? { SMTP_URL: smtp.url } : {}) };
    const config = setConfig(loadConfig(env, "test"));
    if (!options.router) await ensureSigningKey();
    const handle = createApiHandler(options.router ?? appRouter, { stockTrpcAdapter: options.stockTrpcAdapter });
    const server: Server = createServer((req, res) => {
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
      get smtp(): MailCatcher {
        if (!smtp) throw new Error("start the server with { mail: true } to read its mail");
        return smtp;
      },
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await smtp?.close();
      },
    };
  } catch (error) {
    await smtp?.close();
    throw error;
  }
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
