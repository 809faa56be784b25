import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareVersions, installedVersion, newestVersion, npmInstall, pnpm, sh, shStatus } from "./consumer/project";
import { parseTscErrors, readmeSnippets, snippetModule, type Snippet, type SnippetModule, type TscError } from "./consumer/readme-snippets";

/**
 * The SDK as an app gets it: packed (`pnpm pack` runs prepack: the build, then the clean
 * manifest in dist/), installed with npm beside its peers in scratch apps, and every ```ts and
 * ```tsx block of the README type-checked there under moduleResolution node, node16 and
 * bundler, strict, exactOptionalPropertyTypes and skipLibCheck: false.
 *
 * Two apps: "floor" has the peers at the versions the workspace builds against (the lower
 * bounds of the peer ranges) and React; "newest" has the newest tRPC 11.x (and no React:
 * @trpc/tanstack-react-query pins @trpc/client exactly, so it decides the tRPC of React apps).
 * One npm install each; the npm cache is shared.
 */
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Placeholders the README's snippets use without declaring them, typed from the SDK itself. */
const prelude = `import type * as GatehouseCore from "@gatehouse/client";
import type * as GatehouseServer from "@gatehouse/client/server";
declare const tenantKey: string, userId: string, password: string, displayName: string, email: string;
declare const token: string;
declare const hooks: GatehouseCore.GatehouseHooks;
declare const router: { push(href: string): void };
declare const options: Parameters<typeof GatehouseServer.withGatehouseAuth>[1];`;

/** Compiled with the README's snippets: proves each run reads them (its one error is expected). */
const canary: Snippet = {
  index: 0,
  lang: "ts",
  line: 1,
  code: `import { createGatehouseClient } from "@gatehouse/client";\nconst client = createGatehouseClient({ baseUrl: 42 });`,
};

/**
 * Compiled beside the snippets: what the published types must refuse. Each `@ts-expect-error`
 * fails the check (TS2578) the day its line compiles.
 */
const misuse = `import { createGatehouseClient, type AppCode } from "@gatehouse/client";
import { verifyAccessToken } from "@gatehouse/client/server";

const { ClientAuth, trpc } = createGatehouseClient({ baseUrl: "https://auth.example.com" });

export async function misuse(maybeTenant: string | undefined) {
  // @ts-expect-error backOffice is not part of the SDK's router
  void trpc.backOffice;
  // @ts-expect-error signUp needs its body
  await ClientAuth.signUp({});
  // @ts-expect-error tenantKey is a string
  await ClientAuth.signIn({ body: { tenantKey: 1, userId: "a", password: "b" } });
  // @ts-expect-error the contract has no such procedure
  await ClientAuth.deleteEverything();
  const res = await ClientAuth.signIn({ body: { tenantKey: "acme", userId: "a", password: "b" } });
  // @ts-expect-error data may be undefined until the error is ruled out
  void res.data.accessToken;
  if (res.error) {
    // @ts-expect-error a typo is not an appCode
    const typo: AppCode = "auth/InvalidCredential";
    void typo;
    switch (res.error.appCode) {
      // @ts-expect-error signIn never answers a resend cooldown
      case "emailVerification/CooldownActive":
        break;
    }
  }
  const jwks = { jwksUrl: "https://auth.example.com/.well-known/jwks.json", issuer: "https://auth.example.com", audience: "gatehouse" };
  // @ts-expect-error the tenant is an explicit choice: a key that may be undefined does not make one
  await verifyAccessToken("token", { ...jwks, tenantKey: maybeTenant });
  // @ts-expect-error neither tenantKey nor anyTenant
  await verifyAccessToken("token", jwks);
}
`;

const resolutions = [
  { moduleResolution: "node", module: "commonjs" },
  { moduleResolution: "node16", module: "node16" },
  { moduleResolution: "bundler", module: "esnext" },
] as const;

const compilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  esModuleInterop: true,
  noEmit: true,
  target: "ES2022",
  lib: ["ES2022", "DOM", "DOM.Iterable"],
  jsx: "react-jsx",
};

/** The peers, React's types and TypeScript, at the workspace's versions. */
const floorPackages = [
  "@trpc/client",
  "@trpc/server",
  "@trpc/tanstack-react-query",
  "@tanstack/react-query",
  "react",
  "@types/react",
  "typescript",
];

