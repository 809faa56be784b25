import path from "node:path";
import { getConfig, type Config } from "../../config";
import { getLogger } from "../log";
import { createFilesSmsSender } from "./files";
import type { SmsSender } from "./sender";
import { createSolapiSmsSender } from "./solapi";
import { createTwilioSmsSender } from "./twilio";
import { parseSmsUrl } from "./url";
import { createWebhookSmsSender } from "./webhook";

/**
 * CONTRACT v2 "SMS delivery": the process's SMS sender, chosen by SMS_URL. Unset: files under
 * SMS_DIR (default `.data/sms`) in development, none in production and tests (the SMS procedures
 * answer 400 auth/MethodNotEnabled, everything else runs). Rebuilt when the settings change
 * (tests install a new config per server); senders hold no connections, so nothing is closed.
 */
export { SmsDeliveryError, type SmsMessage, type SmsSender } from "./sender";
export { maskPhone } from "./url";

let cached: { key: string; sender: SmsSender | null } | undefined;

function settingsKey(config: Config): string {
  const { url, dir, twilioApiUrl, solapiApiUrl } = config.sms;
  return JSON.stringify([config.mode, url ?? null, dir ?? null, twilioApiUrl, solapiApiUrl, config.outboundTimeoutMs]);
}

function buildSmsSender(config: Config): SmsSender | null {
  const { url } = config.sms;
  if (!url) {
    return config.mode === "development" ? createFilesSmsSender(config.sms.dir ?? path.resolve(".data/sms"), getLogger()) : null;
  }
  const gateway = parseSmsUrl(url);
  switch (gateway.kind) {
    case "webhook":
      return createWebhookSmsSender(gateway.url, config.outboundTimeoutMs);
    case "twilio":
      return createTwilioSmsSender(gateway, config.sms.twilioApiUrl, config.outboundTimeoutMs);
    case "solapi":
      return createSolapiSmsSender(gateway, config.sms.solapiApiUrl, config.outboundTimeoutMs);
  }
}

export function getSmsSender(): SmsSender | null {
  const config = getConfig();
  const key = settingsKey(config);
  if (cached?.key !== key) cached = { key, sender: buildSmsSender(config) };
  return cached.sender;
}
