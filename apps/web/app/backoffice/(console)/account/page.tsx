import type { Metadata } from "next";
import { ChangeOwnPasswordForm } from "#components/staff-forms";
import { Card, DefinitionList, PageHeader } from "#components/ui";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";
import { signOutAction } from "../../actions";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  return (
    <>
      <PageHeader title="Account" description="Your own staff account." />
      <div className="grid-2">
        <Card id="you" title="You">
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
        </Card>
        <Card id="password" title="Change password">
          <p className="muted">Changing your password signs you out everywhere else; this browser stays signed in.</p>
          <ChangeOwnPasswordForm />
        </Card>
      </div>
    </>
  );
}
