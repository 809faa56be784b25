import type { Locale } from "../locale";
import { CodeMail, codeMailSubject, type CodeMailCopy, type CodeMailProps } from "./_components/code-mail";

export type PasswordResetCodeEmailProps = CodeMailProps;

// Sent only to an address a user of the tenant verified (clientPasswordReset.sendEmailCode), yet
// it never names the account: the account is named by verifyCode, once the code is proved.
const copy: Record<Locale, CodeMailCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 비밀번호 재설정 코드`,
    preview: (tenant, minutes) => `${tenant} 비밀번호 재설정 코드입니다. ${minutes}분 안에 입력해 주세요.`,
    heading: "비밀번호 재설정 코드",
    intro: (tenant) => `${tenant} 계정의 비밀번호를 다시 설정하려면 아래 코드를 입력하세요.`,
    codeLabel: "재설정 코드",
    ignore: "비밀번호 재설정을 요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 코드를 입력하지 않으면 비밀번호는 바뀌지 않습니다.",
    footer: (tenant) => `이 메일은 ${tenant} 계정 보안을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} password reset code`,
    preview: (tenant, minutes) => `Your ${tenant} password reset code. It expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    heading: "Reset your password",
    intro: (tenant) => `Enter this code in ${tenant} to choose a new password.`,
    codeLabel: "Reset code",
    ignore:
      "If you didn't ask to reset your password, you can safely ignore this email. Your password stays the same unless the code is entered.",
    footer: (tenant) => `This is an automated message about your ${tenant} account. Replies to this address are not read.`,
  },
};

/** Localized subject line of the password-reset code mail. */
export function passwordResetSubject(locale: Locale, tenantName: string): string {
  return codeMailSubject(copy, locale, tenantName);
}

/** The forgot-password mail (clientPasswordReset.sendEmailCode): "your password reset code". */
export function PasswordResetCodeEmail(props: PasswordResetCodeEmailProps) {
  return <CodeMail copy={copy} {...props} />;
}

PasswordResetCodeEmail.PreviewProps = {
  locale: "ko",
  code: "650284",
  ttlMinutes: 5,
  tenantName: "Acme 커머스",
} satisfies PasswordResetCodeEmailProps;

export default PasswordResetCodeEmail;
