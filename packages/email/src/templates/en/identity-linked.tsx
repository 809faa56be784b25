// English preview of the identity-linked notice for `email dev` (same component, other props).
import { IdentityLinkedEmail, type IdentityLinkedEmailProps } from "../identity-linked";

export function IdentityLinkedEmailEnglish(props: IdentityLinkedEmailProps) {
  return <IdentityLinkedEmail {...props} />;
}

IdentityLinkedEmailEnglish.PreviewProps = {
  locale: "en",
  tenantName: "Acme Commerce",
  provider: "google",
  linkedAt: "2026-12-08T10:00:00.000Z",
} satisfies IdentityLinkedEmailProps;

export default IdentityLinkedEmailEnglish;
