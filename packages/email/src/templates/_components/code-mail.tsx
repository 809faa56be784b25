import type { CSSProperties } from "react";
import { Heading, Hr, Section, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../../locale";
import { tenantLabel } from "../../text";
import { EmailLayout } from "./layout";
import { colors, monoFontFamily, styles } from "./theme";

/** What every code mail is given (email verification, email-code sign-in, password reset). */
export interface CodeMailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  /** The one-time code, 6 decimal digits. */
  code: string;
  /** Lifetime of the code in whole minutes. */
  ttlMinutes: number;
  tenantName: string;
}

/** The words that make one code mail differ from another; the rest is {@link sharedCopy}. */
export interface CodeMailCopy {
  subject: (tenant: string) => string;
  preview: (tenant: string, minutes: number) => string;
  heading: string;
  intro: (tenant: string) => string;
  codeLabel: string;
  ignore: string;
  footer: (tenant: string) => string;
}

// Every string of a code mail is digit-free apart from the minutes: together with tenantLabel on
// the tenant name this keeps the code the only 6-digit run of the mail's text.
const sharedCopy: Record<Locale, { expires: (minutes: number) => string; neverShare: (tenant: string) => string }> = {
  ko: {
    expires: (minutes) => `이 코드는 ${minutes}분 후에 만료됩니다.`,
    neverShare: (tenant) => `${tenant} 직원을 포함해 누구에게도 이 코드를 알려 주지 마세요.`,
  },
  en: {
    expires: (minutes) => `This code expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    neverShare: (tenant) => `Don't share this code with anyone. ${tenant} will never ask you for it.`,
  },
};

const codeBox = {
  backgroundColor: colors.codeBg,
  border: `1px solid ${colors.border}`,
  borderRadius: "10px",
  padding: "20px 12px",
  margin: "8px 0 20px",
  textAlign: "center",
} satisfies CSSProperties;

const codeLabel = {
  margin: "0 0 8px",
  fontSize: "12px",
  lineHeight: "16px",
  fontWeight: 600,
  letterSpacing: "0.04em",
  color: colors.muted,
} satisfies CSSProperties;

const codeText = {
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

/** A supported locale (untyped callers may pass anything: Korean then). */
const pick = (locale: Locale): Locale => (Object.hasOwn(sharedCopy, locale) ? locale : DEFAULT_LOCALE);

/** The subject line of a code mail in `locale`. */
export function codeMailSubject(copy: Record<Locale, CodeMailCopy>, locale: Locale, tenantName: string): string {
  return copy[pick(locale)].subject(tenantLabel(tenantName));
}

/**
 * The one layout of every code mail: heading, intro, the code in its box, its lifetime, "never
 * share it", and a line for those who did not ask. Each mail gives only its own words.
 */
export function CodeMail({
  copy,
  locale = DEFAULT_LOCALE,
  code,
  ttlMinutes,
  tenantName,
}: CodeMailProps & { copy: Record<Locale, CodeMailCopy> }) {
  const lang = pick(locale);
  const t = copy[lang];
  const shared = sharedCopy[lang];
  const tenant = tenantLabel(tenantName);
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
      <Text style={{ ...styles.paragraph, fontWeight: 600, color: colors.text }}>{shared.expires(ttlMinutes)}</Text>
      <Text style={styles.paragraph}>{shared.neverShare(tenant)}</Text>
      <Hr style={styles.hr} />
      <Text style={styles.small}>{t.ignore}</Text>
    </EmailLayout>
  );
}
