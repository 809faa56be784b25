import type { MailCatcher } from "@gatehouse/testing/mail";
import { startServer, unique } from "@gatehouse/api/testing";
import { createGatehouseClient, type GatehouseClient, type GatehouseClientOptions } from "../src";

// The API's test kit: one in-process server and one fixture set for the API's and the SDK's tests.
export { createTenant, hasRedis } from "@gatehouse/api/testing";
export { unique };

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
  const issuer = "http://gatehouse.test";
  const server = await startServer({
    mail: true,
    env: { MAIL_FROM: "Gatehouse <no-reply@example.com>", APP_URL: issuer, RATE_LIMIT_SCALE: "100", ...env },
  });
  return {
    url: server.url,
    issuer,
    audience: server.config.jwtAudience,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    smtp: server.smtp,
    close: () => server.close(),
  };
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
function recordingFetch(): RecordingFetch {
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

export function newClient(
  gatehouse: Gatehouse,
  options: Partial<GatehouseClientOptions> = {},
): GatehouseClient & { recorder: RecordingFetch } {
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
