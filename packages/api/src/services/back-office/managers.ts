import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { renderManagerInvitationEmail } from "@gatehouse/email";
import { appError } from "../../errors";
import { getLogger } from "../../lib/log";
import { getMailer } from "../../lib/mailer";
import { hashPassword } from "../../lib/password-hasher";
import { auditStaffAction } from "../audit";
import { toUserDto, type UserDto } from "../dto";
import { findLiveTenant } from "../tenants";
import type { StaffCaller } from "./caller";
import { generateTemporaryPassword } from "./temporary-password";

export interface IssueManagerInput {
  tenantKey: string;
  userId: string;
  displayName: string;
  email?: string | undefined;
  includePasswordInEmail: boolean;
}

/**
 * Issues a manager account (CONTRACT "Admin-issued managers": role=manager,
 * source=admin_issued, mustChangePassword=true) with a temporary password that is returned once
 * and stored only hashed. With an email, an invitation goes out in the tenant's locale; the
 * password is in it only when asked for.
 *
 * The tenant's email-domain policy is NOT applied: it governs self sign-up, while an
 * administrator deliberately issuing an account (e.g. to a contractor's address) is trusted.
 *
 * The mail is sent after the account is created; if it cannot be sent, the account is removed
 * again and the answer is 503, so no half-issued account remains.
 */
export async function issueManagerAccount(
  caller: StaffCaller,
  input: IssueManagerInput,
): Promise<{ user: UserDto; temporaryPassword: string }> {
  const prisma = getPrisma();
  const tenant = await findLiveTenant(prisma, input.tenantKey);
  const taken = await prisma.user.findUnique({
    where: { tenantId_userId: { tenantId: tenant.id, userId: input.userId } },
    select: { id: true },
  });
  if (taken) throw appError("user/UserIdDuplicated");

  const temporaryPassword = generateTemporaryPassword({ userId: input.userId, email: input.email });
  const passwordHash = await hashPassword(temporaryPassword);
  let user;
  try {
    user = await prisma.user.create({
      data: {
        tenantId: tenant.id,
        userId: input.userId,
        displayName: input.displayName,
        email: input.email ?? null,
        passwordHash,
        role: "manager",
        source: "admin_issued",
        mustChangePassword: true,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw appError("user/UserIdDuplicated");
    throw error;
  }

  if (input.email) {
    try {
      const mail = await renderManagerInvitationEmail({
        locale: tenant.locale,
        tenantName: tenant.name,
        tenantKey: tenant.key,
        userId: user.userId,
        displayName: user.displayName,
        appUrl: tenant.appUrl,
        temporaryPassword: input.includePasswordInEmail ? temporaryPassword : undefined,
      });
      await getMailer().send({ to: input.email, ...mail });
    } catch (error) {
      await prisma.user.delete({ where: { id: user.id } }).catch((cleanupError: unknown) => {
        getLogger().error({ err: cleanupError, userId: user.id }, "could not remove a manager whose invitation failed");
      });
      throw error;
    }
  }

  await auditStaffAction(prisma, caller, "manager.issued", {
    tenant,
    target: { user: user.userId },
    details: { emailSent: Boolean(input.email), passwordInEmail: Boolean(input.email) && input.includePasswordInEmail },
  });
  return { user: toUserDto(user, tenant.key), temporaryPassword };
}
