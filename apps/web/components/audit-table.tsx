import Link from "next/link";
import { auditActionLabel } from "../lib/audit-actions";
import type { BackOfficeApi } from "../lib/server/api";
import { Annotated, Badge, DataTable, IpAddress, Time } from "./ui";

/** One event as the audit log lists it (the contract's `AuditEvent`). */
export type AuditEventView = Awaited<ReturnType<BackOfficeApi["auditLog"]["list"]>>["items"][number];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Actor({ actor }: { actor: AuditEventView["actor"] }) {
  if (actor.type === "system") return <span className="muted">System</span>;
  return (
    <Annotated note={actor.type === "staff" ? "Staff" : "End user"}>
      <span>{actor.label ?? "Unknown"}</span>
    </Annotated>
  );
}

/** "user:alice" → a link to alice in the event's tenant; "tenant:acme" → the tenant; and so on. */
function Target({ target, tenantKey }: { target: string | null; tenantKey: string | null }) {
  if (!target) return <span className="muted">—</span>;
  const colon = target.indexOf(":");
  const kind = colon > 0 ? target.slice(0, colon) : "";
  const name = colon > 0 ? target.slice(colon + 1) : target;
  switch (kind) {
    case "user":
      if (uuidPattern.test(name))
        return (
          <span>
            Deleted user <span className="muted small">(id {name.slice(0, 8)}…)</span>
          </span>
        );
      return (
        <Annotated note="User">
          {tenantKey ? (
            <Link href={`/backoffice/tenants/${encodeURIComponent(tenantKey)}/users/${encodeURIComponent(name)}`}>{name}</Link>
          ) : (
            <span>{name}</span>
          )}
        </Annotated>
      );
    case "tenant":
      return (
        <Annotated note="Tenant">
          <Link href={`/backoffice/tenants/${encodeURIComponent(name)}`}>{name}</Link>
        </Annotated>
      );
    case "staff":
      return (
        <Annotated note="Staff">
          <span>{name}</span>
        </Annotated>
      );
    case "session":
      return (
        <Annotated note="Session">
          <span>Session {name.slice(0, 8)}…</span>
        </Annotated>
      );
    case "signingKey":
      return (
        <Annotated note="Signing key">
          <span className="mono">{name}</span>
        </Annotated>
      );
    default:
      return <span>{target}</span>;
  }
}

const dangerActions = new Set([
  "tenant.deleted",
  "user.deleted",
  "user.suspended",
  "user.signInFailed",
  "staff.signInFailed",
  "staff.passwordChangeFailed",
  "session.reuseDetected",
]);
const successActions = new Set([
  "tenant.created",
  "tenant.restored",
  "manager.issued",
  "user.signedUp",
  "user.unsuspended",
  "staff.created",
]);
const actionTone = (action: string) => (dangerActions.has(action) ? "danger" : successActions.has(action) ? "success" : "neutral");

export function AuditTable({ events, timeZone, caption }: { events: AuditEventView[]; timeZone: string; caption: string }) {
  return (
    <DataTable caption={caption} columns={["When", "Action", "Actor", "Target", "Tenant", "IP"]} fit>
      {events.map((event) => (
        <tr key={event.id} data-action={event.action}>
          <td data-label="When">
            <Time iso={event.at} timeZone={timeZone} />
          </td>
          <td data-label="Action">
            <span className="stack">
              <Badge tone={actionTone(event.action)}>{auditActionLabel(event.action)}</Badge>
              <span className="mono small muted">{event.action}</span>
            </span>
          </td>
          <td className="col-wrap" data-label="Actor">
            <Actor actor={event.actor} />
          </td>
          <td className="col-wrap" data-label="Target">
            <Target target={event.target} tenantKey={event.tenantKey} />
          </td>
          <td data-label="Tenant">
            {event.tenantKey ? (
              <Link href={`/backoffice/tenants/${encodeURIComponent(event.tenantKey)}`}>{event.tenantKey}</Link>
            ) : (
              <span className="muted">—</span>
            )}
          </td>
          <td data-label="IP">
            <IpAddress ip={event.ip} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
