import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * Browser-test plumbing: Debian's Chromium through playwright-core, CSP-violation and page-error
 * capture for every page, axe-core run inside the page, and screenshots to apps/web/screenshots/
 * (git-ignored).
 */
const require = createRequire(import.meta.url);
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const screenshotDir = path.join(appDir, "screenshots");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);

/** For a browser suite's top: without Chromium, fail under CI and say the suite is skipped otherwise. */
export function requireChromiumUnderCi(suite: string): void {
  if (hasChromium) return;
  if (process.env.CI === "true") throw new Error(`Chromium not found at ${chromiumPath}: apt-get install -y chromium`);
  console.warn(`[${suite}] SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

interface CspViolation {
  page: string;
  directive: string;
  blockedURI: string;
  sample: string;
}

export interface Observed {
  cspViolations: CspViolation[];
  consoleCsp: string[];
  pageErrors: string[];
  /** Requests that left the server's origin (there must be none: no CDNs, fonts or images). */
  foreignRequests: string[];
}

/**
 * A browser context for one staff member. Every page in it reports `securitypolicyviolation`
 * events (through a binding, so they survive navigations), console CSP errors and uncaught errors.
 */
export async function newStaffContext(
  browser: Browser,
  baseUrl: string,
  observed: Observed,
  options: { timezoneId?: string; extraHTTPHeaders?: Record<string, string> } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    timezoneId: options.timezoneId ?? "Asia/Seoul",
    locale: "en-US",
    viewport: { width: 1360, height: 900 },
    ...(options.extraHTTPHeaders ? { extraHTTPHeaders: options.extraHTTPHeaders } : {}),
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  await context.exposeBinding("__gatehouseCsp", ({ page }, violation: Omit<CspViolation, "page">) => {
    observed.cspViolations.push({ page: page?.url() ?? "?", ...violation });
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __gatehouseCsp: (v: unknown) => void }).__gatehouseCsp({
        directive: event.effectiveDirective,
        blockedURI: event.blockedURI,
        sample: event.sample,
      });
    });
  });
  const origin = new URL(baseUrl).origin;
  context.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) observed.foreignRequests.push(url);
  });
  context.on("page", (page) => watchPage(page, observed));
  return context;
}

function watchPage(page: Page, observed: Observed): void {
  page.on("console", (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) observed.consoleCsp.push(`${page.url()}: ${text}`);
  });
  page.on("pageerror", (error) => observed.pageErrors.push(`${page.url()}: ${error.message}`));
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page (WCAG 2.x A/AA rules) and returns serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= (require("axe-core") as { source: string }).source;
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)),
    }));
  });
  return results.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

let shotCounter = 0;

/** The widths every BackOffice page is checked and photographed at: a laptop and a phone. */
export const LAYOUT_WIDTHS = [1280, 390] as const;

export interface LayoutReport {
  /** The document's width and the viewport's: equal when nothing overflows sideways. */
  documentWidth: number;
  viewportWidth: number;
  /** Each table's box: scrollWidth > clientWidth means columns are cut off behind a scroll. */
  tables: { caption: string; scrollWidth: number; clientWidth: number; ipHeaderVisible: boolean | null }[];
}

/** What overflows sideways on the page as it is now. */
export async function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => ({
    documentWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    tables: [...document.querySelectorAll<HTMLElement>(".table-wrap")].map((wrap) => {
      const box = wrap.getBoundingClientRect();
      const ip = [...wrap.querySelectorAll("th")].find((th) => th.textContent?.trim() === "IP");
      const ipBox = ip?.getBoundingClientRect();
      return {
        caption: wrap.querySelector("caption")?.textContent ?? "",
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
        ipHeaderVisible: ipBox ? ipBox.left >= box.left && ipBox.right <= box.right + 0.5 : null,
      };
    }),
  }));
}

/** A full-page screenshot, numbered in the order taken (NN-name.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  shotCounter += 1;
  const file = path.join(screenshotDir, `${String(shotCounter).padStart(2, "0")}-${name}.png`);
  // A modal's backdrop covers the viewport only: photograph what the staff member sees then.
  const modalOpen = (await page.locator("dialog[open]").count()) > 0;
  await page.screenshot({ path: file, fullPage: !modalOpen });
  return file;
}

/** A tRPC call over HTTP, as a product app (or the SDK) makes it. */
export async function trpcCall(
  baseUrl: string,
  procedure: string,
  input: unknown,
  options: { token?: string; cookie?: string; method?: "GET" | "POST" } = {},
): Promise<{ status: number; data: unknown; appCode: string | undefined }> {
  const method = options.method ?? "POST";
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let url = `${baseUrl}/api/trpc/${procedure}`;
  let body: string | undefined;
  if (method === "GET") {
    url += `?input=${encodeURIComponent(JSON.stringify(input ?? {}))}`;
  } else {
    headers["content-type"] = "application/json";
    body = JSON.stringify(input ?? {});
  }
  const res = await fetch(url, { method, headers, body });
  const json = (await res.json()) as { result?: { data: unknown }; error?: { data?: { appCode?: string } } };
  return { status: res.status, data: json.result?.data, appCode: json.error?.data?.appCode };
}
