export {
  renderIdentityLinkedEmail,
  renderManagerInvitationEmail,
  renderPasswordChangedEmail,
  renderPasswordResetCodeEmail,
  renderSignInCodeEmail,
  renderVerificationEmail,
} from "./render";
export type {
  IdentityLinkedEmailInput,
  ManagerInvitationEmailInput,
  PasswordChangedEmailInput,
  RenderedEmail,
  VerificationEmailInput,
} from "./render";
export { createMailer, SMTP_TIMEOUTS } from "./transport";
export type { MailLog, Mailer, MailerOptions, MailMessage } from "./transport";
export { isMailUnavailable, MailUnavailableError } from "./errors";
export { DEFAULT_LOCALE, LOCALES, normalizeLocale } from "./locale";
export type { Locale } from "./locale";
export { ManagerInvitationEmail } from "./templates/manager-invitation";
export type { ManagerInvitationEmailProps } from "./templates/manager-invitation";
export { VerificationCodeEmail } from "./templates/verification-code";
export type { VerificationCodeEmailProps } from "./templates/verification-code";
