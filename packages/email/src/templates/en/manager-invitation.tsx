// English preview of the manager invitation for `email dev`: without a password in the mail
// and without an appUrl, to show both fallbacks.
import { ManagerInvitationEmail, type ManagerInvitationEmailProps } from "../manager-invitation";

export function ManagerInvitationEmailEnglish(props: ManagerInvitationEmailProps) {
  return <ManagerInvitationEmail {...props} />;
}

ManagerInvitationEmailEnglish.PreviewProps = {
  locale: "en",
  tenantName: "Acme Commerce",
  tenantKey: "acme",
  userId: "sam.lee",
  displayName: "Sam Lee",
  appUrl: null,
} satisfies ManagerInvitationEmailProps;

export default ManagerInvitationEmailEnglish;
