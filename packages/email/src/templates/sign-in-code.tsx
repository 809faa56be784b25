import { Heading, Hr, Section, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../locale";
import { EmailLayout } from "./_components/layout";
import { colors, styles } from "./_components/theme";
import { codeBox, codeLabel, codeText, verificationTenantLabel } from "./verification-code";

export interface SignInCodeEmailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  /** The one-time code, 6 decimal digits. */
  code: string;
  /** Lifetime of the code in whole minutes. */
  ttlMinutes: number;
  tenantName: string;
}

interface SignInCopy {
  subject: (tenant: string) => string;
  preview: (tenant: string, minutes: number) => string;
  heading: string;
  intro: (tenant: string) => string;
  codeLabel: string;
  expires: (minutes: number) => string;
  neverShare: (tenant: string) => string;
  ignore: string;
  footer: (tenant: string) => string;
}

// The same mail whether or not the address has an account (no enumeration): the copy speaks of
// "signing in or creating an account" and never of an existing one. Every string is digit-free
// apart from the minutes, and the tenant name goes through verificationTenantLabel, so the code
// stays the only 6-digit run of the text.
const copy: Record<Locale, SignInCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 로그인 코드`,
    preview: (tenant, minutes) => `${tenant} 로그인 코드입니다. ${minutes}분 안에 입력해 주세요.`,
    heading: "로그인 코드",
    intro: (tenant) => `${tenant}에 로그인하거나 새 계정을 만들려면 아래 코드를 입력하세요.`,
    codeLabel: "로그인 코드",
    expires: (minutes) => `이 코드는 ${minutes}분 후에 만료됩니다.`,
    neverShare: (tenant) => `${tenant} 직원을 포함해 누구에게도 이 코드를 알려 주지 마세요.`,
    ignore: "로그인을 요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 코드를 입력하지 않으면 아무 일도 일어나지 않습니다.",
    footer: (tenant) => `이 메일은 ${tenant} 로그인을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} sign-in code`,
    preview: (tenant, minutes) => `Your ${tenant} sign-in code. It expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    heading: "Your sign-in code",
    intro: (tenant) => `Enter this code in ${tenant} to sign in or create your account.`,
    codeLabel: "Sign-in code",
    expires: (minutes) => `This code expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    neverShare: (tenant) => `Don't share this code with anyone. ${tenant} will never ask you for it.`,
    ignore: "If you didn't request this, you can safely ignore this email. Nothing happens unless the code is entered.",
    footer: (tenant) => `This is an automated message from ${tenant}. Replies to this address are not read.`,
  },
};

const pick = (locale: Locale): Locale => (Object.hasOwn(copy, locale) ? locale : DEFAULT_LOCALE);

/** Localized subject line of the sign-in code mail. */
export function signInSubject(locale: Locale, tenantName: string): string {
  return copy[pick(locale)].subject(verificationTenantLabel(tenantName));
}

/** The email-code sign-in mail (clientPasswordless.sendCode): "your sign-in code". */
export function SignInCodeEmail({ locale = DEFAULT_LOCALE, code, ttlMinutes, tenantName }: SignInCodeEmailProps) {
  const lang = pick(locale);
  const t = copy[lang];
  const tenant = verificationTenantLabel(tenantName);
  return (
    <EmailLayout locale={lang} title={t.subject(tenant)} preview={t.preview(tenant, ttlMinutes)} brand={tenant} footer={t.footer(tenant)}>
      <Heading as="h1" style={styles.h1}>
        {t.heading}
      </Heading>
      <Text style={styles.paragraph}>{t.intro(tenant)}</Text>
      <Section style={codeBox}>
        <Text style={codeLabel}>{t.codeLabel}</Text>
        <Text style={codeText}>{code}</Text>
      </Section>
      <Text style={{ ...styles.paragraph, fontWeight: 600, color: colors.text }}>{t.expires(ttlMinutes)}</Text>
      <Text style={styles.paragraph}>{t.neverShare(tenant)}</Text>
      <Hr style={styles.hr} />
      <Text style={styles.small}>{t.ignore}</Text>
    </EmailLayout>
  );
}

SignInCodeEmail.PreviewProps = {
  locale: "ko",
  code: "305817",
  ttlMinutes: 5,
  tenantName: "Acme 커머스",
} satisfies SignInCodeEmailProps;

export default SignInCodeEmail;
