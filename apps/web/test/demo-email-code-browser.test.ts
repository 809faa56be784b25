import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createGatehouseClient } from "@gatehouse/client";
import { createPrismaClient } from "@gatehouse/db";
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
 * "Sign in with an email code" on the demo product page (/demo/[tenantKey]) in a real browser
 * against the production build (`pnpm build` first), every call made by the SDK's
 * useEmailCodeSignIn in the page: a new address signs up (email → code → display name → signed
 * in), a known verified address signs in with the code alone, and a tenant without email codes
 * is offered no email-code button (its API answers 400 auth/MethodNotEnabled).
 */
requireChromiumUnderCi("demo-email-code-browser");

const NEW_EMAIL = "code.newcomer@example.com";
const NEW_NAME = "Code Newcomer";
const KNOWN_EMAIL = "code.known@example.com";
const KNOWN_USER_ID = "code.known";

/** The code of the newest mail to `to` sent after `after` mails were captured. */
async function codeFromMail(mails: CapturedMail[], to: string, after: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = mails
      .slice(after)
      .filter((m) => m.to.includes(to.toLowerCase()))
      .at(-1);
    if (mail) return verificationCodeOf(mail.raw);
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!hasChromium)("email-code sign-in on the demo product page (production server)", () => {
  let server: ProductionServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantKey: string;
  let closedTenantKey: string;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };

  beforeAll(async () => {
    server = await startProductionServer();
    const suffix = Date.now().toString(36);
    tenantKey = `codes-${suffix}`;
    closedTenantKey = `nocodes-${suffix}`;
    const prisma = createPrismaClient(server.env.DATABASE_URL!);
    try {
      await prisma.tenant.create({
        data: { key: tenantKey, name: "Code Tenant", allowedEmailDomains: [], locale: "en", emailCodeSignIn: true },
      });
      await prisma.tenant.create({ data: { key: closedTenantKey, name: "Password Tenant", allowedEmailDomains: [], locale: "en" } });
    } finally {
      await prisma.$disconnect();
    }

    // The known user: a password sign-up whose address is verified (through the SDK, from here).
    const sdk = createGatehouseClient({ baseUrl: server.url });
    try {
      const signedUp = await sdk.ClientAuth.signUp({
        body: { tenantKey, userId: KNOWN_USER_ID, password: "Amber-meadow-compass-58", displayName: "Known Person", email: KNOWN_EMAIL },
      });
      if (signedUp.error) throw signedUp.error;
      const before = server.mails.length;
      const sent = await sdk.ClientEmailVerification.sendVerification({ body: { email: KNOWN_EMAIL } });
      if (sent.error) throw sent.error;
      const verified = await sdk.ClientEmailVerification.verifyEmail({
        body: { code: await codeFromMail(server.mails, KNOWN_EMAIL, before) },
      });
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
  });

  async function checkPage(name: string) {
    const violations = await seriousAxeViolations(page);
    expect(violations, `serious accessibility violations on ${name}`).toEqual([]);
    await screenshot(page, `demo-email-code-${name}`);
  }

  async function askForCode(email: string): Promise<string> {
    await page.getByRole("button", { name: "No password? Use an email code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Continue with an email code" }).isVisible()).toBe(true);
    const before = server.mails.length;
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Send me a code" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator("main").textContent()).toContain(`We sent a 6-digit code to ${email}.`);
    return codeFromMail(server.mails, email, before);
  }

  it("signs a new address up: email, the mailed code (a wrong one first), a display name, then me", async () => {
    await page.goto(`/demo/${tenantKey}`);
    await expect.poll(() => page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(true);
    const code = await askForCode(NEW_EMAIL);
    await checkPage("code");

    const wrong = code === "000000" ? "000001" : "000000";
    await page.getByLabel("6-digit code").fill(wrong);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.locator("[data-app-code]").textContent()).toContain("emailVerification/InvalidCode");
    expect(await page.locator("main [role=alert]").first().textContent()).toContain("That code is not right");

    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Finish signing up" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator("main").textContent()).toContain(`No account uses ${NEW_EMAIL} yet.`);
    // Not signed in yet: a signupToken is no session.
    expect(await page.getByText("Not signed in").isVisible()).toBe(true);
    await checkPage("finish-sign-up");

    await page.getByLabel("Display name").fill(NEW_NAME);
    await page.getByRole("button", { name: "Create my account" }).click();
    await expect.poll(() => page.getByText(`Your account is ready. Welcome, ${NEW_NAME}!`).isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('dd[data-field="email"]').textContent(), { timeout: 10_000 }).toBe(NEW_EMAIL);
    // A generated userId, the address verified by the code, and no password.
    expect(await page.locator('dd[data-field="userId"]').textContent()).toMatch(/^user-/);
    expect(await page.locator('dd[data-field="displayName"]').textContent()).toBe(NEW_NAME);
    expect(await page.locator('dd[data-field="emailVerifiedAt"]').textContent()).not.toBe("Not yet");
    expect(await page.locator('dd[data-field="hasPassword"]').textContent()).toBe("None (signs in with an email code or a social account)");
    await checkPage("signed-up");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
  });

  it("signs a known, verified address in with the code alone", async () => {
    await page.goto(`/demo/${tenantKey}`);
    await expect.poll(() => page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(true);
    const code = await askForCode(KNOWN_EMAIL);
    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.getByText("Signed in with an email code. Welcome back!").isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 10_000 }).toBe(KNOWN_USER_ID);
    expect(await page.locator('dd[data-field="hasPassword"]').textContent()).toBe("Set");
    expect(await page.getByRole("heading", { name: "Finish signing up" }).count()).toBe(0);
    await checkPage("known-signed-in");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
  });

  it("offers no email-code button where the tenant has email codes off (the API answers 400 auth/MethodNotEnabled)", async () => {
    await page.goto(`/demo/${closedTenantKey}`);
    await expect.poll(() => page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "No password? Use an email code" }).count()).toBe(0);
    await page.getByRole("button", { name: "I have an account: sign in" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "No password? Use an email code" }).count()).toBe(0);
    await checkPage("method-not-enabled");
    // An app that calls anyway hears 400 auth/MethodNotEnabled.
    const refused = await trpcCall(server.url, "clientPasswordless.sendCode", { tenantKey: closedTenantKey, email: "someone@example.com" });
    expect(refused).toMatchObject({ status: 400, appCode: "auth/MethodNotEnabled" });

    expect(observed.cspViolations).toEqual([]);
    expect(observed.consoleCsp).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    expect(observed.foreignRequests).toEqual([]);
  });
});
