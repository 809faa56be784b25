import { randomBytes } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { getPrisma, type StaffRole, type Tenant, type User } from "@gatehouse/db";
import type { MailCatcher } from "@gatehouse/testing/mail";
import { hashPassword } from "../../src/lib/password-hasher";
import { newSessionRecord, sessionTokens, type ClientInfo, type SessionTokens } from "../../src/services/sessions";
import { apiClient, type Api, type Client, type Session } from "./client";
import { signInStaff } from "./wire";

/**
 * The one fixture set of the API and SDK tests. Tenants, admin-issued managers and staff are
 * written straight to the database (their own procedures have their own suites); end users sign
 * up, sign in and verify through the API, as a product app's users do.
 */

/** A short unique name for tenants, users and emails of one test. */
export function unique(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** A password the policy accepts. */
export function newPassword(): string {
  return `Pw-${randomBytes(9).toString("base64url")}`;
}

export interface TenantOptions {
  key?: string;
  name?: string;
  allowedEmailDomains?: string[];
  locale?: "ko" | "en";
  appUrl?: string;
}

/** A live tenant (English unless told otherwise), in the database. */
export async function createTenant(options: TenantOptions = {}): Promise<Tenant> {
  const key = options.key ?? unique("t").slice(0, 32);
  return getPrisma().tenant.create({
    data: {
      key,
      name: options.name ?? `Tenant ${key}`,
      allowedEmailDomains: options.allowedEmailDomains ?? [],
      locale: options.locale ?? "en",
      ...(options.appUrl ? { appUrl: options.appUrl } : {}),
    },
  });
}

export interface SignedUp {
  tenantKey: string;
  /** As stored: lower-case. */
  userId: string;
  /** As stored: lower-case. */
  email: string;
  password: string;
  /** The session signUp opened (verifiedUser: with the access token verifyEmail gave). */
  session: Session;
  /** The typed client with this session's access token, from the signing-up client's IP. */
  api: Api;
}

/** Signs a new self-signup user up through clientAuth.signUp (throws the API's error if refused). */
export async function signUpUser(
  client: Client,
  tenantKey: string,
  overrides: Partial<{ userId: string; email: string; password: string; displayName: string }> = {},
): Promise<SignedUp> {
  const userId = overrides.userId ?? unique("u").toLowerCase();
  const email = overrides.email ?? `${userId}@example.com`;
  const password = overrides.password ?? newPassword();
  const session = await client.api.clientAuth.signUp.mutate({
    tenantKey,
    userId,
    password,
    displayName: overrides.displayName ?? "Test User",
    email,
  });
  return { tenantKey, userId: userId.toLowerCase(), email: email.toLowerCase(), password, session, api: client.as(session.accessToken) };
}

/** clientEmailVerification.sendVerification, as the user. */
export const sendCode = (user: SignedUp, email: string) => user.api.clientEmailVerification.sendVerification.mutate({ email });
/** clientEmailVerification.verifyEmail, as the user. */
export const verifyCode = (user: SignedUp, code: string) => user.api.clientEmailVerification.verifyEmail.mutate({ code });
/** A 6-digit code that is not `code`. */
export const wrongCode = (code: string, n = 1) => ((Number(code) + n) % 1_000_000).toString().padStart(6, "0");

/**
 * Signs a new user up and verifies their address through the mail, as a user does:
 * sendVerification, the code read from the server's mail catcher, verifyEmail.
 */
export async function verifiedUser(
  client: Client,
  tenantKey: string,
  smtp: MailCatcher,
  overrides: Parameters<typeof signUpUser>[2] = {},
): Promise<SignedUp> {
  const user = await signUpUser(client, tenantKey, overrides);
  await sendCode(user, user.email);
  const verified = await verifyCode(user, smtp.latestCode(user.email));
  const session = {
    ...user.session,
    accessToken: verified.accessToken,
    accessTokenExpiresAt: verified.accessTokenExpiresAt,
    user: verified.user,
  };
  return { ...user, session, api: client.as(verified.accessToken) };
}

/** Signs in through clientAuth.signIn and returns the new session (throws the API's error if refused). */
export function signInUser(client: Client, user: { tenantKey: string; userId: string; password: string }): Promise<Session> {
  return client.api.clientAuth.signIn.mutate({ tenantKey: user.tenantKey, userId: user.userId, password: user.password });
}

/**
 * A manager as backOffice.managers.issue makes one (admin_issued, no email), in the database;
 * `mustChangePassword: false` is one who has already replaced the temporary password.
 */
export async function issueManager(tenant: { id: string; key: string }, options: { mustChangePassword: boolean }) {
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

/**
 * A live session for any user, whatever their state, written without openSession's checks: for
 * suites that must see how the gates treat a session no way in would open today (e.g. one of a
 * user suspended behind the API's back). Everything else signs in.
 */
export async function plantSession(user: User, tenant: { id: string; key: string }, client: ClientInfo): Promise<SessionTokens> {
  const { data, refreshToken } = newSessionRecord(user, tenant, client);
  const row = await getPrisma().session.create({ data });
  return sessionTokens(user, tenant, { sessionId: row.id, refreshToken, refreshTokenExpiresAt: data.refreshTokenExpiresAt });
}

export interface TestStaff {
  id: string;
  email: string;
  password: string;
  role: StaffRole;
  cookie: string;
  /** Just before the sign-in (ms). */
  signedInAt: number;
  /** The typed client with this staff member's cookie, from the IP they signed in from. */
  api: Api;
}

/** A staff member written to the database, then signed in through next-auth from `ip`. */
export async function signedInStaff(baseUrl: string, ip: string, role: StaffRole, prefix: string = role): Promise<TestStaff> {
  const email = `${unique(prefix)}@staff.example.com`;
  const password = `pw-${unique("s")}-long`;
  const row = await getPrisma().staffUser.create({ data: { email, passwordHash: await hashPassword(password), role } });
  const signedInAt = Date.now();
  const cookie = await signInStaff(baseUrl, email, password, { headers: { "x-forwarded-for": ip } });
  if (!cookie) throw new Error(`could not sign in ${email}`);
  return { id: row.id, email, password, role, cookie, signedInAt, api: apiClient(baseUrl, { ip, cookie }) };
}

export const claimsOf = (token: string) => decodeJwt(token);
export const kidOf = (token: string) => decodeProtectedHeader(token).kid;
/** The session id (`sid` claim) of an access token. */
export const sidOf = (token: string) => claimsOf(token).sid as string;

/** The session row behind a refresh token (by its family). */
export async function sessionRowOf(refreshToken: string) {
  const family = refreshToken.split(".", 1)[0]!;
  return getPrisma().session.findUniqueOrThrow({ where: { tokenFamily: family } });
}

/** Audit events of one tenant with this action, oldest first. */
export function auditEvents(tenantKey: string, action: string) {
  return getPrisma().auditEvent.findMany({ where: { tenantKey, action }, orderBy: { id: "asc" } });
}

/** The actions of every audit event about a target, oldest first. */
export async function auditActionsFor(target: string): Promise<string[]> {
  const events = await getPrisma().auditEvent.findMany({ where: { target }, orderBy: { id: "asc" } });
  return events.map((e) => e.action);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` gives a value (fails after `timeoutMs`). */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await sleep(25);
  }
}
