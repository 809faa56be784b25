import { getPrisma } from "@gatehouse/db";
import { call, unique } from "./helpers";

/** Shared by the email-verification suites: tenants and users (mail: @gatehouse/testing/mail). */

export async function createTenant(data: { allowedEmailDomains?: string[]; locale?: "ko" | "en"; name?: string } = {}) {
  const key = unique("ev").slice(0, 32);
  return getPrisma().tenant.create({
    data: { key, name: data.name ?? `Tenant ${key}`, allowedEmailDomains: data.allowedEmailDomains ?? [], locale: data.locale ?? "en" },
  });
}

export interface SignedUp {
  accessToken: string;
  userId: string;
  id: string;
  email: string;
}

/** A self-signed-up user (clientAuth.signUp over HTTP). */
export async function signUpUser(baseUrl: string, tenantKey: string, options: { userId?: string; email?: string } = {}): Promise<SignedUp> {
  const userId = options.userId ?? unique("u").slice(0, 24);
  const email = options.email ?? `${unique("m")}@example.com`;
  const res = await call<{ accessToken: string; user: { id: string } }>(baseUrl, "clientAuth.signUp", {
    tenantKey,
    userId,
    password: "a-Long-unusual-passphrase-42",
    displayName: "Test User",
    email,
  });
  if (res.status !== 200) throw new Error(`signUp failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.data.accessToken, userId, id: res.data.user.id, email };
}

export const sendCode = (baseUrl: string, token: string, email: string) =>
  call<{ expiresAt: string; nextResendAvailableAt: string }>(baseUrl, "clientEmailVerification.sendVerification", { email }, { token });

export const verifyCode = (baseUrl: string, token: string, code: unknown) =>
  call<{ user: { email: string; emailVerifiedAt: string | null }; accessToken: string; accessTokenExpiresAt: string }>(
    baseUrl,
    "clientEmailVerification.verifyEmail",
    { code },
    { token },
  );

/** A 6-digit code that is not `code`. */
export const wrongCode = (code: string, n = 1) => ((Number(code) + n) % 1_000_000).toString().padStart(6, "0");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
