import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { openApiDocument } from "@gatehouse/contract/openapi";
import { useServer } from "./kit";

/**
 * /api/docs in a real browser (Debian's Chromium, as apps/web's browser tests): the page renders
 * every operation of the document, explains the bearer scheme, and runs under its CSP with no
 * violation, no error and no request to another origin (no CDN, fonts, telemetry or validator).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  if (process.env.CI === "true") throw new Error(`Chromium not found at ${chromiumPath}: apt-get install -y chromium`);
  console.warn(`[openapi-docs-page] SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}

describe.skipIf(!hasChromium)("GET /api/docs in Chromium", () => {
  const suite = useServer();
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  });
  afterAll(() => browser?.close());

  it("renders every operation and the bearer scheme, with no CSP violation, no page error and no request to another origin", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const violations: string[] = [];
    const errors: string[] = [];
    const foreign: string[] = [];
    await context.exposeBinding("__reportCsp", (_source, violation: string) => void violations.push(violation));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });
    const origin = new URL(suite.server.url).origin;
    context.on("request", (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) foreign.push(request.url());
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });

    await page.goto(`${suite.server.url}/api/docs`);
    await page.waitForSelector(".opblock", { timeout: 20_000 });
    const shown = await page.$$eval(".opblock", (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector(".opblock-summary-method")?.textContent?.trim().toLowerCase();
        const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path");
        return `${method} ${path}`;
      }),
    );
    const listed = Object.entries(openApiDocument().paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(shown.sort()).toEqual(listed.sort());

    // An operation opens with its problem responses; the Authorize dialog explains the token.
    await page.click("#operations-clientAuth-clientAuth_signIn .opblock-summary");
    await page.waitForSelector("#operations-clientAuth-clientAuth_signIn .responses-table");
    expect(await page.textContent("#operations-clientAuth-clientAuth_signIn .responses-table")).toContain("auth/InvalidCredentials");
    await page.click(".btn.authorize");
    await page.waitForSelector(".auth-container");
    expect(await page.textContent(".auth-container")).toContain("Authorization: Bearer <accessToken>");

    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
