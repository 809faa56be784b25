import type { AuditAction } from "@gatehouse/contract";
import { getPrisma, type Prisma } from "@gatehouse/db";

/** The actions (the contract's, plus the ones Gatehouse adds) are listed in @gatehouse/contract. */
export type { AuditAction };

export interface Actor {
  type: "staff" | "user" | "system";
  id: string | null;
  label: string | null;
}

export const systemActor: Actor = { type: "system", id: null, label: "system" };

export interface AuditInput {
  actor: Actor;
  action: AuditAction;
  tenant?: { id: string; key: string } | null;
  /** What the action was done to, e.g. "user:alice", "tenant:acme", "staff:ops@example.com". */
  target?: string | null;
  ip?: string | null;
  details?: Prisma.InputJsonValue;
}

type Db = Pick<Prisma.TransactionClient, "auditEvent">;

/** Appends one audit event (inside the caller's transaction when one is given). */
export async function audit(input: AuditInput, db: Db = getPrisma()): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorLabel: input.actor.label,
      tenantId: input.tenant?.id ?? null,
      tenantKey: input.tenant?.key ?? null,
      action: input.action,
      target: input.target ?? null,
      ip: input.ip ?? null,
      details: input.details,
    },
  });
}
