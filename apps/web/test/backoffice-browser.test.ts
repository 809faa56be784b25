import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  LAYOUT_WIDTHS,
  hasChromium,
  layoutReport,
  requireChromiumUnderCi,
  launchChromium,
  newStaffContext,
  screenshot,
  seriousAxeViolations,
  trpcCall,
  type Observed,
} from "./browser-harness";
import { startProductionServer, type ProductionServer } from "./production-server";

/**
 * The BackOffice in a real browser (Debian's Chromium) against the production build
 * (`pnpm build` first). One story, step by step: an admin creates a tenant and issues a manager,
 * the manager changes the temporary password through the API, the admin suspends the manager and
 * finds it in the audit log, a viewer sees no admin controls. Every page is checked with axe-core,
 * must raise no CSP violation, must not be wider than the screen at 1280 and 390 px (nor hide a
 * table's columns at 1280 px), and is photographed at both widths into screenshots/.
 *
 * The admin's browser comes through a proxy (TRUST_PROXY) with a full-length IPv6 address, the
 * widest an IP column has to show.
 */
requireChromiumUnderCi("backoffice-browser");

const TENANT_KEY = "northwind";
const TENANT_NAME = "Northwind Traders";
const MANAGER_ID = "mgr.alice";
const MANAGER_EMAIL = "alice@northwind.example";
const MANAGER_NEW_PASSWORD = "Quiet-harbor-lantern-47";
const VIEWER_EMAIL = "viewer@example.com";
const VIEWER_PASSWORD = "Viewer-sees-only-2026";
const VIEWER_NEW_PASSWORD = "Viewer-second-passphrase-9";
// The widest address an IP column can show: Gatehouse stores addresses canonical (RFC 5952:
// leading zeros dropped, zero runs compressed), so a full-width one has eight 4-digit groups.
const ADMIN_IP = "fd12:3456:789a:bcde:f012:3456:789a:bcde";

