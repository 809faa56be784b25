import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What every stand-in's start function takes. */
export interface StandInOptions {
  /** 0 or unset: a free port chosen by the OS. */
  port?: number;
  /** Only 127.0.0.1 in tests and `pnpm dev`: the stand-ins are never exposed. */
  host?: string;
  /** `auto`: the authorize endpoint redirects at once (API tests); `page`: a consent page (`pnpm dev`). */
  consent?: "auto" | "page";
}

/**
 * How the provider's server-to-server endpoints (token, profile, discovery, keys) answer:
 * `ok`; `down`: 500; `garbage`: 200 with a body that is not JSON; `hang`: never answer (timeouts).
 * The browser-facing authorize endpoint always answers.
 */
export type StandInMode = "ok" | "down" | "garbage" | "hang";

export interface StandInBase {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  stop(): Promise<void>;
  setMode(mode: StandInMode): void;
  /** The next authorize answers `error=access_denied` (as if the person pressed Cancel). */
  deny(): void;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Starts a node:http server on `host:port` and returns its base URL and a stop that also ends hung requests. */
export async function listen(handler: Handler, options: StandInOptions): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? host}`);
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "server_error", error_description: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export function redirect(res: ServerResponse, location: URL | string): void {
  res.writeHead(302, { location: String(location), "cache-control": "no-store" });
  res.end();
}

/**
 * Applies a non-`ok` mode to a server-to-server request. Returns true when it answered (or, for
 * `hang`, decided never to).
 */
export function answeredByMode(mode: StandInMode, res: ServerResponse): boolean {
  switch (mode) {
    case "ok":
      return false;
    case "down":
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<html><body>Internal Server Error</body></html>");
      return true;
    case "garbage":
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>this is not JSON");
      return true;
    case "hang":
      return true;
  }
}

/** The body of a form POST (or an empty one), as URLSearchParams. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** RFC 7636: BASE64URL(SHA256(verifier)) === challenge (S256) or verifier === challenge (plain). */
export function pkceMatches(verifier: string | null, challenge: { value: string; method: string }): boolean {
  if (!verifier) return false;
  if (challenge.method === "plain") return verifier === challenge.value;
  return createHash("sha256").update(verifier).digest("base64url") === challenge.value;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** The `decision` parameter the consent page's two buttons add to the authorize request. */
export const DECISION_PARAM = "stand_in_decision";

/**
 * The consent page of `consent: "page"`: says plainly it is a local stand-in, names the person it
 * will sign in as, and re-submits the authorize request with Continue or Cancel.
 */
export function sendConsentPage(res: ServerResponse, provider: string, url: URL, person: string): void {
  const hidden = [...url.searchParams]
    .filter(([name]) => name !== DECISION_PARAM)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n      ");
  const title = `Local stand-in for ${provider} — not the real ${provider}`;
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}</style></head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    <p>This page stands in for ${escapeHtml(provider)}'s sign-in on this machine (development only).</p>
    <p>You will be signed in as <strong>${escapeHtml(person)}</strong>.</p>
    <form method="get" action="${escapeHtml(url.pathname)}">
      ${hidden}
      <button type="submit" name="${DECISION_PARAM}" value="continue">Continue</button>
      <button type="submit" name="${DECISION_PARAM}" value="cancel">Cancel</button>
    </form>
  </body>
</html>`);
}

/**
 * What the authorize endpoint does with consent and `deny()`: `show` the page, `deny` (redirect
 * with access_denied) or `allow`.
 */
export function consentDecision(consent: "auto" | "page", url: URL, denyNext: { value: boolean }): "show" | "deny" | "allow" {
  if (denyNext.value) {
    denyNext.value = false;
    return "deny";
  }
  const decision = url.searchParams.get(DECISION_PARAM);
  if (decision === "cancel") return "deny";
  if (decision === "continue" || consent === "auto") return "allow";
  return "show";
}
