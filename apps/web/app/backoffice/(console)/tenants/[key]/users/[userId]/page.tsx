import type { Metadata } from "next";
import { UserActions } from "#components/user-actions";
import { Badge, Card, DataTable, DefinitionList, EmptyState, IpAddress, Notice, PageHeader, Section, Time } from "#components/ui";
import { LastSignIn, UserStatusBadges, passwordLabel, roleLabel, sourceLabel } from "#components/user-status";
import { loadUser } from "#lib/server/api";
import { socialProviderWords } from "#lib/social-providers";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";

type Params = Promise<{ key: string; userId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const raw = await params;
  const { tenant, user } = await loadUser(raw.key, raw.userId);
  return { title: `${user.userId} in ${tenant.name}` };
}

export default async function UserPage({ params }: { params: Params }) {
  const raw = await params;
  const { tenant, user, sessions, identities } = await loadUser(raw.key, raw.userId);
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  const usersHref = `/backoffice/tenants/${tenant.key}/users`;
  // Sessions' lastUsedAt is their last sign-in or refresh: the newest is when the user was last seen.
  const lastActive = sessions
    .map((session) => session.lastUsedAt)
    .sort()
    .at(-1);

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
        <Card id="profile" title="Account">
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
              {
                term: "Phone",
                value: user.phone ? (
                  <span className="stack">
                    <span className="mono">{user.phone}</span>
                    {user.phoneVerifiedAt ? (
                      <span className="small">
                        <Badge tone="success">Verified</Badge> <Time iso={user.phoneVerifiedAt} timeZone={timeZone} />
                      </span>
                    ) : (
                      <span className="small">
                        <Badge tone="warning">Not verified</Badge>
                      </span>
                    )}
                  </span>
                ) : (
                  "—"
                ),
              },
              { term: "Password", value: passwordLabel(user) },
              { term: "Last sign-in", value: <LastSignIn user={user} timeZone={timeZone} /> },
              {
                term: "Last active",
                value: lastActive ? <Time iso={lastActive} timeZone={timeZone} /> : <span className="muted">No live session</span>,
              },
              { term: "Created", value: <Time iso={user.createdAt} timeZone={timeZone} /> },
            ]}
          />
        </Card>
        {staff.isAdmin ? (
          <UserActions tenantKey={tenant.key} userId={user.userId} displayName={user.displayName} suspended={user.suspendedAt !== null} />
        ) : (
          <Card id="actions-viewer" title="Actions">
            <p className="muted">Suspending, resetting passwords and deleting users is for admins. Your role is viewer.</p>
          </Card>
        )}
      </div>
      <Section id="identities" title={`Linked sign-in providers (${identities.length})`}>
        {identities.length === 0 ? (
          <EmptyState title="No linked providers">The user has not signed in with Google, Kakao or Naver.</EmptyState>
        ) : (
          <DataTable caption={`Sign-in providers linked to ${user.userId}`} columns={["Provider", "Email at the provider", "Linked"]} fit>
            {identities.map((identity, index) => (
              <tr key={`${identity.provider}-${index}`} data-provider={identity.provider}>
                <td data-label="Provider">{socialProviderWords[identity.provider].name}</td>
                <td data-label="Email at the provider">{identity.email ?? <span className="muted">None given</span>}</td>
                <td data-label="Linked">
                  <Time iso={identity.linkedAt} timeZone={timeZone} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>
      <Section id="sessions" title={`Live sessions (${sessions.length})`}>
        {sessions.length === 0 ? (
          <EmptyState title="No live sessions">The user is not signed in on any device.</EmptyState>
        ) : (
          <DataTable caption={`Live sessions of ${user.userId}`} columns={["Signed in", "Last used", "IP", "Device"]} fit>
            {sessions.map((session) => (
              <tr key={session.id}>
                <td data-label="Signed in">
                  <Time iso={session.createdAt} timeZone={timeZone} />
                </td>
                <td data-label="Last used">
                  <Time iso={session.lastUsedAt} timeZone={timeZone} />
                </td>
                <td data-label="IP">
                  <IpAddress ip={session.ip} />
                </td>
                <td data-label="Device">
                  <span className="small truncate" title={session.userAgent ?? undefined}>
                    {session.userAgent ?? "—"}
                  </span>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Section>
    </>
  );
}
