import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createGatehouseClient } from "@gatehouse/client";
import { createPrismaClient } from "@gatehouse/db";
import { startSmsCapture, type SmsGatewayFake } from "@gatehouse/provider-stand-ins";
import { verificationCodeOf, type CapturedMail } from "@gatehouse/testing/mail";
import {
  hasChromium,
  launchChromium,
  newStaffContext,
  requireChromiumUnderCi,
  screenshot,
  seriousAxeViolations,
  trpcCall,
  type Observed,
} from "./browser-harness";
import { startProductionServer, type ProductionServer } from "./production-server";

/**
 * "Add a phone" and "Forgot password?" on the demo product page (/demo/[tenantKey]) in a real
 * browser against the production build (`pnpm build` first), every call made by the SDK's
 * usePhoneVerification and usePasswordReset in the page: a signed-in user adds a phone (the
 * number, the texted code: a wrong one first), then forgets the password twice and resets it by
 * text message and by email, each time back to the sign-in form and in with the new password.
 * Texts go to the JSON SMS capture of provider-stand-ins (SMS_URL), mail to the SMTP capture.
 */
requireChromiumUnderCi("demo-phone-reset-browser");

const USER_ID = "phone.person";
const EMAIL = "phone.person@example.com";
const FIRST_PASSWORD = "Amber-meadow-compass-58";
const SMS_PASSWORD = "Silver-orchard-beacon-64";
const EMAIL_PASSWORD = "Copper-valley-lantern-91";
const DIGITS = String(Math.floor(10_000_000 + Math.random() * 89_999_999));
/** A Korean mobile number as typed, and as Gatehouse stores it. */
const NATIONAL = `010-${DIGITS.slice(0, 4)}-${DIGITS.slice(4)}`;
const E164 = `+8210${DIGITS}`;

