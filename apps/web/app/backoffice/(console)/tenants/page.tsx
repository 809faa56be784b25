import type { Metadata } from "next";
import { SEARCH_QUERY_MAX_LENGTH } from "@gatehouse/contract";
import Link from "next/link";
import { Badge, DataTable, EmptyState, NewTenantLink, PageHeader, Pagination, SearchForm, Time } from "#components/ui";
import { readPageState } from "#lib/pagination";
import { loadFromApi } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";

export const metadata: Metadata = { title: "Tenants" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const PAGE_SIZE = 20;

export default async function TenantsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const query = typeof params.q === "string" ? params.q.trim().slice(0, SEARCH_QUERY_MAX_LENGTH) : "";
  const includeDeleted = params.deleted === "1";
  const page = readPageState(params);
  const result = await loadFromApi((api) =>
    api.tenants.list({ query: query || undefined, includeDeleted, cursor: page.cursor, limit: PAGE_SIZE }),
  );
  const filters = { q: query || undefined, deleted: includeDeleted ? "1" : undefined };
  const filtered = query !== "" || includeDeleted;

  return (
    <>
      <PageHeader
        title="Tenants"
        description="Each tenant is one product app with its own users, sign-in rules and settings."
        actions={<NewTenantLink isAdmin={staff.isAdmin} />}
      />
      <SearchForm action="/backoffice/tenants" label="Search tenants by key or name" query={query} placeholder="acme">
        <div className="toolbar-check">
          <input id="include-deleted" type="checkbox" name="deleted" value="1" defaultChecked={includeDeleted} />
          <label htmlFor="include-deleted">Include deleted tenants</label>
        </div>
      </SearchForm>
      {result.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No tenants match">Try a shorter search, or include deleted tenants.</EmptyState>
        ) : (
          <EmptyState
            title="No tenants yet"
            action={
              staff.isAdmin ? (
                <Link href="/backoffice/tenants/new" className="btn btn-primary">
                  Create the first tenant
                </Link>
              ) : null
            }
          >
            A tenant is one product app with its own users.
          </EmptyState>
        )
      ) : (
        <DataTable
          caption={`Tenants${query ? ` matching “${query}”` : ""}`}
          columns={["Name", "Key", "Allowed email domains", "Locale", "Created", "Status"]}
        >
          {result.items.map((tenant) => (
            <tr key={tenant.id}>
              <td>
                <Link href={`/backoffice/tenants/${tenant.key}`} className="strong-link">
                  {tenant.name}
                </Link>
              </td>
              <td className="mono">{tenant.key}</td>
              <td>
                {tenant.allowedEmailDomains.length === 0 ? (
                  <span className="muted">Any domain</span>
                ) : (
                  <span className="small">
                    {tenant.allowedEmailDomains.slice(0, 3).join(", ")}
                    {tenant.allowedEmailDomains.length > 3 ? ` +${tenant.allowedEmailDomains.length - 3} more` : ""}
                  </span>
                )}
              </td>
              <td>{tenant.locale === "ko" ? "Korean" : "English"}</td>
              <td className="nowrap">
                <Time iso={tenant.createdAt} timeZone={timeZone} />
              </td>
              <td>{tenant.deletedAt ? <Badge tone="danger">Deleted</Badge> : <Badge tone="success">Live</Badge>}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination label="Tenant pages" path="/backoffice/tenants" filters={filters} page={page} nextCursor={result.nextCursor} />
    </>
  );
}
