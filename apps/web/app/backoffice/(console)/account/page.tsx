import type { Metadata } from "next";
import { ChangeOwnPasswordForm } from "../../../../components/staff-forms";
import { DefinitionList, PageHeader } from "../../../../components/ui";
import { requireStaff } from "../../../../lib/server/staff";
import { staffTimeZone } from "../../../../lib/server/time-zone";
import { signOutAction } from "../../actions";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  return (
    <>
      <PageHeader title="Account" description="Your own staff account." />
      <div className="grid-2">
        <section className="card" aria-labelledby="you">
          <div className="card-header">
            <h2 id="you">You</h2>
          </div>
          <DefinitionList
            items={[
              { term: "Email", value: staff.email },
              { term: "Role", value: staff.isAdmin ? "Admin" : "Viewer (read only)" },
              { term: "Time zone", value: `${timeZone} (from your browser; all times are shown in it)` },
              { term: "Session", value: "Ends after at most 8 hours, when you sign out, or when your password is changed elsewhere." },
            ]}
          />
          <form action={signOutAction} className="form-actions">
            <button type="submit" className="btn btn-secondary">
              Sign out
            </button>
          </form>
        </section>
        <section className="card" aria-labelledby="password">
          <div className="card-header">
            <h2 id="password">Change password</h2>
          </div>
          <p className="muted">Changing your password signs you out everywhere else; this browser stays signed in.</p>
          <ChangeOwnPasswordForm />
        </section>
      </div>
    </>
  );
}
