import { getPrisma, isUniqueViolation, type StaffRole } from "@gatehouse/db";
import { appError, invalidField } from "../../errors";
import { checkSpendingAttempt, hashPassword, verifyPassword } from "../../lib/password-hasher";
import { assertPasswordAllowed, normalizePassword } from "../../policy/password-policy";
import { takeSignInAttempt } from "../../policy/sign-in-budget";
import { staffSessionCookie } from "../../staff/auth";
import { openStaffSession, revokeStaffSessions } from "../../staff/sessions";
import { auditStaffAction } from "../audit";
import { toStaffDto, type StaffDto } from "../dto";
import type { StaffCaller } from "./caller";
import { createdOrder } from "./pagination";

export async function listStaff(): Promise<{ items: StaffDto[] }> {
  const rows = await getPrisma().staffUser.findMany({ orderBy: createdOrder });
  return { items: rows.map(toStaffDto) };
}

export async function createStaff(caller: StaffCaller, input: { email: string; password: string; role: StaffRole }): Promise<StaffDto> {
  assertPasswordAllowed(input.password, { email: input.email });
  const prisma = getPrisma();
  if (await prisma.staffUser.findUnique({ where: { email: input.email }, select: { id: true } })) throw appError("staff/EmailDuplicated");
  const passwordHash = await hashPassword(input.password);
  try {
    const staff = await prisma.$transaction(async (tx) => {
      const created = await tx.staffUser.create({ data: { email: input.email, passwordHash, role: input.role } });
      await auditStaffAction(tx, caller, "staff.created", { target: { staff: created.email }, details: { role: created.role } });
      return created;
    });
    return toStaffDto(staff);
  } catch (error) {
    if (isUniqueViolation(error)) throw appError("staff/EmailDuplicated");
    throw error;
  }
}

/**
 * Changes a staff member's role or enabled state; it takes effect on their next call (the
 * session re-reads the row). Disabling also ends their existing sessions for good (re-enabling
 * does not revive them). At least one enabled admin always remains: the enabled admins are
 * locked for the check, so two admins disabling each other at once cannot both succeed.
 */
export async function updateStaff(
  caller: StaffCaller,
  input: { email: string; role?: StaffRole | undefined; disabled?: boolean | undefined },
): Promise<StaffDto> {
  const staff = await getPrisma().$transaction(async (tx) => {
    const enabledAdmins = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "StaffUser" WHERE "role" = 'admin' AND "disabledAt" IS NULL FOR UPDATE`;
    const current = await tx.staffUser.findUnique({ where: { email: input.email } });
    if (!current) throw appError("staff/NotFound");

    const role = input.role ?? current.role;
    const disable = input.disabled === true && !current.disabledAt;
    const enable = input.disabled === false && current.disabledAt !== null;
    const disabledAfter = input.disabled ?? current.disabledAt !== null;
    const stillEnabledAdmin = role === "admin" && !disabledAfter;
    const wasEnabledAdmin = current.role === "admin" && !current.disabledAt;
    if (wasEnabledAdmin && !stillEnabledAdmin && enabledAdmins.length <= 1) {
      throw appError("validation/Invalid", {
        message: "At least one enabled admin must remain: make another staff member an admin first.",
        issues: [{ path: [input.disabled === true ? "disabled" : "role"], message: "This is the last enabled admin." }],
      });
    }

    const now = new Date();
    const updated = await tx.staffUser.update({
      where: { id: current.id },
      data: {
        role,
        // The version bump ends every session, and refuses any sign-in in flight (staff/sessions.ts).
        ...(disable ? { disabledAt: now, credentialsVersion: { increment: 1 } } : {}),
        ...(enable ? { disabledAt: null } : {}),
      },
    });
    if (disable) await revokeStaffSessions(current.id, "disabled", tx);
    await auditStaffAction(tx, caller, "staff.updated", {
      target: { staff: updated.email },
      details: {
        ...(input.role !== undefined ? { role: { from: current.role, to: updated.role } } : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      },
    });
    return updated;
  });
  return toStaffDto(staff);
}

/**
 * A staff member changes their own password. A wrong current password is a 401 counted against
 * the staff account's sign-in budget (so the form cannot be used to guess faster than sign-in),
 * audited as what it is, `staff.passwordChangeFailed`, not as a sign-in. Every session issued
 * before the change ends (the version bump also refuses sign-ins still checking the old password);
 * the caller gets a new session, opened under the new version: `cookie` is its Set-Cookie value.
 */
export async function changeStaffPassword(
  caller: StaffCaller,
  input: { currentPassword: string; newPassword: string },
): Promise<{ cookie: string }> {
  const prisma = getPrisma();
  const staff = await prisma.staffUser.findUniqueOrThrow({ where: { id: caller.staff.id } });
  const who = { scope: "staff", account: staff.email };
  const attempt = await takeSignInAttempt(who, caller.ip);
  if (!(await checkSpendingAttempt(attempt, () => verifyPassword(input.currentPassword, staff.passwordHash)))) {
    await auditStaffAction(prisma, caller, "staff.passwordChangeFailed", {
      target: { staff: staff.email },
      details: { reason: "wrong_current_password" },
    });
    throw appError("auth/InvalidCredentials");
  }
  await attempt.refund();
  if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword))
    throw invalidField("newPassword", "The new password must differ from the current one.");
  assertPasswordAllowed(input.newPassword, { email: staff.email }, "newPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const renewed = await prisma.$transaction(async (tx) => {
    const changed = await tx.staffUser.update({
      where: { id: staff.id },
      data: { passwordHash, passwordChangedAt: new Date(), credentialsVersion: { increment: 1 } },
    });
    await revokeStaffSessions(staff.id, "password_changed", tx);
    const session = await openStaffSession(changed, tx);
    await auditStaffAction(tx, caller, "staff.passwordChanged", { target: { staff: staff.email } });
    return session;
  });
  return { cookie: await staffSessionCookie(staff, renewed) };
}
