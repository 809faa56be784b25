import type { Locale } from "../locale";
import { CodeMail, codeMailSubject, type CodeMailCopy, type CodeMailProps } from "./_components/code-mail";

export type SignInCodeEmailProps = CodeMailProps;

// The same mail whether or not the address has an account (no enumeration): the copy speaks of
// "signing in or creating an account" and never of an existing one.
const copy: Record<Locale, CodeMailCopy> = {
  ko: {
    subject: (tenant) => `[${tenant}] 로그인 코드`,
    preview: (tenant, minutes) => `${tenant} 로그인 코드입니다. ${minutes}분 안에 입력해 주세요.`,
    heading: "로그인 코드",
    intro: (tenant) => `${tenant}에 로그인하거나 새 계정을 만들려면 아래 코드를 입력하세요.`,
    codeLabel: "로그인 코드",
    ignore: "로그인을 요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 코드를 입력하지 않으면 아무 일도 일어나지 않습니다.",
    footer: (tenant) => `이 메일은 ${tenant} 로그인을 위해 자동으로 발송된 발신 전용 메일입니다.`,
  },
  en: {
    subject: (tenant) => `Your ${tenant} sign-in code`,
    preview: (tenant, minutes) => `Your ${tenant} sign-in code. It expires in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    heading: "Your sign-in code",
    intro: (tenant) => `Enter this code in ${tenant} to sign in or create your account.`,
    codeLabel: "Sign-in code",
    ignore: "If you didn't request this, you can safely ignore this email. Nothing happens unless the code is entered.",
    footer: (tenant) => `This is an automated message from ${tenant}. Replies to this address are not read.`,
  },
};

/** Localized subject line of the sign-in code mail. */
export function signInSubject(locale: Locale, tenantName: string): string {
  return codeMailSubject(copy, locale, tenantName);
}

/** The email-code sign-in mail (clientPasswordless.sendCode): "your sign-in code". */
export function SignInCodeEmail(props: SignInCodeEmailProps) {
  return <CodeMail copy={copy} {...props} />;
}

SignInCodeEmail.PreviewProps = {
  locale: "ko",
  code: "305817",
  ttlMinutes: 5,
  tenantName: "Acme 커머스",
} satisfies SignInCodeEmailProps;

export default SignInCodeEmail;
