import { decode, encode } from "@auth/core/jwt";
import { getPrisma, type StaffUser } from "@gatehouse/db";
import { getConfig } from "../config";
import { checkSpendingAttempt, replaceOutdatedHash, verifyPasswordOrDummy } from "../lib/password-hasher";
import { existingPasswordSchema, isStorableText } from "@gatehouse/contract";
import { enforceIpLimit } from "../policy/rate-limits";
import { takeSignInAttempt } from "../policy/sign-in-budget";
import { auditStaffAction } from "../services/audit";
import {
  STAFF_SESSION_MAX_AGE_SECONDS,
  openStaffSession,
  staffOfLiveSession,
  type OpenedStaffSession,
  type SessionStaff,
} from "./sessions";

export { STAFF_SESSION_MAX_AGE_SECONDS };

/** next-auth's session cookie name: `__Secure-` prefixed when APP_URL is https. */
export function staffSessionCookieName(appUrl = getConfig().appUrl): string {
  return appUrl.startsWith("https:") ? "__Secure-authjs.session-token" : "authjs.session-token";
}

export interface StaffIdentity {
  id: string;
  email: string;
  role: "admin" | "viewer";
  /** The StaffSession this sign-in opened; the cookie carries it. */
  sessionId: string;
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
  const prisma = getPrisma();
  const staff = await prisma.staffUser.findUnique({ where: { email } });
  const { ok, outdated } = await checkSpendingAttempt(attempt, () => verifyPasswordOrDummy(password, staff?.passwordHash));
  if (!ok || !staff || staff.disabledAt) {
    await auditStaffAction(prisma, { staff: { id: staff?.id ?? null, email }, ip: input.ip }, "staff.signInFailed", {
      target: { staff: email },
      details: { reason: !staff || !ok ? "invalid_credentials" : "disabled" },
    });
    return null;
  }
  await attempt.refund();
  // Under the credentialsVersion read with the hash just checked: a password change or disable
  // meanwhile leaves this session dead on arrival.
  const session = await openStaffSession(staff);
  await prisma.staffUser.update({ where: { id: staff.id }, data: { lastLoginAt: new Date() } });
  await auditStaffAction(prisma, { staff, ip: input.ip }, "staff.signedIn", { target: { staff: staff.email } });
  if (outdated) {
    await replaceOutdatedHash(password, (passwordHash) =>
      prisma.staffUser.updateMany({ where: { id: staff.id, passwordHash: staff.passwordHash }, data: { passwordHash } }),
    );
  }
  return { id: staff.id, email: staff.email, role: staff.role, sessionId: session.id };
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The staff member behind a request's session cookie, re-read from the database on every call:
 * a disabled, deleted or re-roled staff member is affected at once; a signed-out session, and
 * every session from before a password change or a disable, is refused (see staff/sessions.ts).
 * Null when there is no valid session.
 */
export async function staffFromCookie(cookieHeader: string | undefined): Promise<SessionStaff | null> {
  const config = getConfig();
  const name = staffSessionCookieName(config.appUrl);
  const token = readCookie(cookieHeader, name);
  if (!token || !config.authSecret) return null;
  let claims: Record<string, unknown> | null;
  try {
    claims = await decode<Record<string, unknown>>({
      token,
      secret: [config.authSecret, ...(config.authSecretPrevious ? [config.authSecretPrevious] : [])],
      salt: name,
    });
  } catch {
    return null;
  }
  const staffId = claims?.staffId;
  const sessionId = claims?.sid;
  const issuedAt = typeof claims?.signedInAt === "number" ? claims.signedInAt : undefined;
  // Cookies from before server-side sessions carry no sid: they are no session (sign in again).
  if (typeof staffId !== "string" || typeof sessionId !== "string" || !UUID.test(sessionId) || issuedAt === undefined) return null;
  if (Date.now() / 1000 - issuedAt > STAFF_SESSION_MAX_AGE_SECONDS) return null;
  return staffOfLiveSession(sessionId, staffId);
}

/**
 * The Set-Cookie value for a staff session opened outside next-auth's sign-in: after changing
 * their own password (which ends every other session) the staff member who changed it stays
 * signed in. The same claims next-auth's jwt callback writes (auth-config.ts).
 */
export async function staffSessionCookie(staff: Pick<StaffUser, "id" | "email">, session: OpenedStaffSession): Promise<string> {
  const config = getConfig();
  if (!config.authSecret) throw new Error("AUTH_SECRET is not configured");
  const name = staffSessionCookieName(config.appUrl);
  const token = await encode({
    token: { sub: staff.id, email: staff.email, staffId: staff.id, sid: session.id, signedInAt: session.signedInAt },
    secret: config.authSecret,
    salt: name,
    maxAge: STAFF_SESSION_MAX_AGE_SECONDS,
  });
  const expires = new Date((session.signedInAt + STAFF_SESSION_MAX_AGE_SECONDS) * 1000).toUTCString();
  const secure = config.appUrl.startsWith("https:") ? "; Secure" : "";
  return `${name}=${token}; Path=/; Expires=${expires}; HttpOnly; SameSite=Lax${secure}`;
}
