import type { CSSProperties } from "react";
import { Heading, Hr, Section, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../locale";
import { breakLongDigitRuns, singleLine } from "../text";
import { EmailLayout } from "./_components/layout";
import { colors, monoFontFamily, styles } from "./_components/theme";

export interface VerificationCodeEmailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  /** The one-time code, 6 decimal digits. */
  code: string;
  /** Lifetime of the code in whole minutes. */
  ttlMinutes: number;
  tenantName: string;
}

interface VerificationCopy {
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

// Every string here is digit-free apart from the minutes: together with breakLongDigitRuns
// on the tenant name this keeps the code the only 6-digit run of the mail's text.
const copy: Record<Locale, VerificationCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 이메일 인증 코드`,
    preview: (tenant, minutes) => `${tenant} 이메일 인증 코드입니다. ${minutes}분 안에 입력해 주세요.`,
    heading: "이메일 주소를 인증해 주세요",
    intro: (tenant) => `${tenant} 계정의 이메일 인증을 완료하려면 아래 인증 코드를 입력하세요.`,
    codeLabel: "인증 코드",
    expires: (minutes) => `이 코드는 ${minutes}분 후에 만료됩니다.`,
    neverShare: (tenant) => `${tenant} 직원을 포함해 누구에게도 이 코드를 알려 주지 마세요.`,
    ignore: "인증을 요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 코드를 입력하지 않으면 계정에는 아무 변화도 없습니다.",
    footer: (tenant) => `이 메일은 ${tenant} 계정 보안을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} verification code`,
    preview: (tenant, minutes) => `Your ${tenant} verification code. It expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    heading: "Verify your email address",
    intro: (tenant) => `Enter this code in ${tenant} to finish verifying your email address.`,
    codeLabel: "Verification code",
    expires: (minutes) => `This code expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    neverShare: (tenant) => `Don't share this code with anyone. ${tenant} will never ask you for it.`,
    ignore: "If you didn't request this, you can safely ignore this email. Nothing changes on your account unless the code is entered.",
    footer: (tenant) => `This is an automated message about your ${tenant} account. Replies to this address are not read.`,
  },
};

/** Tenant name as it may appear in this mail: one line, no run of 6+ digits. */
export function verificationTenantLabel(tenantName: string): string {
  return breakLongDigitRuns(singleLine(tenantName)) || "Gatehouse";
}

/** Localized subject line of the verification mail. */
export function verificationSubject(locale: Locale, tenantName: string): string {
  const t = Object.hasOwn(copy, locale) ? copy[locale] : copy[DEFAULT_LOCALE];
  return t.subject(verificationTenantLabel(tenantName));
}

/** Shared with the other code mails (sign-in-code.tsx). */
export const codeBox = {
  backgroundColor: colors.codeBg,
  border: `1px solid ${colors.border}`,
  borderRadius: "10px",
  padding: "20px 12px",
  margin: "8px 0 20px",
  textAlign: "center",
} satisfies CSSProperties;

/** Shared with the other code mails (sign-in-code.tsx). */
export const codeLabel = {
  margin: "0 0 8px",
  fontSize: "12px",
  lineHeight: "16px",
  fontWeight: 600,
  letterSpacing: "0.04em",
  color: colors.muted,
} satisfies CSSProperties;

/** Shared with the other code mails (sign-in-code.tsx). */
export const codeText = {
  margin: 0,
  fontFamily: monoFontFamily,
  fontSize: "34px",
  lineHeight: "44px",
  fontWeight: 700,
  // letter-spacing only widens the glyphs: the code stays one word, so a double-click
  // (or the single click of user-select: all) copies exactly the six digits.
  letterSpacing: "0.3em",
  // keep the visual centre after the trailing letter-spacing
  paddingLeft: "0.3em",
  color: colors.text,
  userSelect: "all",
  WebkitUserSelect: "all",
  whiteSpace: "nowrap",
} satisfies CSSProperties;

export function VerificationCodeEmail({ locale = DEFAULT_LOCALE, code, ttlMinutes, tenantName }: VerificationCodeEmailProps) {
  const lang: Locale = Object.hasOwn(copy, locale) ? locale : DEFAULT_LOCALE;
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

VerificationCodeEmail.PreviewProps = {
  locale: "ko",
  code: "482915",
  ttlMinutes: 10,
  tenantName: "Acme 커머스",
} satisfies VerificationCodeEmailProps;

export default VerificationCodeEmail;
