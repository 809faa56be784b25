import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { SmsDeliveryError, type SmsSender } from "./sender";

/**
 * `pnpm dev` without SMS_URL: each message is a JSON file `{to, tenantKey, text}` in `dir`
 * (SMS_DIR, default `.data/sms`), readable by this user only. The log names the file, never the
 * code or the number.
 */
export function createFilesSmsSender(dir: string, log: Logger): SmsSender {
  const folder = path.resolve(dir);
  return {
    kind: "files",
    async send(message) {
      // Time first so the folder lists in order; separators keep digits in short runs.
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const file = path.join(folder, `${stamp}-${randomBytes(4).toString("hex")}.json`);
      try {
        await mkdir(folder, { recursive: true, mode: 0o700 });
        const body = JSON.stringify({ to: message.to, tenantKey: message.tenantKey, text: message.text }, null, 2);
        await writeFile(file, `${body}\n`, { mode: 0o600, flag: "wx" });
      } catch (error) {
        throw new SmsDeliveryError("unreachable", `SMS could not be saved (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
      log.info({ file }, "sms saved to file");
    },
  };
}
