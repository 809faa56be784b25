import { createHmac, randomBytes } from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { callGateway, gatewayWords } from "./outbound";
import { SmsDeliveryError, type SmsSender } from "./sender";

/**
 * SMS_URL=solapi://<apiKey>:<apiSecret>@<from>: Solapi's message API on fetch, for Korean
 * senders. `POST {SOLAPI_API_URL}/messages/v4/send`, body `{message: {to, from, text}}`, header
 * `Authorization: HMAC-SHA256 apiKey=…, date=<ISO>, salt=<random>, signature=<hex
 * HMAC-SHA256(apiSecret, date + salt)>` (Solapi refuses a stale date or a reused salt). Errors are
 * `{errorCode, errorMessage}`. Korean numbers go in their national form (`01012345678`), others
 * as digits with `country` set to the calling code.
 */
export function solapiAuthorization(apiKey: string, apiSecret: string, date = new Date().toISOString()): string {
  const salt = randomBytes(16).toString("hex");
  const signature = createHmac("sha256", apiSecret)
    .update(date + salt)
    .digest("hex");
  return `HMAC-SHA256 apiKey=${apiKey}, date=${date}, salt=${salt}, signature=${signature}`;
}

/** E.164 → Solapi's `to` (and `country`, the calling code, when not Korea). */
function solapiRecipient(e164: string): { to: string; country?: string } {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return { to: e164.replace(/^\+/, "") };
  if (parsed.countryCallingCode === "82") return { to: `0${parsed.nationalNumber}` };
  return { to: parsed.nationalNumber, country: parsed.countryCallingCode };
}

export function createSolapiSmsSender(
  gateway: { apiKey: string; apiSecret: string; from: string },
  apiUrl: string,
  timeoutMs: number,
): SmsSender {
  const url = `${apiUrl}/messages/v4/send`;
  const from = gateway.from.replace(/^\+82/, "0").replace(/^\+/, "");
  return {
    kind: "solapi",
    async send(message) {
      const { status, body } = await callGateway(
        "Solapi",
        url,
        {
          headers: {
            authorization: solapiAuthorization(gateway.apiKey, gateway.apiSecret),
            "content-type": "application/json",
            accept: "application/json",
          },
          body: JSON.stringify({ message: { ...solapiRecipient(message.to), from, text: message.text } }),
        },
        timeoutMs,
      );
      const answer = (body ?? {}) as { errorCode?: unknown; errorMessage?: unknown };
      if (status >= 200 && status <= 299 && answer.errorCode === undefined) return;
      const words = [gatewayWords(answer.errorCode), gatewayWords(answer.errorMessage)].filter(Boolean).join(" ");
      throw new SmsDeliveryError("refused", `Solapi answered ${status}${words ? `: ${words}` : ""}`);
    },
  };
}
