import type { CSSProperties } from "react";
import { Button, Heading, Hr, Section, Text } from "@react-email/components";
import { DEFAULT_LOCALE, type Locale } from "../locale";
import { safeHttpUrl, singleLine } from "../text";
import { EmailLayout } from "./_components/layout";
import { colors, monoFontFamily, styles } from "./_components/theme";

export interface ManagerInvitationEmailProps {
  /** Mail language; Korean when omitted. */
  locale?: Locale;
  tenantName: string;
  tenantKey: string;
  userId: string;
  displayName: string;
  /** The tenant's app; without a usable http(s) URL the sign-in button is left out. */
  appUrl: string | null;
  /** Only when the administrator chose to send it by mail (includePasswordInEmail). */
  temporaryPassword?: string | undefined;
}

interface InvitationCopy {
  subject: (tenant: string) => string;
  preview: (tenant: string) => string;
  greeting: (name: string) => string;
  heading: string;
  intro: (tenant: string, key: string) => string;
  tenantLabel: string;
  userIdLabel: string;
  passwordLabel: string;
  passwordSeparately: string;
  signIn: (tenant: string) => string;
  signInNoUrl: string;
  mustChange: string;
  deleteAfter: string;
  unexpected: (tenant: string) => string;
  footer: (tenant: string) => string;
}

const copy: Record<Locale, InvitationCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 관리자 계정이 발급되었습니다`,
    preview: (tenant) => `${tenant} 관리자 계정이 준비되었습니다. 처음 로그인할 때 비밀번호를 변경해야 합니다.`,
    greeting: (name) => `${name}님, 안녕하세요.`,
    heading: "관리자 계정이 발급되었습니다",
    intro: (tenant, key) => `${tenant}(${key}) 테넌트의 관리자 계정이 발급되었습니다. 아래 정보로 로그인하세요.`,
    tenantLabel: "테넌트",
    userIdLabel: "아이디",
    passwordLabel: "임시 비밀번호",
    passwordSeparately: "임시 비밀번호는 보안을 위해 이 메일에 포함되지 않았으며, 관리자가 별도로 전달해 드립니다.",
    signIn: (tenant) => `${tenant} 로그인`,
    signInNoUrl: "로그인 주소는 계정을 발급한 관리자에게 문의하세요.",
    mustChange: "처음 로그인하면 비밀번호를 반드시 변경해야 합니다. 새 비밀번호를 설정하기 전에는 다른 기능을 사용할 수 없습니다.",
    deleteAfter: "비밀번호를 변경한 뒤에는 이 메일을 삭제하는 것을 권장합니다.",
    unexpected: (tenant) => `이 계정에 대해 알지 못하신다면 ${tenant} 관리자에게 알려 주세요.`,
    footer: (tenant) => `이 메일은 ${tenant} 계정 발급에 따라 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} manager account is ready`,
    preview: (tenant) => `You now have a manager account for ${tenant}. You'll set a new password when you first sign in.`,
    greeting: (name) => `Hi ${name},`,
    heading: "Your manager account is ready",
    intro: (tenant, key) => `You've been issued a manager account for ${tenant} (${key}). Sign in with the details below.`,
    tenantLabel: "Tenant",
    userIdLabel: "User ID",
    passwordLabel: "Temporary password",
    passwordSeparately:
      "For security, your temporary password isn't included in this email. An administrator will give it to you separately.",
    signIn: (tenant) => `Sign in to ${tenant}`,
    signInNoUrl: "Ask the administrator who issued your account where to sign in.",
    mustChange: "You must change your password the first time you sign in. Nothing else is available until you've set a new one.",
    deleteAfter: "Once you've changed your password, we recommend deleting this email.",
    unexpected: (tenant) => `If you weren't expecting this account, please let your ${tenant} administrator know.`,
    footer: (tenant) => `This is an automated message about your ${tenant} account. Replies to this address are not read.`,
  },
};

function pickCopy(locale: Locale): { lang: Locale; t: InvitationCopy } {
  const lang: Locale = Object.hasOwn(copy, locale) ? locale : DEFAULT_LOCALE;
  return { lang, t: copy[lang] };
}

