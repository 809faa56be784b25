import type { Tenant, User } from "@gatehouse/db";
import { renderPasswordChangedEmail } from "@gatehouse/email";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";

/**
 * CONTRACT v2 "clientPasswordReset": after a reset and after a password change the user gets a
 * security notice by mail, when they have a verified address (an unverified one may not be
 * theirs). Sent after the change committed; the change stands whether or not the mail goes out,
 * so a failure is logged (without the address) and never answered.
 */
export async function notifyPasswordChanged(
  tenant: Pick<Tenant, "key" | "name" | "locale">,
  user: Pick<User, "userId" | "verifiedEmail">,
  how: "reset" | "changed",
  changedAt: Date,
): Promise<void> {
  if (!user.verifiedEmail) return;
  try {
    const mail = await renderPasswordChangedEmail({ locale: tenant.locale, tenantName: tenant.name, userId: user.userId, how, changedAt });
    await getMailer().send({ to: user.verifiedEmail, ...mail });
  } catch (error) {
    getLogger().warn(
      { err: error instanceof Error ? error.message : String(error), tenantKey: tenant.key, how },
      "password-changed notice not sent",
    );
  }
}
