import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAPI3 } from "openapi-typescript";
import { auditActionsFor, auditEvents, hasRedis, useServer } from "./kit";

/**
 * Clients generated from /api/openapi.json, as a product developer would make them (issue 18): a
 * TypeScript client (openapi-typescript's types, openapi-fetch) must type-check a small program
 * and run it against the server; a Python script with `requests` (test/openapi-flow.py) runs
 * sign-up → sign-in → me → refresh → sign-out, finding each route in the document by operationId.
 */
const require = createRequire(import.meta.url);
const testDir = path.dirname(fileURLToPath(import.meta.url));

/** The small program: sign up, verify the email with the mailed code, read the user back. */
const program = `import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export async function signUpVerifyMe(
  baseUrl: string,
  tenantKey: string,
  userId: string,
  readCode: (email: string) => Promise<string>,
): Promise<components["schemas"]["User"]> {
  const client = createClient<paths>({ baseUrl });
  const email = \`\${userId}@example.com\`;
  const signUp = await client.POST("/api/v1/auth/sign-up", {
    body: { tenantKey, userId, password: "a-long-unguessable-passphrase", displayName: "Typed Client", email },
  });
  if (signUp.error) throw new Error(\`sign-up: \${signUp.error.appCode}\`);
  const auth = { Authorization: \`Bearer \${signUp.data.accessToken}\` };
  const sent = await client.POST("/api/v1/auth/email-verification/send", { body: { email }, headers: auth });
  if (sent.error) throw new Error(\`send: \${sent.error.appCode}\`);
  const verified = await client.POST("/api/v1/auth/email-verification/verify", { body: { code: await readCode(email) }, headers: auth });
  if (verified.error) throw new Error(\`verify: \${verified.error.appCode}\`);
  const me = await client.GET("/api/v1/auth/me", { headers: { Authorization: \`Bearer \${verified.data.accessToken}\` } });
  if (me.error) throw new Error(\`me: \${me.error.appCode}\`);
  const verifiedAt: string | null = me.data.user.emailVerifiedAt;
  return { ...me.data.user, emailVerifiedAt: verifiedAt };
}
`;

/** The same program with three mistakes the generated types must catch. */
const brokenProgram = program
  .replace(`displayName: "Typed Client", email }`, `displayName: "Typed Client" }`)
  .replace(`client.GET("/api/v1/auth/me"`, `client.GET("/api/v1/auth/mee"`)
  .replace("Bearer ${verified.data.accessToken}", "Bearer ${verified.data.accesToken}");

/** Type errors of each file, compiled together as an app would (strict, bundler resolution). */
function typeErrors(files: string[]): Map<string, string[]> {
  const compiled = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    types: [],
    skipLibCheck: true,
  });
  const errors = new Map(files.map((file) => [file, [] as string[]]));
  for (const diagnostic of ts.getPreEmitDiagnostics(compiled)) {
    const file = diagnostic.file ? path.resolve(diagnostic.file.fileName) : "";
    (errors.get(file) ?? errors.set(file, []).get(file)!).push(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  }
  return errors;
}

describe.skipIf(!hasRedis)("a TypeScript client generated from the document (openapi-typescript + openapi-fetch)", () => {
  const suite = useServer({ mail: true });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gatehouse-openapi-client-"));
    // The program imports openapi-fetch as an app would: from its own node_modules.
    await mkdir(path.join(dir, "node_modules"));
    await symlink(path.dirname(require.resolve("openapi-fetch/package.json")), path.join(dir, "node_modules", "openapi-fetch"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("type-checks the program (and refuses a wrong body, path or field), then runs it: sign up, verify, me", async () => {
    const document = (await (await fetch(`${suite.server.url}/api/openapi.json`)).json()) as OpenAPI3;
    await writeFile(path.join(dir, "schema.d.ts"), astToString(await openapiTS(document)));
    await writeFile(path.join(dir, "program.ts"), program);
    await writeFile(path.join(dir, "broken.ts"), brokenProgram);

    const errorsOf = typeErrors([path.join(dir, "program.ts"), path.join(dir, "broken.ts")]);
    expect(Object.fromEntries(errorsOf)).toEqual({ [path.join(dir, "program.ts")]: [], [path.join(dir, "broken.ts")]: expect.any(Array) });
    const errors = errorsOf.get(path.join(dir, "broken.ts"))!.join("\n");
    expect(errors).toMatch(/Property 'email' is missing/);
    expect(errors).toMatch(/"\/api\/v1\/auth\/mee"/);
    expect(errors).toMatch(/Property 'accesToken' does not exist/);

    const { signUpVerifyMe } = (await import(path.join(dir, "program.ts"))) as {
      signUpVerifyMe: (
        baseUrl: string,
        tenantKey: string,
        userId: string,
        readCode: (email: string) => Promise<string>,
      ) => Promise<{
        userId: string;
        emailVerifiedAt: string | null;
      }>;
    };
    const userId = `ts-${Date.now().toString(36)}`;
    const user = await signUpVerifyMe(suite.server.url, suite.tenantKey, userId, (email) => Promise.resolve(suite.smtp.latestCode(email)));
    expect(user).toMatchObject({ userId, emailVerifiedAt: expect.any(String) });
  });
});

/** `python3` with `requests`, as .ci/run installs it (python3-requests) where it is missing. */
function pythonWithRequests(): boolean {
  try {
    execFileSync("python3", ["-c", "import requests"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error("python3 with requests is missing: apt-get install -y python3-requests");
    console.warn("[openapi-clients] SKIPPED the Python client: python3 with requests not found (apt-get install -y python3-requests).");
    return false;
  }
}

describe.skipIf(!hasRedis || !pythonWithRequests())("a Python client with requests, routes from the document", () => {
  const suite = useServer();

  it("runs sign-up → sign-in → me → refresh → sign-out; the server saw each step", async () => {
    const { stdout } = await promisify(execFile)("python3", [path.join(testDir, "openapi-flow.py")], {
      env: { ...process.env, GATEHOUSE_URL: suite.server.url, GATEHOUSE_TENANT: suite.tenantKey },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { userId: string; steps: string[] };
    expect(result.steps).toEqual(["signUp", "signIn", "me", "refresh", "signOut", "refresh refused"]);
    expect(await auditActionsFor(`user:${result.userId}`)).toEqual(["user.signedUp", "user.signedIn"]);
    // The suite's tenant is its own: the one sign-out in it is the script's.
    expect(await auditEvents(suite.tenantKey, "user.signedOut")).toHaveLength(1);
  });
});
