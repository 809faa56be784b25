import { getPrisma, type Prisma, type StaffUser } from "@gatehouse/db";
import { pausePoint } from "../lib/pause-points";

/**
 * Staff sessions, kept on the server: the next-auth cookie names a StaffSession row, and works
 * only while that row is live and was opened under the staff member's current
 * credentialsVersion. Signing out revokes the row, so a copied cookie dies with it; a password
 * change or a disable bumps the version, so every session opened before it (or by a sign-in
 * still checking the old password) is refused, with no clock involved.
 */

/** Staff sessions last at most this long (CONTRACT: 8 hours). */
export const STAFF_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

type Db = Pick<Prisma.TransactionClient, "staffSession">;

export interface OpenedStaffSession {
  id: string;
  /** Unix seconds. */
  signedInAt: number;
}

/**
 * Opens a session for a staff member whose password was just checked, under the
 * credentialsVersion read together with that password's hash.
 */
export async function openStaffSession(
  staff: Pick<StaffUser, "id" | "credentialsVersion">,
  db: Db = getPrisma(),
): Promise<OpenedStaffSession> {
  await pausePoint("staffSession.open", staff.id);
  const now = new Date();
  const row = await db.staffSession.create({
    data: {
      staffId: staff.id,
      credentialsVersion: staff.credentialsVersion,
      createdAt: now,
      expiresAt: new Date(now.getTime() + STAFF_SESSION_MAX_AGE_SECONDS * 1000),
    },
  });
  return { id: row.id, signedInAt: Math.floor(now.getTime() / 1000) };
}

/** A staff member as every BackOffice request sees them: never the password hash (nor its version). */
export type SessionStaff = Omit<StaffUser, "passwordHash" | "credentialsVersion">;

/**
 * The staff member behind a live session: the row exists, belongs to `staffId`, is neither
 * revoked nor expired, the staff member is enabled and their credentials are the ones the
 * session was opened under. One indexed query (the hash is not even read); null otherwise.
 */
export async function staffOfLiveSession(sessionId: string, staffId: string): Promise<SessionStaff | null> {
  const session = await getPrisma().staffSession.findUnique({
    where: { id: sessionId },
    include: { staff: { omit: { passwordHash: true } } },
  });
  if (!session || session.staffId !== staffId || session.revokedAt || session.expiresAt <= new Date()) return null;
  const { credentialsVersion, ...staff } = session.staff;
  if (staff.disabledAt || credentialsVersion !== session.credentialsVersion) return null;
  return staff;
}

/** Ends one staff session (sign-out). Idempotent; returns whether it was live. */
export async function revokeStaffSession(sessionId: string, reason: string): Promise<boolean> {
  const result = await getPrisma().staffSession.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count === 1;
}

/** Ends every live session of a staff member (password change, disable). */
export async function revokeStaffSessions(staffId: string, reason: string, db: Db = getPrisma()): Promise<number> {
  const result = await db.staffSession.updateMany({
    where: { staffId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count;
}