const reactImport = /from\s+["'](react|react\/.*|@tanstack\/react-query|@gatehouse\/client\/react)["']/;

interface PackedManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  types?: string;
  exports: Record<string, string | { types: string; import: string; default: string }>;
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: unknown;
  scripts?: unknown;
  publishConfig?: { access?: string };
}

let work: string;
let floor: string;
let newest: string;
let newestTrpc: string;
let manifest: PackedManifest;
let snippets: Snippet[];
/** The snippet files of each app, by path. */
const modulesOf: Record<string, Map<string, SnippetModule>> = {};

async function writeJson(file: string, value: unknown) {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the snippets (and the canary) into `app`/snippets and one tsconfig per resolution. */
async function writeSnippets(app: string, chosen: Snippet[]): Promise<Map<string, SnippetModule>> {
  await mkdir(path.join(app, "snippets"), { recursive: true });
  const modules = new Map<string, SnippetModule>();
  for (const module of [...chosen.map((s) => snippetModule(s, prelude)), snippetModule(canary, prelude, "canary.ts")]) {
    await writeFile(path.join(app, "snippets", module.name), module.text);
    modules.set(`snippets/${module.name}`, module);
  }
  await writeFile(path.join(app, "snippets", "misuse.ts"), misuse);
  for (const { moduleResolution, module } of resolutions) {
    await writeJson(path.join(app, `tsconfig.${moduleResolution}.json`), {
      compilerOptions: { ...compilerOptions, module, moduleResolution },
      include: ["snippets/*.ts", "snippets/*.tsx"],
    });
  }
  return modules;
}

/**
 * @trpc/server 11.22's ESM declarations of its ws adapter default-import `ws` (`import ws from
 * "ws"`, then `ws.WebSocket`), which @types/ws's ESM declarations (index.d.mts) do not allow: an
 * error in tRPC's own file that no package of ours can change (@trpc/client's root declarations
 * reach it through the WebSocket link). 11.25.2 imports the names, but the React peer
 * (@trpc/tanstack-react-query) has no release after 11.22.1 yet. Only that file's TS2694 errors
 * pass, and only while the installed file still has the default import: remove this when the
 * workspace's tRPC is 11.25.2 or later.
 */
async function isTrpcWsDefect(app: string, error: TscError): Promise<boolean> {
  if (error.code !== "TS2694" || !/^node_modules\/@trpc\/server\/dist\/ws-[\w-]+\.d\.mts$/.test(error.file)) return false;
  return /^import ws from "ws";$/m.test(await readFile(path.join(app, error.file), "utf8"));
}

/** Type-checks the app's snippets under one resolution: the errors that are not expected, README lines named. */
async function typeCheck(
  app: string,
  moduleResolution: string,
  modules: Map<string, SnippetModule>,
): Promise<{ unexpected: string[]; canary: string[] }> {
  const tsc = path.join(app, "node_modules", "typescript", "bin", "tsc");
  const { stdout } = await shStatus([process.execPath, tsc, "-p", `tsconfig.${moduleResolution}.json`, "--pretty", "false"], app);
  const unexpected: string[] = [];
  const canaryErrors: string[] = [];
  for (const error of parseTscErrors(stdout)) {
    const module = modules.get(error.file);
    const line = module?.readmeLine(error.line);
    if (error.file === "snippets/canary.ts") canaryErrors.push(`README.md:${line} ${error.code}`);
    else if (!(await isTrpcWsDefect(app, error))) {
      const where = !module
        ? `${error.file}(${error.line},${error.column})`
        : line === undefined
          ? `${error.file}:${error.line} (the test's prelude or wrapper)`
          : `README.md:${line}:${error.column} (\`\`\`${module.name.endsWith("x") ? "tsx" : "ts"} block)`;
      unexpected.push(`${where} ${error.code}: ${error.message}`);
    }
  }
  return { unexpected, canary: canaryErrors };
}

/** Imports each entry in Node: the runtime export names, and one call's answer. */
async function loadEntries(app: string, withReact: boolean) {
  const script = `
const core = await import("@gatehouse/client");
const server = await import("@gatehouse/client/server");
const react = ${withReact ? 'await import("@gatehouse/client/react")' : "{}"};
const client = core.createGatehouseClient({ baseUrl: "http://127.0.0.1:9" });
const res = await client.ClientAuth.me();
client.dispose();
console.log(JSON.stringify({ core: Object.keys(core).sort(), server: Object.keys(server).sort(), react: Object.keys(react).sort(), appCode: res.error?.appCode }));
`;
  await writeFile(path.join(app, "load.mjs"), script);
  return JSON.parse((await sh([process.execPath, "load.mjs"], app)).trim()) as {
    core: string[];
    server: string[];
    react: string[];
    appCode?: string;
  };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "gatehouse-consumer-"));
  floor = path.join(work, "floor");
  newest = path.join(work, "newest");
  await Promise.all([mkdir(path.join(work, "pack")), mkdir(floor), mkdir(newest)]);

  const [, newestClient, newestServer, floorVersions] = await Promise.all([
    sh([...pnpm, "pack", "--pack-destination", path.join(work, "pack")], packageDir, 300_000),
    newestVersion("@trpc/client", "^11"),
    newestVersion("@trpc/server", "^11"),
    Promise.all(floorPackages.map(async (name) => [name, await installedVersion(packageDir, name)] as const)),
  ]);
  newestTrpc = newestClient;
  const [tarball, ...others] = (await readdir(path.join(work, "pack"))).filter((name) => name.endsWith(".tgz"));
  if (!tarball || others.length > 0) throw new Error(`pnpm pack made ${[tarball, ...others].join(", ")}`);
  snippets = readmeSnippets(await readFile(path.join(packageDir, "README.md"), "utf8"));

  const sdk = `file:../pack/${tarball}`;
  manifest = JSON.parse(await sh(["tar", "-xOzf", path.join(work, "pack", tarball), "package/package.json"], work)) as PackedManifest;
  // What the README tells a consumer with skipLibCheck: false to add (it brings @types/node).
  const wsTypes = manifest.peerDependencies["@types/ws"];
  if (!wsTypes) throw new Error("the packed manifest does not declare @types/ws (an optional peer)");
  const typesForLibCheck = { "@types/ws": wsTypes };
  const versions = Object.fromEntries(floorVersions);
  await writeJson(path.join(floor, "package.json"), {
    name: "gatehouse-consumer-floor",
    private: true,
    type: "module",
    dependencies: { "@gatehouse/client": sdk, ...versions, ...typesForLibCheck },
  });
  // Exact versions: with a range, npm would settle on the tRPC the optional React peer accepts.
  await writeJson(path.join(newest, "package.json"), {
    name: "gatehouse-consumer-newest",
    private: true,
    type: "module",
    dependencies: {
      "@gatehouse/client": sdk,
      "@trpc/client": newestClient,
      "@trpc/server": newestServer,
      typescript: versions.typescript,
      ...typesForLibCheck,
    },
  });
  await Promise.all([npmInstall(floor), npmInstall(newest)]);
  modulesOf.floor = await writeSnippets(floor, snippets);
  // No React there: the newest tRPC has no @trpc/tanstack-react-query to match.
  modulesOf.newest = await writeSnippets(
    newest,
    snippets.filter((s) => s.lang === "ts" && !reactImport.test(s.code)),
  );
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed manifest", () => {
  it("is publishable: no private flag, scripts, devDependencies, workspace: or catalog: specifiers", () => {
    expect(manifest.name).toBe("@gatehouse/client");
    expect(manifest.private).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(JSON.stringify(manifest)).not.toMatch(/"(workspace|catalog|link|file):/);
    expect(manifest.publishConfig?.access).toBe("public");
    expect(manifest.license).toMatch(/\S/);
    expect(manifest.repository).toMatchObject({
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\//),
      directory: "packages/client",
    });
  });

  it("takes tRPC as caret peers from the version it is built and tested against; jose is its one dependency", async () => {
    expect(manifest.dependencies).toEqual({ jose: expect.stringMatching(/^\^\d+\.\d+\.\d+$/) });
    for (const name of ["@trpc/client", "@trpc/server", "@trpc/tanstack-react-query"]) {
      expect(manifest.peerDependencies[name], name).toBe(`^${await installedVersion(packageDir, name)}`);
    }
    expect(manifest.peerDependenciesMeta?.["@trpc/client"]?.optional).not.toBe(true);
    expect(manifest.peerDependenciesMeta?.["@trpc/tanstack-react-query"]?.optional).toBe(true);
    // Only a consumer with skipLibCheck: false needs it (see the README's Install).
    expect(manifest.peerDependenciesMeta?.["@types/ws"]?.optional).toBe(true);
  });

  it("names entries that exist, at the package root so moduleResolution node finds the subpaths' types", async () => {
    const root = path.join(floor, "node_modules", "@gatehouse", "client");
    const files = await readdir(root, { recursive: true });
    for (const file of files) expect(file).toMatch(/^(package\.json|README\.md|chunks|(chunks\/)?[\w-]+\.(js|js\.map|d\.ts))$/);
    expect(Object.keys(manifest.exports).sort()).toEqual([".", "./package.json", "./react", "./server"]);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === "string") continue;
      expect(files).toContain(target.types.slice(2));
      expect(files).toContain(target.import.slice(2));
      // node10 ignores `exports`: `@gatehouse/client/react` must be react.d.ts at the root.
      if (subpath !== ".") expect(target.types).toBe(`./${subpath.slice(2)}.d.ts`);
    }
    expect(files).toContain(manifest.types?.slice(2));
  });
});

