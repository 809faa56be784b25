import { getLogger } from "../lib/log";
import { getSmsSender, maskPhone, SmsDeliveryError, type SmsMessage } from "../lib/sms";
import { recordSent } from "./message-stats";

/**
 * Every text Gatehouse sends goes through here (phone verification synchronously, password reset
 * through the outbox): the configured sender, the tenant's SMS count for `tenants.stats`, and a
 * log line on failure that names the gateway and a masked number, never the text.
 */

/** False when this deployment has no SMS (production without SMS_URL): the SMS procedures answer 400 auth/MethodNotEnabled. */
export function smsEnabled(): boolean {
  return getSmsSender() !== null;
}

/** Sends and counts one text; throws SmsDeliveryError (already logged) when it was not delivered. */
export async function sendSms(message: SmsMessage, tenantId: string): Promise<void> {
  const sender = getSmsSender();
  if (!sender) throw new SmsDeliveryError("refused", "SMS is not configured on this deployment");
  try {
    await sender.send(message);
  } catch (error) {
    const reason = error instanceof SmsDeliveryError ? error : new SmsDeliveryError("unreachable", "the SMS sender failed");
    getLogger().warn({ gateway: sender.kind, to: maskPhone(message.to), kind: reason.kind, reason: reason.message }, "sms not delivered");
    throw reason;
  }
  await recordSent(tenantId, "sms");
}
