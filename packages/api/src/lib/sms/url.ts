/**
 * SMS_URL's forms (CONTRACT v2 "SMS delivery"), parsed without touching the network. Pure, so
 * config.ts can refuse a bad one at start with one line (never echoing it: it holds credentials):
 * the messages name the wrong part, and config.ts prefixes them with `SMS_URL`.
 */
export type SmsGateway =
  | { kind: "webhook"; url: string }
  | { kind: "twilio"; accountSid: string; authToken: string; from: string }
  | { kind: "solapi"; apiKey: string; apiSecret: string; from: string };

const FORMS = "http(s)://…, twilio://<AccountSid>:<AuthToken>@<from>, or solapi://<apiKey>:<apiSecret>@<from>";

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** A sender: an E.164 number, a national number, or (Twilio) a Messaging Service SID / alphanumeric ID. */
const FROM = /^\+?[A-Za-z0-9]{2,34}$/;

/** Throws an Error whose message says which part is wrong, never the value. */
export function parseSmsUrl(value: string): SmsGateway {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`not a URL (expected ${FORMS})`);
  }
  if (url.protocol === "http:" || url.protocol === "https:") {
    if (!url.hostname) throw new Error("the webhook URL has no host");
    return { kind: "webhook", url: url.href };
  }
  if (url.protocol !== "twilio:" && url.protocol !== "solapi:") {
    throw new Error(`must be ${FORMS}`);
  }
  const name = url.protocol === "twilio:" ? "Twilio" : "Solapi";
  const user = decode(url.username);
  const secret = decode(url.password);
  const from = decode(url.host);
  if (!user || !secret) throw new Error(`${name} needs its credentials before the @`);
  if (!from || !FROM.test(from) || (url.pathname !== "" && url.pathname !== "/")) {
    throw new Error(`${name} needs the sender number after the @ and nothing else`);
  }
  return url.protocol === "twilio:"
    ? { kind: "twilio", accountSid: user, authToken: secret, from }
    : { kind: "solapi", apiKey: user, apiSecret: secret, from };
}

/** For logs: `+821012345678` → `+8210****5678`; never the whole number. */
export function maskPhone(phone: string): string {
  if (phone.length > 9) return `${phone.slice(0, 5)}****${phone.slice(-4)}`;
  return `****${phone.slice(-2)}`;
}
