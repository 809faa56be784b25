/** Seeding (the orchestrator, with the server's own config and database): a tenant, users and sessions. */
import bcrypt from "bcryptjs";
import { getPrisma, type User } from "@gatehouse/db";
// Seeding only: the API's own session creation, so the server accepts the tokens it signs.
import { createSession, issueAccessToken, newSessionRecord } from "@gatehouse/api/bench";
import { counts, knobs, PASSWORD, PROBE_CONNECTIONS, TENANT_KEY } from "./config";
import { log } from "./lib/lifecycle";

// ---------------------------------------------------------------------------------------------
// Seeding (the orchestrator, with the server's own config and database).

export interface Seed {
  tenantId: string;
  passwordHash: string;
  verifiedUserIds: string[];
  meTokens: string[];
  refreshSets: string[][];
  refreshProbeSet: string[];
  sendUsers: { token: string; email: string }[];
  verifyTokens: string[];
}

async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Sessions for many users at once (seeding only): the rows openSession writes, and their access tokens. */
async function bulkSessions(users: User[], tenant: { id: string; key: string }, client: { ip: string; userAgent: string }) {
  const prisma = getPrisma();
  const now = new Date();
  const rows = users.map((user) => ({ user, ...newSessionRecord(user, tenant, client, now) }));
  await prisma.session.createMany({ data: rows.map((r) => r.data) });
  const families = rows.map((r) => r.data.tokenFamily);
  const ids = new Map(
    (
      await prisma.session.findMany({
        where: { tenantId: tenant.id, tokenFamily: { in: families } },
        select: { id: true, tokenFamily: true },
      })
    ).map((r) => [r.tokenFamily, r.id]),
  );
  return Promise.all(
    rows.map(async ({ user, data, refreshToken }) => ({
      ...(await issueAccessToken({ user, tenant, sessionId: ids.get(data.tokenFamily)! })),
      refreshToken,
    })),
  );
}

export async function seed(cost: number): Promise<Seed> {
  const prisma = getPrisma();
  const started = Date.now();
  const passwordHash = bcrypt.hashSync(PASSWORD, cost);
  const tenant = await prisma.tenant.create({
    data: { key: TENANT_KEY, name: "Bench", allowedEmailDomains: [], locale: "en", emailCodeSignIn: true },
  });
  const now = new Date();
  const pad = (n: number) => String(n).padStart(5, "0");
  const rows = [
    ...Array.from({ length: counts.verified }, (_, i) => ({ userId: `v${pad(i)}`, verified: true })),
    ...Array.from({ length: counts.sendUsers }, (_, i) => ({ userId: `s${pad(i)}`, verified: false })),
    ...Array.from({ length: counts.verifyUsers }, (_, i) => ({ userId: `w${pad(i)}`, verified: false })),
  ].map(({ userId, verified }) => ({
    tenantId: tenant.id,
    userId,
    email: `${userId}@bench.example`,
    verifiedEmail: verified ? `${userId}@bench.example` : null,
    emailVerifiedAt: verified ? now : null,
    passwordHash,
    displayName: `Bench ${userId}`,
    role: "member" as const,
    source: "self_signup" as const,
  }));
  for (let i = 0; i < rows.length; i += 1000) await prisma.user.createMany({ data: rows.slice(i, i + 1000) });
  log(`  users written (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const users = await prisma.user.findMany({ where: { tenantId: tenant.id }, orderBy: { userId: "asc" } });
  const byPrefix = (p: string) => users.filter((u) => u.userId.startsWith(p));
  const verified = byPrefix("v");
  const sendUsers = byPrefix("s");
  const verifyUsers = byPrefix("w");
  const t = { id: tenant.id, key: tenant.key };
  const client = { ip: "127.0.0.1", userAgent: "gatehouse-bench" };
  const sessionFor = (u: User) => createSession(u, t, client);

  const C = knobs.connections;
  const P = 16;
  const meSessions = await pool(verified.slice(0, Math.max(C, PROBE_CONNECTIONS)), P, sessionFor);
  const refreshOwners = (n: number, from: number) => Array.from({ length: n }, (_, i) => verified[(from + i) % verified.length]!);
  const refreshProbe = await pool(refreshOwners(PROBE_CONNECTIONS + 8, 100), P, sessionFor);
  const refreshSets: string[][] = [];
  for (let r = 0; r < knobs.runs; r++) {
    const sessions = await pool(refreshOwners(C + counts.refreshSpares, 200 + r * (C + counts.refreshSpares)), P, sessionFor);
    refreshSets.push(sessions.map((s) => s.refreshToken));
  }
  // 4,000 sessions one commit each would take half a minute here: these are written in one
  // statement, rows as openSession writes them, each with an access token from issueAccessToken.
  const sendSessions = await bulkSessions(sendUsers, t, client);
  const verifySessions = await pool(verifyUsers, P, sessionFor);
  log(
    `seeded ${users.length} users and ${meSessions.length + refreshProbe.length + refreshSets.flat().length + sendSessions.length + verifySessions.length} sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    tenantId: tenant.id,
    passwordHash,
    verifiedUserIds: verified.map((u) => u.userId),
    meTokens: meSessions.map((s) => s.accessToken),
    refreshSets,
    refreshProbeSet: refreshProbe.map((s) => s.refreshToken),
    sendUsers: sendSessions.map((s, i) => ({ token: s.accessToken, email: sendUsers[i]!.email! })),
    verifyTokens: verifySessions.map((s) => s.accessToken),
  };
}
