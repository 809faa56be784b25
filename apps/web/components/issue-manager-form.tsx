"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { DISPLAY_NAME_MAX_CHARACTERS, EMAIL_MAX_LENGTH, USER_ID_MAX_LENGTH, displayNameSchema, userIdSchema } from "@gatehouse/contract";
import { useTRPC } from "../lib/trpc";
import { check, emailProblem, problemOf } from "../lib/validation";
import { CheckboxField, FormError, SubmitButton, TextField } from "./form";
import { SecretReveal } from "./secret-reveal";
import { Notice } from "./ui";
import { useFormFields } from "./use-form-errors";

interface Issued {
  userId: string;
  displayName: string;
  email: string | null;
  temporaryPassword: string;
  emailed: boolean;
  passwordInEmail: boolean;
}

/** Issues a manager account into a tenant and shows its temporary password once. */
export function IssueManagerForm({ tenantKey, tenantName }: { tenantKey: string; tenantName: string }) {
  const trpc = useTRPC();
  const [issued, setIssued] = useState<Issued | null>(null);
  const { values, set, field, reset, formError, showError, showFieldErrors, clearErrors } = useFormFields({
    userId: "",
    displayName: "",
    email: "",
    sendInvitation: false,
    includePassword: false,
  });
  const { displayName, email, sendInvitation, includePassword } = values;
  const issue = useMutation(trpc.backOffice.managers.issue.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    const errors: Record<string, string> = {};
    const userId = check(userIdSchema, values.userId);
    if (!userId.ok) errors.userId = userId.problem;
    const displayNameError = problemOf(displayNameSchema, displayName);
    if (displayNameError) errors.displayName = displayNameError;
    if (sendInvitation) {
      const emailError = email.trim() === "" ? "Enter the email address to send the invitation to." : emailProblem(email);
      if (emailError) errors.email = emailError;
    }
    if (!userId.ok || Object.keys(errors).length > 0) {
      showFieldErrors(errors);
      return;
    }
    try {
      const result = await issue.mutateAsync({
        tenantKey,
        userId: userId.value,
        displayName,
        ...(sendInvitation ? { email: email.trim(), includePasswordInEmail: includePassword } : {}),
      });
      setIssued({
        userId: result.user.userId,
        displayName: result.user.displayName,
        email: result.user.email,
        temporaryPassword: result.temporaryPassword,
        emailed: sendInvitation,
        passwordInEmail: sendInvitation && includePassword,
      });
    } catch (error) {
      showError(error, { "user/UserIdDuplicated": "userId", "user/EmailDuplicated": "email", "signUp/EmailDomainNotAllowed": "email" });
    }
  }

  if (issued) {
    const userHref = `/backoffice/tenants/${tenantKey}/users/${encodeURIComponent(issued.userId)}`;
    return (
      <div className="stack-lg">
        <Notice tone="success">
          Manager <strong>{issued.displayName}</strong> (<span className="mono">{issued.userId}</span>) was issued in {tenantName}.
          {issued.emailed
            ? ` An invitation was sent to ${issued.email}${issued.passwordInEmail ? " with the temporary password in it" : " without the password"}.`
            : " No email was sent."}
        </Notice>
        <SecretReveal label="Temporary password" secret={issued.temporaryPassword} who={issued.displayName} />
        <div className="form-actions">
          <Link href={userHref} className="btn btn-secondary">
            View the manager
          </Link>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              setIssued(null);
              reset();
            }}
          >
            Issue another manager
          </button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      <div className="form-grid">
        <TextField
          label="User ID"
          {...field("userId")}
          hint="What the manager signs in with. 3-32 lower-case letters, digits, dots, hyphens or underscores."
          required
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={USER_ID_MAX_LENGTH}
        />
        <TextField label="Display name" {...field("displayName")} required maxLength={DISPLAY_NAME_MAX_CHARACTERS} autoComplete="off" />
      </div>
      <fieldset className="field">
        <legend>Invitation email</legend>
        <CheckboxField label="Send an invitation email" checked={sendInvitation} onChange={(checked) => set("sendInvitation", checked)} />
        {sendInvitation ? (
          <div className="nested">
            <TextField
              label="Email address"
              type="email"
              {...field("email")}
              hint="The invitation says which tenant and user ID to use. The tenant's allowed domains do not apply to issued managers."
              required
              maxLength={EMAIL_MAX_LENGTH}
              autoComplete="off"
            />
            <CheckboxField
              label="Put the temporary password in the email"
              checked={includePassword}
              onChange={(checked) => set("includePassword", checked)}
            />
            <p className="field-hint">
              Email is not a secure channel. Leave this off to hand the password over another way; it is shown to you once either way.
            </p>
          </div>
        ) : null}
      </fieldset>
      <div className="form-actions">
        <SubmitButton pending={issue.isPending} pendingLabel="Issuing…">
          Issue manager
        </SubmitButton>
      </div>
    </form>
  );
}
