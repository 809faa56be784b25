import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { loadSessionState } from "../src/services/session-state";
import { parseRefreshToken } from "../src/services/tokens";
import { call, hasRedis } from "./helpers";
import {
  auditEvents,
  claimsOf,
  clientAt,
  clientAuthSuite,
  createTenant,
  expectError,
  expectInvalidField,
  sessionRowOf,
  signInUser,
  signUpUser,
  type Client,
  type SessionDto,
} from "./client-auth-fixtures";

interface SessionItem {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

describe.skipIf(!hasRedis)("clientAuth sessions: refresh, signOut, listSessions, revokeSession", () => {
  const suite = clientAuthSuite();
  const { client, tenantKey } = suite;

  const refresh = (refreshToken: unknown, c: Client = client) => c.post<SessionDto>("refresh", { refreshToken });
  const me = (token: string) => client.get<{ user: SessionDto["user"] }>("me", undefined, token);

  it("the state read on every authenticated request carries the user but never the password hash", async () => {
    const u = await signUpUser(client, tenantKey);
    const state = await loadSessionState(claimsOf(u.session.accessToken).sid as string);
    expect(state?.user.userId).toBe(u.userId);
    expect(state?.user).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(state)).not.toMatch(/\$2[aby]\$/);
  });

  describe("refresh", () => {
    it("rotates: a new pair for the same session, no-store, the old access token still works", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = clientAt(suite.server.url);
      const res = await refresh(u.session.refreshToken, other);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const next = res.data;
      expect(next.refreshToken).not.toBe(u.session.refreshToken);
      expect(next.refreshToken).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      // Same family (session), new secret.
      expect(next.refreshToken.split(".")[0]).toBe(u.session.refreshToken.split(".")[0]);
      expect(claimsOf(next.accessToken).sid).toBe(claimsOf(u.session.accessToken).sid);
      expect(next.user).toEqual(u.session.user);
      expect((await me(next.accessToken)).status).toBe(200);
      expect((await me(u.session.accessToken)).status).toBe(200);
      const row = await sessionRowOf(next.refreshToken);
      expect(row.rotationCount).toBe(1);
      expect(row.ip).toBe(other.ip);
      // The next rotation works from the new token.
      expect((await refresh(next.refreshToken)).status).toBe(200);
    });

    it("the refresh-token format matches what sessions issue (22-char family, 43-char secret)", () => {
      const family = randomBytes(16).toString("base64url");
      const secret = randomBytes(32).toString("base64url");
      expect(parseRefreshToken(`${family}.${secret}`)).toEqual({ family, secret });
      expect(parseRefreshToken(`${family}.${secret}x`)).toBeUndefined();
      expect(parseRefreshToken(`${family}x.${secret}`)).toBeUndefined();
      expect(parseRefreshToken(`${family}${secret}`)).toBeUndefined();
    });

    it("401 auth/InvalidRefreshToken for malformed, unknown and expired tokens; 400 for a missing one", async () => {
      expectError(await refresh("not-a-token"), 401, "auth/InvalidRefreshToken");
      const unknown = `${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
      expectError(await refresh(unknown), 401, "auth/InvalidRefreshToken");
      expectInvalidField(await client.post("refresh", {}), "refreshToken");
      expectInvalidField(await refresh(42), "refreshToken");

      const u = await signUpUser(client, tenantKey);
      const row = await sessionRowOf(u.session.refreshToken);
      await getPrisma().session.update({ where: { id: row.id }, data: { refreshTokenExpiresAt: new Date(Date.now() - 1000) } });
      expectError(await refresh(u.session.refreshToken), 401, "auth/InvalidRefreshToken");
      // An expired refresh token is not reuse: the session (and its access token) lives on.
      expect((await sessionRowOf(u.session.refreshToken)).revokedAt).toBeNull();
      expect((await me(u.session.accessToken)).status).toBe(200);

      const v = await signUpUser(client, tenantKey);
      const vRow = await sessionRowOf(v.session.refreshToken);
      await getPrisma().session.update({ where: { id: vRow.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expectError(await refresh(v.session.refreshToken), 401, "auth/InvalidRefreshToken");
      expectError(await me(v.session.accessToken), 401, "auth/Unauthenticated");
    });

    it("reuse: replaying a rotated token revokes the whole session, the newest tokens too, and is audited", async () => {
      const u = await signUpUser(client, tenantKey);
      const a = u.session;
      const b = (await refresh(a.refreshToken)).data;
      expect(b.refreshToken).toBeTruthy();
      expectError(await refresh(a.refreshToken), 401, "auth/InvalidRefreshToken");
      expectError(await refresh(b.refreshToken), 401, "auth/InvalidRefreshToken");
      expectError(await me(b.accessToken), 401, "auth/Unauthenticated");
      expectError(await me(a.accessToken), 401, "auth/Unauthenticated");
      const row = await sessionRowOf(a.refreshToken);
      expect(row.revokedReason).toBe("reuse");
      const events = await auditEvents(tenantKey, "session.reuseDetected");
      expect(events.filter((e) => e.target === `session:${row.id}`)).toHaveLength(1);
      // The user's other sessions are not touched.
      const again = await signInUser(client, u);
      expect((await me(again.accessToken)).status).toBe(200);
    });

    it("10 parallel refreshes of one token: at most one succeeds, the rest are 401, never a 500", async () => {
      const u = await signUpUser(client, tenantKey);
      const results = await Promise.all(Array.from({ length: 10 }, () => refresh(u.session.refreshToken)));
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 401), JSON.stringify(statuses)).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const r of results.filter((r) => r.status === 401)) expect(r.appCode).toBe("auth/InvalidRefreshToken");
      // The losers count as reuse: the whole session is gone, the winner's tokens with it.
      const winner = results.find((r) => r.status === 200)?.data;
      if (winner) {
        expectError(await refresh(winner.refreshToken), 401, "auth/InvalidRefreshToken");
        expectError(await me(winner.accessToken), 401, "auth/Unauthenticated");
      }
      expect((await sessionRowOf(u.session.refreshToken)).revokedAt).not.toBeNull();
    });

    it("a refresh reads current state: a verified email shows up as ev:true, a new displayName in user", async () => {
      const u = await signUpUser(client, tenantKey);
      await getPrisma().user.update({ where: { id: u.session.user.id }, data: { emailVerifiedAt: new Date(), verifiedEmail: u.email, displayName: "Renamed" } });
      const next = (await refresh(u.session.refreshToken)).data;
      expect(claimsOf(next.accessToken).ev).toBe(true);
      expect(next.user.displayName).toBe("Renamed");
    });
  });

  describe("signOut", () => {
    it("with no body, with {} and with this session's refreshToken: revokes both tokens at once, audited", async () => {
      const u = await signUpUser(client, tenantKey);
      const s1 = await signInUser(client, u);
      const s2 = await signInUser(client, u);
      const s3 = await signInUser(client, u);

      // No body at all, without a content type either (a bare POST).
      const bare = await fetch(`${suite.server.url}/api/trpc/clientAuth.signOut`, {
        method: "POST",
        headers: { authorization: `Bearer ${s3.accessToken}`, "x-forwarded-for": client.ip },
      });
      expect(bare.status, await bare.clone().text()).toBe(200);
      expect(await bare.json()).toEqual({ result: { data: { success: true } } });
      expectError(await me(s3.accessToken), 401, "auth/Unauthenticated");

      // No body with a JSON content type (what tRPC's client sends for `signOut.mutate()`).
      const noBody = await call(suite.server.url, "clientAuth.signOut", undefined, { token: u.session.accessToken, headers: { "x-forwarded-for": client.ip } });
      expect(noBody.status, JSON.stringify(noBody.body)).toBe(200);
      expect(noBody.data).toEqual({ success: true });
      expectError(await me(u.session.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(u.session.refreshToken), 401, "auth/InvalidRefreshToken");

      const empty = await client.post("signOut", {}, s1.accessToken);
      expect(empty.status).toBe(200);
      expectError(await me(s1.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(s1.refreshToken), 401, "auth/InvalidRefreshToken");

      const withToken = await client.post("signOut", { refreshToken: s2.refreshToken }, s2.accessToken);
      expect(withToken.status).toBe(200);
      expectError(await me(s2.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(s2.refreshToken), 401, "auth/InvalidRefreshToken");

      // Signing out again with a dead token is 401.
      expectError(await client.post("signOut", {}, s2.accessToken), 401, "auth/Unauthenticated");
      const events = await auditEvents(tenantKey, "user.signedOut");
      expect(events.filter((e) => e.actorId === u.session.user.id)).toHaveLength(4);
    });

    it("with the refreshToken of another session: 401 auth/InvalidRefreshToken, and nothing is revoked", async () => {
      const u = await signUpUser(client, tenantKey);
      const mine = await signInUser(client, u);
      const stranger = await signUpUser(client, tenantKey);
      for (const refreshToken of [mine.refreshToken, stranger.session.refreshToken, "garbage"]) {
        expectError(await client.post("signOut", { refreshToken }, u.session.accessToken), 401, "auth/InvalidRefreshToken");
      }
      expect((await me(u.session.accessToken)).status).toBe(200);
      expect((await me(mine.accessToken)).status).toBe(200);
      expect((await refresh(stranger.session.refreshToken)).status).toBe(200);
    });

    it("without an access token: 401 auth/Unauthenticated", async () => {
      expectError(await client.post("signOut", {}), 401, "auth/Unauthenticated");
      expectError(await client.post("signOut", {}, "not.a.jwt-but-long-enough"), 401, "auth/Unauthenticated");
    });
  });

  describe("listSessions and revokeSession", () => {
    it("lists live sessions newest first with `current`; a query with no input works", async () => {
      const u = await signUpUser(client, tenantKey);
      const laptop = clientAt(suite.server.url);
      const s2 = await signInUser(laptop, u);
      const s3 = await signInUser(client, u);
      await client.post("signOut", {}, s3.accessToken);

      const res = await client.get<{ items: SessionItem[] }>("listSessions", undefined, s2.accessToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const ids = [claimsOf(s2.accessToken).sid, claimsOf(u.session.accessToken).sid];
      expect(res.data.items.map((i) => i.id)).toEqual(ids);
      expect(res.data.items.map((i) => i.current)).toEqual([true, false]);
      expect(res.data.items[0]).toEqual({
        id: ids[0],
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        ip: laptop.ip,
        userAgent: `vitest ${laptop.ip}`,
        current: true,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/refreshTokenHash|tokenFamily/);
      // Also with `?input={}`; the other session sees itself as current.
      const other = await client.get<{ items: SessionItem[] }>("listSessions", {}, u.session.accessToken);
      expect(other.data.items.map((i) => i.current)).toEqual([false, true]);
    });

    it("revokeSession kills another session's access and refresh tokens; revoking the current one signs out", async () => {
      const u = await signUpUser(client, tenantKey);
      const s2 = await signInUser(client, u);
      const s2Id = claimsOf(s2.accessToken).sid as string;
      const res = await client.post("revokeSession", { id: s2Id }, u.session.accessToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.data).toEqual({ success: true });
      expectError(await me(s2.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(s2.refreshToken), 401, "auth/InvalidRefreshToken");
      expect((await me(u.session.accessToken)).status).toBe(200);
      // Idempotent on one's own already revoked session.
      expect((await client.post("revokeSession", { id: s2Id }, u.session.accessToken)).status).toBe(200);

      const ownId = claimsOf(u.session.accessToken).sid as string;
      expect((await client.post("revokeSession", { id: ownId }, u.session.accessToken)).status).toBe(200);
      expectError(await me(u.session.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(u.session.refreshToken), 401, "auth/InvalidRefreshToken");
    });

    it("another user's session (any tenant) and a made-up id give the same 404 session/NotFound and revoke nothing", async () => {
      const u = await signUpUser(client, tenantKey);
      const neighbour = await signUpUser(client, tenantKey);
      const foreignTenant = await createTenant();
      const foreigner = await signUpUser(client, foreignTenant.key, { userId: u.userId });
      const answers = [];
      for (const victim of [neighbour, foreigner]) {
        const res = await client.post("revokeSession", { id: claimsOf(victim.session.accessToken).sid }, u.session.accessToken);
        expectError(res, 404, "session/NotFound");
        answers.push(res.body);
        expect((await me(victim.session.accessToken)).status).toBe(200);
      }
      const madeUp = await client.post("revokeSession", { id: "7d0c5a1e-8f1b-4e44-9d43-3f3c1d0a9b11" }, u.session.accessToken);
      expectError(madeUp, 404, "session/NotFound");
      expect(answers).toEqual([madeUp.body, madeUp.body]);
      expectInvalidField(await client.post("revokeSession", { id: "nope" }, u.session.accessToken), "id");
      expectInvalidField(await client.post("revokeSession", {}, u.session.accessToken), "id");
    });
  });

  describe("tenant soft delete", () => {
    it("refresh 404 tenant/NotFound, access tokens 401, signIn 404; restore revives no session", async () => {
      const t = await createTenant();
      const u = await signUpUser(client, t.key);
      const live = await signInUser(client, u);
      // What backOffice.tenants.softDelete does.
      const now = new Date();
      await getPrisma().$transaction([
        getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: now } }),
        getPrisma().session.updateMany({ where: { tenantId: t.id, revokedAt: null }, data: { revokedAt: now, revokedReason: "tenant_deleted" } }),
      ]);
      expectError(await refresh(live.refreshToken), 404, "tenant/NotFound");
      expectError(await refresh(u.session.refreshToken), 404, "tenant/NotFound");
      expectError(await me(live.accessToken), 401, "auth/Unauthenticated");
      expectError(await client.post("signIn", { tenantKey: t.key, userId: u.userId, password: u.password }), 404, "tenant/NotFound");

      await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: null } });
      expectError(await refresh(live.refreshToken), 401, "auth/InvalidRefreshToken");
      expectError(await me(live.accessToken), 401, "auth/Unauthenticated");
      await signInUser(client, u);
    });

    it("access tokens are refused as soon as the tenant is deleted, even before sessions are revoked", async () => {
      const t = await createTenant();
      const u = await signUpUser(client, t.key);
      await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
      expectError(await me(u.session.accessToken), 401, "auth/Unauthenticated");
      expectError(await refresh(u.session.refreshToken), 404, "tenant/NotFound");
    });
  });
});
