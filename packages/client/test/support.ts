import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import { SMTPServer } from "smtp-server";
import { appRouter, ensureSigningKey, loadConfig, setConfig } from "@gatehouse/api";
import { CLIENT_IP_HEADER, clientIp, createApiHandler } from "@gatehouse/api/http";
import { getPrisma } from "@gatehouse/db";
import { createGatehouseClient, type GatehouseClient, type GatehouseClientOptions } from "../src";

/** Redis-backed suites are skipped (with a warning from global setup) only outside CI. */
export const hasRedis = inject("redisUrl") !== "";

export function unique(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export interface CapturedMail {
  to: string[];
  raw: string;
}

export interface SmtpCapture {
  url: string;
  messages: CapturedMail[];
  /** While true the SMTP server refuses mail (451), as an outage would. */
  refuse: boolean;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 capturing every message. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const capture: SmtpCapture = { url: "", messages: [], refuse: false, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (capture.refuse) {
          callback(Object.assign(new Error("Mailbox temporarily unavailable"), { responseCode: 451 }));
          return;
        }
        capture.messages.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  capture.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  capture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}

function decodeQuotedPrintable(input: string): string {
  const soft = input.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The decoded text/plain part of a raw message. */
export function plainTextOf(raw: string): string {
  for (const section of raw.split(/\r?\n--[^\r\n]+\r?\n/)) {
    const split = /\r?\n\r?\n/.exec(section);
    if (!split) continue;
    const head = section.slice(0, split.index).replace(/\r?\n[ \t]+/g, " ");
    if (!/^content-type:\s*text\/plain/im.test(head)) continue;
    const body = section.slice(split.index + split[0].length).replace(/\r?\n--[^\r\n]+--\s*$/, "");
    const encoding = /^content-transfer-encoding:\s*([\w-]+)/im.exec(head)?.[1]?.toLowerCase();
    if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
    if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    return body;
  }
  throw new Error("no text/plain part in the captured mail");
}

/** The code in the latest mail to `to`: its plain text's only run of 6 digits (CONTRACT). */
export function latestCode(smtp: SmtpCapture, to: string): string {
  const mails = smtp.messages.filter((m) => m.to.includes(to.toLowerCase()));
  const last = mails[mails.length - 1];
  if (!last) throw new Error(`no mail to ${to}`);
  const runs = plainTextOf(last.raw).match(/\d{6,}/g) ?? [];
  if (runs.length !== 1 || runs[0]!.length !== 6) throw new Error(`expected one run of 6 digits, found ${JSON.stringify(runs)}`);
  return runs[0]!;
}

export interface Gatehouse {
  url: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  smtp: SmtpCapture;
  close(): Promise<void>;
}

/** The real API handler (as the front server mounts it) on an ephemeral port, with captured mail. */
export async function startGatehouse(env: Record<string, string> = {}): Promise<Gatehouse> {
  const smtp = await startSmtpCapture();
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
