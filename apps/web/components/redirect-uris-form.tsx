"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { REDIRECT_URIS_MAX, redirectUriProblem } from "@gatehouse/contract";
import { useTRPC } from "../lib/trpc";
import { FieldError, FormError, SubmitButton } from "./form";
import { Notice } from "./ui";
import { useFormErrors } from "./use-form-errors";

const linesOf = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * The tenant's redirect URIs (CONTRACT v2), one per line, saved through backOffice.tenants.update.
 * Each line is checked by the contract's own rule first; the API's issues (`redirectUris.<i>`) are
 * shown with the line they are about.
 */
export function RedirectUrisForm({ tenantKey, initial }: { tenantKey: string; initial: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const [text, setText] = useState(initial.join("\n"));
  const [saved, setSaved] = useState(initial);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { formError, fieldErrors, showError, showFieldErrors, clearErrors } = useFormErrors();
  const update = useMutation(trpc.backOffice.tenants.update.mutationOptions());

  /** One message for the list: every refused line, by its number in the box. */
  function problemsOf(lines: string[], byIndex: (index: number) => string | undefined | null): string | undefined {
    const problems = lines.flatMap((line, index) => {
      const problem = byIndex(index);
      return problem ? [`Line ${index + 1} (${line.length > 60 ? `${line.slice(0, 57)}…` : line}): ${problem}`] : [];
    });
    return problems.length > 0 ? problems.join(" ") : undefined;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setSavedMessage(null);
    const lines = linesOf(text);
    const distinct = [...new Set(lines)];
    const local =
      problemsOf(lines, (index) => redirectUriProblem(lines[index]!)) ??
      (distinct.length > REDIRECT_URIS_MAX ? `At most ${REDIRECT_URIS_MAX} redirect URIs (this list has ${distinct.length}).` : undefined);
    if (local) {
      showFieldErrors({ redirectUris: local });
      return;
    }
    if (distinct.join("\n") === saved.join("\n")) {
      setSavedMessage("Nothing to save: the list was not changed.");
      return;
    }
    try {
      const tenant = await update.mutateAsync({ key: tenantKey, redirectUris: distinct });
      setSaved(tenant.redirectUris);
      setText(tenant.redirectUris.join("\n"));
      setSavedMessage(tenant.redirectUris.length === 0 ? "Redirect URIs cleared." : "Redirect URIs saved.");
      router.refresh();
    } catch (error) {
      showError(error);
    }
  }

  // The API's issues name entries of the list it got (`redirectUris.<i>`): the same order as the box.
  const lines = linesOf(text);
  const apiProblem = problemsOf([...new Set(lines)], (index) => fieldErrors[`redirectUris.${index}`]);
  const error = apiProblem ?? fieldErrors.redirectUris;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <form onSubmit={onSubmit} noValidate className="form" aria-label="Redirect URIs">
      <FormError message={formError} />
      {savedMessage ? <Notice tone="success">{savedMessage}</Notice> : null}
      <div className="field textarea-field">
        <label htmlFor={id}>Redirect URIs</label>
        <p id={hintId} className="field-hint">
          Where a social sign-in may send users back to, one per line, up to {REDIRECT_URIS_MAX}. Use{" "}
          <span className="mono">https://…</span>, <span className="mono">http://localhost…</span> (or 127.0.0.1, [::1]) for development, or
          an app scheme such as <span className="mono">com.example.app:/oauth</span>. No #fragment. An app&apos;s redirectUri must match a
          line exactly (on localhost the port may differ). Web pages listed here may also call Gatehouse from the browser.
        </p>
        <textarea
          id={id}
          name="redirectUris"
          className="mono"
          rows={Math.min(Math.max(lines.length + 1, 3), 10)}
          value={text}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          placeholder={"https://app.example.com/auth/callback\ncom.example.app:/oauth"}
          onChange={(event) => {
            setText(event.target.value);
            setSavedMessage(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        />
        {error ? <FieldError id={errorId} message={error} /> : null}
      </div>
      <div className="form-actions">
        <SubmitButton pending={update.isPending}>Save redirect URIs</SubmitButton>
      </div>
    </form>
  );
}
