import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect } from "vitest";
import { getPrisma, type SocialProvider, type Tenant } from "@gatehouse/db";
import { startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
import { sealClientSecret } from "../src/services/social/credentials";
import { createTenant, type TenantOptions } from "./kit";

/**
 * What the clientSocial suites share: the three provider stand-ins (real protocols on
 * 127.0.0.1), tenants configured with them as `backOffice.socialProviders` would, and a browser
 * that follows the redirects (`fetch` with `redirect: "manual"`).
 */

/**
 * APP_URL of the servers under test: the callback URL providers send the browser to. The test's
 * browser maps it to whichever server it means to reach (as a load balancer in front of several
 * instances would).
 */
const PUBLIC_URL = "http://gatehouse.test";

/**
 * The stand-ins for a describe block, started before its server (pass `env` to useServer: it is
 * filled here before the server's beforeAll reads it).
 */
export function useStandIns(): { env: Record<string, string>; get: () => StandIns } {
  const env: Record<string, string> = { APP_URL: PUBLIC_URL };
  let standIns: StandIns | undefined;
  beforeAll(async () => {
    standIns = await startStandIns();
    Object.assign(env, standIns.env);
  });
  afterAll(() => standIns?.stop());
  return {
    env,
    get: () => {
      if (!standIns) throw new Error("the stand-ins start in beforeAll");
      return standIns;
    },
  };
}

export interface SocialTenantOptions extends TenantOptions {
  providers?: SocialProvider[];
  redirectUris?: string[];
  disabled?: SocialProvider[];
}

export const APP_REDIRECT = "https://app.example.com/auth/callback";

/** A tenant with the stand-ins' apps configured (enabled unless listed in `disabled`) and redirect URIs. */
export async function socialTenant(standIns: StandIns, options: SocialTenantOptions = {}): Promise<Tenant> {
  const tenant = await createTenant(options);
  const prisma = getPrisma();
  for (const provider of options.providers ?? (["google", "kakao", "naver"] as const)) {
    const credentials = standIns.credentials[provider];
    await prisma.tenantSocialProvider.create({
      data: {
        tenantId: tenant.id,
        provider,
        clientId: credentials.clientId,
        clientSecretSealed: sealClientSecret(credentials.clientSecret),
        nativeClientIds: "nativeClientIds" in credentials ? credentials.nativeClientIds : [],
        scopes: provider === "kakao" ? ["profile_nickname", "account_email"] : [],
        enabled: !(options.disabled ?? []).includes(provider),
      },
    });
  }
  return prisma.tenant.update({ where: { id: tenant.id }, data: { redirectUris: options.redirectUris ?? [APP_REDIRECT] } });
}

/** Switches a tenant's provider on or off (as socialProviders.set would). */
export async function setProviderEnabled(tenant: Tenant, provider: SocialProvider, enabled: boolean): Promise<void> {
  await getPrisma().tenantSocialProvider.update({ where: { tenantId_provider: { tenantId: tenant.id, provider } }, data: { enabled } });
}

/** A PKCE pair as the SDK makes one. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface BrowserStart {
  tenantKey: string;
  redirectUri?: string;
  state?: string;
  codeChallenge?: string;
}

/** A browser at one IP: GETs without following redirects; `publicUrl` is the servers' APP_URL. */
export function browserAt(ip: string, publicUrl = PUBLIC_URL) {
  const get = (url: string) => fetch(url, { redirect: "manual", headers: { "x-forwarded-for": ip, "user-agent": `browser ${ip}` } });
  /** Where a 302 sends the browser (the test fails on anything else). */
  const locationOf = (response: Response) => {
    expect(response.status, `expected a 302, got ${response.status}`).toBe(302);
    return new URL(response.headers.get("location")!);
  };
  /** A URL on Gatehouse's public origin, sent to `server` instead. */
  const onServer = (url: URL, server: string) => {
    expect(url.origin).toBe(new URL(publicUrl).origin);
    return `${server}${url.pathname}${url.search}`;
  };
  return {
    get,
    locationOf,
    /** `GET /api/social/{provider}/start` on `server`. */
    start: (server: string, provider: SocialProvider, input: BrowserStart) => {
      const query = new URLSearchParams({ tenantKey: input.tenantKey, redirectUri: input.redirectUri ?? APP_REDIRECT });
      if (input.state !== undefined) query.set("state", input.state);
      if (input.codeChallenge !== undefined) query.set("codeChallenge", input.codeChallenge);
      return get(`${server}/api/social/${provider}/start?${query.toString()}`);
    },
    /** From `start` through the provider to Gatehouse's callback URL (not followed yet). */
    async toCallback(started: Response): Promise<URL> {
      const atProvider = await get(locationOf(started).href);
      return locationOf(atProvider);
    },
    /** The callback on `server`: its answer (a 302 to the app, or a problem). */
    callback: (callbackUrl: URL, server: string) => get(onServer(callbackUrl, server)),
    /** The whole browser flow on `server`: where the app's redirect URI is called with. */
    async signIn(server: string, provider: SocialProvider, input: BrowserStart, callbackServer = server): Promise<URL> {
      const callbackUrl = await this.toCallback(await this.start(server, provider, input));
      return locationOf(await this.callback(callbackUrl, callbackServer));
    },
  };
}

/**
 * Another instance in a process of its own (test/instance-process.ts) with `env` on top of this
 * process's environment: it shares only PostgreSQL and Redis with the test's server.
 */
export async function startInstanceProcess(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const script = new URL("./instance-process.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the instance process exited (${code})`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
