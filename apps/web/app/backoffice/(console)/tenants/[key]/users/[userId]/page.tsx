import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UserActions } from "../../../../../../../components/user-actions";
import { Badge, DefinitionList, EmptyState, Notice, PageHeader, Time } from "../../../../../../../components/ui";
import { UserStatusBadges, roleLabel, sourceLabel } from "../../../../../../../components/user-status";
import { routeParam } from "../../../../../../../lib/route-params";
import { loadFromApi } from "../../../../../../../lib/server/api";
import { requireStaff } from "../../../../../../../lib/server/staff";
import { staffTimeZone } from "../../../../../../../lib/server/time-zone";
import { liveSessionsOf } from "../../../../../../../lib/server/user-sessions";
import { tenantKeyPattern } from "../../../../../../../lib/validation";

type Params = Promise<{ key: string; userId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `User ${routeParam((await params).userId) ?? ""}` };
}

export default async function UserPage({ params }: { params: Params }) {
  const raw = await params;
  const key = routeParam(raw.key);
  const userId = routeParam(raw.userId)?.toLowerCase();
  if (!key || !tenantKeyPattern.test(key) || !userId || userId.length > 64) notFound();
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();

  // The contract names a user by (tenantKey, userId) and lists them by substring; the exact one
  // is among the matches (a few pages at most, since user IDs are unique per tenant).
  const [tenant, user] = await loadFromApi(async (api) => {
    const found = await api.tenants.get({ key });
    if (found.deletedAt) return [found, undefined] as const;
    let cursor: string | null = null;
    for (let pageCount = 0; pageCount < 20; pageCount++) {
      const page: Awaited<ReturnType<typeof api.users.list>> = await api.users.list({ tenantKey: key, query: userId, cursor, limit: 100 });
      const match = page.items.find((candidate) => candidate.userId === userId);
      if (match || !page.nextCursor) return [found, match] as const;
      cursor = page.nextCursor;
    }
    return [found, undefined] as const;
  });
  if (!user) notFound();
  const sessions = await liveSessionsOf(user.id);
  const usersHref = `/backoffice/tenants/${tenant.key}/users`;

  return (
    <>
      <PageHeader
        title={
          <>
            {user.displayName} <span className="mono title-sub">{user.userId}</span>
          </>
        }
        description={<UserStatusBadges user={user} />}
        breadcrumbs={[
          { href: "/backoffice/tenants", label: "Tenants" },
          { href: `/backoffice/tenants/${tenant.key}`, label: tenant.name },
          { href: usersHref, label: "Users" },
        ]}
      />
      {user.suspendedAt ? (
        <Notice tone="warning">
          Suspended since <Time iso={user.suspendedAt} timeZone={timeZone} />. The user cannot sign in or refresh a session.
        </Notice>
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="profile">
          <div className="card-header">
            <h2 id="profile">Account</h2>
          </div>
          <DefinitionList
            items={[
              { term: "User ID", value: <span className="mono">{user.userId}</span> },
              { term: "Display name", value: user.displayName },
              { term: "Role", value: roleLabel(user.role) },
              { term: "Source", value: sourceLabel(user.source) },
              {
                term: "Email",
                value: user.email ? (
                  <span className="stack">
                    <span>{user.email}</span>
                    {user.emailVerifiedAt ? (
                      <span className="small">
                        <Badge tone="success">Verified</Badge> <Time iso={user.emailVerifiedAt} timeZone={timeZone} />
                      </span>
                    ) : (
                      <span className="small">
                        <Badge tone="warning">Not verified</Badge>
                      </span>
                    )}
                  </span>
                ) : (
                  <span className="muted">None</span>
                ),
              },
              { term: "Password", value: user.mustChangePassword ? "Must be changed at next sign-in" : "Set by the user" },
              { term: "Last sign-in", value: <Time iso={user.lastLoginAt} timeZone={timeZone} /> },
              { term: "Created", value: <Time iso={user.createdAt} timeZone={timeZone} /> },
            ]}
          />
        </section>
        {staff.isAdmin ? (
          <UserActions tenantKey={tenant.key} userId={user.userId} displayName={user.displayName} suspended={user.suspendedAt !== null} />
        ) : (
          <section className="card" aria-labelledby="actions-viewer">
            <div className="card-header">
              <h2 id="actions-viewer">Actions</h2>
            </div>
            <p className="muted">Suspending, resetting passwords and deleting users is for admins. Your role is viewer.</p>
          </section>
        )}
      </div>
      <section className="section" aria-labelledby="sessions">
        <div className="section-header">
          <h2 id="sessions">Live sessions ({sessions.length})</h2>
        </div>
        {sessions.length === 0 ? (
          <EmptyState title="No live sessions">The user is not signed in on any device.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Live sessions of {user.userId}</caption>
              <thead>
                <tr>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last used</th>
                  <th scope="col">IP</th>
                  <th scope="col">Device</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session) => (
                  <tr key={session.id}>
                    <td className="nowrap">
                      <Time iso={session.createdAt} timeZone={timeZone} />
                    </td>
                    <td className="nowrap">
                      <Time iso={session.lastUsedAt} timeZone={timeZone} />
                    </td>
                    <td className="mono small">{session.ip ?? "—"}</td>
                    <td className="small truncate" title={session.userAgent ?? undefined}>
                      {session.userAgent ?? "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
