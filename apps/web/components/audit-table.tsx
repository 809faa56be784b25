import Link from "next/link";
import { auditActionLabel } from "../lib/audit-actions";
import { Badge, Time } from "./ui";

export interface AuditEventView {
  id: string;
  at: string;
  actor: { type: "staff" | "user" | "system"; id: string | null; label: string | null };
  tenantKey: string | null;
  action: string;
  target: string | null;
  ip: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Actor({ actor }: { actor: AuditEventView["actor"] }) {
  if (actor.type === "system") return <span className="muted">System</span>;
  return (
    <span className="stack">
      <span>{actor.label ?? "Unknown"}</span>
      <span className="muted small">{actor.type === "staff" ? "Staff" : "End user"}</span>
    </span>
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
      if (uuidPattern.test(name)) return <span>Deleted user <span className="muted small">(id {name.slice(0, 8)}…)</span></span>;
      return (
        <span className="stack">
          {tenantKey ? <Link href={`/backoffice/tenants/${encodeURIComponent(tenantKey)}/users/${encodeURIComponent(name)}`}>{name}</Link> : <span>{name}</span>}
          <span className="muted small">User</span>
        </span>
      );
    case "tenant":
      return (
        <span className="stack">
          <Link href={`/backoffice/tenants/${encodeURIComponent(name)}`}>{name}</Link>
          <span className="muted small">Tenant</span>
        </span>
      );
    case "staff":
      return (
        <span className="stack">
          <span>{name}</span>
          <span className="muted small">Staff</span>
        </span>
      );
    case "session":
      return (
        <span className="stack">
          <span>Session {name.slice(0, 8)}…</span>
          <span className="muted small">Session</span>
        </span>
      );
    case "signingKey":
      return (
        <span className="stack">
          <span className="mono">{name}</span>
          <span className="muted small">Signing key</span>
        </span>
      );
    default:
      return <span>{target}</span>;
  }
}

const dangerActions = new Set(["tenant.deleted", "user.deleted", "user.suspended", "user.signInFailed", "staff.signInFailed", "session.reuseDetected"]);
const successActions = new Set(["tenant.created", "tenant.restored", "manager.issued", "user.signedUp", "user.unsuspended", "staff.created"]);
const actionTone = (action: string) => (dangerActions.has(action) ? "danger" : successActions.has(action) ? "success" : "neutral");

export function AuditTable({ events, timeZone, caption }: { events: AuditEventView[]; timeZone: string; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">Tenant</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-action={event.action}>
              <td className="nowrap">
                <Time iso={event.at} timeZone={timeZone} />
              </td>
              <td>
                <span className="stack">
                  <Badge tone={actionTone(event.action)}>{auditActionLabel(event.action)}</Badge>
                  <span className="mono small muted">{event.action}</span>
                </span>
              </td>
              <td>
                <Actor actor={event.actor} />
              </td>
              <td>
                <Target target={event.target} tenantKey={event.tenantKey} />
              </td>
              <td>{event.tenantKey ? <Link href={`/backoffice/tenants/${encodeURIComponent(event.tenantKey)}`}>{event.tenantKey}</Link> : <span className="muted">—</span>}</td>
              <td className="mono small">{event.ip ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
