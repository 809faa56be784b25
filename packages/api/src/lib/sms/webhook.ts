import { callGateway } from "./outbound";
import { SmsDeliveryError, type SmsSender } from "./sender";

/** SMS_URL=http(s)://…: a JSON `POST {to, text, tenantKey}` to the operator's gateway; any 2xx is delivered. */
export function createWebhookSmsSender(url: string, timeoutMs: number): SmsSender {
  return {
    kind: "webhook",
    async send(message) {
      const { status } = await callGateway(
        "the SMS webhook",
        url,
        {
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ to: message.to, text: message.text, tenantKey: message.tenantKey }),
        },
        timeoutMs,
      );
      if (status < 200 || status > 299) throw new SmsDeliveryError("refused", `the SMS webhook answered ${status}`);
    },
  };
}
