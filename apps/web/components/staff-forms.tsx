"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { EMAIL_MAX_LENGTH, isSamePassword, passwordEqualsIdentity } from "@gatehouse/contract";
import { messageForAppCode } from "../lib/error-messages";
import { useTRPC } from "../lib/trpc";
import { checkEmail, newPasswordHint, passwordLengthProblem } from "../lib/validation";
import { ConfirmDialog } from "./confirm-dialog";
import { FormError, SelectField, SubmitButton, TextField } from "./form";
import { Notice } from "./ui";
import { useFormErrors, useFormFields } from "./use-form-errors";

type Role = "admin" | "viewer";
const roleOptions = [
  { value: "viewer", label: "Viewer: can look at everything, change nothing" },
  { value: "admin", label: "Admin: can change tenants, users and staff" },
];

/**
 * Adds a staff member with an initial password (which they should change at once). Every field's
 * problem is shown at once; an email already in the list (or a 409 from the API) is the email
 * field's error.
 */
export function CreateStaffForm({ existingEmails }: { existingEmails: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<string | null>(null);
  const { values, field, reset, formError, fieldErrors, showError, showFieldErrors, clearErrors } = useFormFields({
    email: "",
    password: "",
  });
  const create = useMutation(trpc.backOffice.staff.create.mutationOptions());

  function checkFields(): Record<string, string> {
    const errors: Record<string, string> = {};
    const email = checkEmail(values.email);
    if (!email.ok) errors.email = email.problem;
    else if (existingEmails.includes(email.value)) errors.email = messageForAppCode("staff/EmailDuplicated");
    const passwordError = passwordLengthProblem(values.password);
    if (passwordError) errors.password = passwordError;
    else if (email.ok && passwordEqualsIdentity(values.password, { email: email.value }) === "email")
      errors.password = "The password must not be the email address.";
    return errors;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setCreated(null);
    const errors = checkFields();
    if (Object.keys(errors).length > 0) {
      showFieldErrors(errors);
      return;
    }
    try {
      const staff = await create.mutateAsync({ ...values, role });
      setCreated(
        `${staff.email} was added as ${staff.role === "admin" ? "an admin" : "a viewer"}. Give them the password over a secure channel and ask them to change it under Account.`,
      );
      reset();
      setRole("viewer");
      router.refresh();
    } catch (error) {
      showError(error, { "staff/EmailDuplicated": "email" });
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      {created ? <Notice tone="success">{created}</Notice> : null}
      <div className="form-grid">
        <TextField label="Email" type="email" {...field("email")} required maxLength={EMAIL_MAX_LENGTH} autoComplete="off" />
        <TextField
          label="Initial password"
          type="password"
          {...field("password")}
          hint={`${newPasswordHint} Not a common password, not the email.`}
          required
          autoComplete="new-password"
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(value) => setRole(value === "admin" ? "admin" : "viewer")}
          options={roleOptions}
          error={fieldErrors.role}
        />
      </div>
      <div className="form-actions">
        <SubmitButton pending={create.isPending} pendingLabel="Adding…">
          Add staff member
        </SubmitButton>
      </div>
    </form>
  );
}

type Change = { kind: "role"; role: Role } | { kind: "disable" } | { kind: "enable" };

/** Role change and disable/enable for one staff row, each confirmed. */
export function StaffRowActions({ email, role, disabled }: { email: string; role: Role; disabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const selectId = useId();
  const [nextRole, setNextRole] = useState<Role>(role);
  const [change, setChange] = useState<Change | null>(null);
  const { formError: error, setFormError: setError, showError } = useFormErrors();
  const update = useMutation(trpc.backOffice.staff.update.mutationOptions());

  async function confirm() {
    if (!change) return;
    setError(null);
    try {
      if (change.kind === "role") await update.mutateAsync({ email, role: change.role });
      else await update.mutateAsync({ email, disabled: change.kind === "disable" });
      setChange(null);
      router.refresh();
    } catch (caught) {
      showError(caught);
    }
  }

  const dialog =
    change?.kind === "role"
      ? {
          title: `Make ${email} ${change.role === "admin" ? "an admin" : "a viewer"}?`,
          body:
            change.role === "admin"
              ? "Admins can create and delete tenants, issue managers, suspend and delete users, and manage staff."
              : "Viewers can look at everything but change nothing. This takes effect on their next action.",
          confirm: "Change role",
          tone: "primary" as const,
        }
      : change?.kind === "disable"
        ? {
            title: `Disable ${email}?`,
            body: "They are signed out at once and cannot sign in until enabled again.",
            confirm: "Disable staff member",
            tone: "danger" as const,
          }
        : {
            title: `Enable ${email}?`,
            body: "They can sign in again with their existing password.",
            confirm: "Enable staff member",
            tone: "primary" as const,
          };

  return (
    <div className="row-actions">
      {!disabled ? (
        <div className="inline-field">
          <label htmlFor={selectId} className="visually-hidden">
            Role of {email}
          </label>
          <select id={selectId} value={nextRole} onChange={(event) => setNextRole(event.target.value === "admin" ? "admin" : "viewer")}>
            <option value="viewer">Viewer</option>
            <option value="admin">Admin</option>
          </select>
          <button
            type="button"
            className="btn btn-secondary btn-small"
            disabled={nextRole === role}
            onClick={() => {
              setError(null);
              setChange({ kind: "role", role: nextRole });
            }}
          >
            Change role<span className="visually-hidden"> of {email}</span>
          </button>
        </div>
      ) : null}
      <button
        type="button"
        className={`btn btn-small ${disabled ? "btn-secondary" : "btn-danger-outline"}`}
        onClick={() => {
          setError(null);
          setChange(disabled ? { kind: "enable" } : { kind: "disable" });
        }}
      >
        {disabled ? "Enable" : "Disable"}
        <span className="visually-hidden"> {email}</span>
      </button>
      <ConfirmDialog
        open={change !== null}
        title={dialog.title}
        confirmLabel={dialog.confirm}
        tone={dialog.tone}
        pending={update.isPending}
        error={error}
        onCancel={() => {
          setChange(null);
          setNextRole(role);
        }}
        onConfirm={() => void confirm()}
      >
        <p>{dialog.body}</p>
      </ConfirmDialog>
    </div>
  );
}

/**
 * The signed-in staff member's own password. Success ends every other session of theirs; the API
 * answers with a fresh session cookie, so this browser stays signed in.
 */
export function ChangeOwnPasswordForm() {
  const trpc = useTRPC();
  const [done, setDone] = useState(false);
  const { values, field, reset, formError, showError, showFieldErrors, clearErrors } = useFormFields(
    { currentPassword: "", newPassword: "", confirmation: "" },
    () => setDone(false),
  );
  const { currentPassword, newPassword, confirmation } = values;
  const change = useMutation(trpc.backOffice.staff.changePassword.mutationOptions());

  function checkFields(): Record<string, string> {
    const errors: Record<string, string> = {};
    if (currentPassword === "") errors.currentPassword = "Enter your current password.";
    const lengthError = passwordLengthProblem(newPassword);
    if (lengthError) errors.newPassword = lengthError;
    else if (isSamePassword(newPassword, currentPassword)) errors.newPassword = "The new password must differ from the current one.";
    if (confirmation !== newPassword) errors.confirmation = "The two new passwords are not the same.";
    return errors;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setDone(false);
    const errors = checkFields();
    if (Object.keys(errors).length > 0) {
      showFieldErrors(errors);
      return;
    }
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      reset();
      setDone(true);
    } catch (error) {
      // A wrong current password is that field's error, said once.
      showError(error, { "auth/InvalidCredentials": "currentPassword" });
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form form-narrow">
      {done ? <Notice tone="success">Password changed. Your other sessions were signed out; this one continues.</Notice> : null}
      <FormError message={formError} />
      <TextField label="Current password" type="password" {...field("currentPassword")} required autoComplete="current-password" />
      <TextField
        label="New password"
        type="password"
        {...field("newPassword")}
        hint={`${newPasswordHint} Not a common password, not your email, not the current one.`}
        required
        autoComplete="new-password"
      />
      <TextField label="New password again" type="password" {...field("confirmation")} required autoComplete="new-password" />
      <div className="form-actions">
        <SubmitButton pending={change.isPending} pendingLabel="Changing…">
          Change password
        </SubmitButton>
      </div>
    </form>
  );
}
