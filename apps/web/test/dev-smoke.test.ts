import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { standInApps } from "@gatehouse/provider-stand-ins";
import { verificationCodeOf } from "@gatehouse/testing/mail";
import { hasChromium, launchChromium, requireChromiumUnderCi, screenshot } from "./browser-harness";
import { freePort } from "./production-server";

/**
 * The README's first command as a newcomer runs it: `pnpm dev` from the repository with no
 * environment (only PORT, and DEV_DATA_DIR so the run starts from an empty data folder), while
 * something else already listens on the embedded PostgreSQL's default port 54329. Then Chromium
 * signs up on /demo/demo, reads the code from the .eml file under the data folder's mail/, verifies;
 * a manager freshly issued through the BackOffice API (as the seeded dev admin, from 127.0.0.1)
 * signs in through the demo, meets the forced password change, changes it and sees `me`.
 */
requireChromiumUnderCi("dev-smoke");

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const DEFAULT_PG_PORT = 54329;
const PASSWORD = "Amber-meadow-compass-58";
const MANAGER_ID = "smoke.manager";
const MANAGER_NEW_PASSWORD = "Harbor-lantern-violet-94";
// Next dev compiles each route on its first hit; on a busy machine that takes a while.
const FIRST_HIT = 180_000;

async function holdPort(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined)); // already taken by someone else: just as good
    server.listen({ port, host: "127.0.0.1" }, () => resolve(server));
  });
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  failed?: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const failure = failed?.();
    if (failure) throw new Error(failure);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The cookie jar of a few fetch calls: name=value pairs from Set-Cookie. */
function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";", 1);
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

