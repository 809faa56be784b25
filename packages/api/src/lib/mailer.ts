import path from "node:path";
import { createMailer, type Mailer } from "@gatehouse/email";
import { getConfig } from "../config";
import { getLogger } from "./log";

/**
 * The process's one mail sender, built from the config: SMTP when SMTP_URL is set, otherwise
 * .eml files in MAIL_DIR (`pnpm dev`; default `.data/mail`). Rebuilt when the mail settings
 * change (tests install a new config per server), the old one closed.
 */
const MAILER_KEY = Symbol.for("gatehouse.mailer");
type Holder = { [MAILER_KEY]?: { mailer: Mailer; settings: string } };

function mailSettings() {
  const { smtpUrl, mailFrom, mailDir } = getConfig();
  const fileDir = smtpUrl ? undefined : (mailDir ?? path.resolve(".data/mail"));
  return { smtpUrl, from: mailFrom, fileDir, key: JSON.stringify([smtpUrl ?? null, mailFrom, fileDir ?? null]) };
}

export function getMailer(): Mailer {
  const holder = globalThis as Holder;
  const { key, ...options } = mailSettings();
  const cached = holder[MAILER_KEY];
  if (cached && cached.settings === key) return cached.mailer;
  if (cached) void cached.mailer.close().catch(() => {});
  const log = getLogger();
  const mailer = createMailer({ ...options, log: (msg, fields) => log.info(fields ?? {}, msg) });
  holder[MAILER_KEY] = { mailer, settings: key };
  return mailer;
}

/** Installs a mailer for the current mail settings (tests). */
export function setMailer(mailer: Mailer): void {
  (globalThis as Holder)[MAILER_KEY] = { mailer, settings: mailSettings().key };
}
