import { afterAll, beforeAll } from "vitest";
import type { Tenant } from "@gatehouse/db";
import type { MailCatcher } from "@gatehouse/testing/mail";
import { apiClient, clientAt, lazy, randomIp, type Api, type Client } from "./client";
import { createTenant, signedInStaff, unique, type TestStaff } from "./fixtures";
import { startServer, type ServerOptions, type TestServer } from "./server";
import { call, signInStaff, type CallResult } from "./wire";

/**
 * What a behaviour suite runs against unless it says otherwise: per-IP limits out of the way
 * (×100), and client IPs taken from X-Forwarded-For, so each suite (and each `clientAt`) speaks
 * from addresses of its own.
 */
export const suiteEnv = { RATE_LIMIT_SCALE: "100", TRUST_PROXY: "1" } as const;

export interface SuiteOptions extends Omit<ServerOptions, "router" | "stockTrpcAdapter"> {
  /** Sign an admin and a viewer in (`suite.admin`, `suite.viewer`). */
  staff?: boolean;
}

export interface Suite {
  /** The suite's own IP: its client, staff sign-ins and raw calls come from it. */
  ip: string;
  /** The typed client at the suite's IP. */
  client: Client;
  /** The key of the suite's tenant (known before the server starts). */
  tenantKey: string;
  /** The admin's typed client, backOffice part (`useServer({ staff: true })`). */
  bo: Api["backOffice"];
  /** A typed client with a staff cookie (or none), at the suite's IP. */
  staffCaller(cookie: string | undefined): Api;
  /** next-auth's sign-in from the suite's IP: the session cookie, or undefined when refused. */
  signInStaff(email: string, password: string): Promise<string | undefined>;
  /** A new staff member, signed in from the suite's IP. */
  newStaff(role: "admin" | "viewer", prefix?: string): Promise<TestStaff>;
  /** A raw call from the suite's IP (tests about the wire: methods, status lines, headers). */
  call<T = unknown>(path: string, input?: unknown, options?: Parameters<typeof call>[3]): Promise<CallResult<T>>;
  // From the suite's beforeAll on:
  server: TestServer;
  tenant: Tenant;
  /** The server's mail catcher (`useServer({ mail: true })`). */
  smtp: MailCatcher;
  admin: TestStaff;
  viewer: TestStaff;
}

/**
 * One server for a describe block: a beforeAll that starts it (suiteEnv, then `env`), creates the
 * suite's tenant and, with `staff`, signs an admin and a viewer in; an afterAll that stops it.
 */
export function useServer(options: SuiteOptions = {}): Suite {
  const ip = randomIp();
  const tenantKey = unique("t").slice(0, 32);
  let started: { server: TestServer; tenant: Tenant; admin?: TestStaff; viewer?: TestStaff } | undefined;
  const get = () => {
    if (!started) throw new Error("the suite's server starts in its beforeAll: use it in tests and hooks");
    return started;
  };
  const url = () => get().server.url;
  beforeAll(async () => {
    const server = await startServer({ env: { ...suiteEnv, ...options.env }, mail: options.mail });
    try {
      started = { server, tenant: await createTenant({ key: tenantKey }) };
      if (options.staff) {
        started.admin = await signedInStaff(server.url, ip, "admin");
        started.viewer = await signedInStaff(server.url, ip, "viewer");
      }
    } catch (error) {
      await server.close();
      throw error;
    }
  });
  afterAll(() => started?.server.close());
  const staffMember = (which: "admin" | "viewer") => {
    const member = get()[which];
    if (!member) throw new Error(`useServer({ staff: true }) signs the ${which} in`);
    return member;
  };
  return {
    ip,
    client: clientAt(url, ip),
    tenantKey,
    bo: lazy(() => staffMember("admin").api.backOffice),
    staffCaller: (cookie) => apiClient(url(), { ip, cookie }),
    signInStaff: (email, password) => signInStaff(url(), email, password, { headers: { "x-forwarded-for": ip } }),
    newStaff: (role, prefix) => signedInStaff(url(), ip, role, prefix),
    call: (path, input, callOptions = {}) =>
      call(url(), path, input, { ...callOptions, headers: { "x-forwarded-for": ip, ...callOptions.headers } }),
    get server() {
      return get().server;
    },
    get tenant() {
      return get().tenant;
    },
    get smtp() {
      return get().server.smtp;
    },
    get admin() {
      return staffMember("admin");
    },
    get viewer() {
      return staffMember("viewer");
    },
  };
}
