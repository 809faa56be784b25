import { getPrisma } from "@gatehouse/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionChange } from "../src";
import { createTenant, hasRedis, newClient, signUpWith, startGatehouse, unique, type Gatehouse } from "./support";

let gatehouse: Gatehouse;
/** emailCodeSignIn on. */
let tenantKey: string;
/** emailCodeSignIn off (the default). */
let closedTenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  gatehouse = await startGatehouse();
  tenantKey = (await createTenant()).key;
  await getPrisma().tenant.update({ where: { key: tenantKey }, data: { emailCodeSignIn: true } });
  closedTenantKey = (await createTenant()).key;
});
afterAll(async () => {
  await gatehouse?.close();
});

const newEmail = () => `${unique("pl")}@example.com`;

describe.skipIf(!hasRedis)("ClientPasswordless, the facade", () => {
  it("signs a new address up: sendCode → verify (needSignup) → register, and stores the session", async () => {
    const client = newClient(gatehouse);
    const changes: SessionChange[] = [];
    client.hooks.onSessionChange((_tokens, change) => changes.push(change));
    const email = newEmail();

    const sent = await client.ClientPasswordless.sendCode({ body: { tenantKey, email } });
    expect(sent.error).toBeUndefined();
    expect(sent.data).toEqual({ expiresAt: expect.any(String), nextResendAvailableAt: expect.any(String) });

    const verified = await client.ClientPasswordless.verify({ body: { tenantKey, email, code: gatehouse.smtp.latestCode(email) } });
    if (verified.error) throw verified.error;
    if (!verified.data.needSignup) throw new Error("a new address must need a sign-up");
    expect(verified.data.signupToken).toEqual(expect.any(String));
    // A signupToken is not a session: nothing stored yet, and public procedures send no bearer.
    expect(await client.hooks.getTokens()).toBeNull();

    const created = await client.ClientPasswordless.register({
      body: { signupToken: verified.data.signupToken, displayName: "Code User" },
    });
    if (created.error) throw created.error;
    expect(created.data.isNewUser).toBe(true);
    expect(created.data.user).toMatchObject({ email, displayName: "Code User", hasPassword: false, tenantKey });
    expect(created.data.user.userId).toMatch(/^user-/);
    expect(created.data.user.emailVerifiedAt).toEqual(expect.any(String));

    const tokens = await client.hooks.getTokens();
    expect(tokens).toMatchObject({ accessToken: created.data.accessToken, refreshToken: created.data.refreshToken });
    expect(changes.map((c) => c.reason)).toEqual(["signedIn"]);
    // The stored session works for authenticated calls.
    const me = await client.ClientAuth.me();
    expect(me.data?.user.userId).toBe(created.data.user.userId);

    // The token was spent in the sign-up.
    const again = await newClient(gatehouse).ClientPasswordless.register({
      body: { signupToken: verified.data.signupToken, displayName: "Twice" },
    });
    expect(again.error?.appCode).toBe("auth/InvalidSignupToken");
    expect(again.error?.status).toBe(401);
    client.dispose();
  });

  it("signs a known, verified user in with verify alone and stores that session", async () => {
    // A password user whose address is verified (email verification keeps its own cooldown).
    const setup = newClient(gatehouse);
    const known = await signUpWith(setup, tenantKey);
    await setup.ClientEmailVerification.sendVerification({ body: { email: known.email } });
    const verifiedEmail = await setup.ClientEmailVerification.verifyEmail({ body: { code: gatehouse.smtp.latestCode(known.email) } });
    if (verifiedEmail.error) throw verifiedEmail.error;
    setup.dispose();

    // Another device, signed in as someone else: the code sign-in replaces that session.
    const client = newClient(gatehouse);
    const other = await signUpWith(client, tenantKey);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(other.refreshToken);

    const sent = await client.ClientPasswordless.sendCode({ body: { tenantKey, email: known.email } });
    expect(sent.error).toBeUndefined();
    // A second send within 60 s: the typed cooldown answer, with when to try again.
    const soon = await client.ClientPasswordless.sendCode({ body: { tenantKey, email: known.email } });
    expect(soon.error?.appCode).toBe("emailVerification/CooldownActive");
    if (soon.error?.appCode === "emailVerification/CooldownActive") {
      // The same cooldown (the server derives it from the key's TTL, so to the second).
      const gap = Date.parse(soon.error.data.nextResendAvailableAt) - Date.parse(sent.data!.nextResendAvailableAt);
      expect(Math.abs(gap)).toBeLessThan(1000);
    }

    const code = gatehouse.smtp.latestCode(known.email);
    const signedIn = await client.ClientPasswordless.verify({ body: { tenantKey, email: known.email, code } });
    if (signedIn.error) throw signedIn.error;
    if (signedIn.data.needSignup) throw new Error("a verified address must sign in");
    expect(signedIn.data.user).toMatchObject({ userId: known.userId, hasPassword: true });
    const tokens = await client.hooks.getTokens();
    expect(tokens).toMatchObject({ accessToken: signedIn.data.accessToken, refreshToken: signedIn.data.refreshToken });
    expect(tokens?.refreshToken).not.toBe(other.refreshToken);
    expect((await client.ClientAuth.me()).data?.user.userId).toBe(known.userId);
    // Public procedures never refresh.
    expect(client.recorder.count("clientAuth.refresh")).toBe(0);
    client.dispose();
  });

  it("answers wrong codes and closed tenants as typed errors and keeps the stored session", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    const email = newEmail();
    await client.ClientPasswordless.sendCode({ body: { tenantKey, email } });
    const code = gatehouse.smtp.latestCode(email);
    const wrong = await client.ClientPasswordless.verify({ body: { tenantKey, email, code: code === "000000" ? "000001" : "000000" } });
    expect(wrong.error?.appCode).toBe("emailVerification/InvalidCode");
    expect(wrong.error?.status).toBe(401);
    // A 401 about the code is no reason to refresh, nor to drop the session.
    expect(client.recorder.count("clientAuth.refresh")).toBe(0);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(user.refreshToken);

    const closed = await client.ClientPasswordless.sendCode({ body: { tenantKey: closedTenantKey, email } });
    expect(closed.error?.appCode).toBe("auth/MethodNotEnabled");
    expect(closed.error?.status).toBe(400);
    const missing = await client.ClientPasswordless.sendCode({ body: { tenantKey: "no-such-tenant", email } });
    expect(missing.error?.appCode).toBe("tenant/NotFound");
    client.dispose();
  });

  it("sends no bearer token on the three procedures, even when signed in", async () => {
    const seen: (string | null)[] = [];
    const client = newClient(gatehouse, {
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization"));
        return fetch(input, init);
      },
    });
    await signUpWith(client, tenantKey);
    seen.length = 0;
    const email = newEmail();
    await client.ClientPasswordless.sendCode({ body: { tenantKey, email } });
    await client.ClientPasswordless.verify({ body: { tenantKey, email, code: gatehouse.smtp.latestCode(email) } });
    await client.ClientPasswordless.register({ body: { signupToken: "not-a-token", displayName: "X" } });
    expect(seen).toEqual([null, null, null]);
    await client.ClientAuth.me();
    expect(seen.at(-1)).toMatch(/^Bearer /);
    client.dispose();
  });
});
