import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "../../../components/audit-table";
import { EmptyState, PageHeader, Time } from "../../../components/ui";
import { loadFromApi } from "../../../lib/server/api";
import { requireStaff } from "../../../lib/server/staff";
import { staffTimeZone } from "../../../lib/server/time-zone";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const [tenants, events] = await loadFromApi((api) =>
    Promise.all([api.tenants.list({ limit: 5 }), api.auditLog.list({ limit: 8 })]),
  );
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Signed in as ${staff.email}. ${staff.isAdmin ? "As an admin you can change tenants, users and staff." : "As a viewer you can look at everything but change nothing."}`}
        actions={
          staff.isAdmin ? (
            <Link href="/backoffice/tenants/new" className="btn btn-primary">
              New tenant
            </Link>
          ) : null
        }
      />
      <div className="grid-2">
        <section className="card" aria-labelledby="recent-tenants">
          <div className="card-header">
            <h2 id="recent-tenants">Newest tenants</h2>
            <Link href="/backoffice/tenants">All tenants</Link>
          </div>
          {tenants.items.length === 0 ? (
            <EmptyState title="No tenants yet">A tenant is one product app with its own users.</EmptyState>
          ) : (
            <ul className="link-list">
              {tenants.items.map((tenant) => (
                <li key={tenant.id}>
                  <Link href={`/backoffice/tenants/${tenant.key}`}>{tenant.name}</Link>
                  <span className="muted small">
                    {tenant.key} · created <Time iso={tenant.createdAt} timeZone={timeZone} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="shortcuts">
          <div className="card-header">
            <h2 id="shortcuts">Common tasks</h2>
          </div>
          <ul className="link-list">
            <li>
              <Link href="/backoffice/users">Find a user</Link>
              <span className="muted small">Search a tenant&apos;s users and see their status and sessions.</span>
            </li>
            <li>
              <Link href="/backoffice/audit">Review the audit log</Link>
              <span className="muted small">Who did what, when, filtered by tenant and action.</span>
            </li>
            <li>
              <Link href="/backoffice/account">Change your password</Link>
              <span className="muted small">Your own staff account.</span>
            </li>
          </ul>
        </section>
      </div>
      <section className="section" aria-labelledby="recent-activity">
        <div className="section-header">
          <h2 id="recent-activity">Recent activity</h2>
          <Link href="/backoffice/audit">Open the audit log</Link>
        </div>
        {events.items.length === 0 ? (
          <EmptyState title="No activity yet" />
        ) : (
          <AuditTable events={events.items} timeZone={timeZone} caption="Recent activity" />
        )}
        <p className="muted small">Times are shown in {timeZone}.</p>
      </section>
    </>
  );
}
