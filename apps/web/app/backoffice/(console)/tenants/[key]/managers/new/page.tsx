import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IssueManagerForm } from "../../../../../../../components/issue-manager-form";
import { Notice, PageHeader } from "../../../../../../../components/ui";
import { loadFromApi } from "../../../../../../../lib/server/api";
import { routeParam } from "../../../../../../../lib/route-params";
import { requireStaff } from "../../../../../../../lib/server/staff";
import { tenantKeyPattern } from "../../../../../../../lib/validation";

export const metadata: Metadata = { title: "Issue manager" };

export default async function IssueManagerPage({ params }: { params: Promise<{ key: string }> }) {
  const key = routeParam((await params).key);
  if (!key || !tenantKeyPattern.test(key)) notFound();
  const staff = await requireStaff();
  const tenant = await loadFromApi((api) => api.tenants.get({ key }));
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
