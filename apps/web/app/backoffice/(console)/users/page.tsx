import type { Metadata } from "next";
import { SEARCH_QUERY_MAX_LENGTH } from "@gatehouse/contract";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState, PageHeader, Pagination, SearchForm } from "#components/ui";
import { readPageState } from "#lib/pagination";
import { loadFromApi } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { isTenantKey } from "#lib/validation";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Users live in a tenant: pick the tenant first (or type its key). */
export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  await requireStaff();
  const tenantKey = typeof params.tenant === "string" ? params.tenant.trim().toLowerCase() : "";
  if (tenantKey && isTenantKey(tenantKey)) redirect(`/backoffice/tenants/${tenantKey}/users`);
  const query = typeof params.q === "string" ? params.q.trim().slice(0, SEARCH_QUERY_MAX_LENGTH) : "";
  const page = readPageState(params);
  const tenants = await loadFromApi((api) => api.tenants.list({ query: query || undefined, cursor: page.cursor, limit: 20 }));
  const filters = { q: query || undefined };

  return (
    <>
      <PageHeader title="Users" description="Every user belongs to one tenant. Choose the tenant whose users you want to see." />
      <SearchForm action="/backoffice/users" label="Find a tenant by key or name" query={query} placeholder="acme" />
      {tenants.items.length === 0 ? (
        <EmptyState title={query ? "No tenants match" : "No tenants yet"}>
          {query ? "Try a shorter search." : "Users appear once a tenant exists."}
        </EmptyState>
      ) : (
        <ul className="tenant-picker">
          {tenants.items.map((tenant) => (
            <li key={tenant.id}>
              <Link href={`/backoffice/tenants/${tenant.key}/users`} className="tenant-picker-item">
                <span className="strong">{tenant.name}</span>
                <span className="mono small muted">{tenant.key}</span>
                <span className="tenant-picker-go" aria-hidden="true">
                  Users →
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <Pagination label="Tenant pages" path="/backoffice/users" filters={filters} page={page} nextCursor={tenants.nextCursor} />
    </>
  );
}
