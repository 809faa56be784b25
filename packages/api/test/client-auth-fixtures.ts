import { randomBytes } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, expect } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { hashPassword } from "../src/lib/password-hasher";
import type { UserDto } from "../src/services/dto";
import { call, startTestServer, unique, type CallResult, type TestServer } from "./helpers";

/**
 * Shared by the client-auth-*.test.ts suites: each suite's server, client and tenant; tenants
 * made directly in the database, a client bound to one (distinct) IP, and a sign-up shortcut.
 */

/** Servers for these suites: per-IP limits out of the way, client IPs taken from X-Forwarded-For. */
export const clientAuthEnv = { RATE_LIMIT_SCALE: "100", TRUST_PROXY: "1" } as const;

export interface SessionDto {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: UserDto;
}

/** A private address no other suite uses, so per-IP and per-(account, IP) budgets are ours. */
export function randomIp(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

export interface Client {
  ip: string;
  /** A mutation (POST). */
  post<T = unknown>(path: string, input?: unknown, token?: string): Promise<CallResult<T>>;
  /** A query (GET); `input` undefined sends no `?input` at all. */
  get<T = unknown>(path: string, input?: unknown, token?: string): Promise<CallResult<T>>;
}

/** Calls through `baseUrl` as a client at `ip` (the server must run with TRUST_PROXY=1). */
export function clientAt(baseUrl: string, ip = randomIp()): Client {
  const headers = { "x-forwarded-for": ip, "user-agent": `vitest ${ip}` };
  return {
    ip,
    post: (path, input, token) => call(baseUrl, `clientAuth.${path}`, input, { method: "POST", token, headers }),
    get: (path, input, token) => call(baseUrl, `clientAuth.${path}`, input, { method: "GET", token, headers }),
  };
}

const newTenantKey = () => unique("ca").toLowerCase().slice(0, 32);

export async function createTenant(options: { allowedEmailDomains?: string[]; key?: string } = {}): Promise<Tenant> {
  const key = options.key ?? newTenantKey();
  return getPrisma().tenant.create({ data: { key, name: `Tenant ${key}`, allowedEmailDomains: options.allowedEmailDomains ?? [] } });
}

export interface ClientAuthSuite {
  /** A client at the suite's own IP. */
  client: Client;
  /** The key of the suite's tenant. */
  tenantKey: string;
  // From the suite's beforeAll on:
  server: TestServer;
  tenant: Tenant;
}

/**
 * One client-auth suite, in its describe block: a beforeAll that starts the server
 * (clientAuthEnv and `env`) and creates the suite's tenant, and an afterAll that stops it.
 */
export function clientAuthSuite(env: Record<string, string> = {}): ClientAuthSuite {
  const ip = randomIp();
  const tenantKey = newTenantKey();
  let started: { server: TestServer; tenant: Tenant } | undefined;
  const get = () => {
    if (!started) throw new Error("the client-auth suite starts in its beforeAll: use it in tests and hooks");
    return started;
  };
  beforeAll(async () => {
    const server = await startTestServer({ env: { ...clientAuthEnv, ...env } });
    try {
      started = { server, tenant: await createTenant({ key: tenantKey }) };
    } catch (error) {
      await server.close();
      throw error;
    }
  });
  afterAll(() => started?.server.close());
  const at = () => clientAt(get().server.url, ip);
  return {
    client: {
      ip,
      post: <T = unknown>(path: string, input?: unknown, token?: string) => at().post<T>(path, input, token),
      get: <T = unknown>(path: string, input?: unknown, token?: string) => at().get<T>(path, input, token),
    },
    tenantKey,
    get server() {
      return get().server;
    },
    get tenant() {
      return get().tenant;
    },
  };
}

export function newPassword(): string {
  return `Pw-${randomBytes(9).toString("base64url")}`;
}

/** An account made the way backOffice.managers.issue makes one (a manager without email), in the database. */
export async function createAdminIssuedUser(tenant: { id: string; key: string }, options: { mustChangePassword: boolean }) {
  const userId = unique("mgr").toLowerCase();
  const password = newPassword();
  await getPrisma().user.create({
    data: {
      tenantId: tenant.id,
      userId,
      displayName: "Manager",
      email: null,
      passwordHash: await hashPassword(password),
      role: "manager",
      source: "admin_issued",
      mustChangePassword: options.mustChangePassword,
    },
  });
  return { tenantKey: tenant.key, userId, password };
}

export interface SignedUp {
  tenantKey: string;
  userId: string;
  email: string;
  password: string;
  session: SessionDto;
}

/** Signs a new self-signup user up and returns its first session. */
export async function signUpUser(client: Client, tenantKey: string, overrides: Partial<{ userId: string; email: string; password: string; displayName: string }> = {}): Promise<SignedUp> {
  const userId = overrides.userId ?? unique("u").toLowerCase();
  const email = overrides.email ?? `${userId}@example.com`;
  const password = overrides.password ?? newPassword();
  const res = await client.post<SessionDto>("signUp", { tenantKey, userId, password, displayName: overrides.displayName ?? "Test User", email });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { tenantKey, userId: userId.toLowerCase(), email: email.toLowerCase(), password, session: res.data };
}

/** Signs in and returns the new session (expects success). */
export async function signInUser(client: Client, u: { tenantKey: string; userId: string; password: string }): Promise<SessionDto> {
  const res = await client.post<SessionDto>("signIn", { tenantKey: u.tenantKey, userId: u.userId, password: u.password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.data;
}

/** Expects an error answer with this status and appCode. */
export function expectError(res: CallResult, status: number, appCode: string): void {
  expect({ status: res.status, appCode: res.appCode }, JSON.stringify(res.body)).toEqual({ status, appCode });
  expect(res.body.result).toBeUndefined();
}

/** Expects 400 validation/Invalid with an issue on `field`. */
export function expectInvalidField(res: CallResult, field: string): void {
  expectError(res, 400, "validation/Invalid");
  const issues = (res.body.error?.data.issues ?? []) as { path: (string | number)[]; message: string }[];
  expect(issues.map((issue) => issue.path[0]), JSON.stringify(issues)).toContain(field);
  for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
}

export const claimsOf = (token: string) => decodeJwt(token);
export const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** The session row behind a refresh token (by its family). */
export async function sessionRowOf(refreshToken: string) {
  const family = refreshToken.split(".", 1)[0]!;
  return getPrisma().session.findUniqueOrThrow({ where: { tokenFamily: family } });
}

/** Audit events of one tenant with this action. */
export async function auditEvents(tenantKey: string, action: string) {
  return getPrisma().auditEvent.findMany({ where: { tenantKey, action }, orderBy: { id: "asc" } });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
