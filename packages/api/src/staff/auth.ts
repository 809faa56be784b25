import { decode, encode } from "@auth/core/jwt";
import { getPrisma, type StaffUser } from "@gatehouse/db";
import { getConfig } from "../config";
import { checkSpendingAttempt, hashPassword, verifyPasswordOrDummy } from "../lib/password-hasher";
import { getLogger } from "../lib/log";
import { existingPasswordSchema, isStorableText } from "../policy/inputs";
import { enforceIpLimit } from "../policy/rate-limits";
import { takeSignInAttempt } from "../policy/sign-in-budget";
import { audit } from "../services/audit";

/** Staff sessions (next-auth JWT) last at most this long (CONTRACT: 8 hours). */
export const STAFF_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** next-auth's session cookie name: `__Secure-` prefixed when APP_URL is https. */
export function staffSessionCookieName(appUrl = getConfig().appUrl): string {
  return appUrl.startsWith("https:") ? "__Secure-authjs.session-token" : "authjs.session-token";
}

export interface StaffIdentity {
  id: string;
  email: string;
  role: "admin" | "viewer";
}

const staffAccount = (email: string) => ({ scope: "staff", account: email });

/**
 * The Credentials provider's check: rate limited per IP and per account (failures), the same
 * work for unknown emails as for wrong passwords, audited either way. Returns null on failure.
 * Throws the 429/503 app errors, which next-auth turns into a failed sign-in.
 */
export async function authorizeStaff(input: { email: unknown; password: unknown; ip: string }): Promise<StaffIdentity | null> {
  if (typeof input.email !== "string" || typeof input.password !== "string") return null;
  const email = input.email.trim().toLowerCase();
  const password = input.password;
  if (email.length === 0 || email.length > 254 || !existingPasswordSchema.safeParse(password).success) return null;
  if (!isStorableText(email) || !isStorableText(password)) return null;

  await enforceIpLimit("staffSignIn", input.ip);
  const attempt = await takeSignInAttempt(staffAccount(email), input.ip);
  const staff = await getPrisma().staffUser.findUnique({ where: { email } });
  const { ok, outdated } = await checkSpendingAttempt(attempt, () => verifyPasswordOrDummy(password, staff?.passwordHash));
  if (!ok || !staff || staff.disabledAt) {
    await audit({
      actor: { type: "staff", id: staff?.id ?? null, label: email },
      action: "staff.signInFailed",
      target: `staff:${email}`,
      ip: input.ip,
      details: { reason: !staff || !ok ? "invalid_credentials" : "disabled" },
    });
    return null;
  }
  await attempt.refund();
  await getPrisma().staffUser.update({ where: { id: staff.id }, data: { lastLoginAt: new Date() } });
  await audit({ actor: { type: "staff", id: staff.id, label: staff.email }, action: "staff.signedIn", target: `staff:${staff.email}`, ip: input.ip });
  if (outdated) await rehashStaffPassword(staff, password);
  return { id: staff.id, email: staff.email, role: staff.role };
}

/**
 * As for end users (services/end-user-auth.ts): an outdated hash (made before normalization, or
 * at another cost) replaced after a successful sign-in, only while it is still the stored one.
 * `passwordChangedAt` is left alone: the password is the same, so no session ends.
 */
async function rehashStaffPassword(staff: { id: string; passwordHash: string }, password: string): Promise<void> {
  try {
    const passwordHash = await hashPassword(password);
    await getPrisma().staffUser.updateMany({ where: { id: staff.id, passwordHash: staff.passwordHash }, data: { passwordHash } });
  } catch (error) {
    getLogger().warn({ err: error instanceof Error ? error.message : String(error) }, "could not rehash an outdated staff password hash");
  }
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  // next-auth splits large cookies into name.0, name.1, ...; ours are small but accept both.
  const jar = new Map<string, string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const value = safeDecode(part.slice(eq + 1).trim());
    // A malformed %-escape cannot be a cookie we set: that entry is no session, not a 500.
    if (value !== undefined) jar.set(part.slice(0, eq).trim(), value);
  }
  const whole = jar.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; jar.has(`${name}.${i}`); i++) chunks.push(jar.get(`${name}.${i}`)!);
  return chunks.length > 0 ? chunks.join("") : undefined;
}

/**
 * The staff member behind a request's session cookie, re-read from the database on every call:
 * a disabled, deleted or re-roled staff member is affected at once, and a password change ends
 * older sessions. Null when there is no valid session.
 */
export async function staffFromCookie(cookieHeader: string | undefined): Promise<StaffUser | null> {
  const config = getConfig();
  const name = staffSessionCookieName(config.appUrl);
  const token = readCookie(cookieHeader, name);
  if (!token || !config.authSecret) return null;
  let claims: Record<string, unknown> | null;
  try {
    claims = await decode<Record<string, unknown>>({ token, secret: [config.authSecret, ...(config.authSecretPrevious ? [config.authSecretPrevious] : [])], salt: name });
  } catch {
    return null;
  }
  const staffId = claims?.staffId;
  const issuedAt = typeof claims?.signedInAt === "number" ? claims.signedInAt : undefined;
  if (typeof staffId !== "string" || issuedAt === undefined) return null;
  if (Date.now() / 1000 - issuedAt > STAFF_SESSION_MAX_AGE_SECONDS) return null;
  const staff = await getPrisma().staffUser.findUnique({ where: { id: staffId } });
  if (!staff || staff.disabledAt) return null;
  if (staff.passwordChangedAt.getTime() > issuedAt * 1000 + 1000) return null;
  return staff;
}

/**
 * A fresh session cookie for this staff member, signed in now: after changing their own password
 * (which ends every older session) the staff member who changed it stays signed in.
 */
export async function renewStaffSessionCookie(staff: Pick<StaffUser, "id" | "email">): Promise<string> {
  const config = getConfig();
  if (!config.authSecret) throw new Error("AUTH_SECRET is not configured");
  const name = staffSessionCookieName(config.appUrl);
  const now = Math.ceil(Date.now() / 1000);
  const token = await encode({
    token: { sub: staff.id, email: staff.email, staffId: staff.id, signedInAt: now },
    secret: config.authSecret,
    salt: name,
    maxAge: STAFF_SESSION_MAX_AGE_SECONDS,
  });
  const expires = new Date((now + STAFF_SESSION_MAX_AGE_SECONDS) * 1000).toUTCString();
  const secure = config.appUrl.startsWith("https:") ? "; Secure" : "";
  return `${name}=${token}; Path=/; Expires=${expires}; HttpOnly; SameSite=Lax${secure}`;
}
