import { Heading, Hr, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../locale";
import { singleLine, tenantLabel } from "../text";
import { EmailLayout } from "./_components/layout";
import { colors, styles } from "./_components/theme";

/** How the password changed: `reset` by clientPasswordReset (every session ended), `changed` by the signed-in user. */
export type PasswordChangeKind = "reset" | "changed";

export interface PasswordChangedEmailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  tenantName: string;
  /** The account's userId, so a person with several accounts knows which one. */
  userId: string;
  how: PasswordChangeKind;
  /** When the password changed, ISO-8601 (shown in UTC). */
  changedAt: string;
}

interface NoticeCopy {
  subject: (tenant: string) => string;
  preview: (tenant: string) => string;
  heading: string;
  body: Record<PasswordChangeKind, (tenant: string) => string>;
  account: (userId: string) => string;
  when: (at: string) => string;
  ifYou: string;
  ifNotYou: (tenant: string) => string;
  footer: (tenant: string) => string;
}

// A security notice (CONTRACT v2: after a reset and after a password change): it says what
// happened, to which account and when, and never carries a link to act on (a phishing mail
// copying it would have to invent one).
const copy: Record<Locale, NoticeCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 비밀번호가 변경되었습니다`,
    preview: (tenant) => `${tenant} 계정의 비밀번호가 변경되었습니다.`,
    heading: "비밀번호가 변경되었습니다",
    body: {
      reset: (tenant) => `비밀번호 찾기를 통해 ${tenant} 계정의 비밀번호가 새로 설정되었고, 모든 기기에서 로그아웃되었습니다.`,
      changed: (tenant) => `${tenant} 계정의 비밀번호가 변경되었고, 다른 기기의 로그인은 모두 종료되었습니다.`,
    },
    account: (userId) => `계정: ${userId}`,
    when: (at) => `변경 시각: ${at} (UTC)`,
    ifYou: "본인이 변경하셨다면 아무것도 하지 않으셔도 됩니다.",
    ifNotYou: (tenant) => `본인이 한 일이 아니라면 즉시 비밀번호 찾기로 비밀번호를 다시 설정하고 ${tenant} 고객센터에 알려 주세요.`,
    footer: (tenant) => `이 메일은 ${tenant} 계정 보안을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} password was changed`,
    preview: (tenant) => `The password of your ${tenant} account was changed.`,
    heading: "Your password was changed",
    body: {
      reset: (tenant) => `The password of your ${tenant} account was reset with "forgot password", and you were signed out everywhere.`,
      changed: (tenant) => `The password of your ${tenant} account was changed, and every other sign-in was ended.`,
    },
    account: (userId) => `Account: ${userId}`,
    when: (at) => `Changed at ${at} (UTC).`,
    ifYou: "If this was you, there is nothing to do.",
    ifNotYou: (tenant) => `If this was not you, reset your password with "forgot password" right away and contact ${tenant} support.`,
    footer: (tenant) => `This is an automated security message from ${tenant}. Replies to this address are not read.`,
  },
};

const pick = (locale: Locale): Locale => (Object.hasOwn(copy, locale) ? locale : DEFAULT_LOCALE);

/** `2026-12-08 10:00` from an ISO timestamp (UTC). */
function shownTime(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** Localized subject line of the password-changed notice. */
export function passwordChangedSubject(locale: Locale, tenantName: string): string {
  return copy[pick(locale)].subject(tenantLabel(tenantName));
}

/** The security notice after a password reset or change (CONTRACT v2 "clientPasswordReset"). */
export function PasswordChangedEmail({ locale = DEFAULT_LOCALE, tenantName, userId, how, changedAt }: PasswordChangedEmailProps) {
  const lang = pick(locale);
  const t = copy[lang];
  const tenant = tenantLabel(tenantName);
  return (
    <EmailLayout locale={lang} title={t.subject(tenant)} preview={t.preview(tenant)} brand={tenant} footer={t.footer(tenant)}>
      <Heading as="h1" style={styles.h1}>
        {t.heading}
      </Heading>
      <Text style={styles.paragraph}>{t.body[how](tenant)}</Text>
      <Text style={{ ...styles.paragraph, fontWeight: 600, color: colors.text }}>{t.account(singleLine(userId))}</Text>
      <Text style={{ ...styles.paragraph, fontWeight: 600, color: colors.text }}>{t.when(shownTime(changedAt))}</Text>
      <Text style={styles.paragraph}>{t.ifYou}</Text>
      <Hr style={styles.hr} />
      <Text style={styles.small}>{t.ifNotYou(tenant)}</Text>
    </EmailLayout>
  );
}

PasswordChangedEmail.PreviewProps = {
  locale: "ko",
  tenantName: "Acme 커머스",
  userId: "jiwoo.kim",
  how: "reset",
  changedAt: "2026-12-08T10:00:00.000Z",
} satisfies PasswordChangedEmailProps;

export default PasswordChangedEmail;
