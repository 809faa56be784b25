import path from "node:path";
import { createMailer, type Mailer } from "@gatehouse/email";
import type { Logger } from "pino";
import type { Config } from "../config";
import { getRuntime } from "../runtime";

/**
 * The process's one mail sender (the runtime's, see runtime.ts), built from the config: SMTP
 * when SMTP_URL is set, otherwise .eml files in MAIL_DIR (`pnpm dev`; default `.data/mail`).
 * Rebuilt when the mail settings change (tests install a new config per server), the old one
 * closed.
 */
function mailSettings({ smtpUrl, mailFrom, mailDir }: Config) {
  const fileDir = smtpUrl ? undefined : (mailDir ?? path.resolve(".data/mail"));
  return { smtpUrl, from: mailFrom, fileDir };
}

/** What the mailer depends on, as one string: a different one means a new mailer. */
export function mailSettingsKey(config: Config): string {
  const { smtpUrl, from, fileDir } = mailSettings(config);
  return JSON.stringify([smtpUrl ?? null, from, fileDir ?? null]);
}

export function buildMailer(config: Config, log: Logger): Mailer {
  return createMailer({ ...mailSettings(config), log: (msg, fields) => log.info(fields ?? {}, msg) });
}

export function getMailer(): Mailer {
  return getRuntime().mailer;
}
