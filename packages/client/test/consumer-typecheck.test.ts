import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The packed SDK, installed alone (with its declared dependencies and peers) in a temporary
 * project: the consumer snippet type-checks, misuse does not, and the modules load. No server
 * package (Prisma, Next, @gatehouse/api) may be needed or present.
 */
const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pnpm = process.env.npm_execpath?.includes("pnpm") ? [process.execPath, process.env.npm_execpath] : ["pnpm"];

async function sh(cmd: string[], cwd: string, timeout = 240_000) {
  const [file, ...args] = cmd as [string, ...string[]];
  try {
    return await run(file, args, {
      cwd,
      timeout,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CI: "true", npm_config_yes: "true" },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file);
      else newest = Math.max(newest, stat.mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

const consumerTs = `
import {
  browserStorageTokenStore,
  createGatehouseClient,
  memoryTokenStore,
  type AppCode,
  type GatehouseError,
  type RouterOutputs,
  type User,
} from "@gatehouse/client";
import { gatehouseMiddleware, verifyAccessToken, withGatehouseAuth, type AccessTokenErrorCode } from "@gatehouse/client/server";

const { ClientAuth, ClientEmailVerification, hooks, trpc } = createGatehouseClient({
  baseUrl: "https://auth.example.com",
  tokenStore: typeof localStorage === "undefined" ? memoryTokenStore() : browserStorageTokenStore(),
});

export async function snippet(tenantKey: string, userId: string, password: string, displayName: string, email: string) {
  const res = await ClientAuth.signUp({ body: { tenantKey, userId, password, displayName, email } })
  if (res.error) throw res.error            // res.error.appCode, res.error.status
  hooks.setAccessToken(res.data!.accessToken, res.data!.accessTokenExpiresAt)
  await ClientEmailVerification.sendVerification({ body: { email } })
  await ClientEmailVerification.verifyEmail({ body: { code: '123456' } })
}

export async function typesFlow(): Promise<string> {
  const me = await ClientAuth.me();
  if (me.error) {
    const code: AppCode = me.error.appCode;
    const status: number = me.error.status;
    const issues = me.error.issues?.map((issue) => issue.path.join("."));
    const err: GatehouseError = me.error;
    return \`\${code} \${status} \${issues} \${err.message}\`;
  }
  const user: User = me.data.user;
  const role: "member" | "manager" = user.role;
  const verifiedAt: string | null = user.emailVerifiedAt;
  const sessions: RouterOutputs["clientAuth"]["listSessions"]["items"] = (await trpc.clientAuth.listSessions.query()).items;
  return \`\${role} \${verifiedAt} \${sessions.length}\`;
}

export async function misuse() {
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
}

export async function server(token: string) {
  const result = await verifyAccessToken(token, {
    jwksUrl: "https://auth.example.com/.well-known/jwks.json",
    issuer: "https://auth.example.com",
    audience: "gatehouse",
    tenantKey: "acme",
    requireVerifiedEmail: true,
  });
  if (!result.ok) {
    const code: AccessTokenErrorCode = result.error.code;
    return code;
  }
  const tkey: string = result.claims.tkey;
  const ev: boolean = result.claims.ev;
  return \`\${tkey} \${ev}\`;
}

const options = { jwksUrl: "https://auth.example.com/.well-known/jwks.json", issuer: "https://auth.example.com", audience: "gatehouse", tenantKey: "acme" };
export const GET = withGatehouseAuth((_req: Request, { claims }) => new Response(claims.sub), options);
export const middleware = gatehouseMiddleware({ ...options, protect: (p) => p.startsWith("/account") });
`;

const consumerTsx = `
import { useQuery } from "@tanstack/react-query";
import { createGatehouseClient } from "@gatehouse/client";
import { GatehouseProvider, SignUpVerifyFlow, useGatehouse, useSession, useTRPC } from "@gatehouse/client/react";

const client = createGatehouseClient({ baseUrl: "https://auth.example.com" });

function Me() {
  const trpc = useTRPC();
  const me = useQuery(trpc.clientAuth.me.queryOptions());
  const session = useSession();
  const { hooks } = useGatehouse();
  const name: string | undefined = me.data?.user.displayName;
  return <p onClick={() => void hooks.clear()}>{name} {session.status}</p>;
}

export function App() {
  return (
    <GatehouseProvider client={client}>
      <SignUpVerifyFlow tenantKey="acme" onVerified={(user) => console.log(user.emailVerifiedAt)} />
      <Me />
    </GatehouseProvider>
  );
}
`;

const smokeMjs = `
const core = await import("@gatehouse/client");
const server = await import("@gatehouse/client/server");
const react = await import("@gatehouse/client/react");
const client = core.createGatehouseClient({ baseUrl: "http://127.0.0.1:9" });
const res = await client.ClientAuth.me();
client.dispose();
console.log(JSON.stringify({
  core: Object.keys(core).sort(),
  server: typeof server.verifyAccessToken,
  react: typeof react.GatehouseProvider,
  appCode: res.error.appCode,
}));
`;

describe("the packed SDK in a consumer project", () => {
  let dir: string;

  beforeAll(async () => {
    // Pack what the sources say: rebuild dist when any source is newer.
    const built = path.join(packageDir, "dist", "index.d.ts");
    if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(path.join(packageDir, "src"))) {
      await sh([process.execPath, "scripts/build.mjs"], packageDir);
    }
    dir = await mkdtemp(path.join(tmpdir(), "gatehouse-consumer-"));
    await sh([...pnpm, "pack", "--pack-destination", dir], packageDir);
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("type-checks the README snippet, the server helpers and the React entry with only the tarball installed", async () => {
    const tarball = (await readdir(dir)).find((name) => name.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const manifest = {
      name: "gatehouse-consumer",
      private: true,
      type: "module",
      dependencies: {
        "@gatehouse/client": `file:./${tarball}`,
        "@tanstack/react-query": "^5.108.0",
        "@trpc/tanstack-react-query": "11.22.1",
        react: "~19.3.0",
        "@types/react": "^19.2.0",
        typescript: "5.9.3",
      },
    };
    await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: "ES2022",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      jsx: "react-jsx",
      types: [],
      skipLibCheck: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
    };
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler" },
        include: ["*.ts", "*.tsx"],
      }),
    );
    await writeFile(
      path.join(dir, "tsconfig.node.json"),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: "NodeNext", moduleResolution: "NodeNext" },
        include: ["*.ts", "*.tsx"],
      }),
    );
    // Also check the SDK's own declarations (skipLibCheck off). tRPC's declarations need Node's
    // types, which a browser app lacks, so only errors in the SDK's files or ours count here.
    await writeFile(
      path.join(dir, "tsconfig.strict.json"),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler", skipLibCheck: false },
        include: ["*.ts", "*.tsx"],
      }),
    );
    await writeFile(path.join(dir, "consumer.ts"), consumerTs);
    await writeFile(path.join(dir, "consumer-react.tsx"), consumerTsx);
    await writeFile(path.join(dir, "smoke.mjs"), smokeMjs);

    await sh([...pnpm, "install", "--prefer-offline", "--ignore-scripts", "--config.node-linker=isolated", "--no-frozen-lockfile"], dir);

    // Only the SDK and what it declares: no server package came along.
    const installed = await readdir(path.join(dir, "node_modules", ".pnpm"));
    for (const serverOnly of [/^@gatehouse\+(api|db|email)@/, /^@prisma\+/, /^prisma@/, /^next@/, /^next-auth@/, /^ioredis@/, /^pg@/]) {
      expect(installed.filter((name) => serverOnly.test(name))).toEqual([]);
    }
    const packedFiles = await readdir(path.join(dir, "node_modules", "@gatehouse", "client"));
    expect(packedFiles.filter((name) => name !== "node_modules").sort()).toEqual(["README.md", "dist", "package.json"]);

    const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
    await sh([process.execPath, tsc, "-p", "tsconfig.json"], dir);
    await sh([process.execPath, tsc, "-p", "tsconfig.node.json"], dir);
    const strict = await run(process.execPath, [tsc, "-p", "tsconfig.strict.json"], { cwd: dir, timeout: 120_000 }).then(
      (r) => r.stdout,
      (error: { stdout?: string }) => error.stdout ?? "",
    );
    const errorLines = strict.split("\n").filter((line) => /error TS\d+/.test(line));
    expect(errorLines.filter((line) => !line.startsWith("node_modules/.pnpm/@trpc+server@"))).toEqual([]);

    // A sanity check that the checks can fail: a wrong type is an error.
    await writeFile(
      path.join(dir, "wrong.ts"),
      `import { createGatehouseClient } from "@gatehouse/client";\nconst r = await createGatehouseClient({ baseUrl: "x" }).ClientAuth.me();\nexport const n: number = r.data!.user.userId;\n`,
    );
    await expect(sh([process.execPath, tsc, "-p", "tsconfig.json"], dir)).rejects.toThrow(/wrong\.ts.*TS2322/s);
    await rm(path.join(dir, "wrong.ts"));

    const { stdout } = await sh([process.execPath, "smoke.mjs"], dir);
    const smoke = JSON.parse(stdout.trim()) as { core: string[]; server: string; react: string; appCode: string };
    expect(smoke.core).toEqual(
      expect.arrayContaining(["createGatehouseClient", "GatehouseError", "memoryTokenStore", "browserStorageTokenStore"]),
    );
    expect(smoke.server).toBe("function");
    expect(smoke.react).toBe("function");
    expect(smoke.appCode).toBe("network/Unavailable");

    const readme = await readFile(path.join(dir, "node_modules", "@gatehouse", "client", "README.md"), "utf8");
    expect(readme).toContain("ClientEmailVerification.verifyEmail({ body: { code: '123456' } })");
  }, 300_000);
});
