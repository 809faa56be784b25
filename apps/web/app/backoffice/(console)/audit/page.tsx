import type { Metadata } from "next";
import { AUDIT_ACTION_FILTER_MAX_LENGTH, auditActions, isAuditAction } from "@gatehouse/contract";
import Link from "next/link";
import { AuditTable } from "#components/audit-table";
import { EmptyState, PageHeader, Pagination } from "#components/ui";
import { auditActionLabels } from "#lib/audit-actions";
import { readPageState } from "#lib/pagination";
import { loadFromApi } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";
import { isTenantKey } from "#lib/validation";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const PAGE_SIZE = 25;

export default async function AuditLogPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireStaff();
  const timeZone = await staffTimeZone();
  const tenantInput = typeof params.tenant === "string" ? params.tenant.trim().toLowerCase() : "";
  const action = typeof params.action === "string" ? params.action.trim().slice(0, AUDIT_ACTION_FILTER_MAX_LENGTH) : "";
  const tenantInvalid = tenantInput !== "" && !isTenantKey(tenantInput);
  const tenantKey = tenantInvalid ? "" : tenantInput;
  const page = readPageState(params);
  const [events, tenants] = await loadFromApi((api) =>
    Promise.all([
      tenantInvalid
        ? Promise.resolve({ items: [], nextCursor: null })
        : api.auditLog.list({ tenantKey: tenantKey || undefined, action: action || undefined, cursor: page.cursor, limit: PAGE_SIZE }),
      api.tenants.list({ includeDeleted: true, limit: 100 }),
    ]),
  );
  const filters = { tenant: tenantInput || undefined, action: action || undefined };
  const knownAction = action === "" || isAuditAction(action);

  return (
    <>
      <PageHeader title="Audit log" description={`Everything staff and users did, newest first. Times are in ${timeZone}.`} />
      <form action="/backoffice/audit" method="get" className="toolbar" aria-label="Filter the audit log">
        <div className="toolbar-field">
          <label htmlFor="audit-tenant">Tenant</label>
          <input
            id="audit-tenant"
            name="tenant"
            list="audit-tenant-keys"
            defaultValue={tenantInput}
            placeholder="All tenants"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            aria-invalid={tenantInvalid || undefined}
            aria-describedby={tenantInvalid ? "audit-tenant-error" : undefined}
          />
          <datalist id="audit-tenant-keys">
            {tenants.items.map((tenant) => (
              <option key={tenant.id} value={tenant.key}>
                {tenant.name}
              </option>
            ))}
          </datalist>
          {tenantInvalid ? (
            <p id="audit-tenant-error" className="field-error">
              A tenant key has 2-32 lower-case letters, digits or hyphens.
            </p>
          ) : null}
        </div>
        <div className="toolbar-field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={action}>
            <option value="">All actions</option>
            {!knownAction ? <option value={action}>{action}</option> : null}
            {auditActions.map((name) => (
              <option key={name} value={name}>
                {auditActionLabels[name]}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-buttons">
          <button type="submit" className="btn btn-secondary">
            Apply filters
          </button>
          {tenantInput || action ? (
            <Link href="/backoffice/audit" className="btn btn-ghost">
              Clear
            </Link>
          ) : null}
        </div>
      </form>
      {events.items.length === 0 ? (
        <EmptyState title={tenantInput || action ? "No events match these filters" : "No events yet"}>
          {tenantInput || action ? "Try another tenant or action, or clear the filters." : undefined}
        </EmptyState>
      ) : (
        <AuditTable events={events.items} timeZone={timeZone} caption="Audit events" />
      )}
      <Pagination label="Audit log pages" path="/backoffice/audit" filters={filters} page={page} nextCursor={events.nextCursor} />
    </>
  );
}
