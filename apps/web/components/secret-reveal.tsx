"use client";

import { useId, useState } from "react";

/**
 * A temporary password shown exactly once: selectable text, a copy button, and a plain warning
 * that it will not be shown again (only its hash is stored).
 */
export function SecretReveal({ label, secret, who }: { label: string; secret: string; who: string }) {
  const id = useId();
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setStatus("copied");
    } catch {
      // No clipboard permission: select the text so Ctrl+C / ⌘C works.
      const field = document.getElementById(id) as HTMLInputElement | null;
      field?.focus();
      field?.select();
      setStatus("failed");
    }
  }

  return (
    <section className="secret" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="secret-title">
        {label}
      </h2>
      <div className="alert alert-warning" role="note">
        <strong>This password will not be shown again.</strong> Copy it now and give it to {who} over a secure channel. They must change it
        when they first sign in.
      </div>
      <div className="secret-row">
        <label htmlFor={id} className="visually-hidden">
          Temporary password
        </label>
        <input
          id={id}
          className="secret-value"
          readOnly
          value={secret}
          onFocus={(event) => event.target.select()}
          data-testid="temporary-password"
        />
        <button type="button" className="btn btn-primary" onClick={() => void copy()}>
          {status === "copied" ? "Copied" : "Copy password"}
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {status === "copied"
          ? "Copied to the clipboard."
          : status === "failed"
            ? "Copying is blocked in this browser: the password is selected, press Ctrl+C (⌘C on a Mac)."
            : ""}
      </p>
    </section>
  );
}
