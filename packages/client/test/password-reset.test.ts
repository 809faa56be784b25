import { startSmsCapture, type SmsGatewayFake } from "@gatehouse/provider-stand-ins";
import { verificationCodeOf } from "@gatehouse/testing/mail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatehouseClient } from "../src";
import { createTenant, hasRedis, newClient, PASSWORD, signUpWith, startGatehouse, unique, type Gatehouse } from "./support";

/**
 * ClientPasswordReset against the real server: codes by text message (SMS_URL at the local JSON
 * capture of provider-stand-ins) and by email (the captured SMTP), a new password, and the old
 * sessions gone.
 */
let gatehouse: Gatehouse;
let sms: SmsGatewayFake;
let tenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  sms = await startSmsCapture();
  gatehouse = await startGatehouse({ SMS_URL: sms.url });
  tenantKey = (await createTenant()).key;
});
afterAll(async () => {
  await gatehouse?.close();
  await sms?.stop();
});

const NEW_PASSWORD = "Quiet-harbor-lantern-73";

const newPhone = () => `+8210${String(Math.floor(10_000_000 + Math.random() * 89_999_999))}`;

/** The only 6-digit run of the newest text to `to`, captured after `after` texts. */
async function textedCode(to: string, after: number): Promise<string> {
  const message = await sms.waitFor((m) => m.to === to && sms.messages.indexOf(m) >= after, 10_000);
  return /\b\d{6}\b/.exec(message.text)![0];
}

