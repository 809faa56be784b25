import type { Tenant } from "@gatehouse/db";
import type { RenderedEmail } from "@gatehouse/email";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";
import type { SmsMessage } from "../lib/sms";
import { releaseSmsSend, type SmsSend } from "../policy/otp-limiter";
import { recordSent } from "./message-stats";
import { sendSms } from "./sms";

/**
 * Hands a reset message over for delivery without the answer waiting for it. INTERIM: delivered
 * in the background of this process until services/outbox.ts (the durable outbox) lands.
 */
export async function enqueueResetMail(tenant: Tenant, mail: RenderedEmail & { to: string }): Promise<void> {
  void getMailer()
    .send(mail)
    .then(() => recordSent(tenant.id, "codeMail"))
    .catch((error: unknown) => getLogger().warn({ err: String(error), tenantKey: tenant.key }, "reset mail not delivered"));
}

export async function enqueueResetSms(tenant: Tenant, message: SmsMessage, send: SmsSend): Promise<void> {
  void sendSms(message, tenant.id).catch(() => releaseSmsSend(send).catch(() => undefined));
}
