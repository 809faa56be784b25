import { getPrisma } from "@gatehouse/db";
import { toAuditEventDto, type AuditEventDto } from "../dto";
import { decodeIdCursor, encodeIdCursor, toPage, type Page } from "./pagination";

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
