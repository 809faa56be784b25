import type { AuditAction } from "@gatehouse/contract";
import type { Prisma } from "@gatehouse/db";

/** The actions (the contract's, plus the ones Gatehouse adds) are listed in @gatehouse/contract. */
export type { AuditAction };

/** The database an audit event is written to: the caller's transaction, or the client. */
type AuditDb = Pick<Prisma.TransactionClient, "auditEvent">;

/** What an action was done to, written `<kind>:<name>`, e.g. "user:alice", "tenant:acme". */
type AuditTarget = { user: string } | { session: string } | { tenant: string } | { staff: string } | { signingKey: string };

/** An end user as the log names them: the internal id (null for an account that does not exist) and the userId. */
interface AuditedUser {
  id: string | null;
  userId: string;
}

/** A staff member acting (id null: an unknown email at sign-in), and the request's IP. */
interface AuditedStaff {
  staff: { id: string | null; email: string };
  ip: string;
}

type TenantRef = { id: string; key: string };
type Details = Prisma.InputJsonValue;

/**
 * An end user did something (or failed to, for `user.signInFailed`). The target is the user
 * unless another is named (a session).
 */
export async function auditUserAction(
  db: AuditDb,
  user: AuditedUser,
  action: AuditAction,
  event: { tenant: TenantRef; ip: string; target?: AuditTarget; details?: Details },
): Promise<void> {
  await append(db, {
    actor: { type: "user", id: user.id, label: user.userId },
    action,
    tenant: event.tenant,
    target: event.target ?? { user: user.userId },
    ip: event.ip,
    details: event.details,
  });
}

/** A BackOffice staff member did something, from the request's IP. */
export async function auditStaffAction(
  db: AuditDb,
  caller: AuditedStaff,
  action: AuditAction,
  event: { target: AuditTarget; tenant?: TenantRef; details?: Details },
): Promise<void> {
  await append(db, {
    actor: { type: "staff", id: caller.staff.id, label: caller.staff.email },
    action,
    tenant: event.tenant,
    target: event.target,
    ip: caller.ip,
    details: event.details,
  });
}

/** Gatehouse itself did something (a start-up bootstrap, a command-line tool). */
export async function auditSystemAction(
  db: AuditDb,
  action: AuditAction,
  event: { target: AuditTarget; details?: Details },
): Promise<void> {
  await append(db, { actor: { type: "system", id: null, label: "system" }, action, target: event.target, details: event.details });
}

function targetText(target: AuditTarget): string {
  if ("user" in target) return `user:${target.user}`;
  if ("session" in target) return `session:${target.session}`;
  if ("tenant" in target) return `tenant:${target.tenant}`;
  if ("staff" in target) return `staff:${target.staff}`;
  return `signingKey:${target.signingKey}`;
}

/** Appends one event (the log is append-only). */
async function append(
  db: AuditDb,
  event: {
    actor: { type: "staff" | "user" | "system"; id: string | null; label: string };
    action: AuditAction;
    tenant?: TenantRef | undefined;
    target: AuditTarget;
    ip?: string | undefined;
    details?: Details | undefined;
  },
): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorType: event.actor.type,
      actorId: event.actor.id,
      actorLabel: event.actor.label,
      tenantId: event.tenant?.id ?? null,
      tenantKey: event.tenant?.key ?? null,
      action: event.action,
      target: targetText(event.target),
      ip: event.ip ?? null,
      details: event.details,
    },
  });
}
