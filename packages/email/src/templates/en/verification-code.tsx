// English preview of the verification mail for `email dev` (same component, other props).
import { VerificationCodeEmail, type VerificationCodeEmailProps } from "../verification-code";

export function VerificationCodeEmailEnglish(props: VerificationCodeEmailProps) {
  return <VerificationCodeEmail {...props} />;
}

VerificationCodeEmailEnglish.PreviewProps = {
  locale: "en",
  code: "071346",
  ttlMinutes: 10,
  tenantName: "Acme Commerce",
} satisfies VerificationCodeEmailProps;

export default VerificationCodeEmailEnglish;
