import type { Locale } from "../locale";
import { CodeMail, codeMailSubject, type CodeMailCopy, type CodeMailProps } from "./_components/code-mail";

export type VerificationCodeEmailProps = CodeMailProps;

const copy: Record<Locale, CodeMailCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 이메일 인증 코드`,
    preview: (tenant, minutes) => `${tenant} 이메일 인증 코드입니다. ${minutes}분 안에 입력해 주세요.`,
    heading: "이메일 주소를 인증해 주세요",
    intro: (tenant) => `${tenant} 계정의 이메일 인증을 완료하려면 아래 인증 코드를 입력하세요.`,
    codeLabel: "인증 코드",
    ignore: "인증을 요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 코드를 입력하지 않으면 계정에는 아무 변화도 없습니다.",
    footer: (tenant) => `이 메일은 ${tenant} 계정 보안을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} verification code`,
    preview: (tenant, minutes) => `Your ${tenant} verification code. It expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    heading: "Verify your email address",
    intro: (tenant) => `Enter this code in ${tenant} to finish verifying your email address.`,
    codeLabel: "Verification code",
    ignore: "If you didn't request this, you can safely ignore this email. Nothing changes on your account unless the code is entered.",
    footer: (tenant) => `This is an automated message about your ${tenant} account. Replies to this address are not read.`,
  },
};

/** Localized subject line of the verification mail. */
export function verificationSubject(locale: Locale, tenantName: string): string {
  return codeMailSubject(copy, locale, tenantName);
}

/** The email-verification mail (clientEmailVerification.sendVerification). */
export function VerificationCodeEmail(props: VerificationCodeEmailProps) {
  return <CodeMail copy={copy} {...props} />;
}

VerificationCodeEmail.PreviewProps = {
  locale: "ko",
  code: "482915",
  ttlMinutes: 10,
  tenantName: "Acme 커머스",
} satisfies VerificationCodeEmailProps;

export default VerificationCodeEmail;
