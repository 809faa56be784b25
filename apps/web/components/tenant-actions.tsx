"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../lib/trpc";
import { ConfirmDialog } from "./confirm-dialog";
import { TextField } from "./form";
import { Card, Notice } from "./ui";
import { useFormErrors } from "./use-form-errors";

/** Soft delete (typing the key to confirm) and restore, for admins. */
export function TenantDangerZone({ tenantKey, tenantName, deleted }: { tenantKey: string; tenantName: string; deleted: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const { formError: error, setFormError: setError, showError } = useFormErrors();
  const [done, setDone] = useState<string | null>(null);
  const softDelete = useMutation(trpc.backOffice.tenants.softDelete.mutationOptions());
  const restore = useMutation(trpc.backOffice.tenants.restore.mutationOptions());
  const pending = softDelete.isPending || restore.isPending;

  async function confirm() {
    setError(null);
    try {
      if (deleted) await restore.mutateAsync({ key: tenantKey });
      else await softDelete.mutateAsync({ key: tenantKey });
      setOpen(false);
      setDone(deleted ? "Tenant restored. Its users can sign in again." : "Tenant deleted. Its users can no longer sign in.");
      router.refresh();
    } catch (caught) {
      showError(caught);
    }
  }

  const canConfirm = deleted || typed.trim().toLowerCase() === tenantKey;
  return (
    <Card id="danger-zone" title={deleted ? "Restore" : "Delete tenant"} className={deleted ? undefined : "card-danger"}>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <p>
        {deleted
          ? "Restoring lets the tenant's users sign in again. Sessions ended by the deletion stay ended."
          : "Deleting ends every session of this tenant at once and stops its users from signing in. The data is kept and the tenant can be restored; its key stays reserved."}
      </p>
      <button
        type="button"
        className={`btn ${deleted ? "btn-primary" : "btn-danger"}`}
        onClick={() => {
          setTyped("");
          setError(null);
          setOpen(true);
        }}
      >
        {deleted ? "Restore tenant" : "Delete tenant"}
      </button>
      <ConfirmDialog
        open={open}
        title={deleted ? `Restore ${tenantName}?` : `Delete ${tenantName}?`}
        confirmLabel={deleted ? "Restore tenant" : "Delete tenant"}
        tone={deleted ? "primary" : "danger"}
        pending={pending}
        error={error}
        onCancel={() => setOpen(false)}
        onConfirm={() => {
          if (canConfirm) void confirm();
          else setError(`Type ${tenantKey} to confirm.`);
        }}
      >
        {deleted ? (
          <p>Users of this tenant will be able to sign in again.</p>
        ) : (
          <>
            <p>
              All users of <strong>{tenantName}</strong> are signed out now and cannot sign in until the tenant is restored.
            </p>
            <TextField
              label={
                <>
                  Type <span className="mono">{tenantKey}</span> to confirm
                </>
              }
              value={typed}
              onChange={setTyped}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
            />
          </>
        )}
      </ConfirmDialog>
    </Card>
  );
}
