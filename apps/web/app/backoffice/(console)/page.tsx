import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "#components/audit-table";
import { Card, EmptyState, LinkList, NewTenantLink, PageHeader, Section, Time } from "#components/ui";
import { loadFromApi } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";

export const metadata: Metadata = { title: "Overview" };

const shortcuts = [
  { href: "/backoffice/users", label: "Find a user", note: "Search a tenant's users and see their status and sessions." },
  { href: "/backoffice/audit", label: "Review the audit log", note: "Who did what, when, filtered by tenant and action." },
  { href: "/backoffice/account", label: "Change your password", note: "Your own staff account." },
];

export default async function OverviewPage() {
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const [tenants, events] = await loadFromApi((api) => Promise.all([api.tenants.list({ limit: 5 }), api.auditLog.list({ limit: 8 })]));
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Signed in as ${staff.email}. ${staff.isAdmin ? "As an admin you can change tenants, users and staff." : "As a viewer you can look at everything but change nothing."}`}
        actions={<NewTenantLink isAdmin={staff.isAdmin} />}
      />
      <div className="grid-2">
        <Card id="recent-tenants" title="Newest tenants" action={<Link href="/backoffice/tenants">All tenants</Link>}>
          {tenants.items.length === 0 ? (
            <EmptyState title="No tenants yet">A tenant is one product app with its own users.</EmptyState>
          ) : (
            <LinkList
              items={tenants.items.map((tenant) => ({
                href: `/backoffice/tenants/${tenant.key}`,
                label: tenant.name,
                note: (
                  <>
                    {tenant.key} · created <Time iso={tenant.createdAt} timeZone={timeZone} />
                  </>
                ),
              }))}
            />
          )}
        </Card>
        <Card id="shortcuts" title="Common tasks">
          <LinkList items={shortcuts} />
        </Card>
      </div>
      <Section id="recent-activity" title="Recent activity" action={<Link href="/backoffice/audit">Open the audit log</Link>}>
        {events.items.length === 0 ? (
          <EmptyState title="No activity yet" />
        ) : (
          <AuditTable events={events.items} timeZone={timeZone} caption="Recent activity" />
        )}
        <p className="muted small">Times are shown in {timeZone}.</p>
      </Section>
    </>
  );
}
