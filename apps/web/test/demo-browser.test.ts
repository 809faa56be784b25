import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createPrismaClient } from "@gatehouse/db";
import {
  hasChromium,
  launchChromium,
  newStaffContext,
  screenshot,
  seriousAxeViolations,
  requireChromiumUnderCi,
  type Observed,
} from "./browser-harness";
import { verificationCodeOf, type CapturedMail } from "@gatehouse/testing/mail";
import { startProductionServer, type ProductionServer } from "./production-server";

/**
 * The demo product page (/demo/[tenantKey]) in a real browser against the production build
 * (`pnpm build` first): an end user signs up, types the code from the captured mail (a wrong one
 * first), and sees `me` — every call made by @gatehouse/client in the page. Errors read as words
 * with the appCode only in the details line; times are local, never ISO.
 */
requireChromiumUnderCi("demo-browser");

const USER_ID = "demo.user";
const DISPLAY_NAME = "Demo User";
const EMAIL = "demo.user@example.com";
const PASSWORD = "Amber-meadow-compass-58";

async function codeFromMail(mails: CapturedMail[], to: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = mails.filter((m) => m.to.includes(to.toLowerCase())).at(-1);
    if (mail) return verificationCodeOf(mail.raw);
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!hasChromium)("the demo product page in the browser (production server)", () => {
  let server: ProductionServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantKey: string;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };

  beforeAll(async () => {
    server = await startProductionServer();
    tenantKey = `demo-${Date.now().toString(36)}`;
    const prisma = createPrismaClient(server.env.DATABASE_URL!);
    try {
      await prisma.tenant.create({ data: { key: tenantKey, name: "Demo Tenant", allowedEmailDomains: [], locale: "en" } });
    } finally {
      await prisma.$disconnect();
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
    await screenshot(page, `demo-${name}`);
  }

  it("signs up, shows field issues from the server, verifies the mailed code and shows me", async () => {
    await page.goto(`/demo/${tenantKey}`);
    await expect.poll(() => page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
    await checkPage("sign-up");

    // A server-side validation answer lands on its field (validation/Invalid issues).
    await page.getByLabel("User ID").fill("x");
    await page.getByLabel("Display name").fill(DISPLAY_NAME);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(() => page.locator("[data-app-code]").textContent()).toContain("validation/Invalid");
    expect(await page.locator("main [role=alert]").textContent()).toContain("Please check the highlighted fields.");
    expect(await page.getByLabel("User ID").getAttribute("aria-invalid")).toBe("true");
    await checkPage("sign-up-invalid");

    await page.getByLabel("User ID").fill(USER_ID);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible(), { timeout: 15_000 }).toBe(true);
    // Signed in already (the SDK stored the tokens): the me panel shows the unverified account.
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 10_000 }).toBe(USER_ID);
    expect(await page.locator('dd[data-field="emailVerifiedAt"]').textContent()).toBe("Not yet");
    const code = await codeFromMail(server.mails, EMAIL);
    await checkPage("code-entry");

    // A wrong code is an answer about the code: shown, and the session stays.
    const wrong = code === "000000" ? "000001" : "000000";
    await page.getByLabel("6-digit code").fill(wrong);
    await page.getByRole("button", { name: "Verify email" }).click();
    await expect.poll(() => page.locator("[data-app-code]").textContent()).toContain("emailVerification/InvalidCode");
    expect(await page.locator("main [role=alert]").first().textContent()).toContain("That code is not right");
    expect(await page.locator('dd[data-field="userId"]').textContent()).toBe(USER_ID);

    await page.getByLabel("6-digit code").fill(code);
    await page.getByRole("button", { name: "Verify email" }).click();
    await expect.poll(() => page.getByText(`${EMAIL} is verified`).isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.locator('dd[data-field="emailVerifiedAt"]').textContent(), { timeout: 10_000 }).not.toBe("Not yet");
    // In the reader's zone (the context is Asia/Seoul), not ISO.
    const verifiedAt = (await page.locator('dd[data-field="emailVerifiedAt"]').textContent()) ?? "";
    expect(verifiedAt).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(verifiedAt).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    const nowInSeoul = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "Asia/Seoul" }).format(new Date());
    expect(verifiedAt.startsWith(nowInSeoul)).toBe(true);
    expect(await page.locator('dd[data-field="email"]').textContent()).toBe(EMAIL);
    expect(await page.locator('dd[data-field="displayName"]').textContent()).toBe(DISPLAY_NAME);
    expect(await page.locator('dd[data-field="role"]').textContent()).toBe("Member");
    expect(await page.locator('dd[data-field="source"]').textContent()).toBe("Signed up on this site");
    // No raw internal values (ids, enum words) in the page.
    expect(await page.locator("main").textContent()).not.toMatch(/self_signup|admin_issued|[0-9a-f]{8}-[0-9a-f]{4}-/);
    await checkPage("verified-me");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);

    expect(observed.cspViolations).toEqual([]);
    expect(observed.consoleCsp).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    expect(observed.foreignRequests).toEqual([]);
  });

  it("answers 404 'No such tenant' for a malformed or unknown tenant key, before any form", async () => {
    for (const key of ["Not_A_Key!", "nosuch"]) {
      const res = await fetch(`${server.url}/demo/${key}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("No such tenant");
      expect(html).not.toContain("Create your account");
    }
  });
});
