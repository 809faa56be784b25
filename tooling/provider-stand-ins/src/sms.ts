import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, readForm, sendJson, type StandInOptions } from "./http";

/**
 * Local fakes of SMS gateways, for the tests (and the black-box runner's JSON capture): the JSON
 * webhook Gatehouse posts to (SMS_URL=http://…), Twilio's Messages API and Solapi's message API,
 * each checking what the real one checks (credentials, signature, required fields) and answering
 * its real success and error shapes. Never used in production.
 */

/** `ok`; `refuse`: a 4xx error answer; `down`: 5xx; `hang`: never answers (timeouts). */
export type SmsGatewayMode = "ok" | "refuse" | "down" | "hang";

export interface CapturedSms {
  to: string;
  text: string;
  /** The webhook's `tenantKey`; Twilio and Solapi know none. */
  tenantKey?: string;
  /** Solapi only: the calling code when not Korea. */
  country?: string;
  from?: string;
  at: Date;
}

export interface SmsGatewayFake {
  /** What to set SMS_URL, TWILIO_API_URL or SOLAPI_API_URL to. */
  url: string;
  /** Every accepted message, oldest first. */
  readonly messages: CapturedSms[];
  /** Every request seen, accepted or not (for "nothing was sent" checks). */
  readonly requests: number;
  setMode(mode: SmsGatewayMode): void;
  /** The first message (from now on, or already captured) that `match` accepts. */
  waitFor(match: (message: CapturedSms) => boolean, timeoutMs?: number): Promise<CapturedSms>;
  clear(): void;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The shared part: message store, modes, waiters, the server. */
async function startFake(
  options: StandInOptions,
  path: string,
  handle: (req: IncomingMessage, res: ServerResponse, url: URL, accept: (message: Omit<CapturedSms, "at">) => void) => Promise<void>,
  answerMode: (mode: "refuse" | "down", res: ServerResponse) => void,
): Promise<SmsGatewayFake> {
  const messages: CapturedSms[] = [];
  let requests = 0;
  let mode: SmsGatewayMode = "ok";
  const waiters = new Set<() => void>();
  const server = await listen(async (req, res, url) => {
    requests += 1;
    if (mode === "hang") return;
    if (mode !== "ok") return answerMode(mode, res);
    await handle(req, res, url, (message) => {
      messages.push({ ...message, at: new Date() });
      for (const wake of waiters) wake();
    });
  }, options);
  return {
    url: `${server.url}${path}`,
    messages,
    get requests() {
      return requests;
    },
    setMode(next) {
      mode = next;
    },
    waitFor(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching SMS within ${timeoutMs} ms (${messages.length} captured)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    clear() {
      messages.length = 0;
      requests = 0;
    },
    stop: server.stop,
  };
}

/** SMS_URL=http://…/sms: records each `POST {to, text, tenantKey}` (JSON) and answers 200 `{ok: true}`. */
export async function startSmsCapture(options: StandInOptions = {}): Promise<SmsGatewayFake> {
  return startFake(
    options,
    "/sms",
    async (req, res, url, accept) => {
      if (req.method !== "POST" || url.pathname !== "/sms") return sendJson(res, 404, { error: "not found" });
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) return sendJson(res, 415, { error: "expected JSON" });
      let body: { to?: unknown; text?: unknown; tenantKey?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return sendJson(res, 400, { error: "body is not JSON" });
      }
      if (typeof body.to !== "string" || typeof body.text !== "string" || typeof body.tenantKey !== "string") {
        return sendJson(res, 400, { error: "to, text and tenantKey are required strings" });
      }
      accept({ to: body.to, text: body.text, tenantKey: body.tenantKey });
      sendJson(res, 200, { ok: true });
    },
    (mode, res) =>
      mode === "refuse" ? sendJson(res, 422, { error: "number refused by the gateway" }) : sendJson(res, 503, { error: "gateway down" }),
  );
}

/** Twilio's error shape (https://www.twilio.com/docs/api/errors). */
function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/**
 * TWILIO_API_URL: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with basic auth
 * AccountSid:AuthToken and form fields To, From (or MessagingServiceSid), Body; 201 with the
 * Message resource, or Twilio's `{code, message, more_info, status}`.
 */
export async function startTwilioFake(
  account: { accountSid: string; authToken: string },
  options: StandInOptions = {},
): Promise<SmsGatewayFake> {
  const expected = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`;
  return startFake(
    options,
    "",
    async (req, res, url, accept) => {
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
      if (req.method !== "POST" || !match) return twilioError(res, 404, 20404, "The requested resource was not found");
      const auth = req.headers.authorization ?? "";
      const sid = decodeURIComponent(match[1] ?? "");
      if (auth.length !== expected.length || !timingSafeEqual(Buffer.from(auth), Buffer.from(expected)) || sid !== account.accountSid) {
        return twilioError(res, 401, 20003, "Authenticate");
      }
      if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")) {
        return twilioError(res, 400, 21601, "Unsupported content type");
      }
      const form = await readForm(req);
      const to = form.get("To");
      const from = form.get("From") ?? form.get("MessagingServiceSid");
      const body = form.get("Body");
      if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (!body) return twilioError(res, 400, 21602, "Message body is required.");
      if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      accept({ to, text: body, from });
      const messageSid = `SM${randomBytes(16).toString("hex")}`;
      const now = new Date().toUTCString().replace("GMT", "+0000");
      sendJson(res, 201, {
        account_sid: account.accountSid,
        api_version: "2010-04-01",
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: "outbound-api",
        error_code: null,
        error_message: null,
        from: form.get("From"),
        messaging_service_sid: form.get("MessagingServiceSid"),
        num_media: "0",
        num_segments: "1",
        price: null,
        price_unit: "USD",
        sid: messageSid,
        status: "queued",
        subresource_uris: { media: `/2010-04-01/Accounts/${account.accountSid}/Messages/${messageSid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${account.accountSid}/Messages/${messageSid}.json`,
      });
    },
    (mode, res) =>
      mode === "refuse"
        ? twilioError(res, 400, 21610, "Attempt to send to unsubscribed recipient")
        : twilioError(res, 500, 20500, "An internal server error has occurred"),
  );
}

/** Solapi's error shape. */
function solapiError(res: ServerResponse, status: number, errorCode: string, errorMessage: string): void {
  sendJson(res, status, { errorCode, errorMessage });
}

/** Solapi refuses a signature whose date is further than this from its clock. */
const SOLAPI_DATE_SKEW_MS = 15 * 60 * 1000;

/**
 * SOLAPI_API_URL: `POST /messages/v4/send` with `Authorization: HMAC-SHA256 apiKey=…, date=…,
 * salt=…, signature=…` (hex HMAC-SHA256 of date + salt under the API secret; a stale date or a
 * salt used before is refused) and `{message: {to, from, text, country?}}`; 200 with the accepted
 * message, or `{errorCode, errorMessage}`.
 */
export async function startSolapiFake(
  account: { apiKey: string; apiSecret: string },
  options: StandInOptions = {},
): Promise<SmsGatewayFake> {
  const usedSalts = new Set<string>();
  return startFake(
    options,
    "",
    async (req, res, url, accept) => {
      if (req.method !== "POST" || url.pathname !== "/messages/v4/send") return solapiError(res, 404, "NotFound", "Not found");
      const header = /^HMAC-SHA256 (.+)$/.exec(req.headers.authorization ?? "");
      const fields = new Map(
        (header?.[1] ?? "").split(",").map((part) => {
          const [name = "", ...rest] = part.trim().split("=");
          return [name, rest.join("=")] as const;
        }),
      );
      const apiKey = fields.get("apiKey");
      const date = fields.get("date") ?? "";
      const salt = fields.get("salt") ?? "";
      const signature = fields.get("signature") ?? "";
      if (!header || !apiKey || !date || !salt || !signature) {
        return solapiError(res, 401, "InvalidAuthorization", "Authorization header is missing or malformed");
      }
      if (apiKey !== account.apiKey) return solapiError(res, 403, "InvalidAPIKey", "Invalid API Key");
      const at = Date.parse(date);
      if (Number.isNaN(at) || Math.abs(Date.now() - at) > SOLAPI_DATE_SKEW_MS) {
        return solapiError(res, 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large");
      }
      const wanted = createHmac("sha256", account.apiSecret)
        .update(date + salt)
        .digest("hex");
      if (signature.length !== wanted.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(wanted))) {
        return solapiError(res, 403, "SignatureDoesNotMatch", "Signature does not match");
      }
      if (usedSalts.has(salt)) return solapiError(res, 403, "DuplicatedSignature", "Duplicated signature (salt used before)");
      usedSalts.add(salt);
      let body: { message?: { to?: unknown; from?: unknown; text?: unknown; country?: unknown } };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return solapiError(res, 400, "ValidationError", "Request body is not valid JSON");
      }
      const message = body.message ?? {};
      const { to, from, text, country } = message;
      if (typeof to !== "string" || !/^\d{7,15}$/.test(to))
        return solapiError(res, 400, "ValidationError", "message.to must be a phone number (digits)");
      if (typeof from !== "string" || !/^\d{7,15}$/.test(from))
        return solapiError(res, 400, "ValidationError", "message.from must be a registered sender number");
      if (typeof text !== "string" || !text) return solapiError(res, 400, "ValidationError", "message.text is required");
      if (country !== undefined && (typeof country !== "string" || !/^\d{1,3}$/.test(country))) {
        return solapiError(res, 400, "ValidationError", "message.country must be a calling code");
      }
      accept({ to, from, text, ...(country === undefined ? {} : { country }) });
      sendJson(res, 200, {
        groupId: `G4V${randomBytes(10).toString("hex").toUpperCase()}`,
        to,
        from,
        type: "SMS",
        statusMessage: "정상 접수(이통사로 접수 예정) ",
        country: country ?? "82",
        messageId: `M4V${randomBytes(10).toString("hex").toUpperCase()}`,
        statusCode: "2000",
        accountId: "stand-in",
      });
    },
    (mode, res) =>
      mode === "refuse"
        ? solapiError(res, 400, "InvalidPhoneNumber", "수신번호 형식이 올바르지 않습니다.")
        : solapiError(res, 500, "InternalError", "Internal server error"),
  );
}
