import { callGateway, gatewayWords } from "./outbound";
import { SmsDeliveryError, type SmsSender } from "./sender";

/**
 * SMS_URL=twilio://<AccountSid>:<AuthToken>@<from>: Twilio's Messages API on fetch (its SDK is
 * tens of MB). `POST {TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json`, form fields
 * To/From/Body (MessagingServiceSid instead of From when the sender is an `MG…` service), basic
 * auth. 201 is queued; errors are `{code, message, more_info, status}`.
 */
export function createTwilioSmsSender(
  gateway: { accountSid: string; authToken: string; from: string },
  apiUrl: string,
  timeoutMs: number,
): SmsSender {
  const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(gateway.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${gateway.accountSid}:${gateway.authToken}`).toString("base64")}`;
  const sender: [string, string] = /^MG[0-9a-f]{32}$/i.test(gateway.from) ? ["MessagingServiceSid", gateway.from] : ["From", gateway.from];
  return {
    kind: "twilio",
    async send(message) {
      const { status, body } = await callGateway(
        "Twilio",
        url,
        {
          headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: new URLSearchParams([["To", message.to], sender, ["Body", message.text]]).toString(),
        },
        timeoutMs,
      );
      if (status >= 200 && status <= 299) return;
      const error = (body ?? {}) as { code?: unknown; message?: unknown };
      const words = [gatewayWords(error.code), gatewayWords(error.message)].filter(Boolean).join(" ");
      throw new SmsDeliveryError("refused", `Twilio answered ${status}${words ? `: ${words}` : ""}`);
    },
  };
}