describe("the floor app (peers at the versions the workspace builds against, React included)", () => {
  it("has one tRPC and no server package", async () => {
    const copies = (await sh(["npm", "ls", "@trpc/client", "--all", "--parseable"], floor)).trim().split("\n");
    expect(copies.filter((line) => line.endsWith(path.join("node_modules", "@trpc", "client")))).toHaveLength(1);
    const installed = await readdir(path.join(floor, "node_modules"));
    for (const serverOnly of ["prisma", "@prisma", "next", "next-auth", "ioredis", "pg", "zod"])
      expect(installed).not.toContain(serverOnly);
    expect(await readdir(path.join(floor, "node_modules", "@gatehouse"))).toEqual(["client"]);
  });

  it("loads every entry in Node, exporting what the sources export", async () => {
    const loaded = await loadEntries(floor, true);
    expect(loaded.core).toEqual(Object.keys(await import("../src")).sort());
    expect(loaded.server).toEqual(Object.keys(await import("../src/server")).sort());
    expect(loaded.react).toEqual(Object.keys(await import("../src/react")).sort());
    expect(loaded.appCode).toBe("network/Unavailable");
  });
});

describe("the newest tRPC 11.x", () => {
  it("installs beside the SDK without a peer conflict, as one copy", async () => {
    expect(compareVersions(newestTrpc, await installedVersion(packageDir, "@trpc/client"))).toBeGreaterThanOrEqual(0);
    const copies = (await sh(["npm", "ls", "@trpc/client", "--all", "--parseable"], newest)).trim().split("\n");
    const installs = copies.filter((line) => line.endsWith(path.join("node_modules", "@trpc", "client")));
    expect(installs).toHaveLength(1);
    expect(await installedVersion(newest, "@trpc/client")).toBe(newestTrpc);
  });

  it("loads the core and server entries in Node", async () => {
    const loaded = await loadEntries(newest, false);
    expect(loaded.core).toContain("createGatehouseClient");
    expect(loaded.server).toContain("verifyAccessToken");
    expect(loaded.appCode).toBe("network/Unavailable");
  });
});

describe("the README's snippets, with skipLibCheck: false", () => {
  it("include a ts and a tsx block", () => {
    expect(snippets.map((s) => s.lang)).toEqual(expect.arrayContaining(["ts", "tsx"]));
  });

  // One install per app, one set of snippets, a tsconfig per resolution; the tsc runs overlap.
  it.concurrent.for([
    ...resolutions.map(({ moduleResolution }) => ({ app: "floor", moduleResolution })),
    { app: "newest", moduleResolution: "bundler" },
  ])(
    "type-check in the $app app under moduleResolution $moduleResolution",
    { timeout: 300_000 },
    async ({ app, moduleResolution }, { expect }) => {
      const { unexpected, canary: canaryErrors } = await typeCheck(app === "floor" ? floor : newest, moduleResolution, modulesOf[app]!);
      expect(unexpected).toEqual([]);
      expect(canaryErrors).toEqual([`README.md:2 TS2322`]);
    },
  );
});
