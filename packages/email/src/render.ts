import { createElement } from "react";
import { render } from "@react-email/render";
import type { Locale } from "./locale";
import { singleLine } from "./text";
import { IdentityLinkedEmail, identityLinkedSubject, type LinkedProvider } from "./templates/identity-linked";
import { ManagerInvitationEmail, managerInvitationSubject } from "./templates/manager-invitation";
import { PasswordChangedEmail, passwordChangedSubject, type PasswordChangeKind } from "./templates/password-changed";
import { PasswordResetCodeEmail, passwordResetSubject } from "./templates/password-reset-code";
import { SignInCodeEmail, signInSubject } from "./templates/sign-in-code";
import { VerificationCodeEmail, verificationSubject } from "./templates/verification-code";

/** A mail ready for {@link Mailer.send}: subject plus HTML and plain-text alternatives. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface VerificationEmailInput {
  locale: Locale;
  /** 6 decimal digits. */
  code: string;
  /** Whole minutes, 1..1440. */
  ttlMinutes: number;
  tenantName: string;
}

export interface ManagerInvitationEmailInput {
  locale: Locale;
  tenantName: string;
  tenantKey: string;
  userId: string;
  displayName: string;
  appUrl: string | null;
  /** Only when the administrator asked for it to be mailed (includePasswordInEmail). */
  temporaryPassword?: string | undefined;
}

const CODE_PATTERN = /^[0-9]{6}$/;

/** Plain-text conversion: keep headings as written (html-to-text upper-cases them by default). */
const headingSelectors = ["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({
  selector,
  options: { uppercase: false },
}));

async function renderBoth(element: ReturnType<typeof createElement>): Promise<{ html: string; text: string }> {
  const [html, text] = await Promise.all([
    render(element),
    render(element, { plainText: true, htmlToTextOptions: { selectors: headingSelectors } }),
  ]);
  return { html, text: text.trim() + "\n" };
}

/**
 * The email-verification mail. Its plain-text part contains the code as its only run of
 * 6 or more digits (checked again here before the mail leaves this function).
 */
export async function renderVerificationEmail(input: VerificationEmailInput): Promise<RenderedEmail> {
  return renderCodeEmail("renderVerificationEmail", VerificationCodeEmail, verificationSubject, input);
}

/**
 * The email-code sign-in mail ("your sign-in code"), the same for known and unknown addresses.
 * Same guarantee as the verification mail: the code is the text part's only run of 6+ digits.
 */
export async function renderSignInCodeEmail(input: VerificationEmailInput): Promise<RenderedEmail> {
  return renderCodeEmail("renderSignInCodeEmail", SignInCodeEmail, signInSubject, input);
}

/**
 * The forgot-password mail (clientPasswordReset.sendEmailCode), sent only to a verified address.
 * Same guarantee as the other code mails: the code is the text part's only run of 6+ digits.
 */
export async function renderPasswordResetCodeEmail(input: VerificationEmailInput): Promise<RenderedEmail> {
  return renderCodeEmail("renderPasswordResetCodeEmail", PasswordResetCodeEmail, passwordResetSubject, input);
}

async function renderCodeEmail(
  name: string,
  template: typeof VerificationCodeEmail | typeof SignInCodeEmail | typeof PasswordResetCodeEmail,
  subject: (locale: Locale, tenantName: string) => string,
  input: VerificationEmailInput,
): Promise<RenderedEmail> {
  const { locale, code, ttlMinutes, tenantName } = input;
  if (!CODE_PATTERN.test(code)) throw new TypeError(`${name}: code must be 6 decimal digits`);
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 1440) {
    throw new RangeError(`${name}: ttlMinutes must be a whole number from 1 to 1440`);
  }
  const { html, text } = await renderBoth(createElement(template, { locale, code, ttlMinutes, tenantName }));
  // The contract promises the code is the text part's only run of 6+ digits.
  // The templates guarantee it; refuse to send a mail that would break it all the same.
  const runs = text.match(/\p{Nd}{6,}/gu) ?? [];
  if (runs.length === 0 || runs.some((run) => run !== code)) {
    throw new Error(`${name}: the text part must contain the code as its only run of digits`);
  }
  return { subject: subject(locale, tenantName), html, text };
}

/** The mail sent to a manager issued by a BackOffice administrator (managers.issue). */
export async function renderManagerInvitationEmail(input: ManagerInvitationEmailInput): Promise<RenderedEmail> {
  const { locale, tenantName, tenantKey, userId, displayName, appUrl, temporaryPassword } = input;
  const { html, text } = await renderBoth(
    createElement(ManagerInvitationEmail, {
      locale,
      tenantName,
      tenantKey,
      userId,
      displayName,
      appUrl,
      temporaryPassword: temporaryPassword || undefined,
    }),
  );
  return { subject: singleLine(managerInvitationSubject(locale, tenantName)), html, text };
}

export interface IdentityLinkedEmailInput {
  locale: Locale;
  tenantName: string;
  provider: LinkedProvider;
  linkedAt: Date;
}

/** The security notice of a provider account linked to an existing account (CONTRACT v2). */
export async function renderIdentityLinkedEmail(input: IdentityLinkedEmailInput): Promise<RenderedEmail> {
  const { locale, tenantName, provider, linkedAt } = input;
  const { html, text } = await renderBoth(
    createElement(IdentityLinkedEmail, { locale, tenantName, provider, linkedAt: linkedAt.toISOString() }),
  );
  return { subject: singleLine(identityLinkedSubject(locale, tenantName, provider)), html, text };
}

export interface PasswordChangedEmailInput {
  locale: Locale;
  tenantName: string;
  userId: string;
  /** `reset`: by clientPasswordReset; `changed`: by clientAuth.changePassword. */
  how: PasswordChangeKind;
  changedAt: Date;
}

/** The security notice after a password reset or change (CONTRACT v2 "clientPasswordReset"). */
export async function renderPasswordChangedEmail(input: PasswordChangedEmailInput): Promise<RenderedEmail> {
  const { locale, tenantName, userId, how, changedAt } = input;
  const { html, text } = await renderBoth(
    createElement(PasswordChangedEmail, { locale, tenantName, userId, how, changedAt: changedAt.toISOString() }),
  );
  return { subject: singleLine(passwordChangedSubject(locale, tenantName)), html, text };
}