/** Localized subject line of the manager invitation. */
export function managerInvitationSubject(locale: Locale, tenantName: string): string {
  return pickCopy(locale).t.subject(singleLine(tenantName) || "Gatehouse");
}

const details = {
  backgroundColor: colors.codeBg,
  border: `1px solid ${colors.border}`,
  borderRadius: "10px",
  padding: "16px 20px 4px",
  margin: "0 0 20px",
} satisfies CSSProperties;

const detailLabel = {
  margin: "0 0 2px",
  fontSize: "12px",
  lineHeight: "16px",
  fontWeight: 600,
  letterSpacing: "0.04em",
  color: colors.muted,
} satisfies CSSProperties;

const detailValue = {
  margin: "0 0 14px",
  fontSize: "15px",
  lineHeight: "22px",
  color: colors.text,
  wordBreak: "break-all",
} satisfies CSSProperties;

const monoValue = {
  ...detailValue,
  fontFamily: monoFontFamily,
  fontSize: "16px",
  fontWeight: 600,
  userSelect: "all",
  WebkitUserSelect: "all",
} satisfies CSSProperties;

const notice = {
  backgroundColor: colors.noticeBg,
  borderLeft: `4px solid ${colors.noticeBorder}`,
  borderRadius: "4px",
  padding: "12px 16px",
  margin: "0 0 20px",
  fontSize: "14px",
  lineHeight: "22px",
  color: colors.noticeText,
} satisfies CSSProperties;

export function ManagerInvitationEmail({
  locale = DEFAULT_LOCALE,
  tenantName,
  tenantKey,
  userId,
  displayName,
  appUrl,
  temporaryPassword,
}: ManagerInvitationEmailProps) {
  const { lang, t } = pickCopy(locale);
  const tenant = singleLine(tenantName) || "Gatehouse";
  const href = safeHttpUrl(appUrl);
  const password = temporaryPassword ? temporaryPassword : null;
  return (
    <EmailLayout locale={lang} title={t.subject(tenant)} preview={t.preview(tenant)} brand={tenant} footer={t.footer(tenant)}>
      <Text style={styles.paragraph}>{t.greeting(singleLine(displayName))}</Text>
      <Heading as="h1" style={styles.h1}>
        {t.heading}
      </Heading>
      <Text style={styles.paragraph}>{t.intro(tenant, tenantKey)}</Text>

      <Section style={details}>
        <Text style={detailLabel}>{t.tenantLabel}</Text>
        <Text style={detailValue}>{`${tenant} (${tenantKey})`}</Text>
        <Text style={detailLabel}>{t.userIdLabel}</Text>
        <Text style={monoValue}>{userId}</Text>
        {password !== null ? (
          <>
            <Text style={detailLabel}>{t.passwordLabel}</Text>
            <Text style={monoValue}>{password}</Text>
          </>
        ) : null}
      </Section>

      {password === null ? <Text style={styles.paragraph}>{t.passwordSeparately}</Text> : null}

      <Text style={notice}>{t.mustChange}</Text>

      {href !== null ? (
        <Section style={{ margin: "4px 0 20px" }}>
          <Button href={href} style={styles.button}>
            {t.signIn(tenant)}
          </Button>
        </Section>
      ) : (
        <Text style={styles.paragraph}>{t.signInNoUrl}</Text>
      )}

      <Hr style={styles.hr} />
      {password !== null ? <Text style={styles.small}>{t.deleteAfter}</Text> : null}
      <Text style={styles.small}>{t.unexpected(tenant)}</Text>
    </EmailLayout>
  );
}

ManagerInvitationEmail.PreviewProps = {
  locale: "ko",
  tenantName: "Acme 커머스",
  tenantKey: "acme",
  userId: "jiwoo.kim",
  displayName: "김지우",
  appUrl: "https://app.acme.example",
  temporaryPassword: "Tq7-mVr2-Hx9p",
} satisfies ManagerInvitationEmailProps;

export default ManagerInvitationEmail;
