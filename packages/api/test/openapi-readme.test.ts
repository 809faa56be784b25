import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { auditActionsFor, auditEvents, createTenant, hasRedis, useServer } from "./kit";

/**
 * The README's "Call it from anything" examples (curl, Python, fetch), run exactly as written
 * against a test server: only GATEHOUSE_URL and GATEHOUSE_TENANT, which the examples read, are
 * set. Each gets a tenant of its own and must reach its sign-out.
 */
const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../README.md"), "utf8");

function examples(): Map<string, string> {
  const start = readme.indexOf("\n## Call it from anything\n");
  expect(start, "README.md has a section “Call it from anything”").toBeGreaterThan(0);
  const section = readme.slice(start + 1, readme.indexOf("\n## ", start + 1));
  const blocks = new Map<string, string>();
  for (const [, language, code] of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    expect(blocks.has(language!), `one ${language} example`).toBe(false);
    blocks.set(language!, code!);
  }
  return blocks;
}

/** The commands that run each language's example, given its text. */
const runners: Record<string, (code: string) => [string, string[]]> = {
  // -e: stop at the first failing command (curl --fail-with-body fails on an HTTP error).
  sh: (code) => ["bash", ["-e", "-o", "pipefail", "-c", code]],
  python: (code) => ["python3", ["-c", code]],
  js: (code) => [process.execPath, ["--input-type=module", "-e", code]],
};

function hasCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const tools: Record<string, boolean> = {
  sh: hasCommand("curl", ["--version"]) && hasCommand("jq", ["--version"]),
  python: hasCommand("python3", ["-c", "import requests"]),
  js: true,
};
for (const [language, present] of Object.entries(tools)) {
  if (present) continue;
  // CI installs them (.ci/run); a machine without them skips that example, saying so.
  if (process.env.CI === "true")
    throw new Error(`the README's ${language} example needs ${language === "sh" ? "curl and jq" : "python3 with requests"}`);
  console.warn(
    `[openapi-readme] SKIPPED the ${language} example: ${language === "sh" ? "curl or jq" : "python3 with requests"} not found.`,
  );
}

describe.skipIf(!hasRedis)("README “Call it from anything”", () => {
  const suite = useServer();

  it("has exactly a curl, a Python and a fetch example", () => {
    expect([...examples().keys()].sort()).toEqual(["js", "python", "sh"]);
  });

  const run = async (language: string) => {
    const code = examples().get(language)!;
    const tenant = await createTenant();
    const [command, args] = runners[language]!(code);
    const { stdout } = await promisify(execFile)(command, args, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GATEHOUSE_URL: suite.server.url, GATEHOUSE_TENANT: tenant.key },
      timeout: 60_000,
    });
    // Signed out at the end: the whole flow ran, in this tenant.
    expect(await auditEvents(tenant.key, "user.signedOut")).toHaveLength(1);
    return stdout;
  };

  it.skipIf(!tools.sh)("the curl example runs as written", async () => {
    const stdout = await run("sh");
    expect(stdout).toMatch(/"displayName":"Curl"/);
    expect(stdout).toMatch(/HTTP\/1\.1 401/);
    expect(stdout).toMatch(/content-type: application\/problem\+json/i);
    expect(stdout).toMatch(/www-authenticate: Bearer/i);
    expect(stdout).toContain('"appCode":"auth/Unauthenticated"');
    expect(stdout).toContain('{"success":true}');
  });

  it.skipIf(!tools.python)("the Python example runs as written", async () => {
    const stdout = await run("python");
    const [me, wrong] = stdout.trim().split("\n");
    expect(me).toMatch(/^py-[0-9a-f]{8} None$/);
    expect(wrong).toBe("401 auth/InvalidCredentials");
    expect(await auditActionsFor(`user:${me!.split(" ")[0]}`)).toEqual(["user.signedUp", "user.signedIn", "user.signInFailed"]);
  });

  it("the fetch example runs as written", async () => {
    const stdout = await run("js");
    expect(stdout.trim()).toMatch(/^js-[0-9a-f]{8} member$/);
  });
});