describe.skipIf(!hasChromium)("BackOffice in the browser (production server)", () => {
  let server: ProductionServer;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };
  const axeFindings: { page: string; violations: unknown[] }[] = [];
  let temporaryPassword = "";

  /** Axe and a screenshot for the page as it is now. */
  async function checkPage(page: Page, name: string) {
    await page.waitForLoadState("networkidle");
    // Next streams a dynamic page's metadata; the title lands in <head> once the stream is done.
    await page.waitForFunction(() => document.title !== "", undefined, { timeout: 5_000 }).catch(() => {});
    const violations = await seriousAxeViolations(page);
    if (violations.length > 0) axeFindings.push({ page: name, violations });
    expect(violations, `serious accessibility violations on ${name}`).toEqual([]);
    const size = page.viewportSize()!;
    for (const width of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      // Photographed first, so a page that fails below can be looked at.
      await screenshot(page, `backoffice-${name}-${width}`);
      const layout = await layoutReport(page);
      expect(layout.documentWidth, `${name} at ${width} px: the page is wider than the screen`).toBeLessThanOrEqual(layout.viewportWidth);
      if (width === 1280) {
        for (const table of layout.tables) {
          expect(table.scrollWidth, `${name} at 1280 px: table "${table.caption}" cuts off columns`).toBeLessThanOrEqual(table.clientWidth);
          expect(table.ipHeaderVisible, `${name} at 1280 px: IP column of "${table.caption}" out of view`).not.toBe(false);
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
  }

  beforeAll(async () => {
    server = await startProductionServer({ TRUST_PROXY: "1" });
    browser = await launchChromium();
    adminContext = await newStaffContext(browser, server.url, observed, {
      timezoneId: "Asia/Seoul",
      extraHTTPHeaders: { "x-forwarded-for": ADMIN_IP },
    });
    admin = await adminContext.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("serves pages with a strict CSP (fresh nonce, no unsafe-inline) and the security headers", async () => {
    const first = await fetch(`${server.url}/backoffice/sign-in`);
    const second = await fetch(`${server.url}/backoffice/sign-in`);
    const csp = first.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    for (const directive of [
      "style-src 'self' 'nonce-",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    const nonceOf = (policy: string) => /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonceOf(second.headers.get("content-security-policy") ?? "")).not.toBe(nonceOf(csp));
    const html = await first.text();
    // Every script element carries this response's nonce.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonceOf(csp)}"`);
    expect(html).not.toMatch(/\sstyle="/);
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("referrer-policy")).toBe("same-origin");
    // APP_URL is http here: no HSTS.
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });

  it("the CSP and accessibility detectors themselves catch a violation (so a clean run means something)", async () => {
    const probe = await adminContext.newPage();
    await probe.goto("/backoffice/sign-in");
    await probe.evaluate(() => {
      // What an HTML injection could try: an inline event handler, an inline style, a remote image.
      const box = document.createElement("div");
      box.innerHTML = '<img alt="" src="data:," onerror="window.__injected = true"><p style="color: red">x</p>';
      document.body.append(box);
      const remote = document.createElement("img");
      remote.src = "https://cdn.example.com/pixel.png";
      document.body.append(remote);
    });
    await expect
      .poll(() => observed.cspViolations.map((violation) => violation.directive).sort())
      .toEqual(["img-src", "script-src-attr", "style-src-attr"]);
    expect(await probe.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    // The remote image has no alt text: axe reports it as critical.
    expect((await seriousAxeViolations(probe)).map((violation) => violation.id)).toContain("image-alt");
    await probe.close();
    observed.cspViolations.length = 0;
    observed.consoleCsp.length = 0;
    observed.foreignRequests.length = 0;
  });

  it("sends a signed-out visitor to sign-in and explains a wrong password", async () => {
    await admin.goto("/backoffice/tenants");
    await admin.waitForURL(/\/backoffice\/sign-in/);
    await checkPage(admin, "sign-in");
    await admin.getByLabel("Email").fill(server.env.BACKOFFICE_ADMIN_EMAIL!);
    await admin.getByLabel("Password").fill("not-the-password");
    await admin.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => admin.locator(".alert-error").textContent()).toContain("email or password is incorrect");
    // The email is kept, the password is not.
    expect(await admin.getByLabel("Email").inputValue()).toBe(server.env.BACKOFFICE_ADMIN_EMAIL);
    expect(await admin.getByLabel("Password").inputValue()).toBe("");
    await checkPage(admin, "sign-in-error");

    // A refused address stays out of the URL (history, Referer) and the server's log.
    const stranger = "someone.unknown@northwind.example";
    const logStart = server.logs().length;
    await admin.getByLabel("Email").fill(stranger);
    await admin.getByLabel("Password").fill("not-the-password-either");
    await admin.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => admin.getByLabel("Email").inputValue()).toBe(stranger);
    await admin.locator(".alert-error", { hasText: "email or password is incorrect" }).waitFor();
    expect(admin.url()).not.toMatch(/email|someone|%40/i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const newLog = server.logs().slice(logStart);
    expect(newLog).not.toContain(stranger);
    expect(newLog).not.toContain(encodeURIComponent(stranger));
    // next-auth's own error redirect (a form posted without the page) names no address either.
    const { csrfToken } = (await (await adminContext.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const direct = await adminContext.request.post("/api/auth/callback/credentials", {
      form: { csrfToken, email: stranger, password: "not-the-password-either" },
      maxRedirects: 0,
    });
    expect(direct.status()).toBe(302);
    expect(direct.headers().location).toMatch(/\/backoffice\/sign-in\?error=CredentialsSignin/);
    expect(direct.headers().location).not.toMatch(/someone|%40|@/);
    expect(server.logs().slice(logStart)).not.toContain(stranger);
  });

  it("signs the admin in and shows the overview with the admin's controls", async () => {
    await signIn(admin, server.env.BACKOFFICE_ADMIN_EMAIL!, server.env.BACKOFFICE_ADMIN_PASSWORD!);
    await admin.waitForURL(`${server.url}/backoffice`);
    await expect.poll(() => admin.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    expect(await admin.locator(".sidebar").textContent()).toContain(server.env.BACKOFFICE_ADMIN_EMAIL!);
    expect(await admin.getByRole("navigation", { name: "BackOffice" }).getByRole("link", { name: "Staff" }).count()).toBe(1);
    await checkPage(admin, "overview-admin");
  });

  it("shows an empty tenant list, then creates a tenant with validated allowed-domain chips", async () => {
    await admin.getByRole("navigation", { name: "BackOffice" }).getByRole("link", { name: "Tenants" }).click();
    await admin.waitForURL(/\/backoffice\/tenants$/);
    await admin.getByRole("heading", { name: "No tenants yet" }).waitFor();
    await checkPage(admin, "tenants-empty");

    await admin.getByRole("link", { name: "New tenant" }).first().click();
    await admin.waitForURL(/\/backoffice\/tenants\/new$/);
    await admin.getByLabel("Tenant key").fill(TENANT_KEY);
    await admin.getByLabel("Name", { exact: true }).fill(TENANT_NAME);
    await admin.getByLabel("Email language").selectOption("en");
    await admin.getByLabel("App URL (optional)").fill("https://app.northwind.example/welcome");

    const domainInput = admin.getByLabel("Add a domain");
    // The empty list is explained.
    expect(await admin.getByRole("group", { name: "Allowed email domains" }).textContent()).toContain(
      "Leave the list empty to accept any email domain",
    );
    await domainInput.fill("not a domain!");
    await domainInput.press("Enter");
    await expect
      .poll(() => admin.getByRole("group", { name: "Allowed email domains" }).locator(".field-error").textContent())
      .toContain("not a valid domain");
    expect(await domainInput.getAttribute("aria-invalid")).toBe("true");
    await domainInput.fill("Northwind.EXAMPLE");
    await domainInput.press("Enter");
    await domainInput.fill("northwind.example");
    await domainInput.press("Enter");
    await expect
      .poll(() => admin.getByRole("group", { name: "Allowed email domains" }).locator(".field-error").textContent())
      .toContain("already in the list");
    await domainInput.fill("partners.northwind.example");
    await admin.getByRole("button", { name: "Add domain" }).click();
    await domainInput.fill("https://bad.example");
    await domainInput.press("Enter");
    await expect
      .poll(() => admin.getByRole("group", { name: "Allowed email domains" }).locator(".field-error").textContent())
      .toContain("without http");
    await domainInput.fill("");
    const chips = admin.getByRole("list", { name: "Allowed email domains" }).getByRole("listitem");
    expect(await chips.allTextContents()).toEqual(["northwind.example×", "partners.northwind.example×"]);
    await checkPage(admin, "tenant-new-form");

    await admin.getByRole("button", { name: "Create tenant" }).click();
    await admin.waitForURL(new RegExp(`/backoffice/tenants/${TENANT_KEY}\\?created=1$`));
    await admin.locator(".alert-success", { hasText: "Tenant created" }).waitFor();
    const savedChips = await admin.getByRole("list", { name: "Allowed email domains" }).getByRole("listitem").allTextContents();
    expect(savedChips).toEqual(["northwind.example×", "partners.northwind.example×"]);
    // The API stored the app URL as its origin.
    expect(await admin.getByLabel("App URL (optional)").inputValue()).toBe("https://app.northwind.example");
    // The tenant's demo product page is one click away.
    expect(await admin.getByRole("link", { name: "Demo page" }).getAttribute("href")).toBe(`/demo/${TENANT_KEY}`);
    await checkPage(admin, "tenant-detail-admin");
  });

  it("shows every field's error at once, each on its field; a taken key is the key's error, not a banner", async () => {
    await admin.goto("/backoffice/tenants/new");
    await admin.getByLabel("Tenant key").fill(TENANT_KEY);
    await admin.getByLabel("App URL (optional)").fill("ftp://files.example");
    // A domain typed but not added is one error among the others, not the only one shown.
    await admin.getByLabel("Add a domain").fill("pending.example");
    await admin.getByRole("button", { name: "Create tenant" }).click();
    await expect.poll(() => admin.locator(".field-error").count()).toBe(4);
    const errors = await admin.locator(".field-error").allTextContents();
    expect(errors).toEqual([
      "⚠ That tenant key is already taken (keys of deleted tenants stay reserved).",
      "⚠ Enter a name.",
      "⚠ The app URL must start with http:// or https://.",
      "⚠ “pending.example” has not been added yet: press Add domain, or clear the field.",
    ]);
    for (const label of ["Tenant key", "Name", "App URL (optional)", "Add a domain"]) {
      expect(await admin.getByLabel(label, { exact: true }).getAttribute("aria-invalid"), label).toBe("true");
    }
    expect(await admin.locator(".alert-error").count()).toBe(0);
    // The first field in error has focus; its message describes it.
    expect(await admin.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("key");
    await checkPage(admin, "tenant-new-errors");

    // Everything else fixed: the API's 409 lands on the key field too.
    await admin.getByLabel("Name", { exact: true }).fill("Duplicate");
    await admin.getByLabel("App URL (optional)").fill("");
    await admin.getByLabel("Add a domain").fill("");
    await admin.getByRole("button", { name: "Create tenant" }).click();
    await expect
      .poll(() => admin.locator(".field-error").allTextContents())
      .toEqual(["⚠ That tenant key is already taken (keys of deleted tenants stay reserved)."]);
    expect(await admin.getByLabel("Tenant key").getAttribute("aria-invalid")).toBe("true");
    expect(await admin.locator(".alert-error").count()).toBe(0);
  });

  it("edits a tenant's domains and phone countries: an unknown code is refused at once, the first country reads national numbers", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await admin.getByRole("button", { name: "Remove partners.northwind.example" }).click();
    await admin.getByLabel("Name", { exact: true }).fill(`${TENANT_NAME} Ltd`);
    // Phone countries: KR by default; "XQ" is no country; "us" is added as US and made first.
    await admin.getByLabel("Add a country code").fill("XQ");
    await admin.getByRole("button", { name: "Add country" }).click();
    await expect.poll(() => admin.locator(".field-error").allTextContents()).toEqual(["⚠ “XQ” is not a known country code."]);
    await admin.getByLabel("Add a country code").fill("us");
    await admin.getByRole("button", { name: "Add country" }).click();
    await admin.getByRole("button", { name: "Make US first" }).click();
    await admin.getByRole("button", { name: "Save changes" }).click();
    await admin.locator(".alert-success", { hasText: "Changes saved" }).waitFor();
    const tenant = await admin.evaluate(async (key) => {
      const res = await fetch(`/api/trpc/backOffice.tenants.get?input=${encodeURIComponent(JSON.stringify({ key }))}`);
      return ((await res.json()) as { result: { data: { name: string; allowedEmailDomains: string[]; phoneCountries: string[] } } }).result
        .data;
    }, TENANT_KEY);
    expect(tenant).toMatchObject({ name: `${TENANT_NAME} Ltd`, allowedEmailDomains: ["northwind.example"], phoneCountries: ["US", "KR"] });
  });

  it("issues a manager with an invitation; the temporary password is shown once and copied", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await admin.getByRole("link", { name: "Issue manager" }).click();
    await admin.waitForURL(/\/managers\/new$/);
    await checkPage(admin, "manager-issue-form");
    await admin.getByLabel("User ID").fill(MANAGER_ID);
    await admin.getByLabel("Display name").fill("Alice Kim");
    await admin.getByLabel("Send an invitation email").check();
    await admin.getByLabel("Email address").fill(MANAGER_EMAIL);
    await admin.getByRole("button", { name: "Issue manager" }).click();

    const secret = admin.getByTestId("temporary-password");
    await secret.waitFor();
    temporaryPassword = await secret.inputValue();
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(12);
    expect(await admin.locator(".secret").textContent()).toContain("This password will not be shown again");
    await admin.getByRole("button", { name: "Copy password" }).click();
    await expect.poll(() => admin.locator(".secret").textContent()).toContain("Copied to the clipboard");
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(temporaryPassword);
    await checkPage(admin, "manager-issued-password");

    // The invitation went out without the password (not asked for).
    await expect.poll(() => server.mails.filter((mail) => mail.to.includes(MANAGER_EMAIL)).length).toBe(1);
    expect(server.mails.find((mail) => mail.to.includes(MANAGER_EMAIL))!.raw).not.toContain(temporaryPassword);

    // Once gone, it is gone: reloading shows the empty form, not the password.
    await admin.reload();
    expect(await admin.getByTestId("temporary-password").count()).toBe(0);
  });

  it("the manager signs in through the API, is forced to change the password, and succeeds", async () => {
    const signedIn = await trpcCall(server.url, "clientAuth.signIn", {
      tenantKey: TENANT_KEY,
      userId: MANAGER_ID,
      password: temporaryPassword,
    });
    expect(signedIn.status).toBe(200);
    const session = signedIn.data as { accessToken: string; user: { mustChangePassword: boolean; role: string; source: string } };
    expect(session.user).toMatchObject({ mustChangePassword: true, role: "manager", source: "admin_issued" });

    const blocked = await trpcCall(server.url, "clientAuth.updateMe", { displayName: "Alice" }, { token: session.accessToken });
    expect(blocked.status).toBe(403);
    expect(blocked.appCode).toBe("auth/PasswordChangeRequired");

    const changed = await trpcCall(
      server.url,
      "clientAuth.changePassword",
      { currentPassword: temporaryPassword, newPassword: MANAGER_NEW_PASSWORD },
      { token: session.accessToken },
    );
    expect(changed.status).toBe(200);
    const fresh = changed.data as { success: boolean; accessToken: string };
    expect(fresh.success).toBe(true);
    const allowed = await trpcCall(server.url, "clientAuth.updateMe", { displayName: "Alice Kim" }, { token: fresh.accessToken });
    expect(allowed.status).toBe(200);
  });

  it("lists the tenant's users with search, and shows a user's detail with sessions", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users`);
    const row = admin.getByRole("row", { name: new RegExp(MANAGER_ID.replace(".", "\\.")) });
    await row.waitFor();
    expect(await row.textContent()).toContain("Manager");
    await checkPage(admin, "users-list");

    await admin.getByLabel("Search by user ID, email or name").fill("nobody-like-this");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL(/q=nobody-like-this/);
    await admin.getByRole("heading", { name: "No users match" }).waitFor();
    await checkPage(admin, "users-search-empty");

    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users?q=alice`);
    await admin.getByRole("link", { name: MANAGER_ID }).click();
    await admin.waitForURL(new RegExp(`/users/${MANAGER_ID.replace(".", "\\.")}$`));
    const details = await admin.locator(".details").first().textContent();
    expect(details).toContain("Issued by staff");
    expect(details).toContain(MANAGER_EMAIL);
    expect(details).not.toContain("Never"); // signed in through the API above
    await admin.getByRole("heading", { name: /Live sessions \(1\)/ }).waitFor();
    await checkPage(admin, "user-detail-admin");
  });

  it("suspends the user behind a confirmation (Escape cancels, focus returns)", async () => {
    const trigger = admin.getByRole("button", { name: "Suspend user" });
    await trigger.click();
    const dialog = admin.getByRole("dialog", { name: `Suspend ${MANAGER_ID}?` });
    await dialog.waitFor();
    // The safe choice has focus first.
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await checkPage(admin, "user-suspend-confirm");
    await admin.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe("Suspend user");

    await trigger.click();
    await dialog.getByRole("button", { name: "Suspend user" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => admin.locator(".page-header").textContent()).toContain("Suspended");
    expect(await admin.getByRole("heading", { name: /Live sessions \(0\)/ }).count()).toBe(1);
    expect(await admin.getByRole("button", { name: "Unsuspend user" }).count()).toBe(1);
    await checkPage(admin, "user-suspended");

    const signIn = await trpcCall(server.url, "clientAuth.signIn", {
      tenantKey: TENANT_KEY,
      userId: MANAGER_ID,
      password: MANAGER_NEW_PASSWORD,
    });
    expect(signIn.appCode).toBe("auth/AccountSuspended");
  });

  it("finds the suspension in the audit log, filtered, with readable actor and target in the staff's time zone", async () => {
    await admin.goto("/backoffice/audit");
    await checkPage(admin, "audit-log");
    await admin.getByLabel("Tenant", { exact: true }).fill(TENANT_KEY);
    await admin.getByLabel("Action", { exact: true }).selectOption("user.suspended");
    await admin.getByRole("button", { name: "Apply filters" }).click();
    await admin.waitForURL(/action=user\.suspended/);
    const rows = admin.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.getAttribute("data-action")).toBe("user.suspended");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("User suspended");
    expect(text).toContain(server.env.BACKOFFICE_ADMIN_EMAIL!);
    expect(text).toContain(MANAGER_ID);
    // Asia/Seoul is UTC+9 all year.
    const time = row.locator("time");
    expect(await time.textContent()).toContain("GMT+9");
    const iso = (await time.getAttribute("datetime"))!;
    const seoulHour = (new Date(iso).getUTCHours() + 9) % 24;
    expect(await time.textContent()).toContain(`${String(seoulHour).padStart(2, "0")}:`);
    expect(await admin.locator(".page-description").textContent()).toContain("Asia/Seoul");
    // The target links to the user.
    expect(await row.getByRole("link", { name: MANAGER_ID }).getAttribute("href")).toBe(
      `/backoffice/tenants/${TENANT_KEY}/users/${MANAGER_ID}`,
    );
    await checkPage(admin, "audit-log-filtered");
  });

  it("resets a user's password (shown once) and unsuspends", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/${MANAGER_ID}`);
    await admin.getByRole("button", { name: "Reset password" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Reset password" }).click();
    const secret = admin.getByTestId("temporary-password");
    await secret.waitFor();
    const reset = await secret.inputValue();
    expect(reset).not.toBe(temporaryPassword);
    await checkPage(admin, "user-password-reset");
    await admin.getByRole("button", { name: "Unsuspend user" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Unsuspend user" }).click();
    await expect.poll(() => admin.locator(".page-header").textContent()).toContain("Active");
    const signIn = await trpcCall(server.url, "clientAuth.signIn", { tenantKey: TENANT_KEY, userId: MANAGER_ID, password: reset });
    expect(signIn.status).toBe(200);
  });

  it("a user who signed up and has not signed in since: 'Last sign-in' says at sign-up, beside the live session", async () => {
    const signedUp = await trpcCall(server.url, "clientAuth.signUp", {
      tenantKey: TENANT_KEY,
      userId: "mina.park",
      password: "Paper-lantern-river-31",
      displayName: "박미나",
      email: "mina.park@northwind.example",
    });
    expect(signedUp.status).toBe(200);
    expect((signedUp.data as { user: { lastLoginAt: string | null } }).user.lastLoginAt).toBeNull();
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/mina.park`);
    await admin.getByRole("heading", { name: /Live sessions \(1\)/ }).waitFor();
    const row = (term: string) =>
      admin.locator(".details-row", { has: admin.locator("dt", { hasText: new RegExp(`^${term}$`) }) }).locator("dd");
    expect(await row("Last sign-in").textContent()).toMatch(/^At sign-up, \d/);
    expect(await row("Last active").textContent()).toMatch(/\d{2}:\d{2}/);
    expect(await admin.locator(".details").first().textContent()).not.toContain("Never");
    await checkPage(admin, "user-detail-signed-up");
    // The list says the same.
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users?q=mina`);
    expect(await admin.getByRole("row", { name: /mina\.park/ }).textContent()).toContain("At sign-up");
  });

  it("adds a viewer on the staff page", async () => {
    await admin.goto("/backoffice/staff");
    await checkPage(admin, "staff-list");
    const hint = await admin.locator(".field-hint").allTextContents();
    expect(hint.join(" ")).toContain("8 to 72 characters");
    expect(hint.join(" ")).not.toMatch(/bytes?\b/);

    // Both problems at once, each on its field: an email already in the list, a short password
    // (four Korean letters are 12 bytes but 4 characters).
    await admin.getByLabel("Email").fill(server.env.BACKOFFICE_ADMIN_EMAIL!);
    await admin.getByLabel("Initial password").fill("비밀번호");
    await admin.getByRole("button", { name: "Add staff member" }).click();
    await expect
      .poll(() => admin.locator(".field-error").allTextContents())
      .toEqual(["⚠ A staff member with that email already exists.", "⚠ Use at least 8 characters."]);
    expect(await admin.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await admin.getByLabel("Initial password").getAttribute("aria-invalid")).toBe("true");
    expect(await admin.locator(".alert-error").count()).toBe(0);
    await checkPage(admin, "staff-form-errors");

    // Added elsewhere after this page loaded: the API's 409 lands on the email field.
    const cookie = (await adminContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const elsewhere = "operations.on-call.reviewer@northwind-traders.example";
    const added = await trpcCall(
      server.url,
      "backOffice.staff.create",
      { email: elsewhere, password: "Reviewer-on-call-2026", role: "viewer" },
      { cookie },
    );
    expect(added.status).toBe(200);
    await admin.getByLabel("Email").fill(elsewhere);
    await admin.getByLabel("Initial password").fill("Another-good-passphrase-5");
    await admin.getByRole("button", { name: "Add staff member" }).click();
    await expect.poll(() => admin.locator(".field-error").allTextContents()).toEqual(["⚠ A staff member with that email already exists."]);
    expect(await admin.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await admin.locator(".alert-error").count()).toBe(0);

    // The API's own password rule (a common password), next to the field.
    await admin.getByLabel("Email").fill(VIEWER_EMAIL);
    await admin.getByLabel("Initial password").fill("password123");
    await admin.getByLabel("Role", { exact: true }).selectOption("viewer");
    await admin.getByRole("button", { name: "Add staff member" }).click();
    await expect
      .poll(() => admin.locator(".field-error").allTextContents())
      .toEqual(["⚠ This password is too common. Choose one that is harder to guess."]);
    expect(await admin.getByLabel("Initial password").getAttribute("aria-invalid")).toBe("true");
    await admin.getByLabel("Initial password").fill(VIEWER_PASSWORD);
    await admin.getByRole("button", { name: "Add staff member" }).click();
    await admin.locator(".alert-success", { hasText: `${VIEWER_EMAIL} was added as a viewer` }).waitFor();
    await admin.getByRole("row", { name: new RegExp(VIEWER_EMAIL) }).waitFor();
    await checkPage(admin, "staff-viewer-added");
  });

  it("keeps the IP column of the audit log and the overview in view at 1280 px, full IPv6 addresses and long emails included", async () => {
    await admin.setViewportSize({ width: 1280, height: 900 });
    for (const path of ["/backoffice", "/backoffice/audit"]) {
      await admin.goto(path);
      // The admin's own actions carry the proxy's full IPv6 address.
      const ipCell = admin.locator("tbody tr td:last-child", { hasText: ADMIN_IP }).first();
      await ipCell.waitFor();
      // `main`: React's streamed table segments wait in hidden <table>s under <body> until swapped in.
      expect(await admin.locator("main tbody").textContent(), path).toContain("operations.on-call.reviewer@northwind-traders.example");
      const layout = await layoutReport(admin);
      expect(layout.tables.length, path).toBeGreaterThan(0);
      for (const table of layout.tables) {
        expect(table.ipHeaderVisible, path).toBe(true);
        expect(table.scrollWidth, path).toBeLessThanOrEqual(table.clientWidth);
      }
      const cell = await ipCell.boundingBox();
      expect(cell!.x + cell!.width, path).toBeLessThanOrEqual(1280);
    }
    await admin.setViewportSize({ width: 1360, height: 900 });
  });

  it("a viewer sees no admin controls anywhere", async () => {
    const viewerContext = await newStaffContext(browser, server.url, observed, { timezoneId: "Europe/Berlin" });
    const viewer = await viewerContext.newPage();
    await signIn(viewer, VIEWER_EMAIL, VIEWER_PASSWORD);
    await viewer.waitForURL(`${server.url}/backoffice`);
    const nav = viewer.getByRole("navigation", { name: "BackOffice" });
    expect(await nav.getByRole("link", { name: "Staff" }).count()).toBe(0);
    expect(await viewer.locator(".sidebar").textContent()).toContain("Viewer");
    expect(await viewer.getByRole("link", { name: "New tenant" }).count()).toBe(0);
    await checkPage(viewer, "overview-viewer");

    await viewer.goto("/backoffice/tenants");
    expect(await viewer.getByRole("link", { name: "New tenant" }).count()).toBe(0);
    await viewer.getByRole("link", { name: `${TENANT_NAME} Ltd` }).waitFor();
    await checkPage(viewer, "tenants-viewer");

    await viewer.goto(`/backoffice/tenants/${TENANT_KEY}`);
    expect(await viewer.locator("main input:not([type=hidden]), main select").count()).toBe(0);
    for (const name of ["Save changes", "Delete tenant", "Restore tenant", "Add domain"]) {
      expect(await viewer.getByRole("button", { name }).count(), name).toBe(0);
    }
    expect(await viewer.getByRole("link", { name: "Issue manager" }).count()).toBe(0);
    expect(await viewer.getByRole("region", { name: "Settings" }).locator(".details").textContent()).toContain("northwind.example");
    await checkPage(viewer, "tenant-detail-viewer");

    await viewer.goto(`/backoffice/tenants/${TENANT_KEY}/users/${MANAGER_ID}`);
    for (const name of ["Suspend user", "Unsuspend user", "Reset password", "Delete user"]) {
      expect(await viewer.getByRole("button", { name }).count(), name).toBe(0);
    }
    await checkPage(viewer, "user-detail-viewer");

    await viewer.goto(`/backoffice/tenants/${TENANT_KEY}/managers/new`);
    expect(await viewer.getByRole("button", { name: "Issue manager" }).count()).toBe(0);
    await viewer.goto("/backoffice/tenants/new");
    expect(await viewer.getByRole("button", { name: "Create tenant" }).count()).toBe(0);

    await viewer.goto("/backoffice/staff");
    expect(await viewer.getByRole("table").count()).toBe(0);
    await viewer.locator(".alert-warning", { hasText: "Only admins" }).waitFor();
    await checkPage(viewer, "staff-viewer-refused");

    // The audit log is readable, in this viewer's own time zone.
    await viewer.goto("/backoffice/audit");
    expect(await viewer.locator(".page-description").textContent()).toContain("Europe/Berlin");
    await checkPage(viewer, "audit-log-viewer");

    // And the API refuses the viewer anyway.
    const cookie = (await viewerContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const refused = await trpcCall(server.url, "backOffice.users.suspend", { tenantKey: TENANT_KEY, userId: MANAGER_ID }, { cookie });
    expect(refused.appCode).toBe("auth/Forbidden");

    // A staff member's own password change keeps this session (a fresh cookie), ends the
    // others, and the new password then works.
    await viewer.goto("/backoffice/account");
    await checkPage(viewer, "account");
    // Every problem at once, on its field.
    await viewer.getByLabel("New password", { exact: true }).fill("short");
    await viewer.getByLabel("New password again").fill("something else entirely");
    await viewer.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => viewer.locator(".field-error").allTextContents())
      .toEqual(["⚠ Enter your current password.", "⚠ Use at least 8 characters.", "⚠ The two new passwords are not the same."]);
    await checkPage(viewer, "account-errors");
    // A wrong current password: said once, on its field, no banner.
    await viewer.getByLabel("Current password").fill("not-my-current-password");
    await viewer.getByLabel("New password", { exact: true }).fill(VIEWER_NEW_PASSWORD);
    await viewer.getByLabel("New password again").fill(VIEWER_NEW_PASSWORD);
    await viewer.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => viewer.locator(".field-error").allTextContents()).toEqual(["⚠ The current password is incorrect."]);
    expect(await viewer.getByLabel("Current password").getAttribute("aria-invalid")).toBe("true");
    expect(await viewer.locator(".alert-error").count()).toBe(0);
    expect((await viewer.locator("main").textContent())!.split("current password is incorrect").length - 1).toBe(1);

    await viewer.getByLabel("Current password").fill(VIEWER_PASSWORD);
    await viewer.getByLabel("New password", { exact: true }).fill(VIEWER_NEW_PASSWORD);
    await viewer.getByLabel("New password again").fill("something else entirely");
    await viewer.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => viewer.locator(".field-error").textContent()).toContain("not the same");
    await viewer.getByLabel("New password again").fill(VIEWER_NEW_PASSWORD);
    await viewer.getByRole("button", { name: "Change password" }).click();
    await viewer.locator(".alert-success", { hasText: "Password changed" }).waitFor();
    await checkPage(viewer, "account-password-changed");
    await viewer.goto("/backoffice");
    await viewer.waitForURL(`${server.url}/backoffice`);
    // The session from before the change is over; the new password signs in, the old one not.
    const stale = await trpcCall(server.url, "backOffice.tenants.list", {}, { cookie, method: "GET" });
    expect(stale.appCode).toBe("auth/Unauthenticated");
    await viewerContext.close();
    const fresh = await browser.newContext({ baseURL: server.url });
    const again = await fresh.newPage();
    await again.goto("/backoffice/sign-in");
    await signIn(again, VIEWER_EMAIL, VIEWER_PASSWORD);
    await again.locator("[role=alert]").waitFor();
    await signIn(again, VIEWER_EMAIL, VIEWER_NEW_PASSWORD);
    await again.waitForURL(`${server.url}/backoffice`);
    await fresh.close();

    // The audit log records the wrong current password as what it was, not as a sign-in.
    await admin.goto(`/backoffice/audit?action=staff.passwordChangeFailed`);
    const wrongCurrent = admin.locator("tbody tr");
    await expect.poll(() => wrongCurrent.count()).toBe(1);
    expect(await wrongCurrent.first().textContent()).toContain("Staff password change refused");
    expect(await wrongCurrent.first().textContent()).toContain(VIEWER_EMAIL);
    // Only the sign-in with the old password above is a failed sign-in of the viewer.
    await admin.goto(`/backoffice/audit?action=staff.signInFailed`);
    const viewerSignInFailures = (await admin.locator("tbody tr").allTextContents()).filter((text) => text.includes(VIEWER_EMAIL));
    expect(viewerSignInFailures).toHaveLength(1);
  }, 180_000); // eight pages, each checked at two widths

  it("handles session expiry: a page load and a mutation both lead to sign-in, which then returns", async () => {
    // A mutation whose session ended meanwhile.
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    const cookies = await adminContext.cookies();
    const session = cookies.find((c) => c.name === "authjs.session-token")!;
    await adminContext.addCookies([{ ...session, value: "expired-or-forged" }]);
    await admin.getByLabel("Name", { exact: true }).fill("Changed while signed out");
    await admin.getByRole("button", { name: "Save changes" }).click();
    await admin.waitForURL(/\/backoffice\/sign-in\?expired=1/);
    await admin.locator(".alert-info", { hasText: "Your session has ended" }).waitFor();
    await checkPage(admin, "sign-in-expired");

    // Signing in again returns to where the staff member was.
    await admin.getByLabel("Email").fill(server.env.BACKOFFICE_ADMIN_EMAIL!);
    await admin.getByLabel("Password").fill(server.env.BACKOFFICE_ADMIN_PASSWORD!);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.waitForURL(new RegExp(`/backoffice/tenants/${TENANT_KEY}$`));
    expect(await admin.getByLabel("Name", { exact: true }).inputValue()).toBe(`${TENANT_NAME} Ltd`);

    // A page load after the session was revoked (the admin disables the viewer; the viewer reloads).
    const viewerContext = await newStaffContext(browser, server.url, observed);
    const viewer = await viewerContext.newPage();
    await signIn(viewer, VIEWER_EMAIL, VIEWER_NEW_PASSWORD);
    await viewer.waitForURL(`${server.url}/backoffice`);
    await admin.goto("/backoffice/staff");
    await admin.getByRole("button", { name: `Disable ${VIEWER_EMAIL}` }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Disable staff member" }).click();
    await admin
      .getByRole("row", { name: new RegExp(VIEWER_EMAIL) })
      .getByText("Disabled")
      .waitFor();
    await viewer.goto("/backoffice/audit");
    await viewer.waitForURL(/\/backoffice\/sign-in\?expired=1&next=%2Fbackoffice%2Faudit/);
    await viewerContext.close();
  });

  it("soft-deletes and restores a tenant behind a typed confirmation", async () => {
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    await admin.getByRole("button", { name: "Delete tenant" }).click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByLabel(/Type .* to confirm/).fill("wrong");
    await dialog.getByRole("button", { name: "Delete tenant" }).click();
    await dialog.locator(".alert-error", { hasText: `Type ${TENANT_KEY} to confirm` }).waitFor();
    await checkPage(admin, "tenant-delete-confirm");
    await dialog.getByLabel(/Type .* to confirm/).fill(TENANT_KEY);
    await dialog.getByRole("button", { name: "Delete tenant" }).click();
    await expect.poll(() => admin.locator(".page-header").textContent()).toContain("Deleted");
    const signIn = await trpcCall(server.url, "clientAuth.signIn", {
      tenantKey: TENANT_KEY,
      userId: MANAGER_ID,
      password: "whatever-it-is",
    });
    expect(signIn.appCode).toBe("tenant/NotFound");
    await checkPage(admin, "tenant-deleted");

    await admin.goto("/backoffice/tenants");
    expect(await admin.getByRole("link", { name: `${TENANT_NAME} Ltd` }).count()).toBe(0);
    await admin.getByLabel("Include deleted tenants").check();
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByRole("link", { name: `${TENANT_NAME} Ltd` }).click();
    await admin.getByRole("button", { name: "Restore tenant" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Restore tenant" }).click();
    await expect.poll(() => admin.getByRole("button", { name: "Save changes" }).count()).toBe(1);
    await checkPage(admin, "tenant-restored");
  });

  it("paginates the tenant list and shows the remaining pages", async () => {
    const cookie = (await adminContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    for (let i = 0; i < 21; i++) {
      const res = await trpcCall(
        server.url,
        "backOffice.tenants.create",
        { key: `acme-${String(i).padStart(2, "0")}`, name: `Acme ${i}`, allowedEmailDomains: [] },
        { cookie },
      );
      expect(res.status).toBe(200);
    }
    await admin.goto("/backoffice/tenants");
    expect(await admin.locator("tbody tr").count()).toBe(20);
    await checkPage(admin, "tenants-list");
    await admin.getByRole("link", { name: "Next →" }).click();
    await admin.waitForURL(/cursor=/);
    await expect.poll(() => admin.locator(".pagination-page").textContent()).toBe("Page 2");
    expect(await admin.locator("tbody tr").count()).toBe(2);
    await admin.getByRole("link", { name: "← Previous" }).click();
    await admin.waitForURL((url) => !url.search.includes("cursor="));
    await expect.poll(() => admin.locator(".pagination-page").textContent()).toBe("Page 1");
    expect(await admin.locator("tbody tr").count()).toBe(20);
    await admin.getByLabel("Search tenants by key or name").fill("acme 1");
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.waitForURL(/q=acme/);
    await expect.poll(() => admin.locator("tbody tr").count()).toBe(11); // Acme 1, Acme 10..19

    await admin.goto("/backoffice/users");
    await checkPage(admin, "users-tenant-picker");
  });

  it("answers unknown tenants and users with HTTP 404 and a not-found page", async () => {
    for (const path of [
      "/backoffice/tenants/no-such-tenant",
      "/backoffice/tenants/no-such-tenant/users",
      "/backoffice/tenants/no-such-tenant/managers/new",
      `/backoffice/tenants/${TENANT_KEY}/users/nobody.here`,
    ]) {
      const response = await admin.goto(path);
      expect(response?.status(), path).toBe(404);
      await admin.getByRole("heading", { name: "Not found" }).waitFor();
      expect(await admin.title(), path).toMatch(/^Not found/);
      expect(await admin.title(), path).not.toMatch(/no-such-tenant|nobody/);
    }
    await checkPage(admin, "not-found");
    // Known ones still answer 200, titled by their name.
    const known = await admin.goto(`/backoffice/tenants/${TENANT_KEY}`);
    expect(known?.status()).toBe(200);
    expect(await admin.title()).toContain(`${TENANT_NAME} Ltd`);
  });

  it("deletes a user behind a confirmation and says so on the list", async () => {
    const cookie = (await adminContext.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const issued = await trpcCall(
      server.url,
      "backOffice.managers.issue",
      { tenantKey: TENANT_KEY, userId: "temp.bob", displayName: "Bob Temp" },
      { cookie },
    );
    expect(issued.status).toBe(200);
    await admin.goto(`/backoffice/tenants/${TENANT_KEY}/users/temp.bob`);
    await admin.getByRole("button", { name: "Delete user" }).click();
    const dialog = admin.getByRole("dialog", { name: "Delete temp.bob?" });
    expect(await dialog.textContent()).toContain("cannot be undone");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await admin.waitForURL(new RegExp(`/backoffice/tenants/${TENANT_KEY}/users\\?deleted=temp\\.bob`));
    await admin.locator(".alert-success", { hasText: "User temp.bob was deleted" }).waitFor();
    expect(await admin.getByRole("link", { name: "temp.bob" }).count()).toBe(0);
    await checkPage(admin, "user-deleted");
  });

  it("signs out", async () => {
    await admin.goto("/backoffice");
    await admin.locator(".sidebar").getByRole("button", { name: "Sign out" }).click();
    await admin.waitForURL(/\/backoffice\/sign-in\?signedOut=1/);
    await admin.locator(".alert-info", { hasText: "You have signed out" }).waitFor();
    await admin.goto("/backoffice/tenants");
    await admin.waitForURL(/\/backoffice\/sign-in/);
  });

  it("raised no CSP violation, no page error and no request to another origin on any page", () => {
    expect(observed.cspViolations).toEqual([]);
    expect(observed.consoleCsp).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    expect(observed.foreignRequests).toEqual([]);
    expect(axeFindings).toEqual([]);
  });
});
