import type { Metadata } from "next";
import { SEARCH_QUERY_MAX_LENGTH } from "@gatehouse/contract";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Annotated, DataTable, EmptyState, Notice, PageHeader, Pagination, SearchForm } from "#components/ui";
import { LastSignIn, UserStatusBadges, roleLabel, sourceLabel } from "#components/user-status";
import { readPageState } from "#lib/pagination";
import { routeParam } from "#lib/route-params";
import { loadFromApi, loadTenant } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";
import { isTenantKey } from "#lib/validation";

type Params = Promise<{ key: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const PAGE_SIZE = 20;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Users of ${(await loadTenant((await params).key)).name}` };
}

export default async function TenantUsersPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const key = routeParam((await params).key);
  if (!key || !isTenantKey(key)) notFound();
  const search = await searchParams;
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const query = typeof search.q === "string" ? search.q.trim().slice(0, SEARCH_QUERY_MAX_LENGTH) : "";
  const page = readPageState(search);
  const [tenant, users] = await loadFromApi(async (api) => {
    const found = await api.tenants.get({ key });
    if (found.deletedAt) return [found, null] as const;
    return [found, await api.users.list({ tenantKey: key, query: query || undefined, cursor: page.cursor, limit: PAGE_SIZE })] as const;
  });
  const base = `/backoffice/tenants/${tenant.key}/users`;
  const filters = { q: query || undefined };

  return (
    <>
      <PageHeader
        title="Users"
        description={
          <>
            End users of <strong>{tenant.name}</strong> (<span className="mono">{tenant.key}</span>).
          </>
        }
        breadcrumbs={[
          { href: "/backoffice/tenants", label: "Tenants" },
          { href: `/backoffice/tenants/${tenant.key}`, label: tenant.name },
        ]}
        actions={
          staff.isAdmin && !tenant.deletedAt ? (
            <Link href={`/backoffice/tenants/${tenant.key}/managers/new`} className="btn btn-primary">
              Issue manager
            </Link>
          ) : null
        }
      />
      {typeof search.deleted === "string" ? <Notice tone="success">User {search.deleted.slice(0, 64)} was deleted.</Notice> : null}
      {users === null ? (
        <EmptyState title="This tenant is deleted">Restore the tenant to see and manage its users.</EmptyState>
      ) : (
        <>
          <SearchForm action={base} label="Search by user ID, email or name" query={query} placeholder="alice" />
          {users.items.length === 0 ? (
            query ? (
              <EmptyState title="No users match">No user ID, email or display name contains “{query}”.</EmptyState>
            ) : (
              <EmptyState title="No users yet">
                Users appear here when they sign up in the product app, or when you issue a manager.
              </EmptyState>
            )
          ) : (
            <DataTable caption={`Users of ${tenant.name}`} columns={["User", "Email and phone", "Role", "Status", "Last sign-in"]}>
              {users.items.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Annotated note={user.displayName}>
                      <Link href={`${base}/${encodeURIComponent(user.userId)}`} className="strong-link">
                        {user.userId}
                      </Link>
                    </Annotated>
                  </td>
                  {/* The phone shares the email's column: a column of its own cuts the table off at 1280 px. */}
                  <td>
                    <span className="stack">
                      {user.email ? (
                        <Annotated note={user.emailVerifiedAt ? "Verified" : "Not verified"}>
                          <span>{user.email}</span>
                        </Annotated>
                      ) : (
                        <span className="muted">No email</span>
                      )}
                      {user.phone ? (
                        <Annotated note={user.phoneVerifiedAt ? "Verified" : "Not verified"}>
                          <span className="mono">{user.phone}</span>
                        </Annotated>
                      ) : null}
                    </span>
                  </td>
                  <td>
                    <Annotated note={sourceLabel(user.source)}>
                      <span>{roleLabel(user.role)}</span>
                    </Annotated>
                  </td>
                  <td>
                    <UserStatusBadges user={user} />
                  </td>
                  <td className="nowrap">
                    <LastSignIn user={user} timeZone={timeZone} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <Pagination label="User pages" path={base} filters={filters} page={page} nextCursor={users.nextCursor} />
        </>
      )}
    </>
  );
}
