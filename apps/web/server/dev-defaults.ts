import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/**
 * `pnpm dev` on a bare machine: everything CONTRACT.md lets dev default, kept under the data
 * folder (`.data/`, or DEV_DATA_DIR). Production never comes here (`pnpm start` refuses to run
 * without the real variables).
 */

/** A dev start that cannot go on, said in one line with what to do about it. */
export class DevSetupError extends Error {
  override name = "DevSetupError";
}

export interface DevSetup {
  dataDir: string;
  /** Where mail goes as .eml files (no SMTP_URL), else undefined. */
  mailDir: string | undefined;
  /** Where SMS go as JSON files (no SMS_URL), else undefined. */
  smsDir: string | undefined;
  /** The BackOffice admin this start ensures; `passwordFile` when its password is the generated one. */
  admin: { email: string; passwordFile: string | undefined } | undefined;
  /** The local provider stand-ins this start runs (no OAUTH_* set), else undefined. */
  standIns: DevStandIns | undefined;
  stop(): Promise<void>;
}

/** The stand-ins' base URLs (for the banner) and the credentials of their apps (for the seed). */
interface DevStandIns {
  urls: { google: string; kakao: string; naver: string };
  credentials: Record<
    "google" | "kakao" | "naver",
    { clientId: string; clientSecret: string; nativeClientIds?: string[]; scopes?: string[] }
  >;
}

const OAUTH_VARIABLES = [
  "OAUTH_GOOGLE_ISSUER",
  "OAUTH_KAKAO_AUTH_URL",
  "OAUTH_KAKAO_API_URL",
  "OAUTH_NAVER_AUTH_URL",
  "OAUTH_NAVER_API_URL",
] as const;

/**
 * No OAUTH_* set: local stand-ins for Google, Kakao and Naver (consent pages that say what they
 * are) on free ports, and the OAUTH_* variables pointing at them. Loaded by dynamic import only
 * here, and kept out of the production bundle (scripts/build-server.mjs).
 */
async function startProviderStandIns(): Promise<{ standIns: DevStandIns; stop: () => Promise<void> } | undefined> {
  if (OAUTH_VARIABLES.some((name) => process.env[name]?.trim())) return undefined;
  const { startStandIns } = await import("@gatehouse/provider-stand-ins");
  const running = await startStandIns({ consent: "page", host: "127.0.0.1" });
  Object.assign(process.env, running.env);
  return {
    standIns: {
      urls: { google: running.google.url, kakao: running.kakao.url, naver: running.naver.url },
      credentials: {
        google: running.credentials.google,
        // The stand-in plays a Kakao business app, so the demo can ask for the email too.
        kakao: { ...running.credentials.kakao, scopes: ["profile_nickname", "account_email"] },
        naver: running.credentials.naver,
      },
    },
    stop: running.stop,
  };
}

/** The embedded server's first choice; another checkout's `pnpm dev` may hold it already. */
const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;
const DEV_ADMIN_EMAIL = "admin@gatehouse.local";
const ADMIN_PASSWORD_FILE = "backoffice-admin-password";
const PORT_FILE = "postgres-port";
const POSTGRES_LOG_FILE = "postgres.log";

