import { afterEach, describe, expect, it, vi } from "vitest";
import { holdAt } from "../src/lib/pause-points";
import { hasRedis, sessionCookieOf, setCookiesOf, settle, useServer, withResponse } from "./kit";

const NEW_PASSWORD = "a brand new staff passphrase";

/**
 * Issue 15, staff side: a staff cookie is worth only as much as the credentials it was minted
 * from, and signing out ends it on the server.
 */
describe.skipIf(!hasRedis)("staff sessions against password changes, disables and sign-out", () => {
  const suite = useServer({ staff: true });
  const { ip, bo } = suite;
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The status a BackOffice call gets with this cookie. */
  const statusWith = async (cookie: string | undefined) =>
    (await settle(suite.staffCaller(cookie).backOffice.tenants.list.query({}))).status;

  it("a cookie minted before a password change is refused even within the same instant (no clock grace)", async () => {
    const me = await suite.newStaff("viewer", "tie");
    // The clock stands still, so the sign-in and the change happen at the same instant: a check
    // that compares sign-in and change times cannot tell them apart.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date() });
    const other = await suite.signInStaff(me.email, me.password);
    expect(await statusWith(other)).toBe(200);
    const changed = await withResponse(() =>
      me.api.backOffice.staff.changePassword.mutate({ currentPassword: me.password, newPassword: NEW_PASSWORD }),
    );
    expect(await statusWith(other)).toBe(401);
    expect(await statusWith(me.cookie)).toBe(401);
    expect(await statusWith(sessionCookieOf(changed.response.headers))).toBe(200);
  });

  it("a sign-in held after its password check while the password changes yields no working cookie", async () => {
    const me = await suite.newStaff("viewer", "race");
    const hold = holdAt("staffSession.open", me.id);
    const pending = suite.signInStaff(me.email, me.password);
    await hold.reached;
    try {
      await me.api.backOffice.staff.changePassword.mutate({ currentPassword: me.password, newPassword: NEW_PASSWORD });
    } finally {
      hold.release();
    }
    const late = await pending;
    // Whether or not next-auth still sets a cookie, none works.
    expect(await statusWith(late)).toBe(401);
  });

  it("a sign-in held after its password check while the staff member is disabled (and re-enabled) yields no working cookie", async () => {
    const someone = await suite.newStaff("viewer", "racedis");
    const hold = holdAt("staffSession.open", someone.id);
    const pending = suite.signInStaff(someone.email, someone.password);
    await hold.reached;
    try {
      await bo.staff.update.mutate({ email: someone.email, disabled: true });
      await bo.staff.update.mutate({ email: someone.email, disabled: false });
    } finally {
      hold.release();
    }
    const late = await pending;
    // Disabling ends sessions for good: re-enabling revives none, this late one included.
    expect(await statusWith(late)).toBe(401);
    expect(await statusWith(someone.cookie)).toBe(401);
    expect(await statusWith(await suite.signInStaff(someone.email, someone.password))).toBe(200);
  });

  it("sign-out ends the session on the server: a copied cookie replayed afterwards is 401", async () => {
    const me = await suite.newStaff("viewer", "out");
    const other = await suite.signInStaff(me.email, me.password);
    const copy = me.cookie;
    expect(await statusWith(copy)).toBe(200);
    await signOutStaff(suite.server.url, ip, me.cookie);
    expect(await statusWith(copy)).toBe(401);
    // Only that session: the same staff member's other browser stays signed in.
    expect(await statusWith(other)).toBe(200);
  });
});

/** Signs out as the BackOffice's sign-out does (next-auth: GET /api/auth/csrf, form-POST /api/auth/signout). */
async function signOutStaff(baseUrl: string, ip: string, sessionCookie: string): Promise<void> {
  const headers = { "x-forwarded-for": ip };
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { ...headers, cookie: sessionCookie } });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const csrfCookies = setCookiesOf(csrfRes.headers);
  const res = await fetch(`${baseUrl}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: [sessionCookie, ...csrfCookies].join("; ") },
    body: new URLSearchParams({ csrfToken }).toString(),
  });
  expect(res.status).toBe(302);
  // next-auth clears the browser's cookie; the copy above is what an attacker would keep.
  expect(res.headers.getSetCookie().some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);
}
