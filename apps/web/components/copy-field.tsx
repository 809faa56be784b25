"use client";

import { useId, useState } from "react";

/** A read-only value to paste elsewhere (a callback URL), with a copy button. */
export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
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
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      <div className="copy-row">
        <input
          id={id}
          className="mono"
          readOnly
          value={value}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          {status === "copied" ? "Copied" : "Copy"}
          <span className="visually-hidden"> {label}</span>
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {status === "copied"
          ? "Copied to the clipboard."
          : status === "failed"
            ? "Copying is blocked: the text is selected, press Ctrl+C (⌘C on a Mac)."
            : ""}
      </p>
    </div>
  );
}
