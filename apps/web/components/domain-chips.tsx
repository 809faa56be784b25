"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";
import { checkEmailDomain } from "../lib/validation";
import { FieldError } from "./form";

interface DomainChipsProps {
  domains: string[];
  onChange: (domains: string[]) => void;
  /** The API's message for the list (e.g. "allowedEmailDomains.1"). */
  error?: string | undefined;
  /** The text typed but not yet added (lifted, so the form can refuse to drop it silently). */
  draft: string;
  onDraftChange: (draft: string) => void;
}

/**
 * Allowed email domains as removable chips. A domain is added with Enter, a comma or the Add
 * button; it is lower-cased and checked (valid name, not already listed) before it becomes a chip.
 */
export function DomainChips({ domains, onChange, error, draft, onDraftChange: setDraft }: DomainChipsProps) {
  const id = useId();
  const [inputError, setInputError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);

  function add(): boolean {
    const pieces = draft.split(/[\s,;]+/).filter(Boolean);
    if (pieces.length === 0) {
      setInputError(draft.trim() === "" ? "Type a domain first, such as example.com." : null);
      return false;
    }
    const next = [...domains];
    for (const piece of pieces) {
      const check = checkEmailDomain(piece, next);
      if (!check.ok) {
        setInputError(check.message);
        return false;
      }
      next.push(check.domain);
    }
    onChange(next);
    setDraft("");
    setInputError(null);
    setAnnouncement(`Added ${pieces.length === 1 ? next[next.length - 1] : `${pieces.length} domains`}. ${next.length} in the list.`);
    return true;
  }

  function remove(domain: string) {
    const next = domains.filter((d) => d !== domain);
    onChange(next);
    setAnnouncement(
      `Removed ${domain}. ${next.length === 0 ? "The list is empty: any domain is accepted." : `${next.length} in the list.`}`,
    );
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      if (draft.trim() !== "") add();
    } else if (event.key === "Backspace" && draft === "" && domains.length > 0) {
      remove(domains[domains.length - 1]!);
    }
  }

  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const shownError = inputError ?? error;
  return (
    <fieldset className="field chips-field">
      <legend>Allowed email domains</legend>
      <p id={hintId} className="field-hint">
        Only addresses at these domains can sign up or verify an email in this tenant.{" "}
        <strong>Leave the list empty to accept any email domain.</strong>
      </p>
      {domains.length > 0 ? (
        <ul className="chips" aria-label="Allowed email domains">
          {domains.map((domain) => (
            <li key={domain} className="chip">
              <span>{domain}</span>
              <button type="button" className="chip-remove" aria-label={`Remove ${domain}`} onClick={() => remove(domain)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="chips-empty">No domains listed: any email domain is accepted.</p>
      )}
      <div className="chips-input">
        <label htmlFor={id} className="visually-hidden">
          Add a domain
        </label>
        <input
          ref={inputRef}
          id={id}
          name="domain"
          value={draft}
          placeholder="example.com"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          onChange={(event) => {
            setDraft(event.target.value);
            if (inputError) setInputError(null);
          }}
          onKeyDown={onKeyDown}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={shownError ? `${hintId} ${errorId}` : hintId}
        />
        <button type="button" className="btn btn-secondary" onClick={() => add()}>
          Add domain
        </button>
      </div>
      {shownError ? <FieldError id={errorId} message={shownError} /> : null}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </fieldset>
  );
}
