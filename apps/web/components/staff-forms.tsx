"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { describeError } from "../lib/error-messages";
import { useTRPC } from "../lib/trpc";
import { ConfirmDialog } from "./confirm-dialog";
import { FormError, SelectField, SubmitButton, TextField } from "./form";
import { goToSignInAfterExpiry, useFormErrors } from "./use-form-errors";

type Role = "admin" | "viewer";
const roleOptions = [
  { value: "viewer", label: "Viewer: can look at everything, change nothing" },
  { value: "admin", label: "Admin: can change tenants, users and staff" },
];

/** Adds a staff member with an initial password (which they should change at once). */
export function CreateStaffForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<string | null>(null);
  const { formError, fieldErrors, showError, clearErrors, setFieldError } = useFormErrors();
  const create = useMutation(trpc.backOffice.staff.create.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setCreated(null);
    try {
      const staff = await create.mutateAsync({ email, password, role });
      setCreated(`${staff.email} was added as ${staff.role === "admin" ? "an admin" : "a viewer"}. Give them the password over a secure channel and ask them to change it under Account.`);
      setEmail("");
      setPassword("");
      setRole("viewer");
      router.refresh();
    } catch (error) {
      showError(error);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      {created ? (
        <div role="status" className="alert alert-success">
          {created}
        </div>
      ) : null}
      <div className="form-grid">
        <TextField
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={(value) => {
            setEmail(value);
            if (fieldErrors.email) setFieldError("email", undefined);
          }}
          error={fieldErrors.email}
          required
          maxLength={254}
          autoComplete="off"
        />
        <TextField
          label="Initial password"
          name="password"
          type="password"
          value={password}
          onChange={(value) => {
            setPassword(value);
            if (fieldErrors.password) setFieldError("password", undefined);
          }}
          error={fieldErrors.password}
          hint="8 to 72 characters, not a common password, not the email."
          required
          autoComplete="new-password"
        />
        <SelectField label="Role" name="role" value={role} onChange={(value) => setRole(value === "admin" ? "admin" : "viewer")} options={roleOptions} error={fieldErrors.role} />
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
  const [error, setError] = useState<string | null>(null);
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
      const described = describeError(caught);
      if (described.sessionExpired) return goToSignInAfterExpiry();
      setError(described.message);
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
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [done, setDone] = useState(false);
  const { formError, fieldErrors, showError, clearErrors, setFieldError } = useFormErrors();
  const change = useMutation(trpc.backOffice.staff.changePassword.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    if (newPassword !== confirmation) {
      setFieldError("confirmation", "The two new passwords are not the same.");
      return;
    }
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      setCurrentPassword("");
      setNewPassword("");
      setConfirmation("");
      setDone(true);
    } catch (error) {
      const described = describeError(error);
      showError(error);
      if (described.appCode === "auth/InvalidCredentials") setFieldError("currentPassword", "The current password is incorrect.");
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form form-narrow">
      {done ? (
        <div role="status" className="alert alert-success">
          Password changed. Your other sessions were signed out; this one continues.
        </div>
      ) : null}
      <FormError message={formError} />
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        value={currentPassword}
        onChange={(value) => {
          setCurrentPassword(value);
          if (fieldErrors.currentPassword) setFieldError("currentPassword", undefined);
        }}
        error={fieldErrors.currentPassword}
        required
        autoComplete="current-password"
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        value={newPassword}
        onChange={(value) => {
          setNewPassword(value);
          if (fieldErrors.newPassword) setFieldError("newPassword", undefined);
        }}
        error={fieldErrors.newPassword}
        hint="8 to 72 characters, not a common password, not your email, not the current one."
        required
        autoComplete="new-password"
      />
      <TextField
        label="New password again"
        name="confirmation"
        type="password"
        value={confirmation}
        onChange={(value) => {
          setConfirmation(value);
          if (fieldErrors.confirmation) setFieldError("confirmation", undefined);
        }}
        error={fieldErrors.confirmation}
        required
        autoComplete="new-password"
      />
      <div className="form-actions">
        <SubmitButton pending={change.isPending} pendingLabel="Changing…">
          Change password
        </SubmitButton>
      </div>
    </form>
  );
}
