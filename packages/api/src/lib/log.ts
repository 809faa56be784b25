import { pino, type Logger } from "pino";

/**
 * Structured JSON logs. Secrets never reach them: request bodies are not logged, and these
 * paths are censored wherever they appear in a logged object.
 */
const redactPaths = [
  "password", "*.password", "currentPassword", "*.currentPassword", "newPassword", "*.newPassword",
  "temporaryPassword", "*.temporaryPassword", "code", "*.code", "otp", "*.otp",
  "token", "*.token", "accessToken", "*.accessToken", "refreshToken", "*.refreshToken",
  "passwordHash", "*.passwordHash", "authorization", "*.authorization", "cookie", "*.cookie",
  "headers.authorization", "headers.cookie", "req.headers.authorization", "req.headers.cookie",
];

const LOGGER_KEY = Symbol.for("gatehouse.logger");
type Holder = { [LOGGER_KEY]?: Logger };

export function getLogger(): Logger {
  const holder = globalThis as Holder;
  holder[LOGGER_KEY] ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "gatehouse" },
    redact: { paths: redactPaths, censor: "[redacted]" },
  });
  return holder[LOGGER_KEY];
}

export function setLogger(logger: Logger): void {
  (globalThis as Holder)[LOGGER_KEY] = logger;
}
