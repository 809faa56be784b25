import { beforeAll, describe, expect, it } from "vitest";
import { getPgPool, getPrisma } from "@gatehouse/db";
import { holdAt } from "../src/lib/pause-points";
import {
  clientAt,
  createTenant,
  expectError,
  hasRedis,
  newPassword,
  randomIp,
  sidOf,
  signedInStaff,
  signUpUser,
  useServer,
  type Api,
  type Client,
  type Session,
  type SignedUp,
} from "./kit";

/**
 * M1 (issue 15): a sign-in whose password check passed is held just before its session is
 * written (the "session.open" pause point), the credentials are revoked meanwhile, then the
 * sign-in goes on. It must not leave a live session behind.
 */
describe.skipIf(!hasRedis)("a sign-in in flight while its credentials are revoked", () => {
  const suite = useServer();
  let admin: Api;
  beforeAll(async () => {
    admin = (await signedInStaff(suite.server.url, randomIp(), "admin", "race")).api;
  });

  /** Signs `user` in, holds that sign-in after its password check while `revoke` runs, then lets it finish. */
  async function signInAcross(client: Client, user: SignedUp, revoke: () => Promise<void>): Promise<Session> {
    const hold = holdAt("session.open", user.session.user.id);
    const pending = client.api.clientAuth.signIn.mutate({ tenantKey: user.tenantKey, userId: user.userId, password: user.password });
    await hold.reached;
    try {
      await revoke();
    } finally {
      hold.release();
    }
    return pending;
  }

  const liveSessions = (user: SignedUp, except?: string) =>
    getPrisma().session.findMany({ where: { userId: user.session.user.id, revokedAt: null, ...(except ? { id: { not: except } } : {}) } });

  it("a password change (clientAuth.changePassword) meanwhile: 401 auth/InvalidCredentials, no new session", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const res = signInAcross(suite.client, user, async () => {
      await user.api.clientAuth.changePassword.mutate({ currentPassword: user.password, newPassword: newPassword() });
    });
    await expectError(res, "auth/InvalidCredentials");
    // Only the session that changed the password is still live.
    expect(await liveSessions(user, sidOf(user.session.accessToken))).toEqual([]);
  });

  it("an admin reset (backOffice.users.resetPassword) meanwhile: 401 auth/InvalidCredentials, no live session", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const res = signInAcross(suite.client, user, async () => {
      await admin.backOffice.users.resetPassword.mutate({ tenantKey: user.tenantKey, userId: user.userId });
    });
    await expectError(res, "auth/InvalidCredentials");
    expect(await liveSessions(user)).toEqual([]);
  });

  it("a suspension (backOffice.users.suspend) meanwhile: 403 auth/AccountSuspended (the password was right), no live session", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const res = signInAcross(suite.client, user, async () => {
      await admin.backOffice.users.suspend.mutate({ tenantKey: user.tenantKey, userId: user.userId });
    });
    await expectError(res, "auth/AccountSuspended");
    expect(await liveSessions(user)).toEqual([]);
  });

  it("a suspension lifted again before the sign-in goes on: still 401, no live session", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const res = signInAcross(suite.client, user, async () => {
      await admin.backOffice.users.suspend.mutate({ tenantKey: user.tenantKey, userId: user.userId });
      await admin.backOffice.users.unsuspend.mutate({ tenantKey: user.tenantKey, userId: user.userId });
    });
    await expectError(res, "auth/InvalidCredentials");
    expect(await liveSessions(user)).toEqual([]);
  });

  it("a deletion (backOffice.users.delete) meanwhile: 401 auth/InvalidCredentials, no live session", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const res = signInAcross(suite.client, user, async () => {
      await admin.backOffice.users.delete.mutate({ tenantKey: user.tenantKey, userId: user.userId });
    });
    await expectError(res, "auth/InvalidCredentials");
    expect(await liveSessions(user)).toEqual([]);
  });

  it("a tenant soft delete (backOffice.tenants.softDelete) meanwhile: 404 tenant/NotFound, no live session", async () => {
    const tenant = await createTenant();
    const client = clientAt(suite.server.url);
    const user = await signUpUser(client, tenant.key);
    const res = signInAcross(client, user, async () => {
      await admin.backOffice.tenants.softDelete.mutate({ key: tenant.key });
    });
    // CONTRACT "Tenant": a soft-deleted tenant is 404 tenant/NotFound on signIn, as it would
    // have been had this sign-in started a moment later.
    await expectError(res, "tenant/NotFound");
    expect(await liveSessions(user)).toEqual([]);
  });

  it("a revocation still uncommitted when the session is written: the write waits for it, then writes nothing", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    const userId = user.session.user.id;
    // A suspension as users.suspend makes it, held open between its statements.
    const revocation = await getPgPool().connect();
    try {
      const hold = holdAt("session.open", userId);
      const pending = suite.client.api.clientAuth.signIn.mutate({
        tenantKey: user.tenantKey,
        userId: user.userId,
        password: user.password,
      });
      await hold.reached;
      await revocation.query("BEGIN");
      await revocation.query(`UPDATE "User" SET "suspendedAt" = now(), "credentialsVersion" = "credentialsVersion" + 1 WHERE id = $1`, [
        userId,
      ]);
      await revocation.query(
        `UPDATE "Session" SET "revokedAt" = now(), "revokedReason" = 'suspended' WHERE "userId" = $1 AND "revokedAt" IS NULL`,
        [userId],
      );
      hold.release();
      // The session INSERT must now be waiting for the user row's lock, not writing past it.
      await waitForLockedInsert();
      await revocation.query("COMMIT");
      await expectError(pending, "auth/AccountSuspended");
    } finally {
      await revocation.query("ROLLBACK").catch(() => {});
      revocation.release();
    }
    expect(await liveSessions(user)).toEqual([]);
  });

  it("nothing revoked meanwhile: the held sign-in succeeds (the pause point itself changes nothing)", async () => {
    const user = await signUpUser(suite.client, suite.tenantKey);
    await signInAcross(suite.client, user, async () => {});
    expect(await liveSessions(user)).toHaveLength(2);
  });
});

/** Resolves once a session INSERT waits on a row lock (polls pg_stat_activity; fails after 5 s). */
async function waitForLockedInsert(): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { rows } = await getPgPool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO "Session"%'`,
    );
    if (rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error("the session INSERT never waited for the revocation's row lock");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
