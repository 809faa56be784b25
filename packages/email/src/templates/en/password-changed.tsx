// English preview of the password-changed notice for `email dev` (same component, other props).
import { PasswordChangedEmail, type PasswordChangedEmailProps } from "../password-changed";

export function PasswordChangedEmailEnglish(props: PasswordChangedEmailProps) {
  return <PasswordChangedEmail {...props} />;
}

PasswordChangedEmailEnglish.PreviewProps = {
  locale: "en",
  tenantName: "Acme Commerce",
  userId: "sam.lee",
  how: "changed",
  changedAt: "2026-12-08T10:00:00.000Z",
} satisfies PasswordChangedEmailProps;

export default PasswordChangedEmailEnglish;
