// English preview of the password-reset code mail for `email dev` (same component, other props).
import { PasswordResetCodeEmail, type PasswordResetCodeEmailProps } from "../password-reset-code";

export function PasswordResetCodeEmailEnglish(props: PasswordResetCodeEmailProps) {
  return <PasswordResetCodeEmail {...props} />;
}

PasswordResetCodeEmailEnglish.PreviewProps = {
  locale: "en",
  code: "528460",
  ttlMinutes: 5,
  tenantName: "Acme Commerce",
} satisfies PasswordResetCodeEmailProps;

export default PasswordResetCodeEmailEnglish;
