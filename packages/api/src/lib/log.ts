import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";
import { getRuntime } from "../runtime";

/**
 * Structured JSON logs. Secrets never reach them: request bodies are not logged, and these
 * paths are censored wherever they appear in a logged object.
 */
const redactPaths = [
  "password",
  "*.password",
  "currentPassword",
  "*.currentPassword",
  "newPassword",
  "*.newPassword",
  "temporaryPassword",
  "*.temporaryPassword",
  "code",
  "*.code",
  "otp",
  "*.otp",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "passwordHash",
  "*.passwordHash",
  "clientSecret",
  "*.clientSecret",
  "authorization",
  "*.authorization",
  "cookie",
  "*.cookie",
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
];

/**
 * What a secret looks like, for the text of errors (whose messages libraries write: a Prisma
 * validation error, for one, prints the call's arguments, a password hash among them).
 */
const secretShapes = [
  /\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}/g, // bcrypt hashes
  /eyJ[\w-]*(?:\.[\w-]*){2,4}/g, // JWTs and JWEs (access tokens, staff session cookies)
  /(?<![\w-])[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/g, // refresh tokens
  /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/gi, // SHA-256 / HMAC digests
  /\bBearer\s+\S+/gi,
  /(?<![\d.:-])\d{6}(?![\d.:-])/g, // one-time codes
];

function scrubSecrets(text: string): string {
  return secretShapes.reduce((out, shape) => out.replace(shape, "[redacted]"), text);
}

/** pino's error serializer, with every string it outputs scrubbed of secret-shaped text. */
function scrubbedError(value: unknown): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (!(value instanceof Error)) return value;
  const serialized = stdSerializers.err(value) as unknown as Record<string, unknown>;
  const scrub = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return scrubSecrets(v);
    if (depth > 3 || typeof v !== "object" || v === null) return v;
    if (Array.isArray(v)) return v.map((item) => scrub(item, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, scrub(item, depth + 1)]));
  };
  return scrub(serialized, 0);
}

/** A logger with Gatehouse's settings (LOG_LEVEL unless `level`); tests pass a destination to read what it writes. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const settings = {
    level: options.level ?? getRuntime().config.logLevel,
    base: { service: "gatehouse" },
    redact: { paths: redactPaths, censor: "[redacted]" },
    serializers: { err: scrubbedError },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** The process's logger (the runtime's, see runtime.ts). */
export function getLogger(): Logger {
  return getRuntime().logger;
}

/** Installs a logger (tests read what it writes). */
export function setLogger(logger: Logger): void {
  getRuntime().logger = logger;
}
