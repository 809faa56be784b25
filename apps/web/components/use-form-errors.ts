"use client";

import { useCallback, useState } from "react";
import { describeError } from "../lib/error-messages";

/** Where the browser goes when a call finds the staff session gone. */
export function goToSignInAfterExpiry(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/backoffice/sign-in?expired=1&next=${encodeURIComponent(next)}`);
}

/**
 * A form's error state from a failed API call: one summary sentence (the appCode in plain
 * words) and the schema's messages per field. An ended session leaves for the sign-in page.
 */
export function useFormErrors() {
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const showError = useCallback((error: unknown) => {
    const described = describeError(error);
    if (described.sessionExpired) {
      goToSignInAfterExpiry();
      return;
    }
    setFormError(described.message);
    setFieldErrors(described.fieldErrors);
  }, []);

  const clearErrors = useCallback(() => {
    setFormError(null);
    setFieldErrors({});
  }, []);

  const setFieldError = useCallback((field: string, message: string | undefined) => {
    setFieldErrors((current) => {
      const next = { ...current };
      if (message) next[field] = message;
      else delete next[field];
      return next;
    });
  }, []);

  return { formError, fieldErrors, showError, clearErrors, setFieldError, setFormError };
}

/** The keys of `Values` that hold free text (not a union of literals, a flag or a list). */
type TextKey<Values> = { [K in keyof Values]: string extends Values[K] ? (Values[K] extends string ? K : never) : never }[keyof Values] & string;

/**
 * A form's values with its error state (`useFormErrors`). `set` changes one value and clears that
 * field's error, since the user is fixing it; `field(name)` is a text field's name, value, error
 * and onChange in one. `onEdit` runs on every change (a form can drop its "saved" message there).
 */
export function useFormFields<Values extends object>(initial: Values, onEdit?: () => void) {
  const errors = useFormErrors();
  const { fieldErrors, setFieldError } = errors;
  const [initialValues] = useState(initial);
  const [values, setValues] = useState(initial);

  function set<K extends keyof Values & string>(name: K, value: Values[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    onEdit?.();
    if (fieldErrors[name]) setFieldError(name, undefined);
  }

  function field<K extends TextKey<Values>>(name: K) {
    return {
      name,
      value: values[name] as string,
      onChange: (value: string) => set(name, value as Values[K]),
      error: fieldErrors[name],
    };
  }

  return { ...errors, values, setValues, set, field, reset: () => setValues(initialValues) };
}
