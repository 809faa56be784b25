import "server-only";
import { getPrisma } from "@gatehouse/db";

export interface LiveSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * A user's live sessions for the user detail page. The contract has no backOffice procedure for
 * this, so it is a read-only query here; call it only after the API has returned the user to
 * this staff member (which is the authorization check: any staff role may see users).
 */
export async function liveSessionsOf(userUuid: string): Promise<LiveSession[]> {
  const now = new Date();
  const rows = await getPrisma().session.findMany({
    where: { userId: userUuid, revokedAt: null, expiresAt: { gt: now }, refreshTokenExpiresAt: { gt: now } },
    orderBy: { lastUsedAt: "desc" },
    take: 50,
    select: { id: true, createdAt: true, lastUsedAt: true, ip: true, userAgent: true },
  });
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    ip: row.ip,
    userAgent: row.userAgent,
  }));
}
