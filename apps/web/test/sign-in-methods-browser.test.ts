import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createPrismaClient } from "@gatehouse/db";
import {
  LAYOUT_WIDTHS,
  hasChromium,
  launchChromium,
  layoutReport,
  newStaffContext,
  requireChromiumUnderCi,
  screenshot,
  seriousAxeViolations,
  trpcCall,
  type Observed,
} from "./browser-harness";
import { startProductionServer, type ProductionServer } from "./production-server";

/**
 * The tenant's "Sign-in methods" card (CONTRACT v2 passwordSignUp / emailCodeSignIn) and the
 * user pages' password and phone, in a real browser against the production build (`pnpm build`
 * first): an admin flips both switches, saves, reloads and finds them kept, the API obeys them,
 * the audit log shows tenant.updated; a viewer sees the values and no control; a user who signed
 * up with an email code (no password) reads as such in the list and on the detail page.
 */
requireChromiumUnderCi("sign-in-methods-browser");

const TENANT_KEY = "harbor-tea";
const TENANT_NAME = "Harbor Tea";
const VIEWER_EMAIL = "methods.viewer@example.com";
const VIEWER_PASSWORD = "Viewer-reads-switches-7";
const CODE_USER_ID = "user-k3q9xz";
const CODE_USER_EMAIL = "code.only@harbor.example";
const PASSWORD_USER_ID = "rin.oh";
const PHONE_USER_ID = "jun.seo";
const PHONE = "+821012345678";

