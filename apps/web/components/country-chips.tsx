"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";
import { PHONE_COUNTRIES_MAX } from "@gatehouse/contract";
import { FieldError } from "./form";

interface CountryChipsProps {
  countries: string[];
  onChange: (countries: string[]) => void;
  /** The API's messages per entry ("phoneCountries.1" → index 1) and for the whole list. */
  entryErrors: Record<number, string>;
  listError?: string | undefined;
  /** The text typed but not yet added (lifted, so the form can refuse to drop it silently). */
  draft: string;
  onDraftChange: (draft: string) => void;
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** The country's English name, or null when the code names no region. */
function countryName(code: string): string | null {
  try {
    const name = regionNames.of(code);
    return name && name !== code && name !== "Unknown Region" ? name : null;
  } catch {
    return null;
  }
}

/** A typed code: upper-cased and checked (two letters, a real region, not already listed). */
function checkCountry(raw: string, listed: readonly string[]): { ok: true; code: string } | { ok: false; message: string } {
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) return { ok: false, message: `“${raw.trim()}” is not a two-letter country code such as KR or US.` };
  if (countryName(code) === null) return { ok: false, message: `“${code}” is not a known country code.` };
  if (listed.includes(code)) return { ok: false, message: `${code} is already in the list.` };
  if (listed.length >= PHONE_COUNTRIES_MAX) return { ok: false, message: `At most ${PHONE_COUNTRIES_MAX} countries.` };
  return { ok: true, code };
}

/**
 * CONTRACT v2 `phoneCountries`: the countries whose phone numbers the tenant accepts, in order:
 * the first is the region of numbers written without `+`. An empty list accepts any country's
 * `+` numbers. Chips like the email domains', with "Make first" to choose the national region.
 */
export function CountryChips({ countries, onChange, entryErrors, listError, draft, onDraftChange: setDraft }: CountryChipsProps) {
  const id = useId();
  const [inputError, setInputError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);

  function add(): boolean {
    const pieces = draft.split(/[\s,;]+/).filter(Boolean);
    if (pieces.length === 0) {
      setInputError(draft.trim() === "" ? "Type a country code first, such as KR." : null);
      return false;
    }
    const next = [...countries];
    for (const piece of pieces) {
      const check = checkCountry(piece, next);
      if (!check.ok) {
        setInputError(check.message);
        return false;
      }
      next.push(check.code);
    }
    onChange(next);
    setDraft("");
    setInputError(null);
    setAnnouncement(`Added ${pieces.length === 1 ? next[next.length - 1] : `${pieces.length} countries`}. ${next.length} in the list.`);
    return true;
  }

  function remove(code: string) {
    const next = countries.filter((c) => c !== code);
    onChange(next);
    setAnnouncement(
      `Removed ${code}. ${next.length === 0 ? "The list is empty: any country's number written with + is accepted." : `${next.length} in the list.`}`,
    );
    inputRef.current?.focus();
  }

  function makeFirst(code: string) {
    onChange([code, ...countries.filter((c) => c !== code)]);
    setAnnouncement(`${code} is now first: numbers without + are read as ${countryName(code) ?? code} numbers.`);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      if (draft.trim() !== "") add();
    } else if (event.key === "Backspace" && draft === "" && countries.length > 0) {
      remove(countries[countries.length - 1]!);
    }
  }

  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const entryMessages = Object.entries(entryErrors).map(
    ([index, message]) => `${countries[Number(index)] ?? `Entry ${Number(index) + 1}`}: ${message}`,
  );
  const shownError = inputError ?? listError ?? (entryMessages.length > 0 ? entryMessages.join(" ") : undefined);
  return (
    <fieldset className="field chips-field">
      <legend>Phone number countries</legend>
      <p id={hintId} className="field-hint">
        Users may add mobile numbers of these countries only. The first is the country of numbers written without +, such as 010-1234-5678.{" "}
        <strong>Leave the list empty to accept any country, but only numbers written with +.</strong>
      </p>
      {countries.length > 0 ? (
        <ul className="chips" aria-label="Phone number countries">
          {countries.map((code, index) => (
            <li key={code} className="chip" data-invalid={entryErrors[index] ? true : undefined} title={countryName(code) ?? undefined}>
              <span>
                {code}
                {index === 0 ? " (national numbers)" : ""}
              </span>
              {index > 0 ? (
                <button type="button" className="chip-remove" aria-label={`Make ${code} first`} onClick={() => makeFirst(code)}>
                  <span aria-hidden="true">↑</span>
                </button>
              ) : null}
              <button type="button" className="chip-remove" aria-label={`Remove ${code}`} onClick={() => remove(code)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="chips-empty">No countries listed: any country&apos;s number written with + is accepted.</p>
      )}
      <div className="chips-input">
        <label htmlFor={id} className="visually-hidden">
          Add a country code
        </label>
        <input
          ref={inputRef}
          id={id}
          name="phoneCountry"
          value={draft}
          placeholder="KR"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
          onChange={(event) => {
            setDraft(event.target.value);
            if (inputError) setInputError(null);
          }}
          onKeyDown={onKeyDown}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={shownError ? `${hintId} ${errorId}` : hintId}
        />
        <button type="button" className="btn btn-secondary" onClick={() => add()}>
          Add country
        </button>
      </div>
      {shownError ? <FieldError id={errorId} message={shownError} /> : null}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </fieldset>
  );
}
