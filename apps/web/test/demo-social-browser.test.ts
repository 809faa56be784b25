import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
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
 * "Continue with Google / Kakao / Naver" on the demo product page in a real browser against the
 * production build (`pnpm build` first): the provider stand-ins run here with their consent page
 * (the server's OAUTH_* point at them), the tenant is configured through backOffice as an operator
 * would, and each provider's button goes to its consent page, Continue comes back through
 * Gatehouse's callback to /demo/<key>/callback, which lands signed in; Cancel lands signed out
 * with the reason in words.
 */
requireChromiumUnderCi("demo-social-browser");

/** The admin startProductionServer has the server ensure (BACKOFFICE_ADMIN_*). */
const ADMIN = { email: "admin@example.com", password: "Admin-password-for-tests-1" };

/** A staff sign-in as a browser makes it (next-auth's csrf, then the credentials form): the Cookie header to send. */
async function signInStaff(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";", 1)[0]!);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookiesOf(csrf).join("; ") },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  const session = cookiesOf(res).find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
  if (!session) throw new Error(`staff sign-in refused (HTTP ${res.status})`);
  return session;
}

describe.skipIf(!hasChromium)("social sign-in on the demo product page (production server)", () => {
  let standIns: StandIns;
  let server: ProductionServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantKey: string;
  const observed: Observed = { cspViolations: [], consoleCsp: [], pageErrors: [], foreignRequests: [] };
  const suffix = Date.now().toString(36);

  beforeAll(async () => {
    standIns = await startStandIns({ consent: "page" });
    server = await startProductionServer({ ...standIns.env });
    tenantKey = `social-${suffix}`;

    // The operator's part, through backOffice: the tenant, its callback page, the three providers.
    const cookie = await signInStaff(server.url, ADMIN.email, ADMIN.password);
    const bo = async (procedure: string, input: unknown) => {
      const res = await trpcCall(server.url, `backOffice.${procedure}`, input, { cookie });
      if (res.status !== 200) throw new Error(`${procedure}: HTTP ${res.status} ${res.appCode ?? ""}`);
      return res.data;
    };
    await bo("tenants.create", {
      key: tenantKey,
      name: "Social Tenant",
      allowedEmailDomains: [],
      locale: "en",
      redirectUris: [`${server.url}/demo/${tenantKey}/callback`],
    });
    const { google, kakao, naver } = standIns.credentials;
    await bo("socialProviders.set", { tenantKey, provider: "google", ...google, enabled: true });
    // A Kakao business app may ask for the address (the default scope is the nickname alone).
    await bo("socialProviders.set", {
      tenantKey,
      provider: "kakao",
      ...kakao,
      scopes: ["profile_nickname", "account_email"],
      enabled: true,
    });
    await bo("socialProviders.set", { tenantKey, provider: "naver", ...naver, enabled: true });

    browser = await launchChromium();
    context = await newStaffContext(browser, server.url, observed);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await standIns?.stop();
  });

  async function checkPage(name: string) {
    const violations = await seriousAxeViolations(page);
    expect(violations, `serious accessibility violations on ${name}`).toEqual([]);
    await screenshot(page, `demo-social-${name}`);
  }

  /** The button on the demo, then the stand-in's consent page, where `decision` is pressed. */
  async function throughProvider(label: "Google" | "Kakao" | "Naver", decision: "Continue" | "Cancel") {
    await page.goto(`/demo/${tenantKey}`);
    await page.getByRole("button", { name: `Continue with ${label}` }).click();
    await expect
      .poll(() => page.getByRole("heading", { name: `Local stand-in for ${label} — not the real ${label}` }).isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
    await page.getByRole("button", { name: decision, exact: true }).click();
    // Back from the provider: the callback page finishes and moves the address to the tenant's page.
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe(`/demo/${tenantKey}`);
    expect(new URL(page.url()).search).toBe("");
  }

  async function signOut() {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
  }

  it("offers a button per enabled provider, and no email-code button when the tenant has email codes off", async () => {
    await page.goto(`/demo/${tenantKey}`);
    await expect.poll(() => page.getByRole("button", { name: "Continue with Google" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: /^Continue with (Google|Kakao|Naver)$/ }).allTextContents()).toEqual([
      "Continue with Google",
      "Continue with Kakao",
      "Continue with Naver",
    ]);
    expect(await page.getByRole("button", { name: "No password? Use an email code" }).count()).toBe(0);
    await checkPage("buttons");
  });

  it("Google: Continue at the provider lands signed in as a new google-… user", async () => {
    standIns.google.signInAs({ sub: `g${suffix}`, email: `ada.${suffix}@gmail.com`, email_verified: true, name: "Ada Google" });
    await throughProvider("Google", "Continue");
    await expect.poll(() => page.getByText("Your account is ready. Welcome, Ada Google!").isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 10_000 }).toMatch(/^google-/);
    expect(await page.locator('dd[data-field="email"]').textContent()).toBe(`ada.${suffix}@gmail.com`);
    expect(await page.locator('dd[data-field="hasPassword"]').textContent()).toBe("None (signs in with an email code or a social account)");
    await checkPage("google-signed-in");
    await signOut();

    // The same Google account again: the same user, welcomed back.
    await throughProvider("Google", "Continue");
    await expect.poll(() => page.getByText("Signed in. Welcome back!").isVisible(), { timeout: 15_000 }).toBe(true);
    await signOut();
  });

  it("Kakao: Continue lands signed in as a kakao-… user with the verified Kakao address", async () => {
    standIns.kakao.signInAs({
      id: 7_000_000 + Math.floor(Math.random() * 1e6),
      nickname: "Kim Kakao",
      email: `kim.${suffix}@kakao.example`,
      isEmailValid: true,
      isEmailVerified: true,
    });
    await throughProvider("Kakao", "Continue");
    await expect.poll(() => page.getByText("Your account is ready. Welcome, Kim Kakao!").isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 10_000 }).toMatch(/^kakao-/);
    expect(await page.locator('dd[data-field="email"]').textContent()).toBe(`kim.${suffix}@kakao.example`);
    await signOut();
  });

  it("Naver: Continue signs in a naver-… user, whose contact address is not verified (the code step follows)", async () => {
    standIns.naver.signInAs({ key: `naver-${suffix}`, email: `lee.${suffix}@naver.example`, name: "Lee Naver", nickname: "lee" });
    await throughProvider("Naver", "Continue");
    await expect.poll(() => page.locator('dd[data-field="userId"]').textContent(), { timeout: 15_000 }).toMatch(/^naver-/);
    expect(await page.locator('dd[data-field="emailVerifiedAt"]').textContent()).toBe("Not yet");
    await expect.poll(() => page.getByRole("heading", { name: "Enter the code" }).isVisible()).toBe(true);
    await checkPage("naver-signed-in");
    await signOut();
  });

  it("Cancel at the provider lands signed out, saying the sign-in was cancelled", async () => {
    await throughProvider("Google", "Cancel");
    await expect.poll(() => page.locator("[data-app-code]").first().textContent(), { timeout: 15_000 }).toContain("social/AccessDenied");
    expect(await page.locator("main [role=alert]").first().textContent()).toContain("You cancelled the sign-in at the provider.");
    expect(await page.getByText("Not signed in").isVisible()).toBe(true);
    // The buttons are there to try again.
    expect(await page.getByRole("button", { name: "Continue with Google" }).isVisible()).toBe(true);
    await checkPage("cancelled");

    expect(observed.cspViolations).toEqual([]);
    expect(observed.consoleCsp).toEqual([]);
    expect(observed.pageErrors).toEqual([]);
    // The stand-ins' consent pages are the only other origins visited.
    const standInOrigins = [standIns.google.url, standIns.kakao.url, standIns.naver.url].map((url) => new URL(url).origin);
    expect(observed.foreignRequests.filter((url) => !standInOrigins.includes(new URL(url).origin))).toEqual([]);
  });
});