/** The code of the first mail to `to` after `after` mails to it, waiting for the outbox to deliver it. */
async function mailedCode(to: string, after: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (gatehouse.smtp.mailsTo(to).length <= after) {
    if (Date.now() > deadline) throw new Error(`no new mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return verificationCodeOf(gatehouse.smtp.mailsTo(to)[after]!.raw);
}

/** A password user whose email and phone are verified, signed in on `client`. */
async function verifiedUser(client: GatehouseClient) {
  const user = await signUpWith(client, tenantKey);
  await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
  const email = await client.ClientEmailVerification.verifyEmail({ body: { code: gatehouse.smtp.latestCode(user.email) } });
  if (email.error) throw email.error;
  const phone = newPhone();
  const after = sms.messages.length;
  const sent = await client.ClientPhoneVerification.sendCode({ body: { phone } });
  if (sent.error) throw sent.error;
  const verified = await client.ClientPhoneVerification.verifyPhone({ body: { code: await textedCode(phone, after) } });
  if (verified.error) throw verified.error;
  return { ...user, phone };
}

describe.skipIf(!hasRedis)("ClientPasswordReset, the facade", () => {
  it("resets by text message: sendSmsCode → verifyCode names the account → resetPassword; old sessions end, the new password signs in", async () => {
    const device = newClient(gatehouse);
    const user = await verifiedUser(device);

    // Another browser, signed out: the reset sends no bearer token and stores nothing.
    const seen: (string | null)[] = [];
    const client = newClient(gatehouse, {
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization"));
        return fetch(input, init);
      },
    });
    const after = sms.messages.length;
    const sent = await client.ClientPasswordReset.sendSmsCode({ body: { tenantKey, phone: user.phone } });
    if (sent.error) throw sent.error;
    expect(sent.data).toEqual({ expiresAt: expect.any(String), nextResendAvailableAt: expect.any(String) });
    const code = await textedCode(user.phone, after);

    const again = await client.ClientPasswordReset.sendSmsCode({ body: { tenantKey, phone: user.phone } });
    expect(again.error?.appCode).toBe("smsVerification/CooldownActive");
    if (again.error?.appCode === "smsVerification/CooldownActive")
      expect(again.error.data.nextResendAvailableAt).toEqual(expect.any(String));

    const wrong = await client.ClientPasswordReset.verifyCode({
      body: { tenantKey, phone: user.phone, code: code === "000000" ? "000001" : "000000" },
    });
    expect(wrong.error?.appCode).toBe("smsVerification/InvalidCode");
    expect(wrong.error?.status).toBe(401);

    const proved = await client.ClientPasswordReset.verifyCode({ body: { tenantKey, phone: user.phone, code } });
    if (proved.error) throw proved.error;
    expect(proved.data).toEqual({ resetToken: expect.any(String), resetTokenExpiresAt: expect.any(String), userId: user.userId });

    // The policy's 400 keeps the token usable.
    const weak = await client.ClientPasswordReset.resetPassword({ body: { resetToken: proved.data.resetToken, newPassword: "password" } });
    expect(weak.error?.appCode).toBe("validation/Invalid");
    if (weak.error?.appCode === "validation/Invalid") expect(weak.error.issues.map((issue) => issue.path[0])).toContain("newPassword");

    const done = await client.ClientPasswordReset.resetPassword({
      body: { resetToken: proved.data.resetToken, newPassword: NEW_PASSWORD },
    });
    if (done.error) throw done.error;
    expect(done.data).toEqual({ success: true });
    expect(await client.hooks.getTokens()).toBeNull();
    expect(seen.every((header) => header === null)).toBe(true);

    // Used once: a second use is 401 auth/InvalidResetToken.
    const reused = await client.ClientPasswordReset.resetPassword({
      body: { resetToken: proved.data.resetToken, newPassword: NEW_PASSWORD },
    });
    expect(reused.error?.appCode).toBe("auth/InvalidResetToken");
    expect(reused.error?.status).toBe(401);

    // The device signed in before the reset: its session has ended (the refresh is refused, the store cleared).
    const stale = await device.ClientAuth.me();
    expect(stale.error?.appCode).toBe("auth/Unauthenticated");
    expect(await device.hooks.getTokens()).toBeNull();
    device.dispose();

    const old = await client.ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: PASSWORD } });
    expect(old.error?.appCode).toBe("auth/InvalidCredentials");
    const fresh = await client.ClientAuth.signIn({ body: { tenantKey, userId: proved.data.userId, password: NEW_PASSWORD } });
    if (fresh.error) throw fresh.error;
    expect(fresh.data.user.userId).toBe(user.userId);
    client.dispose();
  });

  it("resets by email, and answers an address no one verified the same way, with nothing mailed", async () => {
    const setup = newClient(gatehouse);
    const user = await verifiedUser(setup);
    setup.dispose();

    const client = newClient(gatehouse);
    const stranger = `${unique("nobody")}@example.com`;
    const unknown = await client.ClientPasswordReset.sendEmailCode({ body: { tenantKey, email: stranger } });
    if (unknown.error) throw unknown.error;
    expect(Object.keys(unknown.data).sort()).toEqual(["expiresAt", "nextResendAvailableAt"]);

    const mailed = gatehouse.smtp.mailsTo(user.email).length;
    const sent = await client.ClientPasswordReset.sendEmailCode({ body: { tenantKey, email: user.email } });
    if (sent.error) throw sent.error;
    const code = await mailedCode(user.email, mailed);
    const proved = await client.ClientPasswordReset.verifyCode({ body: { tenantKey, email: user.email, code } });
    if (proved.error) throw proved.error;
    expect(proved.data.userId).toBe(user.userId);
    const done = await client.ClientPasswordReset.resetPassword({
      body: { resetToken: proved.data.resetToken, newPassword: NEW_PASSWORD },
    });
    if (done.error) throw done.error;
    expect((await client.ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: NEW_PASSWORD } })).error).toBeUndefined();

    // Nothing went to the stranger's address (the outbox has had time to deliver the real one).
    expect(gatehouse.smtp.mailsTo(stranger)).toEqual([]);
    client.dispose();
  });

  it("answers an unknown tenant with 404 tenant/NotFound and an unknown token with 401 auth/InvalidResetToken", async () => {
    const client = newClient(gatehouse);
    const missing = await client.ClientPasswordReset.sendEmailCode({ body: { tenantKey: "no-such-tenant", email: "a@example.com" } });
    expect(missing.error?.appCode).toBe("tenant/NotFound");
    expect(missing.error?.status).toBe(404);
    const bogus = await client.ClientPasswordReset.resetPassword({ body: { resetToken: "not-a-token", newPassword: NEW_PASSWORD } });
    expect(bogus.error?.appCode).toBe("auth/InvalidResetToken");
    client.dispose();
  });
});
