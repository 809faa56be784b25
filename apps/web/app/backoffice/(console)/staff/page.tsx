import type { Metadata } from "next";
import { CreateStaffForm, StaffRowActions } from "../../../../components/staff-forms";
import { Badge, Notice, PageHeader, Time } from "../../../../components/ui";
import { loadFromApi } from "../../../../lib/server/api";
import { requireStaff } from "../../../../lib/server/staff";
import { staffTimeZone } from "../../../../lib/server/time-zone";

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
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Staff accounts</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
      <section className="card" aria-labelledby="add-staff">
        <div className="card-header">
          <h2 id="add-staff">Add a staff member</h2>
        </div>
        <CreateStaffForm />
      </section>
    </>
  );
}
