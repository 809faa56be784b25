import { startSmsCapture, type SmsGatewayFake } from "@gatehouse/provider-stand-ins";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, hasRedis, newClient, signUpWith, startGatehouse, type Gatehouse } from "./support";

/**
 * ClientPhoneVerification against the real server, with SMS_URL pointing at the local JSON SMS
 * capture (provider-stand-ins): codes are read from the texts Gatehouse posts there.
 */
let gatehouse: Gatehouse;
let sms: SmsGatewayFake;
let tenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  sms = await startSmsCapture();
  gatehouse = await startGatehouse({ SMS_URL: sms.url });
  tenantKey = (await createTenant()).key; // phoneCountries ["KR"], the default
});
afterAll(async () => {
  await gatehouse?.close();
  await sms?.stop();
});

/** A fresh Korean mobile number: as typed (national) and in E.164. */
function newPhone(): { national: string; e164: string } {
  const digits = String(Math.floor(10_000_000 + Math.random() * 89_999_999));
  return { national: `010-${digits.slice(0, 4)}-${digits.slice(4)}`, e164: `+8210${digits}` };
}

/** The code of the newest text to `e164` (its only run of 6 digits). */
async function textedCode(e164: string, after = 0): Promise<string> {
  const message = await sms.waitFor((m) => m.to === e164 && sms.messages.indexOf(m) >= after);
  const runs = message.text.match(/\d{6,}/g) ?? [];
  expect(runs.filter((run) => run.length === 6)).toHaveLength(runs.length);
  return runs[0]!;
}

describe.skipIf(!hasRedis)("ClientPhoneVerification, the facade", () => {
  it("texts a code to a national number and verifies it: the user's phone in E.164, with the bearer token on both calls", async () => {
    const seen: (string | null)[] = [];
    const client = newClient(gatehouse, {
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization"));
        return fetch(input, init);
      },
    });
    await signUpWith(client, tenantKey);
    const phone = newPhone();
    seen.length = 0;

    const sent = await client.ClientPhoneVerification.sendCode({ body: { phone: phone.national } });
    if (sent.error) throw sent.error;
    expect(sent.data).toEqual({ expiresAt: expect.any(String), nextResendAvailableAt: expect.any(String) });
    const code = await textedCode(phone.e164);
    expect(sms.messages.find((m) => m.to === phone.e164)?.tenantKey).toBe(tenantKey);

    // A second send within the cooldown: the typed answer, with when to try again.
    const soon = await client.ClientPhoneVerification.sendCode({ body: { phone: phone.national } });
    expect(soon.error?.appCode).toBe("smsVerification/CooldownActive");
    expect(soon.error?.status).toBe(429);
    if (soon.error?.appCode === "smsVerification/CooldownActive") {
      expect(Date.parse(soon.error.data.nextResendAvailableAt)).toBeGreaterThan(Date.now());
      expect(soon.error.retryAfterSeconds).toBeGreaterThan(0);
    }

    const wrong = await client.ClientPhoneVerification.verifyPhone({ body: { code: code === "000000" ? "000001" : "000000" } });
    expect(wrong.error?.appCode).toBe("smsVerification/InvalidCode");
    expect(wrong.error?.status).toBe(401);
    // A 401 about the code is no reason to refresh, nor to drop the session.
    expect(client.recorder.count("clientAuth.refresh")).toBe(0);
    expect(await client.hooks.getTokens()).not.toBeNull();

    const verified = await client.ClientPhoneVerification.verifyPhone({ body: { code } });
    if (verified.error) throw verified.error;
    expect(verified.data.user.phone).toBe(phone.e164);
    expect(verified.data.user.phoneVerifiedAt).toEqual(expect.any(String));
    expect((await client.ClientAuth.me()).data?.user.phone).toBe(phone.e164);
    expect(seen.slice(0, 4).every((header) => /^Bearer /.test(header ?? ""))).toBe(true);
    client.dispose();
  });

  it("answers a number another user verified with 409 user/PhoneDuplicated, and a bad number with validation/Invalid on phone", async () => {
    const first = newClient(gatehouse);
    await signUpWith(first, tenantKey);
    const phone = newPhone();
    await first.ClientPhoneVerification.sendCode({ body: { phone: phone.e164 } });
    const done = await first.ClientPhoneVerification.verifyPhone({ body: { code: await textedCode(phone.e164) } });
    if (done.error) throw done.error;
    first.dispose();

    const second = newClient(gatehouse);
    await signUpWith(second, tenantKey);
    const taken = await second.ClientPhoneVerification.sendCode({ body: { phone: phone.national } });
    expect(taken.error?.appCode).toBe("user/PhoneDuplicated");
    expect(taken.error?.status).toBe(409);

    // A landline (Seoul 02) is no mobile number.
    const landline = await second.ClientPhoneVerification.sendCode({ body: { phone: "02-312-3456" } });
    expect(landline.error?.appCode).toBe("validation/Invalid");
    if (landline.error?.appCode === "validation/Invalid") expect(landline.error.issues.map((issue) => issue.path[0])).toContain("phone");
    second.dispose();
  });

  it("needs a session: signed out, the answer is 401 auth/Unauthenticated and nothing is texted", async () => {
    const client = newClient(gatehouse);
    const before = sms.requests;
    const res = await client.ClientPhoneVerification.sendCode({ body: { phone: newPhone().e164 } });
    expect(res.error?.appCode).toBe("auth/Unauthenticated");
    expect(res.error?.status).toBe(401);
    expect(sms.requests).toBe(before);
    client.dispose();
  });
});
