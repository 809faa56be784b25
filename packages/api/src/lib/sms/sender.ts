/**
 * CONTRACT v2 "SMS delivery": the one small interface every way of sending a text goes through
 * (dev files, a JSON webhook, Twilio, Solapi). Which one runs is SMS_URL's choice
 * (`lib/sms/index.ts`, `getSmsSender()`); none configured in production means the SMS procedures
 * answer 400 auth/MethodNotEnabled while everything else runs.
 */

export interface SmsMessage {
  /** E.164. */
  to: string;
  /** The whole text; a code in it is its only run of 6 digits. */
  text: string;
  tenantKey: string;
}

/**
 * A message not delivered: `refused` (the gateway answered and said no: 4xx, an error body),
 * `unreachable` (no answer, a 5xx, or OUTBOUND_TIMEOUT_MS passed). `message` is for the log and
 * never holds the text, the number in full or a credential.
 */
export class SmsDeliveryError extends Error {
  override name = "SmsDeliveryError";
  constructor(
    readonly kind: "refused" | "unreachable",
    message: string,
  ) {
    super(message);
  }
}

export interface SmsSender {
  /** For logs and the dev banner: "files", "webhook", "twilio", "solapi". */
  readonly kind: string;
  /** Resolves when the gateway took the message; throws SmsDeliveryError otherwise. */
  send(message: SmsMessage): Promise<void>;
}
