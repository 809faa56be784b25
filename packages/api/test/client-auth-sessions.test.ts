import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { loadSessionState } from "../src/services/session-state";
import { parseRefreshToken } from "../src/services/tokens";
import {
  auditEvents,
  claimsOf,
  clientAt,
  createTenant,
  expectError,
  expectInvalidField,
  hasRedis,
  sessionRowOf,
  settle,
  sidOf,
  signInUser,
  signUpUser,
  useServer,
  withResponse,
  type Client,
  type RouterOutputs,
} from "./kit";

type SessionList = RouterOutputs["clientAuth"]["listSessions"];

describe.skipIf(!hasRedis)("clientAuth sessions: refresh, signOut, listSessions, revokeSession", () => {
  const suite = useServer();
  const { client, tenantKey } = suite;

  const refresh = (refreshToken: string, from: Client = client) => from.api.clientAuth.refresh.mutate({ refreshToken });
  const me = (token: string) => client.as(token).clientAuth.me.query();

  it("the state read on every authenticated request carries the user but never the password hash", async () => {
    const u = await signUpUser(client, tenantKey);
    const state = await loadSessionState(sidOf(u.session.accessToken));
    expect(state?.user.userId).toBe(u.userId);
    expect(state?.user).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(state)).not.toMatch(/\$2[aby]\$/);
  });

  describe("refresh", () => {
    it("rotates: a new pair for the same session, no-store, the old access token still works", async () => {
      const u = await signUpUser(client, tenantKey);
      const other = clientAt(suite.server.url);
      const { data: next, response } = await withResponse(() => refresh(u.session.refreshToken, other));
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(next.refreshToken).not.toBe(u.session.refreshToken);
      expect(next.refreshToken).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      // Same family (session), new secret.
      expect(next.refreshToken.split(".")[0]).toBe(u.session.refreshToken.split(".")[0]);
      expect(claimsOf(next.accessToken).sid).toBe(claimsOf(u.session.accessToken).sid);
      expect(next.user).toEqual(u.session.user);
      await me(next.accessToken);
      await me(u.session.accessToken);
      const row = await sessionRowOf(next.refreshToken);
      expect(row.rotationCount).toBe(1);
      expect(row.ip).toBe(other.ip);
      // The next rotation works from the new token.
      await refresh(next.refreshToken);
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
      await expectError(refresh("not-a-token"), "auth/InvalidRefreshToken");
      const unknown = `${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
      await expectError(refresh(unknown), "auth/InvalidRefreshToken");
      // @ts-expect-error: refreshToken left out on purpose
      await expectInvalidField(client.api.clientAuth.refresh.mutate({}), "refreshToken");
      // @ts-expect-error: a number on purpose
      await expectInvalidField(refresh(42), "refreshToken");

      const u = await signUpUser(client, tenantKey);
      const row = await sessionRowOf(u.session.refreshToken);
      await getPrisma().session.update({ where: { id: row.id }, data: { refreshTokenExpiresAt: new Date(Date.now() - 1000) } });
      await expectError(refresh(u.session.refreshToken), "auth/InvalidRefreshToken");
      // An expired refresh token is not reuse: the session (and its access token) lives on.
      expect((await sessionRowOf(u.session.refreshToken)).revokedAt).toBeNull();
      await me(u.session.accessToken);

      const v = await signUpUser(client, tenantKey);
      const vRow = await sessionRowOf(v.session.refreshToken);
      await getPrisma().session.update({ where: { id: vRow.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      await expectError(refresh(v.session.refreshToken), "auth/InvalidRefreshToken");
      await expectError(me(v.session.accessToken), "auth/Unauthenticated");
    });

    it("reuse: replaying a rotated token revokes the whole session, the newest tokens too, and is audited", async () => {
      const u = await signUpUser(client, tenantKey);
      const a = u.session;
      const b = await refresh(a.refreshToken);
      expect(b.refreshToken).toBeTruthy();
      await expectError(refresh(a.refreshToken), "auth/InvalidRefreshToken");
      await expectError(refresh(b.refreshToken), "auth/InvalidRefreshToken");
      await expectError(me(b.accessToken), "auth/Unauthenticated");
      await expectError(me(a.accessToken), "auth/Unauthenticated");
      const row = await sessionRowOf(a.refreshToken);
      expect(row.revokedReason).toBe("reuse");
      const events = await auditEvents(tenantKey, "session.reuseDetected");
      expect(events.filter((e) => e.target === `session:${row.id}`)).toHaveLength(1);
      // The user's other sessions are not touched.
      const again = await signInUser(client, u);
      await me(again.accessToken);
    });

    it("10 parallel refreshes of one token: at most one succeeds, the rest are 401, never a 500", async () => {
      const u = await signUpUser(client, tenantKey);
      const results = await Promise.all(Array.from({ length: 10 }, () => settle(refresh(u.session.refreshToken))));
      const statuses = results.map((r) => r.status);
      expect(
        statuses.every((s) => s === 200 || s === 401),
        JSON.stringify(statuses),
      ).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const r of results) if (!r.ok) expect(r.appCode).toBe("auth/InvalidRefreshToken");
      // The losers count as reuse: the whole session is gone, the winner's tokens with it.
      const [winner] = results.flatMap((r) => (r.ok ? [r.data] : []));
      if (winner) {
        await expectError(refresh(winner.refreshToken), "auth/InvalidRefreshToken");
        await expectError(me(winner.accessToken), "auth/Unauthenticated");
      }
      expect((await sessionRowOf(u.session.refreshToken)).revokedAt).not.toBeNull();
    });

    it("a refresh reads current state: a verified email shows up as ev:true, a new displayName in user", async () => {
      const u = await signUpUser(client, tenantKey);
      await getPrisma().user.update({
        where: { id: u.session.user.id },
        data: { emailVerifiedAt: new Date(), verifiedEmail: u.email, displayName: "Renamed" },
      });
      const next = await refresh(u.session.refreshToken);
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

      // On the wire: no body at all, without a content type either (a bare POST).
      const bare = await fetch(`${suite.server.url}/api/trpc/clientAuth.signOut`, {
        method: "POST",
        headers: { authorization: `Bearer ${s3.accessToken}`, "x-forwarded-for": client.ip },
      });
      expect(bare.status, await bare.clone().text()).toBe(200);
      expect(await bare.json()).toEqual({ result: { data: { success: true } } });
      await expectError(me(s3.accessToken), "auth/Unauthenticated");

      // On the wire: no body with a JSON content type (what tRPC's client sends for `signOut.mutate()`).
      const noBody = await suite.call("clientAuth.signOut", undefined, { token: u.session.accessToken });
      expect(noBody.status, JSON.stringify(noBody.body)).toBe(200);
      expect(noBody.data).toEqual({ success: true });
      await expectError(me(u.session.accessToken), "auth/Unauthenticated");
      await expectError(refresh(u.session.refreshToken), "auth/InvalidRefreshToken");

      expect(await client.as(s1.accessToken).clientAuth.signOut.mutate({})).toEqual({ success: true });
      await expectError(me(s1.accessToken), "auth/Unauthenticated");
      await expectError(refresh(s1.refreshToken), "auth/InvalidRefreshToken");

      expect(await client.as(s2.accessToken).clientAuth.signOut.mutate({ refreshToken: s2.refreshToken })).toEqual({ success: true });
      await expectError(me(s2.accessToken), "auth/Unauthenticated");
      await expectError(refresh(s2.refreshToken), "auth/InvalidRefreshToken");

      // Signing out again with a dead token is 401.
      await expectError(client.as(s2.accessToken).clientAuth.signOut.mutate({}), "auth/Unauthenticated");
      const events = await auditEvents(tenantKey, "user.signedOut");
      expect(events.filter((e) => e.actorId === u.session.user.id)).toHaveLength(4);
    });

    it("with the refreshToken of another session: 401 auth/InvalidRefreshToken, and nothing is revoked", async () => {
      const u = await signUpUser(client, tenantKey);
      const mine = await signInUser(client, u);
      const stranger = await signUpUser(client, tenantKey);
      for (const refreshToken of [mine.refreshToken, stranger.session.refreshToken, "garbage"]) {
        await expectError(u.api.clientAuth.signOut.mutate({ refreshToken }), "auth/InvalidRefreshToken");
      }
      await me(u.session.accessToken);
      await me(mine.accessToken);
      await refresh(stranger.session.refreshToken);
    });

    it("without an access token: 401 auth/Unauthenticated", async () => {
      await expectError(client.api.clientAuth.signOut.mutate({}), "auth/Unauthenticated");
      await expectError(client.as("not.a.jwt-but-long-enough").clientAuth.signOut.mutate({}), "auth/Unauthenticated");
    });
  });

  describe("listSessions and revokeSession", () => {
    it("lists live sessions newest first with `current`; a query with no input works", async () => {
      const u = await signUpUser(client, tenantKey);
      const laptop = clientAt(suite.server.url);
      const s2 = await signInUser(laptop, u);
      const s3 = await signInUser(client, u);
      await client.as(s3.accessToken).clientAuth.signOut.mutate({});

      const { data: list, response } = await withResponse(() => client.as(s2.accessToken).clientAuth.listSessions.query());
      const ids = [sidOf(s2.accessToken), sidOf(u.session.accessToken)];
      expect(list.items.map((i) => i.id)).toEqual(ids);
      expect(list.items.map((i) => i.current)).toEqual([true, false]);
      expect(list.items[0]).toEqual({
        id: ids[0],
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        ip: laptop.ip,
        userAgent: `vitest ${laptop.ip}`,
        current: true,
      });
      expect(await response.text()).not.toMatch(/refreshTokenHash|tokenFamily/);
      // On the wire, also with `?input={}`; the other session sees itself as current.
      const other = await suite.call<SessionList>("clientAuth.listSessions", {}, { method: "GET", token: u.session.accessToken });
      expect(other.data.items.map((i) => i.current)).toEqual([false, true]);
    });

    it("revokeSession kills another session's access and refresh tokens; revoking the current one signs out", async () => {
      const u = await signUpUser(client, tenantKey);
      const s2 = await signInUser(client, u);
      const s2Id = sidOf(s2.accessToken);
      expect(await u.api.clientAuth.revokeSession.mutate({ id: s2Id })).toEqual({ success: true });
      await expectError(me(s2.accessToken), "auth/Unauthenticated");
      await expectError(refresh(s2.refreshToken), "auth/InvalidRefreshToken");
      await me(u.session.accessToken);
      // Idempotent on one's own already revoked session.
      await u.api.clientAuth.revokeSession.mutate({ id: s2Id });

      await u.api.clientAuth.revokeSession.mutate({ id: sidOf(u.session.accessToken) });
      await expectError(me(u.session.accessToken), "auth/Unauthenticated");
      await expectError(refresh(u.session.refreshToken), "auth/InvalidRefreshToken");
    });

    it("another user's session (any tenant) and a made-up id give the same 404 session/NotFound and revoke nothing", async () => {
      const u = await signUpUser(client, tenantKey);
      const neighbour = await signUpUser(client, tenantKey);
      const foreignTenant = await createTenant();
      const foreigner = await signUpUser(client, foreignTenant.key, { userId: u.userId });
      const answers = [];
      for (const victim of [neighbour, foreigner]) {
        const res = await expectError(u.api.clientAuth.revokeSession.mutate({ id: sidOf(victim.session.accessToken) }), "session/NotFound");
        answers.push(res.body);
        await victim.api.clientAuth.me.query();
      }
      const madeUp = await expectError(
        u.api.clientAuth.revokeSession.mutate({ id: "7d0c5a1e-8f1b-4e44-9d43-3f3c1d0a9b11" }),
        "session/NotFound",
      );
      expect(answers).toEqual([madeUp.body, madeUp.body]);
      await expectInvalidField(u.api.clientAuth.revokeSession.mutate({ id: "nope" }), "id");
      // @ts-expect-error: id left out on purpose
      await expectInvalidField(u.api.clientAuth.revokeSession.mutate({}), "id");
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
        getPrisma().session.updateMany({
          where: { tenantId: t.id, revokedAt: null },
          data: { revokedAt: now, revokedReason: "tenant_deleted" },
        }),
      ]);
      await expectError(refresh(live.refreshToken), "tenant/NotFound");
      await expectError(refresh(u.session.refreshToken), "tenant/NotFound");
      await expectError(me(live.accessToken), "auth/Unauthenticated");
      await expectError(
        client.api.clientAuth.signIn.mutate({ tenantKey: t.key, userId: u.userId, password: u.password }),
        "tenant/NotFound",
      );

      await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: null } });
      await expectError(refresh(live.refreshToken), "auth/InvalidRefreshToken");
      await expectError(me(live.accessToken), "auth/Unauthenticated");
      await signInUser(client, u);
    });

    it("access tokens are refused as soon as the tenant is deleted, even before sessions are revoked", async () => {
      const t = await createTenant();
      const u = await signUpUser(client, t.key);
      await getPrisma().tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
      await expectError(me(u.session.accessToken), "auth/Unauthenticated");
      await expectError(refresh(u.session.refreshToken), "tenant/NotFound");
    });
  });
});
