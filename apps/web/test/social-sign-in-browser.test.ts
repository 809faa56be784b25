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
 * The tenant page's "Redirect URIs" and "Social sign-in" cards and the user page's linked
 * providers (CONTRACT v2), in a real browser against the production build (`pnpm build` first):
 * an admin sets Google with a secret, reloads and finds the secret nowhere in the page (only
 * "stored"), keeps it by saving with the field empty, copies the callback URL; edits the redirect
 * URIs and sees a refused one explained on its line; a viewer sees everything read-only; a user's
 * linked identities are listed.
 */
requireChromiumUnderCi("social-sign-in-browser");

const TENANT_KEY = "maple-leaf";
const TENANT_NAME = "Maple Leaf";
const VIEWER_EMAIL = "social.viewer@example.com";
const VIEWER_PASSWORD = "Viewer-reads-providers-8";
const LINKED_USER_ID = "google-7h2k9q";
const GOOGLE_CLIENT_ID = "1234-maple.apps.googleusercontent.com";
const GOOGLE_SECRET = "GOCSPX-maple-leaf-secret-value-42";

describe.skipIf(!hasChromium)("BackOffice social sign-in settings in the browser (production server)", () => {
  let server: ProductionServer;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };

  /** Axe, the sideways-overflow check and a screenshot at both widths, as the other browser suites do. */
  async function checkPage(page: Page, name: string) {
    await page.waitForLoadState("networkidle");
    expect(await seriousAxeViolations(page), `serious accessibility violations on ${name}`).toEqual([]);
    const size = page.viewportSize()!;
    for (const width of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await screenshot(page, `social-sign-in-${name}-${width}`);
      const layout = await layoutReport(page);
      expect(layout.documentWidth, `${name} at ${width} px: the page is wider than the screen`).toBeLessThanOrEqual(layout.viewportWidth);
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

  const socialCard = (page: Page) => page.getByRole("region", { name: "Social sign-in" });
  const google = (page: Page) => socialCard(page).getByRole("form", { name: "Google" });
  const redirectCard = (page: Page) => page.getByRole("region", { name: "Redirect URIs" });
  const staffCookie = async () => (await adminContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");

  beforeAll(async () => {
    server = await startProductionServer();
    const prisma = createPrismaClient(server.env.DATABASE_URL!);
    try {
      const tenant = await prisma.tenant.create({ data: { key: TENANT_KEY, name: TENANT_NAME, allowedEmailDomains: [], locale: "en" } });
      // A user as a Google sign-up makes one, with the identity linked: that flow is not what this
      // suite is about, so the rows are written directly.
      const user = await prisma.user.create({
        data: {
          tenantId: tenant.id,
          userId: LINKED_USER_ID,
          email: "mina.park@gmail.com",
          verifiedEmail: "mina.park@gmail.com",
          emailVerifiedAt: new Date(),
          displayName: "Mina Park",
          passwordHash: null,
          source: "self_signup",
        },
      });
      await prisma.userIdentity.createMany({
        data: [
          { tenantId: tenant.id, userId: user.id, provider: "google", providerUserId: "109876543210", email: "mina.park@gmail.com" },
          { tenantId: tenant.id, userId: user.id, provider: "naver", providerUserId: "nv-abc", email: null },
        ],
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

  it("shows each provider not set up, with the callback URL to register and a copy button", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await socialCard(admin).waitFor();
    for (const [name, provider] of [
      ["Google", "google"],
      ["Kakao", "kakao"],
      ["Naver", "naver"],
    ] as const) {
      const form = socialCard(admin).getByRole("form", { name });
      expect(await form.locator(".badge", { hasText: "Not set up" }).count(), name).toBe(1);
      expect(await form.getByLabel("Callback URL", { exact: true }).inputValue()).toBe(`${server.url}/api/social/${provider}/callback`);
      expect(await form.getByRole("button", { name: `Remove ${name}` }).count()).toBe(0);
    }
    // Defaults as placeholders; Kakao's business-app note.
    expect(await google(admin).getByLabel("Scopes (optional)").getAttribute("placeholder")).toBe("openid email profile");
    const kakao = socialCard(admin).getByRole("form", { name: "Kakao" });
    expect(await kakao.getByLabel("Scopes (optional)").getAttribute("placeholder")).toBe("profile_nickname");
    expect(await kakao.textContent()).toContain("only for a Kakao business app");
    expect(await kakao.textContent()).toContain("numeric App IDs");
    await google(admin).getByRole("button", { name: "Copy callback url" }).click();
    await google(admin).getByText("Copied to the clipboard.").waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(`${server.url}/api/social/google/callback`);
    await checkPage(admin, "empty");
  });

  it("refuses an empty client ID on its field, then sets Google with a secret; after a reload the secret is nowhere in the page", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await google(admin).getByRole("button", { name: "Save Google" }).click();
    await google(admin).locator(".field-error", { hasText: "Enter the client id." }).waitFor();
    expect(await google(admin).getByLabel("Client ID", { exact: true }).getAttribute("aria-invalid")).toBe("true");

    await google(admin).getByLabel("Client ID", { exact: true }).fill(GOOGLE_CLIENT_ID);
    await google(admin).getByLabel("Client secret").fill(GOOGLE_SECRET);
    await google(admin)
      .getByLabel("Native app client IDs (optional)")
      .fill("android-1.apps.googleusercontent.com, ios-1.apps.googleusercontent.com");
    await google(admin).getByRole("button", { name: "Save Google" }).click();
    await google(admin).locator(".alert-success", { hasText: "Google settings saved." }).waitFor();
    expect(await google(admin).getByLabel("Client secret").inputValue()).toBe("");

    await admin.reload();
    await google(admin).waitFor();
    expect(await admin.content()).not.toContain(GOOGLE_SECRET);
    expect(await google(admin).getByLabel("Client secret").inputValue()).toBe("");
    expect(await google(admin).getByLabel("Client secret").getAttribute("placeholder")).toBe("Stored — leave empty to keep");
    expect(await google(admin).locator(".badge", { hasText: "Secret stored" }).count()).toBe(1);
    expect(await google(admin).locator(".badge", { hasText: "Enabled" }).count()).toBe(1);
    expect(await google(admin).getByLabel("Client ID", { exact: true }).inputValue()).toBe(GOOGLE_CLIENT_ID);
    expect(await google(admin).getByLabel("Native app client IDs (optional)").inputValue()).toBe(
      "android-1.apps.googleusercontent.com ios-1.apps.googleusercontent.com",
    );
    await checkPage(admin, "google-set");

    const listed = await trpcCall(
      server.url,
      "backOffice.socialProviders.list",
      { tenantKey: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect(listed.data).toEqual({
      items: [
        {
          provider: "google",
          clientId: GOOGLE_CLIENT_ID,
          hasClientSecret: true,
          nativeClientIds: ["android-1.apps.googleusercontent.com", "ios-1.apps.googleusercontent.com"],
          scopes: ["openid", "email", "profile"],
          enabled: true,
          updatedAt: expect.any(String),
        },
      ],
    });
    expect(JSON.stringify(listed)).not.toContain(GOOGLE_SECRET);
  });

  it("saving with the secret field empty keeps the stored secret; switching it off shows Disabled", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await google(admin).getByRole("switch", { name: "Sign-in with Google enabled" }).uncheck();
    await google(admin).getByLabel("Scopes (optional)").fill("openid email");
    await google(admin).getByRole("button", { name: "Save Google" }).click();
    await google(admin).locator(".alert-success", { hasText: "Google settings saved." }).waitFor();
    await google(admin).locator(".badge", { hasText: "Disabled" }).waitFor();
    expect(await google(admin).locator(".badge", { hasText: "Secret stored" }).count()).toBe(1);
    const tenant = await trpcCall(
      server.url,
      "backOffice.tenants.get",
      { key: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect(tenant.data).toMatchObject({ socialProviders: [{ provider: "google", enabled: false }] });
    const listed = await trpcCall(
      server.url,
      "backOffice.socialProviders.list",
      { tenantKey: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect(listed.data).toMatchObject({ items: [{ hasClientSecret: true, scopes: ["openid", "email"], enabled: false }] });
  });

  it("sets Kakao without a secret, then removes it after confirming", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    const kakao = socialCard(admin).getByRole("form", { name: "Kakao" });
    await kakao.getByLabel("REST API key").fill("kakao-rest-api-key-1");
    await kakao.getByLabel("Native app client IDs (optional)").fill("1234567");
    await kakao.getByRole("button", { name: "Save Kakao" }).click();
    await kakao.locator(".alert-success", { hasText: "Kakao settings saved." }).waitFor();
    expect(await kakao.locator(".badge", { hasText: "Secret stored" }).count()).toBe(0);
    await kakao.getByRole("button", { name: "Remove Kakao" }).click();
    const dialog = admin.getByRole("dialog", { name: "Remove Kakao sign-in?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Remove Kakao" }).click();
    await kakao.locator(".alert-success", { hasText: "Kakao settings removed." }).waitFor();
    await kakao.locator(".badge", { hasText: "Not set up" }).waitFor();
    const listed = await trpcCall(
      server.url,
      "backOffice.socialProviders.list",
      { tenantKey: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect((listed.data as { items: { provider: string }[] }).items.map((p) => p.provider)).toEqual(["google"]);
  });

  it("edits the redirect URIs: a refused one is explained on its line and nothing is saved; valid ones are kept after a reload", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    const box = redirectCard(admin).getByRole("textbox", { name: "Redirect URIs" });
    await box.fill("https://maple.example/auth/callback\nhttp://maple.example/callback\ncom.maple.app:/oauth");
    await redirectCard(admin).getByRole("button", { name: "Save redirect URIs" }).click();
    const error = redirectCard(admin).locator(".field-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("Line 2 (http://maple.example/callback): Plain http is allowed only for localhost");
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => admin.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await checkPage(admin, "redirect-uris-error");
    const before = await trpcCall(
      server.url,
      "backOffice.tenants.get",
      { key: TENANT_KEY },
      { method: "GET", cookie: await staffCookie() },
    );
    expect(before.data).toMatchObject({ redirectUris: [] });

    await box.fill(
      "https://maple.example/auth/callback\nhttp://localhost:5173/callback\ncom.maple.app:/oauth\nhttps://maple.example/auth/callback",
    );
    await redirectCard(admin).getByRole("button", { name: "Save redirect URIs" }).click();
    await redirectCard(admin).locator(".alert-success", { hasText: "Redirect URIs saved." }).waitFor();
    await admin.reload();
    await redirectCard(admin).waitFor();
    const saved = ["https://maple.example/auth/callback", "http://localhost:5173/callback", "com.maple.app:/oauth"];
    expect(await redirectCard(admin).getByRole("textbox", { name: "Redirect URIs" }).inputValue()).toBe(saved.join("\n"));
    const after = await trpcCall(server.url, "backOffice.tenants.get", { key: TENANT_KEY }, { method: "GET", cookie: await staffCookie() });
    expect(after.data).toMatchObject({ redirectUris: saved });
  });

  it("lists a user's linked providers on their page", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/${LINKED_USER_ID}`);
    const section = admin.getByRole("region", { name: /Linked sign-in providers/ });
    await section.waitFor();
    expect(await section.getByRole("heading").first().textContent()).toBe("Linked sign-in providers (2)");
    const rows = section.locator("tbody tr");
    expect(await rows.count()).toBe(2);
    const cells = async (provider: string) =>
      (await section.locator(`tbody tr[data-provider="${provider}"] td`).allTextContents()).map((t) => t.trim());
    expect((await cells("google")).slice(0, 2)).toEqual(["Google", "mina.park@gmail.com"]);
    expect((await cells("naver")).slice(0, 2)).toEqual(["Naver", "None given"]);
    await checkPage(admin, "user-identities");
  });

  it("a viewer sees the settings read-only: no input or button, the secret only as Stored", async () => {
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
    await socialCard(viewer).waitFor();
    expect(await socialCard(viewer).locator("input, button, textarea").count()).toBe(0);
    expect(await redirectCard(viewer).locator("input, button, textarea").count()).toBe(0);
    expect(await redirectCard(viewer).locator("li").allTextContents()).toEqual([
      "https://maple.example/auth/callback",
      "http://localhost:5173/callback",
      "com.maple.app:/oauth",
    ]);
    const googleBlock = socialCard(viewer).getByRole("region", { name: "Google" });
    const value = (term: string) =>
      googleBlock
        .locator(".details-row", { has: viewer.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
        .locator("dd")
        .textContent();
    expect(await value("Status")).toBe("Disabled");
    expect(await value("Client ID")).toBe(GOOGLE_CLIENT_ID);
    expect(await value("Client secret")).toBe("Stored");
    expect(await value("Scopes")).toBe("openid email");
    expect(await value("Callback URL")).toBe(`${server.url}/api/social/google/callback`);
    expect(await socialCard(viewer).getByRole("region", { name: "Kakao" }).textContent()).toContain("Not set up");
    expect(await viewer.content()).not.toContain(GOOGLE_SECRET);
    await checkPage(viewer, "viewer");
    await viewerContext.close();
  });

  it("raised no CSP violation, page error or foreign request", () => {
    expect(observed).toEqual({ cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] });
  });
});
