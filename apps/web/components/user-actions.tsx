"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../lib/trpc";
import { ConfirmDialog } from "./confirm-dialog";
import { SecretReveal } from "./secret-reveal";
import { Card, Notice } from "./ui";
import { useFormErrors } from "./use-form-errors";

type Action = "suspend" | "unsuspend" | "resetPassword" | "delete";

/** Admin actions on one user, each behind a confirmation that says what will happen. */
export function UserActions({
  tenantKey,
  userId,
  displayName,
  suspended,
}: {
  tenantKey: string;
  userId: string;
  displayName: string;
  suspended: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [action, setAction] = useState<Action | null>(null);
  const { formError: error, setFormError: setError, showError } = useFormErrors();
  const [notice, setNotice] = useState<string | null>(null);
  const [temporaryPassword, setTemporaryPassword] = useState<string | null>(null);
  const suspend = useMutation(trpc.backOffice.users.suspend.mutationOptions());
  const unsuspend = useMutation(trpc.backOffice.users.unsuspend.mutationOptions());
  const resetPassword = useMutation(trpc.backOffice.users.resetPassword.mutationOptions());
  const remove = useMutation(trpc.backOffice.users.delete.mutationOptions());
  const pending = suspend.isPending || unsuspend.isPending || resetPassword.isPending || remove.isPending;
  const ref = { tenantKey, userId };

  function open(next: Action) {
    setError(null);
    setNotice(null);
    setAction(next);
  }

  async function confirm() {
    if (!action) return;
    setError(null);
    try {
      switch (action) {
        case "suspend":
          await suspend.mutateAsync(ref);
          setNotice(`${userId} is suspended and signed out everywhere.`);
          break;
        case "unsuspend":
          await unsuspend.mutateAsync(ref);
          setNotice(`${userId} can sign in again.`);
          break;
        case "resetPassword": {
          const result = await resetPassword.mutateAsync(ref);
          setTemporaryPassword(result.temporaryPassword);
          setNotice(`The password of ${userId} was reset and all their sessions ended.`);
          break;
        }
        case "delete":
          await remove.mutateAsync(ref);
          setAction(null);
          router.push(`/backoffice/tenants/${tenantKey}/users?deleted=${encodeURIComponent(userId)}`);
          return;
      }
      setAction(null);
      router.refresh();
    } catch (caught) {
      showError(caught);
    }
  }

  const dialogs: Record<Action, { title: string; body: string; confirm: string; tone: "danger" | "primary" }> = {
    suspend: {
      title: `Suspend ${userId}?`,
      body: `${displayName} is signed out on every device at once and cannot sign in until unsuspended.`,
      confirm: "Suspend user",
      tone: "danger",
    },
    unsuspend: {
      title: `Unsuspend ${userId}?`,
      body: `${displayName} will be able to sign in again. Sessions ended by the suspension stay ended.`,
      confirm: "Unsuspend user",
      tone: "primary",
    },
    resetPassword: {
      title: `Reset the password of ${userId}?`,
      body: "A new temporary password replaces the current one, every session ends, and the user must choose a new password at the next sign-in. You will see the temporary password once.",
      confirm: "Reset password",
      tone: "danger",
    },
    delete: {
      title: `Delete ${userId}?`,
      body: `${displayName}'s personal data (email, name, password) is erased and every session ends. This cannot be undone; the user ID becomes free for reuse.`,
      confirm: "Delete user",
      tone: "danger",
    },
  };
  const current = action ? dialogs[action] : null;

  return (
    <Card id="user-actions" title="Actions">
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {temporaryPassword ? <SecretReveal label="New temporary password" secret={temporaryPassword} who={displayName} /> : null}
      <div className="action-list">
        <button type="button" className="btn btn-secondary" onClick={() => open(suspended ? "unsuspend" : "suspend")}>
          {suspended ? "Unsuspend user" : "Suspend user"}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => open("resetPassword")}>
          Reset password
        </button>
        <button type="button" className="btn btn-danger-outline" onClick={() => open("delete")}>
          Delete user
        </button>
      </div>
      <ConfirmDialog
        open={current !== null}
        title={current?.title ?? ""}
        confirmLabel={current?.confirm ?? ""}
        tone={current?.tone ?? "danger"}
        pending={pending}
        error={error}
        onCancel={() => setAction(null)}
        onConfirm={() => void confirm()}
      >
        <p>{current?.body}</p>
      </ConfirmDialog>
    </Card>
  );
}