describe.skipIf(!hasChromium)("pnpm dev from the repository, default PostgreSQL port taken (dev smoke)", () => {
  let blocker: Server | undefined;
  let dataDir: string;
  let port: number;
  let child: ChildProcess;
  let output = "";
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const base = () => `http://localhost:${port}`;
  const exited = () => (child.exitCode !== null ? `pnpm dev exited (${child.exitCode}):\n${output}` : undefined);

  /** The seeded dev admin's staff session (password from the file the banner names), as a cookie jar. */
  async function signInDevAdmin(origin: string): Promise<Map<string, string>> {
    const adminPassword = readFileSync(path.join(dataDir, "backoffice-admin-password"), "utf8").trim();
    const jar = new Map<string, string>();
    const csrf = await fetch(`${origin}/api/auth/csrf`, { signal: AbortSignal.timeout(FIRST_HIT) });
    cookiesOf(csrf, jar);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signIn = await fetch(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), origin },
      body: new URLSearchParams({ csrfToken, email: "admin@gatehouse.local", password: adminPassword }),
    });
    cookiesOf(signIn, jar);
    expect(jar.has("authjs.session-token"), `staff sign-in failed (${signIn.status} ${signIn.headers.get("location")})`).toBe(true);
    return jar;
  }

  beforeAll(async () => {
    blocker = await holdPort(DEFAULT_PG_PORT);
    dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-dev-smoke-"));
    chmodSync(dataDir, 0o755); // as root, embedded PostgreSQL runs as "postgres" and must reach it
    port = await freePort();
    child = spawn("pnpm", ["dev"], {
      cwd: repoRoot,
      // Nothing else: no DATABASE_URL, REDIS_URL, SMTP_URL or AUTH_SECRET.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        PORT: String(port),
        DEV_DATA_DIR: dataDir,
        NEXT_TELEMETRY_DISABLED: "1",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: pnpm, tsx and Next stop together
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor("the ready banner", () => (output.includes("[gatehouse] ready (development)") ? true : undefined), 120_000, exited);
    browser = await launchChromium();
    context = await browser.newContext({ locale: "en-US", timezoneId: "Asia/Seoul", viewport: { width: 1280, height: 900 } });
    context.on("page", (p) => p.on("pageerror", (error) => pageErrors.push(`${p.url()}: ${error.message}`)));
    page = await context.newPage();
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (child?.pid && child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      const stopped = await Promise.race([
        once(child, "exit").then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!stopped) process.kill(-child.pid, "SIGKILL");
    }
    blocker?.close();
    // What the server printed, for a failed run (test-results/ is git-ignored).
    const results = path.join(repoRoot, "apps/web/test-results");
    mkdirSync(results, { recursive: true });
    writeFileSync(path.join(results, "dev-smoke.log"), output);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("starts on another PostgreSQL port, remembers it, and ends its start with the banner", () => {
    const chosen = Number(/embedded PostgreSQL in .* on port (\d+)/.exec(output)?.[1]);
    expect(chosen).toBeGreaterThan(0);
    expect(chosen).not.toBe(DEFAULT_PG_PORT);
    expect(readFileSync(path.join(dataDir, "postgres-port"), "utf8").trim()).toBe(String(chosen));
    const banner = output.slice(output.indexOf("[gatehouse] ready (development)"));
    expect(banner).toContain(`BackOffice  ${base()}/backoffice`);
    expect(banner).toContain(`admin       admin@gatehouse.local, password in ${path.join(dataDir, "backoffice-admin-password")}`);
    expect(banner).toContain(`demo        ${base()}/demo/demo`);
    expect(banner).toContain(`API docs    ${base()}/api/docs`);
    expect(banner).toContain(`mail        .eml files in ${path.join(dataDir, "mail")}/`);
    expect(existsSync(path.join(dataDir, "backoffice-admin-password"))).toBe(true);
    // No PostgreSQL log lines in the terminal: they go to the data folder.
    expect(output).not.toMatch(/LOG: {2}|database system is ready/);
  });

  it(
    "starts local provider stand-ins (no OAUTH_* set), says so, and gives the demo tenant the three providers",
    async () => {
      const line = output.split("\n").find((l) => l.startsWith("  providers   "));
      expect(line).toContain("local stand-ins, not the real Google, Kakao and Naver");
      const [google, kakao, naver] = [...line!.matchAll(/http:\/\/127\.0\.0\.1:\d+/g)].map((m) => m[0]);
      const discovery = await fetch(`${google}/.well-known/openid-configuration`);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(google);
      // Each authorize endpoint shows the consent page that says what it is.
      const callback = `${base()}/api/social/callback`;
      for (const [authorize, clientId, name] of [
        [`${google}/authorize`, standInApps.google.clientId, "Google"],
        [`${kakao}/oauth/authorize`, standInApps.kakao.restApiKey, "Kakao"],
        [`${naver}/oauth2.0/authorize`, standInApps.naver.clientId, "Naver"],
      ] as const) {
        const query = new URLSearchParams({ client_id: clientId, redirect_uri: callback, response_type: "code", state: "smoke" });
        const consent = await fetch(`${authorize}?${query}`, { redirect: "manual" });
        expect(consent.status).toBe(200);
        expect(await consent.text()).toContain(`Local stand-in for ${name} — not the real ${name}`);
      }

      const origin = `http://127.0.0.1:${port}`;
      const jar = await signInDevAdmin(origin);
      const res = await fetch(`${origin}/api/trpc/backOffice.tenants.get?input=${encodeURIComponent(JSON.stringify({ key: "demo" }))}`, {
        headers: { cookie: cookieHeader(jar), origin },
      });
      const tenant = (
        (await res.json()) as { result: { data: { redirectUris: string[]; socialProviders: { provider: string; enabled: boolean }[] } } }
      ).result.data;
      expect(tenant.socialProviders).toEqual([
        { provider: "google", enabled: true },
        { provider: "kakao", enabled: true },
        { provider: "naver", enabled: true },
      ]);
      expect(tenant.redirectUris).toContain(`${base()}/demo/demo/callback`);
    },
    FIRST_HIT,
  );

  it(
    "says 'no such tenant' with a 404 for an unknown demo tenant, before any form",
    async () => {
      const res = await fetch(`${base()}/demo/nosuch`, { signal: AbortSignal.timeout(FIRST_HIT) });
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("No such tenant");
      expect(html).not.toContain("Create your account");
    },
    FIRST_HIT,
  );

  it(
    "signs up on /demo/demo, verifies the code from the .eml file, and shows me",
    async () => {
      await page.goto(`${base()}/demo/demo`, { timeout: FIRST_HIT });
      await page.getByRole("heading", { name: "Create your account" }).waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByText("Not signed in").isVisible(), { timeout: 30_000 }).toBe(true);
      await page.getByLabel("User ID").fill("smoke.user");
      await page.getByLabel("Display name").fill("Smoke User");
      await page.getByLabel("Email").fill("smoke.user@example.com");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.getByRole("heading", { name: "Enter the code" }).waitFor({ timeout: 60_000 });
      await page.getByText("We sent a 6-digit code to smoke.user@example.com").waitFor({ timeout: 30_000 });

      const mailDir = path.join(dataDir, "mail");
      const file = await waitFor("the verification .eml", () => readdirSync(mailDir).find((name) => name.endsWith(".eml")), 30_000);
      const code = verificationCodeOf(readFileSync(path.join(mailDir, file)));
      await page.getByLabel("6-digit code").fill(code);
      await page.getByRole("button", { name: "Verify email" }).click();
      await page.getByText("smoke.user@example.com is verified").waitFor({ timeout: 30_000 });
      const verifiedAt = await page.locator('dd[data-field="emailVerifiedAt"]').textContent();
      expect(verifiedAt).not.toBe("Not yet");
      expect(verifiedAt).not.toMatch(/\d{4}-\d{2}-\d{2}T/); // a local time, not ISO
      expect(await page.locator('dd[data-field="userId"]').textContent()).toBe("smoke.user");
      await screenshot(page, "dev-smoke-verified");

      await page.getByRole("button", { name: "Sign out" }).click();
      await expect.poll(() => page.getByText("Not signed in").isVisible()).toBe(true);
    },
    FIRST_HIT + 60_000,
  );

  it(
    "a manager issued by the dev admin (BackOffice API from 127.0.0.1) signs in, changes the temporary password, and sees me",
    async () => {
      // The admin's password is where the banner says; next-auth and the BackOffice origin check
      // follow the request's host in dev, so 127.0.0.1 works although APP_URL names localhost.
      const origin = `http://127.0.0.1:${port}`;
      const jar = await signInDevAdmin(origin);
      const issued = await fetch(`${origin}/api/trpc/backOffice.managers.issue`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookieHeader(jar), origin },
        body: JSON.stringify({ tenantKey: "demo", userId: MANAGER_ID, displayName: "Smoke Manager" }),
      });
      const answer = (await issued.json()) as { result?: { data: { temporaryPassword: string } }; error?: unknown };
      expect(issued.status, JSON.stringify(answer.error)).toBe(200);
      const temporaryPassword = answer.result!.data.temporaryPassword;

      await page.getByRole("button", { name: "I have an account: sign in" }).click();
      await page.getByLabel("User ID").fill(MANAGER_ID);
      await page.getByLabel("Password").fill(temporaryPassword);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Choose a new password" }).waitFor({ timeout: 30_000 });
      expect(await page.locator('dd[data-field="mustChangePassword"]').textContent()).toBe("Yes");
      await screenshot(page, "dev-smoke-password-change");

      // A wrong temporary password is said on its field, in words.
      await page.getByLabel("Temporary password", { exact: true }).fill("not-the-temporary-one");
      await page.getByLabel("New password", { exact: true }).fill(MANAGER_NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password and continue" }).click();
      await page.getByText("That is not your temporary password.").waitFor({ timeout: 30_000 });

      await page.getByLabel("Temporary password", { exact: true }).fill(temporaryPassword);
      await page.getByLabel("New password", { exact: true }).fill(MANAGER_NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password and continue" }).click();
      await page.getByRole("heading", { name: "You are signed in" }).waitFor({ timeout: 30_000 });
      await expect.poll(() => page.locator('dd[data-field="mustChangePassword"]').textContent(), { timeout: 30_000 }).toBe("No");
      expect(await page.locator('dd[data-field="userId"]').textContent()).toBe(MANAGER_ID);
      expect(await page.locator('dd[data-field="role"]').textContent()).toBe("Manager");
      await screenshot(page, "dev-smoke-manager-me");
    },
    FIRST_HIT,
  );

  it(
    "works at 127.0.0.1 too: the page hydrates and the HMR socket connects",
    async () => {
      const other = await context.newPage();
      const hmr = new Promise<string>((resolve) => {
        other.on("websocket", (socket) => {
          if (socket.url().includes("/_next/")) socket.once("framereceived", () => resolve(socket.url()));
        });
      });
      await other.goto(`http://127.0.0.1:${port}/demo/demo`, { timeout: FIRST_HIT });
      // Only a hydrated page switches forms (an inert one would submit as a plain GET).
      await other.getByRole("button", { name: "I have an account: sign in" }).click({ timeout: 60_000 });
      await other.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: 30_000 });
      expect(await Promise.race([hmr, new Promise((resolve) => setTimeout(() => resolve("no HMR frame"), 30_000))])).toContain("127.0.0.1");
      await other.close();
      expect(output).not.toContain("Blocked cross-origin request");
      expect(pageErrors).toEqual([]);
    },
    FIRST_HIT,
  );

  it(
    "serves the API reference and REST, and the demo tenant takes email-code sign-in (a code mailed to .data/mail)",
    async () => {
      const docs = await fetch(`${base()}/api/docs`, { signal: AbortSignal.timeout(FIRST_HIT) });
      expect(docs.status).toBe(200);
      expect(docs.headers.get("content-type")).toContain("text/html");
      const document = (await (await fetch(`${base()}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).toContain("/api/v1/auth/email-code/send");

      const email = "smoke.code@example.com";
      const mailDir = path.join(dataDir, "mail");
      const before = new Set(readdirSync(mailDir));
      const sent = await fetch(`${base()}/api/v1/auth/email-code/send`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantKey: "demo", email }),
      });
      expect(sent.status, await sent.clone().text()).toBe(200);
      const file = await waitFor(
        "the sign-in code .eml",
        () => readdirSync(mailDir).find((name) => name.endsWith(".eml") && !before.has(name)),
        30_000,
      );
      const code = verificationCodeOf(readFileSync(path.join(mailDir, file)));
      const verified = await fetch(`${base()}/api/v1/auth/email-code/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantKey: "demo", email, code }),
      });
      expect(verified.status).toBe(200);
      expect(await verified.json()).toMatchObject({ needSignup: true, signupToken: expect.any(String) });
    },
    FIRST_HIT,
  );

  it("logs each API request once, and neither static assets nor Next's own request lines", () => {
    const lines = output.split("\n");
    const signUps = lines.filter((line) => line.includes('"path":"/api/trpc/clientAuth.signUp"'));
    expect(signUps).toHaveLength(1);
    expect(lines.filter((line) => line.includes('"path":"/demo/demo"')).length).toBeGreaterThan(0);
    expect(lines.filter((line) => /"path":"\/(_next|__nextjs)/.test(line))).toEqual([]);
    expect(lines.filter((line) => /^\s*(GET|POST) \/\S* \d{3} in /.test(line))).toEqual([]);
    // Mail rendered under tsx (issue 14: "React is not defined").
    expect(output).not.toContain("React is not defined");
  });
});

describe("pnpm dev when the embedded PostgreSQL cannot start", () => {
  async function devOnce(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn("pnpm", ["--silent", "dev"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    return { code, stdout, stderr };
  }

  it("says in one line what to do, without PostgreSQL's log, when DEV_POSTGRES_PORT is taken", async () => {
    const held = createServer();
    await new Promise<void>((resolve) => held.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const heldPort = (held.address() as { port: number }).port;
    const dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-dev-fail-"));
    chmodSync(dataDir, 0o755);
    try {
      const { code, stderr } = await devOnce({
        PORT: String(await freePort()),
        DEV_DATA_DIR: dataDir,
        DEV_POSTGRES_PORT: String(heldPort),
      });
      expect(code).toBe(1);
      const lines = stderr.split("\n").filter((line) => line.startsWith("gatehouse:"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${heldPort}`);
      expect(lines[0]).toContain("set DEV_POSTGRES_PORT to a free port, or unset it");
      expect(stderr).not.toMatch(/LOG: |FATAL|HINT/);
    } finally {
      held.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
