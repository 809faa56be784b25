import { getPrisma, type Tenant, type User } from "@gatehouse/db";
import { renderPasswordChangedEmail } from "@gatehouse/email";
import { getLogger } from "../lib/log";
import { deliverSoon, enqueue } from "./outbox";

/**
 * CONTRACT v2 "clientPasswordReset": after a reset and after a password change the user gets a
 * security notice by mail, when they have a verified address (an unverified one may not be
 * theirs). Handed to the outbox after the change committed (delivered at once, retried in the
 * background, so the answer never waits for the mail server); the change stands whether or not
 * the mail goes out, so a failure is logged (without the address) and never answered.
 */
export async function notifyPasswordChanged(
  tenant: Pick<Tenant, "id" | "key" | "name" | "locale">,
  user: Pick<User, "userId" | "verifiedEmail">,
  how: "reset" | "changed",
  changedAt: Date,
): Promise<void> {
  if (!user.verifiedEmail) return;
  try {
    const mail = await renderPasswordChangedEmail({ locale: tenant.locale, tenantName: tenant.name, userId: user.userId, how, changedAt });
    const id = await enqueue(getPrisma(), {
      tenantId: tenant.id,
      channel: "email",
      purpose: "securityNotice",
      payload: { to: user.verifiedEmail, ...mail },
    });
    deliverSoon(id);
  } catch (error) {
    getLogger().warn(
      { err: error instanceof Error ? error.message : String(error), tenantKey: tenant.key, how },
      "password-changed notice not sent",
    );
  }
}
