import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import { appRouter, ensureSigningKey, loadConfig, setConfig } from "@gatehouse/api";
import { CLIENT_IP_HEADER, clientIp, createApiHandler } from "@gatehouse/api/http";
import { getPrisma } from "@gatehouse/db";
import { startMailCatcher, type MailCatcher } from "@gatehouse/testing/mail";
import { createGatehouseClient, type GatehouseClient, type GatehouseClientOptions } from "../src";

/** Redis-backed suites are skipped (with a warning from global setup) only outside CI. */
export const hasRedis = inject("redisUrl") !== "";

export function unique(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export interface Gatehouse {
  url: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  smtp: MailCatcher;
  close(): Promise<void>;
}

/** The real API handler (as the front server mounts it) on an ephemeral port, with captured mail. */
export async function startGatehouse(env: Record<string, string> = {}): Promise<Gatehouse> {
  const smtp = await startMailCatcher();
  const issuer = "http://gatehouse.test";
  const config = setConfig(
    loadConfig(
      { ...process.env, SMTP_URL: smtp.url, MAIL_FROM: "Gatehouse <no-reply@example.com>", APP_URL: issuer, RATE_LIMIT_SCALE: "100", ...env },
      "test",
    ),
  );
  await ensureSigningKey();
  const handle = createApiHandler(appRouter);
  const server: Server = createServer((req, res) => {
    req.headers[CLIENT_IP_HEADER] = clientIp(req, config.trustProxyHops);
    if (handle(req, res)) return;
    res.statusCode = 404;
    res.end("not handled by the API");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    issuer,
    audience: config.jwtAudience,
    jwksUrl: `${url}/.well-known/jwks.json`,
    smtp,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await smtp.close();
    },
  };
}

export async function createTenant(data: { allowedEmailDomains?: string[] } = {}) {
  const key = unique("sdk").slice(0, 32);
  return getPrisma().tenant.create({
    data: { key, name: `Tenant ${key}`, allowedEmailDomains: data.allowedEmailDomains ?? [], locale: "en" },
  });
}

export interface RecordingFetch {
  fetch: NonNullable<GatehouseClientOptions["fetch"]>;
  /** Procedure paths called, in order (one entry per HTTP request). */
  calls: string[];
  count(path: string): number;
  /** Rewrites the next request(s) before they are sent (tests of the server's request errors). */
  tamper: ((url: string, init: RequestInit) => { url: string; init: RequestInit } | Response) | undefined;
}

/** A fetch that records the procedures it is asked for. */
export function recordingFetch(): RecordingFetch {
  const recorder: RecordingFetch = {
    calls: [],
    count: (path) => recorder.calls.filter((p) => p === path).length,
    tamper: undefined,
    fetch: async (input, init = {}) => {
      let url = String(input);
      const path = decodeURIComponent(new URL(url).pathname.replace(/^\/api\/trpc\//, ""));
      recorder.calls.push(path);
      if (recorder.tamper) {
        const changed = recorder.tamper(url, init);
        if (changed instanceof Response) return changed;
        ({ url, init } = changed);
      }
      return fetch(url, init);
    },
  };
  return recorder;
}

export function newClient(gatehouse: Gatehouse, options: Partial<GatehouseClientOptions> = {}): GatehouseClient & { recorder: RecordingFetch } {
  const recorder = recordingFetch();
  const client = createGatehouseClient({ baseUrl: gatehouse.url, fetch: recorder.fetch, ...options });
  return Object.assign(client, { recorder });
}

export const PASSWORD = "a-Long-unusual-passphrase-42";

/** Signs a fresh user up through the SDK (tokens stored by the facade). */
export async function signUpWith(client: GatehouseClient, tenantKey: string, overrides: { userId?: string; email?: string } = {}) {
  const userId = overrides.userId ?? unique("u").slice(0, 24);
  const email = overrides.email ?? `${unique("m")}@example.com`;
  const res = await client.ClientAuth.signUp({ body: { tenantKey, userId, password: PASSWORD, displayName: "SDK User", email } });
  if (res.error) throw res.error;
  return { ...res.data, userId, email };
}