describe.skipIf(!hasChromium)("BackOffice sign-in methods and user passwords in the browser (production server)", () => {
  let server: ProductionServer;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };

  /** Axe, the sideways-overflow check and a screenshot at both widths, as the BackOffice story does. */
  async function checkPage(page: Page, name: string) {
    await page.waitForLoadState("networkidle");
    expect(await seriousAxeViolations(page), `serious accessibility violations on ${name}`).toEqual([]);
    const size = page.viewportSize()!;
    for (const width of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await screenshot(page, `sign-in-methods-${name}-${width}`);
      const layout = await layoutReport(page);
      expect(layout.documentWidth, `${name} at ${width} px: the page is wider than the screen`).toBeLessThanOrEqual(layout.viewportWidth);
      if (width === 1280) {
        for (const table of layout.tables) {
          expect(table.scrollWidth, `${name} at 1280 px: table "${table.caption}" cuts off columns`).toBeLessThanOrEqual(table.clientWidth);
        }
      }
    }
    await page.setViewportSize(size);
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto("/backoffice/sign-in");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/backoffice`);
  }

  const card = (page: Page) => page.getByRole("region", { name: "Sign-in methods" });
  const passwordSwitch = (page: Page) => card(page).getByRole("switch", { name: "Password sign-up" });
  const codeSwitch = (page: Page) => card(page).getByRole("switch", { name: "Email code sign-in" });
  const staffCookie = async () => (await adminContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");

  beforeAll(async () => {
    server = await startProductionServer();
    const prisma = createPrismaClient(server.env.DATABASE_URL!);
    try {
      const tenant = await prisma.tenant.create({ data: { key: TENANT_KEY, name: TENANT_NAME, allowedEmailDomains: [], locale: "en" } });
      // A user as email-code sign-up makes one (self_signup, verified, no password): that
      // procedure is not what this suite is about, so the row is written directly.
      await prisma.user.create({
        data: {
          tenantId: tenant.id,
          userId: CODE_USER_ID,
          email: CODE_USER_EMAIL,
          verifiedEmail: CODE_USER_EMAIL,
          emailVerifiedAt: new Date(),
          displayName: "Code Only",
          passwordHash: null,
          source: "self_signup",
        },
      });
      // Phones arrive with the phone issue; the pages must already show one.
      await prisma.user.create({
        data: {
          tenantId: tenant.id,
          userId: PHONE_USER_ID,
          email: "jun.seo@harbor.example",
          verifiedEmail: "jun.seo@harbor.example",
          emailVerifiedAt: new Date(),
          displayName: "Jun Seo",
          passwordHash: "$2b$10$not.a.real.hash.only.present.for.hasPassword.xxxxxxxxxx",
          phone: PHONE,
          verifiedPhone: PHONE,
          phoneVerifiedAt: new Date(),
          source: "self_signup",
        },
      });
    } finally {
      await prisma.$disconnect();
    }
    browser = await launchChromium();
    adminContext = await newStaffContext(browser, server.url, observed);
    admin = await adminContext.newPage();
    await signIn(admin, server.env.BACKOFFICE_ADMIN_EMAIL!, server.env.BACKOFFICE_ADMIN_PASSWORD!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the defaults as switches: password sign-up on, email code sign-in off", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await card(admin).waitFor();
    expect(await passwordSwitch(admin).isChecked()).toBe(true);
    expect(await codeSwitch(admin).isChecked()).toBe(false);
    // Each switch is described by its hint.
    expect(await passwordSwitch(admin).getAttribute("aria-describedby")).toBeTruthy();
    await checkPage(admin, "defaults");
  });

  it("saves nothing when nothing changed, and warns when both methods are off", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await card(admin).getByRole("button", { name: "Save sign-in methods" }).click();
    await card(admin).locator(".alert-success", { hasText: "Nothing to save" }).waitFor();
    await passwordSwitch(admin).uncheck();
    await card(admin).locator(".alert-warning", { hasText: "no one new can sign up" }).waitFor();
    await codeSwitch(admin).check();
    await expect.poll(() => card(admin).locator(".alert-warning").count()).toBe(0);
  });

  it("flips both switches, saves, and finds them kept after a reload; the API obeys", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await passwordSwitch(admin).uncheck();
    await codeSwitch(admin).check();
    await card(admin).getByRole("button", { name: "Save sign-in methods" }).click();
    await card(admin).locator(".alert-success", { hasText: "Sign-in methods saved." }).waitFor();
    await checkPage(admin, "saved");

    await admin.reload();
    await card(admin).waitFor();
    expect(await passwordSwitch(admin).isChecked()).toBe(false);
    expect(await codeSwitch(admin).isChecked()).toBe(true);

    const tenant = await trpcCall(
      server.url,
      "backOffice.tenants.get",
      { key: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect(tenant.data).toMatchObject({ passwordSignUp: false, emailCodeSignIn: true });
    const signUp = await trpcCall(server.url, "clientAuth.signUp", {
      tenantKey: TENANT_KEY,
      userId: "late.comer",
      password: "Copper-kettle-sunrise-12",
      displayName: "Late Comer",
      email: "late.comer@harbor.example",
    });
    expect({ status: signUp.status, appCode: signUp.appCode }).toEqual({ status: 400, appCode: "auth/MethodNotEnabled" });
  });

  it("finds the change in the audit log as tenant.updated by the admin", async () => {
    await admin.goto("/backoffice/audit");
    await admin.getByLabel("Tenant", { exact: true }).fill(TENANT_KEY);
    await admin.getByLabel("Action", { exact: true }).selectOption("tenant.updated");
    await admin.getByRole("button", { name: "Apply filters" }).click();
    await admin.waitForURL(/action=tenant\.updated/);
    const rows = admin.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.getAttribute("data-action")).toBe("tenant.updated");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("Tenant settings changed");
    expect(text).toContain(server.env.BACKOFFICE_ADMIN_EMAIL!);
    expect(text).toContain(TENANT_KEY);
  });

  it("turns password sign-up back on; sign-up works again and the new user's password reads as set", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await passwordSwitch(admin).check();
    await card(admin).getByRole("button", { name: "Save sign-in methods" }).click();
    await card(admin).locator(".alert-success", { hasText: "Sign-in methods saved." }).waitFor();
    const signUp = await trpcCall(server.url, "clientAuth.signUp", {
      tenantKey: TENANT_KEY,
      userId: PASSWORD_USER_ID,
      password: "Willow-lantern-harbor-64",
      displayName: "Rin Oh",
      email: "rin.oh@harbor.example",
    });
    expect(signUp.status).toBe(200);
  });

  it("the users list and a user's page show the password (none for the email-code user) and the phone (— when none)", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users`);
    const codeRow = admin.getByRole("row", { name: new RegExp(CODE_USER_ID) });
    await codeRow.waitFor();
    const cells = async (row: ReturnType<Page["getByRole"]>) => (await row.locator("td").allTextContents()).map((t) => t.trim());
    // Columns: User, Email and phone, Role, Status, Last sign-in; the password shows as a status badge.
    const codeCells = await cells(codeRow);
    expect(codeCells[1]).toBe(`${CODE_USER_EMAIL}Verified`);
    expect(codeCells[3]).toContain("No password");
    const passwordCells = await cells(admin.getByRole("row", { name: new RegExp(PASSWORD_USER_ID.replace(".", "\\.")) }));
    expect(passwordCells[3]).not.toContain("No password");
    const phoneCells = await cells(admin.getByRole("row", { name: new RegExp(PHONE_USER_ID.replace(".", "\\.")) }));
    expect(phoneCells[1]).toBe(`jun.seo@harbor.exampleVerified${PHONE}Verified`);
    await checkPage(admin, "users-list");

    const row = (page: Page, term: string) =>
      page.locator(".details-row", { has: page.locator("dt", { hasText: new RegExp(`^${term}$`) }) }).locator("dd");
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/${CODE_USER_ID}`);
    await admin.getByRole("heading", { name: /Live sessions/ }).waitFor();
    expect(await row(admin, "Password").textContent()).toBe("None (signed up with an email code)");
    expect(await row(admin, "Phone").textContent()).toBe("—");
    await checkPage(admin, "user-detail-no-password");

    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/${PASSWORD_USER_ID}`);
    await admin.getByRole("heading", { name: /Live sessions/ }).waitFor();
    expect(await row(admin, "Password").textContent()).toBe("Set");

    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/${PHONE_USER_ID}`);
    await admin.getByRole("heading", { name: /Live sessions/ }).waitFor();
    expect(await row(admin, "Phone").textContent()).toMatch(new RegExp(`^\\${PHONE}Verified \\d`));
  });

  it("a viewer sees the methods as On/Off and no switch", async () => {
    const added = await trpcCall(
      server.url,
      "backOffice.staff.create",
      { email: VIEWER_EMAIL, password: VIEWER_PASSWORD, role: "viewer" },
      { cookie: await staffCookie() },
    );
    expect(added.status).toBe(200);
    const viewerContext = await newStaffContext(browser, server.url, observed, { timezoneId: "Europe/Berlin" });
    const viewer = await viewerContext.newPage();
    await signIn(viewer, VIEWER_EMAIL, VIEWER_PASSWORD);
    await viewer.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await card(viewer).waitFor();
    expect(await card(viewer).locator("input, button").count()).toBe(0);
    const value = (term: string) =>
      card(viewer)
        .locator(".details-row", { has: viewer.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
        .locator("dd")
        .textContent();
    expect(await value("Password sign-up")).toBe("On");
    expect(await value("Email code sign-in")).toBe("On");
    await checkPage(viewer, "viewer");
    await viewerContext.close();
  });

  it("the new-tenant form offers the switches: a tenant created codes-only shows it on its page", async () => {
    await admin.goto("/backoffice/tenants/new");
    const form = admin.getByRole("group", { name: "Sign-in methods" });
    expect(await form.getByRole("switch", { name: "Password sign-up" }).isChecked()).toBe(true);
    expect(await form.getByRole("switch", { name: "Email code sign-in" }).isChecked()).toBe(false);
    await admin.getByLabel("Tenant key").fill("codes-only");
    await admin.getByLabel("Name", { exact: true }).fill("Codes Only");
    await form.getByRole("switch", { name: "Password sign-up" }).uncheck();
    await form.getByRole("switch", { name: "Email code sign-in" }).check();
    await checkPage(admin, "new-tenant");
    await admin.getByRole("button", { name: "Create tenant" }).click();
    await admin.waitForURL(/\/backoffice\/tenants\/codes-only\?created=1$/);
    await card(admin).waitFor();
    expect(await passwordSwitch(admin).isChecked()).toBe(false);
    expect(await codeSwitch(admin).isChecked()).toBe(true);
  });

  it("raised no CSP violation, page error or foreign request", () => {
    expect(observed).toEqual({ cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] });
  });
});