/** For messages: a path as the developer would type it from where they ran `pnpm dev`. */
export function shown(file: string): string {
  const relative = path.relative(process.env.INIT_CWD ?? process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** A secret generated once into `file` (0600) and read back on every later start. */
function keptSecret(file: string, bytes: number): string {
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(bytes).toString("base64url")}\n`, { mode: 0o600 });
  const value = readFileSync(file, "utf8").trim();
  if (!value) throw new DevSetupError(`${shown(file)} is empty: delete it and start again (a new one is generated)`);
  return value;
}

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new DevSetupError(`${name} must be a port number (1-65535), not "${value}"`);
  return port;
}

async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The embedded server's port: DEV_POSTGRES_PORT when set; else the one remembered in
 * `.data/postgres-port` (so DATABASE_URLs a developer copied stay right), then 54329, when free
 * (or held by this folder's own server); else any free port. The choice is remembered.
 */
async function embeddedPostgresPort(dataDir: string, pgDir: string): Promise<{ port: number; fromEnv: boolean }> {
  const { isPortFree, runningServerPort } = await import("@gatehouse/api/dev");
  const fromEnv = process.env.DEV_POSTGRES_PORT?.trim();
  if (fromEnv) return { port: parsePort(fromEnv, "DEV_POSTGRES_PORT"), fromEnv: true };

  const file = path.join(dataDir, PORT_FILE);
  const rememberedText = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  const remembered = rememberedText ? parsePort(rememberedText, shown(file)) : undefined;
  const ours = runningServerPort(pgDir);
  let port: number | undefined;
  for (const candidate of new Set([remembered, DEFAULT_EMBEDDED_POSTGRES_PORT])) {
    if (candidate !== undefined && (candidate === ours || (await isPortFree(candidate)))) {
      port = candidate;
      break;
    }
  }
  port ??= await anyFreePort();
  if (port !== remembered) writeFileSync(file, `${port}\n`);
  return { port, fromEnv: false };
}

async function startEmbedded(dataDir: string, log: (msg: string) => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startEmbeddedPostgres, EmbeddedPostgresStartError } = await import("@gatehouse/api/dev");
  const pgDir = path.join(dataDir, "postgres");
  const { port, fromEnv } = await embeddedPostgresPort(dataDir, pgDir);
  // PostgreSQL's own output goes to a file: the terminal gets one line if something is wrong.
  const logFile = path.join(dataDir, POSTGRES_LOG_FILE);
  const pgLog = createWriteStream(logFile, { flags: "a" });
  pgLog.on("error", () => {});
  try {
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, port, log: (line) => pgLog.write(`${line}\n`) });
    log(`DATABASE_URL not set: using embedded PostgreSQL in ${shown(pgDir)} on port ${port}${pg.reused ? " (already running)" : ""}`);
    return {
      url: pg.url,
      stop: async () => {
        await pg.stop();
        pgLog.end();
      },
    };
  } catch (error) {
    pgLog.end();
    const why = error instanceof Error ? error.message : String(error);
    const portInUse = error instanceof EmbeddedPostgresStartError && error.reason === "port-in-use";
    const fix = portInUse
      ? fromEnv
        ? "set DEV_POSTGRES_PORT to a free port, or unset it to let Gatehouse pick one"
        : `stop that program, or set DEV_POSTGRES_PORT to a free port`
      : `see ${shown(logFile)}; or set DATABASE_URL to a PostgreSQL you run`;
    throw new DevSetupError(`${why.replace(/\s+/g, " ")} — ${fix}`);
  }
}

export async function applyDevDefaults(dataDir: string, log: (msg: string) => void): Promise<DevSetup> {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new DevSetupError(
      `cannot create the data folder ${dataDir} (${(error as Error).message}): set DEV_DATA_DIR to a writable folder`,
    );
  }
  let stop = async () => {};
  let mailDir: string | undefined;
  let smsDir: string | undefined;

  if (!process.env.AUTH_SECRET) {
    const file = path.join(dataDir, "auth-secret");
    process.env.AUTH_SECRET = keptSecret(file, 32);
    log(`AUTH_SECRET not set: using the one generated in ${shown(file)}`);
  }

  if (!process.env.SMTP_URL) {
    mailDir = process.env.MAIL_DIR ??= path.join(dataDir, "mail");
    mkdirSync(mailDir, { recursive: true });
  }

  // CONTRACT v2 "SMS delivery": no SMS_URL under dev → each text a file (the log names the file).
  if (!process.env.SMS_URL?.trim()) {
    smsDir = process.env.SMS_DIR ??= path.join(dataDir, "sms");
    mkdirSync(smsDir, { recursive: true, mode: 0o700 });
  }

  // The dev admin is created with the password kept in this file (BACKOFFICE_ADMIN_* semantics:
  // created when missing, otherwise left as it is), so it can always be looked up; a password
  // changed in the BackOffice and forgotten is reset with `pnpm staff:reset-password`.
  let adminPasswordFile: string | undefined;
  if (!process.env.BACKOFFICE_ADMIN_EMAIL && !process.env.BACKOFFICE_ADMIN_PASSWORD) {
    adminPasswordFile = path.join(dataDir, ADMIN_PASSWORD_FILE);
    process.env.BACKOFFICE_ADMIN_EMAIL = DEV_ADMIN_EMAIL;
    process.env.BACKOFFICE_ADMIN_PASSWORD = keptSecret(adminPasswordFile, 12);
  }

  // Next dev compiles in this process and can hold the event loop for seconds on a busy machine;
  // a 2 s connect timeout then fires before the connection's own callback runs (a 500 on the
  // first page that reads the database). Production keeps failing fast.
  process.env.DATABASE_CONNECT_TIMEOUT_MS ??= "15000";

  if (!process.env.DATABASE_URL) {
    const pg = await startEmbedded(dataDir, log);
    process.env.DATABASE_URL = pg.url;
    stop = pg.stop;
  }

  let providers: Awaited<ReturnType<typeof startProviderStandIns>>;
  try {
    providers = await startProviderStandIns();
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  if (providers) {
    const stopPostgres = stop;
    stop = async () => {
      await providers.stop().catch(() => {});
      await stopPostgres();
    };
  }

  const adminEmail = process.env.BACKOFFICE_ADMIN_EMAIL;
  return {
    dataDir,
    mailDir,
    smsDir,
    admin:
      adminEmail && process.env.BACKOFFICE_ADMIN_PASSWORD
        ? { email: adminEmail.toLowerCase(), passwordFile: adminPasswordFile }
        : undefined,
    standIns: providers?.standIns,
    stop,
  };
}
