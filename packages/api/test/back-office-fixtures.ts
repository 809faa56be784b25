import { randomInt } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { getPrisma, type StaffRole } from "@gatehouse/db";
import type { MailCatcher } from "@gatehouse/testing/mail";
import { hashPassword } from "../src/lib/password-hasher";
import { call, signInStaff, startTestServer, startTestServerWithMail, unique, type CallResult, type TestServer } from "./helpers";

/**
 * Shared set-up for the back-office-*.test.ts suites. Each suite speaks from an IP of its own
 * (X-Forwarded-For under TRUST_PROXY=1), so its sign-ins never spend another suite's per-IP
 * budget, and audit events can be checked for the caller's real IP.
 */
export const backOfficeEnv = { RATE_LIMIT_SCALE: "100", TRUST_PROXY: "1" } as const;

/** A random private IPv4 address for one suite. */
export function testIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

const fromIp = (ip: string) => ({ "x-forwarded-for": ip });

export type CallOptions = NonNullable<Parameters<typeof call>[3]>;

/** `call` from helpers.ts, sent from `ip`. */
export function callFrom(baseUrl: string, ip: string) {
  return <T = unknown>(path: string, input?: unknown, options: CallOptions = {}): Promise<CallResult<T>> =>
    call<T>(baseUrl, path, input, { ...options, headers: { ...fromIp(ip), ...options.headers } });
}

/** `signInStaff` from helpers.ts, sent from `ip`. */
export function signInStaffFrom(baseUrl: string, ip: string, email: string, password: string): Promise<string | undefined> {
  return signInStaff(baseUrl, email, password, { headers: fromIp(ip) });
}

export interface TestStaff {
  id: string;
  email: string;
  password: string;
  role: StaffRole;
  cookie: string;
  /** Just before the sign-in (ms). */
  signedInAt: number;
}

/** A staff row made directly in the database, then signed in through next-auth. */
export async function createSignedInStaff(baseUrl: string, ip: string, role: StaffRole, prefix: string = role): Promise<TestStaff> {
  const email = `${unique(prefix)}@staff.example.com`;
  const password = `pw-${unique("s")}-long`;
  const row = await getPrisma().staffUser.create({ data: { email, passwordHash: await hashPassword(password), role } });
  const signedInAt = Date.now();
  const cookie = await signInStaffFrom(baseUrl, ip, email, password);
  if (!cookie) throw new Error(`could not sign in ${email}`);
  return { id: row.id, email, password, role, cookie, signedInAt };
}

/** No output may ever hold a password or token hash. */
export function expectNoSecrets(value: unknown): void {
  const json = JSON.stringify(value);
  expect(json).not.toContain("passwordHash");
  expect(json).not.toContain("refreshTokenHash");
  expect(json).not.toMatch(/\$2[aby]?\$/);
}

/** A procedure caller bound to one staff cookie: queries by GET, mutations by POST. */
export function backOffice(baseUrl: string, ip: string, cookie: string | undefined) {
  const send = callFrom(baseUrl, ip);
  return {
    query: <T = unknown>(path: string, input?: unknown, extra: { token?: string } = {}): Promise<CallResult<T>> =>
      send<T>(`backOffice.${path}`, input, { method: "GET", ...(cookie ? { cookie } : {}), ...extra }).then(checked),
    mutate: <T = unknown>(path: string, input?: unknown, extra: { token?: string } = {}): Promise<CallResult<T>> =>
      send<T>(`backOffice.${path}`, input, { method: "POST", ...(cookie ? { cookie } : {}), ...extra }).then(checked),
  };
}

function checked<T>(result: CallResult<T>): CallResult<T> {
  expectNoSecrets(result.body);
  return result;
}

export type BackOffice = ReturnType<typeof backOffice>;

export interface BackOfficeSuite {
  /** The suite's own IP: every call and sign-in of the suite comes from it. */
  ip: string;
  /** `call` from `ip`. */
  callAs: <T = unknown>(path: string, input?: unknown, options?: CallOptions) => Promise<CallResult<T>>;
  /** Calls as `admin`. */
  bo: BackOffice;
  // From the suite's beforeAll on:
  server: TestServer;
  admin: TestStaff;
  viewer: TestStaff;
  /** The mail catcher the server sends to (with `mail: true`). */
  smtp: MailCatcher;
}

/**
 * One back-office suite, in its describe block: a beforeAll that starts the server
 * (backOfficeEnv and `env`; with `mail`, a mail catcher as its SMTP server) and signs an admin
 * and a viewer in from the suite's IP, and an afterAll that stops it.
 */
export function backOfficeSuite(options: { env?: Record<string, string>; mail?: boolean } = {}): BackOfficeSuite {
  const ip = testIp();
  let started: { server: TestServer; smtp?: MailCatcher; admin: TestStaff; viewer: TestStaff } | undefined;
  const get = () => {
    if (!started) throw new Error("the back-office suite starts in its beforeAll: use it in tests and hooks");
    return started;
  };
  beforeAll(async () => {
    const env = { ...backOfficeEnv, ...options.env };
    const { server, smtp } = options.mail ? await startTestServerWithMail({ env }) : { server: await startTestServer({ env }) };
    try {
      started = { server, smtp, admin: await createSignedInStaff(server.url, ip, "admin"), viewer: await createSignedInStaff(server.url, ip, "viewer") };
    } catch (error) {
      await server.close();
      throw error;
    }
  });
  afterAll(() => started?.server.close());
  const asAdmin = () => backOffice(get().server.url, ip, get().admin.cookie);
  return {
    ip,
    callAs: <T = unknown>(path: string, input?: unknown, options?: CallOptions) => callFrom(get().server.url, ip)<T>(path, input, options),
    bo: {
      query: <T = unknown>(path: string, input?: unknown, extra?: { token?: string }) => asAdmin().query<T>(path, input, extra),
      mutate: <T = unknown>(path: string, input?: unknown, extra?: { token?: string }) => asAdmin().mutate<T>(path, input, extra),
    },
    get server() {
      return get().server;
    },
    get admin() {
      return get().admin;
    },
    get viewer() {
      return get().viewer;
    },
    get smtp() {
      const { smtp } = get();
      if (!smtp) throw new Error("backOfficeSuite({ mail: true }) has the mail catcher");
      return smtp;
    },
  };
}

/** The last audit events for a target, oldest first. */
export async function auditActionsFor(target: string): Promise<string[]> {
  const events = await getPrisma().auditEvent.findMany({ where: { target }, orderBy: { id: "asc" } });
  return events.map((e) => e.action);
}

/** Waits until `check` holds (mail delivery is asynchronous to nothing here, but be safe). */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
