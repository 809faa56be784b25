// English preview of the sign-in code mail for `email dev` (same component, other props).
import { SignInCodeEmail, type SignInCodeEmailProps } from "../sign-in-code";

export function SignInCodeEmailEnglish(props: SignInCodeEmailProps) {
  return <SignInCodeEmail {...props} />;
}

SignInCodeEmailEnglish.PreviewProps = {
  locale: "en",
  code: "917420",
  ttlMinutes: 5,
  tenantName: "Acme Commerce",
} satisfies SignInCodeEmailProps;

export default SignInCodeEmailEnglish;
