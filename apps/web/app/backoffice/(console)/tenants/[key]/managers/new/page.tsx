import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IssueManagerForm } from "#components/issue-manager-form";
import { Notice, PageHeader } from "#components/ui";
import { loadTenant } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";

type Params = Promise<{ key: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Issue manager for ${(await loadTenant((await params).key)).name}` };
}

export default async function IssueManagerPage({ params }: { params: Params }) {
  const tenant = await loadTenant((await params).key);
  const staff = await requireStaff();
  if (tenant.deletedAt) notFound();
  return (
    <>
      <PageHeader
        title="Issue manager"
        description={
          <>
            A manager account for <strong>{tenant.name}</strong>. It gets a temporary password and must choose a new one at its first
            sign-in.
          </>
        }
        breadcrumbs={[
          { href: "/backoffice/tenants", label: "Tenants" },
          { href: `/backoffice/tenants/${tenant.key}`, label: tenant.name },
        ]}
      />
      {staff.isAdmin ? (
        <div className="card">
          <IssueManagerForm tenantKey={tenant.key} tenantName={tenant.name} />
        </div>
      ) : (
        <Notice tone="warning">Only admins can issue managers. Your role is viewer.</Notice>
      )}
    </>
  );
}
