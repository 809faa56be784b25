import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, mkdir, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { MailUnavailableError } from "./errors";

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface Mailer {
  /** "smtp" when talking to a mail server, "file" when writing .eml files (development). */
  readonly kind: "smtp" | "file";
  /** Hands the message over; throws {@link MailUnavailableError} on any failure to do so. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Checks the mail server answers (and accepts the credentials), or that the folder is writable. */
  verify(): Promise<void>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

export type MailLog = (msg: string, fields?: object) => void;

export interface MailerOptions {
  /**
   * `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it) or
   * `smtps://...` (TLS from the start, port 465 by default). User name and password are
   * percent-decoded. Optional query flags: `requireTLS=true`, `ignoreTLS=true`,
   * `rejectUnauthorized=false|true` (certificates of loopback servers are not verified
   * unless `rejectUnauthorized=true`).
   */
  smtpUrl?: string | undefined;
  /** The From header, e.g. `"Gatehouse <no-reply@example.com>"`. */
  from: string;
  /** Without smtpUrl: write every message as an RFC 822 .eml file into this folder. */
  fileDir?: string | undefined;
  /** Receives one line per written file (its name only, never the message). */
  log?: MailLog | undefined;
}

/** Bounded so that a dead or stuck mail server fails a request in seconds, not minutes. */
export const SMTP_TIMEOUTS = {
  connectionTimeout: 3_000,
  greetingTimeout: 3_000,
  socketTimeout: 5_000,
  dnsTimeout: 3_000,
} as const;

/**
 * Creates the mail sender: SMTP (pooled) when `smtpUrl` is set, otherwise .eml files in `fileDir`.
 * Throws a plain Error for a configuration mistake (neither set, unsupported URL).
 */
export function createMailer(opts: MailerOptions): Mailer {
  if (!opts.from || !opts.from.trim()) throw new Error("createMailer: `from` is required");
  if (opts.smtpUrl) return createSmtpMailer(opts.smtpUrl, opts.from);
  if (opts.fileDir) return createFileMailer(opts.fileDir, opts.from, opts.log);
  throw new Error("createMailer: set smtpUrl, or fileDir to save mail as files");
}

function parseFlag(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`createMailer: SMTP_URL parameter ${name} must be true or false`);
}

function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host.startsWith("::ffff:127.");
  return false;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Nodemailer pool options. `maxRequeues` exists in nodemailer (SMTPPool) but not in its types:
 * how often a message whose connection closed mid-send is queued again.
 */
export type SmtpPoolOptions = SMTPPool.Options & { maxRequeues: number };

/** Turns an SMTP URL into nodemailer pool options. Exported for tests. */
export function smtpOptionsFromUrl(smtpUrl: string): SmtpPoolOptions {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // never echo the URL: it may hold the password
    throw new Error("createMailer: SMTP_URL is not a valid URL");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error("createMailer: SMTP_URL must start with smtp:// or smtps://");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error("createMailer: SMTP_URL has no host");
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const user = safeDecode(url.username);
  const pass = safeDecode(url.password);
  const rejectUnauthorized = parseFlag(url, "rejectUnauthorized") ?? !isLoopbackHost(host);
  const requireTLS = parseFlag(url, "requireTLS");
  const ignoreTLS = parseFlag(url, "ignoreTLS");

  return {
    pool: true,
    host,
    port,
    secure,
    ...(user ? { auth: { user, pass } } : {}),
    ...(requireTLS !== undefined ? { requireTLS } : {}),
    ...(ignoreTLS !== undefined ? { ignoreTLS } : {}),
    tls: { rejectUnauthorized, ...(isIP(host) ? {} : { servername: host }) },
    maxConnections: 3,
    maxMessages: 100,
    ...SMTP_TIMEOUTS,
    // A message whose connection closes mid-send is retried once, not forever
    // (nodemailer's default when unset), so send() always settles.
    maxRequeues: 1,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transporter = nodemailer.createTransport(smtpOptionsFromUrl(smtpUrl));
  // A pooled transport reports idle-connection failures as events; without a listener an
  // 'error' event would crash the process. Failed sends still reject their own promise.
  transporter.on("error", () => {});
  let closed = false;

  return {
    kind: "smtp",
    async send(message) {
      if (closed) throw new MailUnavailableError("Mailer is closed");
      let info: SMTPPool.SentMessageInfo;
      try {
        info = await transporter.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (err) {
        throw MailUnavailableError.from(err, "Mail server did not accept the message");
      }
      if (info.rejected.length > 0 || info.accepted.length === 0) {
        throw new MailUnavailableError("Mail server rejected the recipient", {
          cause: Object.assign(new Error(info.response || "recipient rejected"), { code: "EENVELOPE" }),
        });
      }
      return { messageId: info.messageId };
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (err) {
        throw MailUnavailableError.from(err, "Mail server is not reachable");
      }
    },
    async close() {
      closed = true;
      transporter.close();
    },
  };
}

function createFileMailer(fileDir: string, from: string, log: MailLog | undefined): Mailer {
  const dir = resolve(fileDir);
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "windows", // RFC 822 line endings
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    kind: "file",
    async send(message) {
      try {
        const info = await composer.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        if (!Buffer.isBuffer(info.message)) throw new Error("stream transport did not buffer the message");
        // Time first so the folder lists in order; separators keep digits in short runs.
        const stamp = new Date().toISOString().replace(/[:.]/g, "-");
        const name = `${stamp}-${randomBytes(4).toString("hex")}.eml`;
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // The file holds codes and passwords: readable by this user only, never overwritten.
        await writeFile(join(dir, name), info.message, { mode: 0o600, flag: "wx" });
        log?.("mail saved to file", { file: join(dir, name) });
        return { messageId: info.messageId };
      } catch (err) {
        throw MailUnavailableError.from(err, "Mail could not be saved");
      }
    },
    async verify() {
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await access(dir, fsConstants.W_OK);
      } catch (err) {
        throw MailUnavailableError.from(err, "Mail folder is not writable");
      }
    },
    async close() {
      composer.close();
    },
  };
}
