import type { Metadata } from "next";
import { TenantForm } from "#components/tenant-form";
import { Notice, PageHeader } from "#components/ui";
import { requireStaff } from "#lib/server/staff";

export const metadata: Metadata = { title: "New tenant" };

export default async function NewTenantPage() {
  const staff = await requireStaff();
  return (
    <>
      <PageHeader
        title="New tenant"
        description="Create a tenant for a product app. You can issue its first manager right after."
        breadcrumbs={[{ href: "/backoffice/tenants", label: "Tenants" }]}
      />
      {staff.isAdmin ? (
        <div className="card">
          <TenantForm mode="create" />
        </div>
      ) : (
        <Notice tone="warning">Only admins can create tenants. Your role is viewer.</Notice>
      )}
    </>
  );
}
