import { getPrisma, type AuditEvent } from "@gatehouse/db";
import { decodeIdCursor, encodeIdCursor, toPage, type Page } from "./pagination";

/** The contract's `AuditEvent`; the BigInt id leaves as a string. */
export interface AuditEventDto {
  id: string;
  at: string;
  actor: { type: "staff" | "user" | "system"; id: string | null; label: string | null };
  tenantKey: string | null;
  action: string;
  target: string | null;
  ip: string | null;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id.toString(),
    at: event.at.toISOString(),
    actor: { type: event.actorType, id: event.actorId, label: event.actorLabel },
    tenantKey: event.tenantKey,
    action: event.action,
    target: event.target,
    ip: event.ip,
  };
}

/** Newest first (id desc: the insertion order), optionally for one tenant and/or one action. */
export async function listAuditEvents(input: {
  tenantKey?: string | undefined;
  action?: string | undefined;
  cursor?: string | null | undefined;
  limit: number;
}): Promise<Page<AuditEventDto>> {
  const rows = await getPrisma().auditEvent.findMany({
    where: {
      ...(input.tenantKey ? { tenantKey: input.tenantKey } : {}),
      ...(input.action ? { action: input.action } : {}),
      ...(input.cursor ? { id: { lt: decodeIdCursor(input.cursor) } } : {}),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, (row) => encodeIdCursor(row.id), toAuditEventDto);
}
