import type { Metadata } from "next";
import { CreateStaffForm, StaffRowActions } from "#components/staff-forms";
import { Badge, Card, DataTable, Notice, PageHeader, Time } from "#components/ui";
import { loadFromApi } from "#lib/server/api";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage() {
  const me = await requireStaff();
  if (!me.isAdmin) {
    return (
      <>
        <PageHeader title="Staff" />
        <Notice tone="warning">Only admins can see and manage staff accounts. Your role is viewer.</Notice>
      </>
    );
  }
  const timeZone = await staffTimeZone();
  const staff = await loadFromApi((api) => api.staff.list({}));
  return (
    <>
      <PageHeader title="Staff" description="People who can sign in to this BackOffice. At least one enabled admin always remains." />
      <DataTable caption="Staff accounts" columns={["Email", "Role", "Status", "Added", <span className="visually-hidden">Actions</span>]}>
        {staff.items.map((member) => {
          const self = member.email === me.email;
          return (
            <tr key={member.id}>
              <td>
                {member.email} {self ? <Badge tone="info">You</Badge> : null}
              </td>
              <td>{member.role === "admin" ? "Admin" : "Viewer"}</td>
              <td>{member.disabledAt ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Enabled</Badge>}</td>
              <td className="nowrap">
                <Time iso={member.createdAt} timeZone={timeZone} />
              </td>
              <td>
                {self ? (
                  <span className="muted small">Change your own password under Account.</span>
                ) : (
                  <StaffRowActions email={member.email} role={member.role} disabled={member.disabledAt !== null} />
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Card id="add-staff" title="Add a staff member">
        <CreateStaffForm existingEmails={staff.items.map((member) => member.email)} />
      </Card>
    </>
  );
}
