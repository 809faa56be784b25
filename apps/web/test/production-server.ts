import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@gatehouse/db/testing";
import { migrate } from "@gatehouse/db/migrate";
import { startMailCatcher, type CapturedMail } from "@gatehouse/testing/mail";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface ProductionServer {
  url: string;
  env: Record<string, string>;
  mails: CapturedMail[];
  logs: () => string;
  stop(): Promise<void>;
}

/**
 * `pnpm start` as the black-box tests run it: the built server (dist/server.mjs + .next) on a
 * fresh, migrated database, with a capturing SMTP server and NODE_ENV=production.
 */
export async function startProductionServer(
  extraEnv: Record<string, string> = {},
  shared?: { databaseUrl: string },
): Promise<ProductionServer> {
  // Another instance's database (several instances, one Postgres and Redis), or a fresh one.
  const db = shared ? { url: shared.databaseUrl, drop: async () => {} } : await createTestDatabase({ prefix: "gatehouse_web" });
  if (!shared) await migrate(db.url);
  const mail = await startMailCatcher();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    REDIS_KEY_PREFIX: `ghweb:${randomBytes(4).toString("hex")}:`,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    SMTP_URL: mail.url,
    MAIL_FROM: "Gatehouse <no-reply@example.com>",
    BACKOFFICE_ADMIN_EMAIL: "admin@example.com",
    BACKOFFICE_ADMIN_PASSWORD: "Admin-password-for-tests-1",
    PORT: String(port),
    APP_URL: url,
    RATE_LIMIT_SCALE: "100",
    BCRYPT_COST: "10",
    NODE_ENV: "production",
    ...extraEnv,
  };
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--enable-source-maps", "dist/server.mjs"], {
    cwd: appDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    env,
    mails: mail.messages,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      await mail.close();
      await db.drop();
    },
  };
}

/** Runs `node dist/server.mjs` with exactly `env` and returns its exit code and output. */
export async function runServerOnce(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["dist/server.mjs"], {
    cwd: appDir,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}