/** The code of the first mail to `to` after `after` mails were captured that carries one. */
async function codeFromMail(mails: CapturedMail[], to: string, after: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const mail of mails.slice(after).filter((m) => m.to.includes(to.toLowerCase()))) {
      try {
        return verificationCodeOf(mail.raw);
      } catch {
        // A security notice: no code in it.
      }
    }
    if (Date.now() > deadline) throw new Error(`no code mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!hasChromium)("phones and password reset on the demo product page (production server)", () => {
  let server: ProductionServer;
  let sms: SmsGatewayFake;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantKey: string;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };

  /** The code of the first text to the number after `after` texts were captured (its only 6-digit run). */
  async function codeFromSms(after: number): Promise<string> {
    const message = await sms.waitFor((m) => m.to === E164 && sms.messages.indexOf(m) >= after, 10_000);
    expect(message.tenantKey).toBe(tenantKey);
    const runs = message.text.match(/\d{6,}/g) ?? [];
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run === runs[0] && run.length === 6)).toBe(true);
    return runs[0]!;
  }

  beforeAll(async () => {
    sms = await startSmsCapture();
    server = await startProductionServer({ SMS_URL: sms.url });
    tenantKey = `phones-${Date.now().toString(36)}`;
    const prisma = createPrismaClient(server.env.DATABASE_URL!);
    try {
      // phoneCountries: the default, ["KR"].
      await prisma.tenant.create({ data: { key: tenantKey, name: "Phone Tenant", allowedEmailDomains: [], locale: "en" } });
    } finally {
      await prisma.$disconnect();
    }

    // The user: a password sign-up whose address is verified (through the SDK, from here).
    const sdk = createGatehouseClient({ baseUrl: server.url });
    try {
      const signedUp = await sdk.ClientAuth.signUp({
        body: { tenantKey, userId: USER_ID, password: FIRST_PASSWORD, displayName: "Phone Person", email: EMAIL },
      });
      if (signedUp.error) throw signedUp.error;
      const before = server.mails.length;
      const sent = await sdk.ClientEmailVerification.sendVerification({ body: { email: EMAIL } });
      if (sent.error) throw sent.error;
      const verified = await sdk.ClientEmailVerification.verifyEmail({ body: { code: await codeFromMail(server.mails, EMAIL, before) } });
      if (verified.error) throw verified.error;
      await sdk.ClientAuth.signOut();
    } finally {
      sdk.dispose();
    }

    browser = await launchChromium();
    context = await newStaffContext(browser, server.url, observed);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await sms?.stop();
  });

  async function checkPage(name: string) {
    const violations = await seriousAxeViolations(page);
    expect(violations, `serious accessibility violations on ${name}`).toEqual([]);
    await screenshot(page, `demo-phone-reset-${name}`);
  }

  async function openSignIn() {
    await page.goto(`/demo/${tenantKey}`);
    await expect.poll(() => page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "I have an account: sign in" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
  }

  async function signIn(password: string, userId: string | null = USER_ID) {
    if (userId !== null) await page.getByLabel("User ID").fill(userId);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 10_000 }).toBe(USER_ID);
  }

  async function signOut() {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
  }

  /** From the new-password step on: set it, land on the sign-in form with the userId filled in, sign in with it. */
  async function setNewPassword(password: string) {
    await expect.poll(() => page.getByRole("heading", { name: "Choose a new password" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('[data-field="recoveredUserId"]').textContent()).toBe(USER_ID);
    // The policy's answer sits on the field, and the step stays.
    await page.getByLabel("New password", { exact: true }).fill("password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.locator("[data-app-code]").first().textContent()).toContain("validation/Invalid");
    await page.getByLabel("New password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.getByText("Your new password is set").isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    expect(await page.getByLabel("User ID").inputValue()).toBe(USER_ID);
    await checkPage("signed-out-after-reset");
    await signIn(password, null);
  }

  it("adds a phone: the number as typed nationally, a wrong code, the texted code, then the verified number in me", async () => {
    await openSignIn();
    await signIn(FIRST_PASSWORD);
    await expect.poll(() => page.getByRole("heading", { name: "Add a phone" }).isVisible()).toBe(true);
    expect(await page.locator('dd[data-field="phone"]').textContent()).toBe("None");
    await checkPage("add-phone");

    // Not a mobile number: said on the field, nothing texted.
    const requests = sms.requests;
    await page.getByLabel("Phone number").fill("02-312-3456");
    await page.getByRole("button", { name: "Text me a code" }).click();
    await expect.poll(() => page.locator("[data-app-code]").first().textContent()).toContain("validation/Invalid");
    expect(sms.requests).toBe(requests);

    const after = sms.messages.length;
    await page.getByLabel("Phone number").fill(NATIONAL);
    await page.getByRole("button", { name: "Text me a code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator("main").textContent()).toContain(`We texted a 6-digit code to ${NATIONAL}.`);
    const code = await codeFromSms(after);
    await checkPage("phone-code");

    await page.getByLabel("6-digit code from the text message").fill(code === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Verify phone" }).click();
    await expect.poll(() => page.locator("[data-app-code]").first().textContent()).toContain("smsVerification/InvalidCode");
    expect(await page.locator("main [role=alert]").first().textContent()).toContain("That code is not right");

    await page.getByLabel("6-digit code from the text message").fill(code);
    await page.getByRole("button", { name: "Verify phone" }).click();
    await expect.poll(() => page.getByText(`${E164} is verified.`).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('[data-field="verifiedPhone"]').textContent()).toBe(E164);
    expect(await page.locator('dd[data-field="phone"]').textContent()).toMatch(new RegExp(`^\\${E164} \\(verified `));
    await checkPage("phone-verified");

    // A reload asks the server: the number stays verified.
    await page.getByRole("button", { name: "Reload me" }).click();
    await expect.poll(() => page.locator('dd[data-field="phone"]').textContent()).toMatch(/\(verified /);
    await signOut();
  });

  it("resets the forgotten password by text message, then signs in with the new one", async () => {
    await openSignIn();
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Forgot your password?" }).isVisible()).toBe(true);
    expect(await page.getByLabel("by text message").isChecked()).toBe(true);
    await checkPage("forgot");

    const after = sms.messages.length;
    await page.getByLabel("Phone number").fill(NATIONAL);
    await page.getByRole("button", { name: "Send the code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator("main").textContent()).toContain(
      `If an account has verified ${NATIONAL}, we sent it a 6-digit code by text message`,
    );
    const code = await codeFromSms(after);
    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
    await setNewPassword(SMS_PASSWORD);

    const old = await trpcCall(server.url, "clientAuth.signIn", { tenantKey, userId: USER_ID, password: FIRST_PASSWORD });
    expect(old).toMatchObject({ status: 401, appCode: "auth/InvalidCredentials" });
    await signOut();
  });

  it("resets it by email: an address no one verified gets the same answer and no mail; the user's gets the code", async () => {
    await openSignIn();
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Forgot your password?" }).isVisible()).toBe(true);
    await page.getByLabel("by email").check();

    const stranger = "nobody.here@example.com";
    await page.getByLabel("Email", { exact: true }).fill(stranger);
    await page.getByRole("button", { name: "Send the code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator("main").textContent()).toContain(
      `If an account has verified ${stranger}, we sent it a 6-digit code by email`,
    );
    await page.getByRole("button", { name: "Start again" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Forgot your password?" }).isVisible()).toBe(true);

    const before = server.mails.length;
    await page.getByLabel("by email").check();
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByRole("button", { name: "Send the code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 10_000 }).toBe(true);
    const code = await codeFromMail(server.mails, EMAIL, before);
    await checkPage("reset-email-code");
    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
    await setNewPassword(EMAIL_PASSWORD);
    expect(server.mails.filter((m) => m.to.includes(stranger))).toEqual([]);
    await signOut();

    expect(observed.cspViolations).toEqual([]);
    expect(observed.consoleCsp).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    expect(observed.foreignRequests).toEqual([]);
  });
});
