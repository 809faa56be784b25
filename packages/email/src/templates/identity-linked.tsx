import { Heading, Hr, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../locale";
import { tenantLabel } from "../text";
import { EmailLayout } from "./_components/layout";
import { colors, styles } from "./_components/theme";

/** The providers a sign-in can link (CONTRACT v2 "clientSocial"). */
export type LinkedProvider = "google" | "kakao" | "naver";

export interface IdentityLinkedEmailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  tenantName: string;
  provider: LinkedProvider;
  /** When the link was made, ISO-8601 (shown in UTC). */
  linkedAt: string;
}

interface NoticeCopy {
  subject: (tenant: string, provider: string) => string;
  preview: (tenant: string, provider: string) => string;
  heading: string;
  body: (tenant: string, provider: string) => string;
  when: (at: string) => string;
  ifYou: string;
  ifNotYou: (tenant: string) => string;
  footer: (tenant: string) => string;
}

const providerNames: Record<Locale, Record<LinkedProvider, string>> = {
  ko: { google: "Google", kakao: "카카오", naver: "네이버" },
  en: { google: "Google", kakao: "Kakao", naver: "Naver" },
};

// A security notice: it names what happened and when, and never carries a link to act on (a
// phishing mail copying it would have to invent one).
const copy: Record<Locale, NoticeCopy> = {
  ko: {
    subject: (tenant, provider) => `[${tenant}] ${provider} 계정이 연결되었습니다`,
    preview: (tenant, provider) => `${tenant} 계정에 ${provider} 로그인이 연결되었습니다.`,
    heading: "새 로그인 방법이 연결되었습니다",
    body: (tenant, provider) => `${tenant} 계정에 ${provider} 계정이 연결되어, 이제 ${provider}(으)로 로그인할 수 있습니다.`,
    when: (at) => `연결 시각: ${at} (UTC)`,
    ifYou: "본인이 연결하셨다면 아무것도 하지 않으셔도 됩니다.",
    ifNotYou: (tenant) => `본인이 한 일이 아니라면 즉시 ${tenant} 고객센터에 알려 주세요.`,
    footer: (tenant) => `이 메일은 ${tenant} 계정 보안을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant, provider) => `Your ${tenant} account is now linked to ${provider}`,
    preview: (tenant, provider) => `${provider} sign-in was linked to your ${tenant} account.`,
    heading: "A new way to sign in was linked",
    body: (tenant, provider) => `Your ${provider} account was linked to your ${tenant} account: you can now sign in with ${provider}.`,
    when: (at) => `Linked at ${at} (UTC).`,
    ifYou: "If this was you, there is nothing to do.",
    ifNotYou: (tenant) => `If this was not you, contact ${tenant} support right away.`,
    footer: (tenant) => `This is an automated security message from ${tenant}. Replies to this address are not read.`,
  },
};

const pick = (locale: Locale): Locale => (Object.hasOwn(copy, locale) ? locale : DEFAULT_LOCALE);

/** `2026-12-08 10:00` from an ISO timestamp (UTC). */
function shownTime(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** Localized subject line of the identity-linked notice. */
export function identityLinkedSubject(locale: Locale, tenantName: string, provider: LinkedProvider): string {
  const lang = pick(locale);
  return copy[lang].subject(tenantLabel(tenantName), providerNames[lang][provider]);
}

/** The security notice sent when a provider account is linked to an existing account (CONTRACT v2). */
export function IdentityLinkedEmail({ locale = DEFAULT_LOCALE, tenantName, provider, linkedAt }: IdentityLinkedEmailProps) {
  const lang = pick(locale);
  const t = copy[lang];
  const tenant = tenantLabel(tenantName);
  const name = providerNames[lang][provider];
  return (
    <EmailLayout locale={lang} title={t.subject(tenant, name)} preview={t.preview(tenant, name)} brand={tenant} footer={t.footer(tenant)}>
      <Heading as="h1" style={styles.h1}>
        {t.heading}
      </Heading>
      <Text style={styles.paragraph}>{t.body(tenant, name)}</Text>
      <Text style={{ ...styles.paragraph, fontWeight: 600, color: colors.text }}>{t.when(shownTime(linkedAt))}</Text>
      <Text style={styles.paragraph}>{t.ifYou}</Text>
      <Hr style={styles.hr} />
      <Text style={styles.small}>{t.ifNotYou(tenant)}</Text>
    </EmailLayout>
  );
}

IdentityLinkedEmail.PreviewProps = {
  locale: "ko",
  tenantName: "Acme 커머스",
  provider: "kakao",
  linkedAt: "2026-12-08T10:00:00.000Z",
} satisfies IdentityLinkedEmailProps;

export default IdentityLinkedEmail;
