"use client";

import { useCallback, useEffect, useState } from "react";
import { isAppCode, type AppCode } from "@gatehouse/contract";
import { describeError } from "../lib/error-messages";

/** Where the browser goes when a call finds the staff session gone. */
function goToSignInAfterExpiry(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/backoffice/sign-in?expired=1&next=${encodeURIComponent(next)}`);
}

/** Which field an appCode is about (a 409 "already taken" belongs next to the field, not in a banner). */
export type FieldForAppCode = Partial<Record<AppCode, string>>;

/**
 * A form's error state. Every field's message is shown at once, next to its field: the form's own
 * checks (`showFieldErrors`) and the API's answer (`showError`: the schema's issues per field, and
 * appCodes named in `fieldFor` on their field). Only what belongs to no field is a banner. An ended
 * session leaves for the sign-in page.
 */
export function useFormErrors() {
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [focusRequest, setFocusRequest] = useState(0);

  // After an answer with field errors (once they are rendered), the first invalid control takes
  // focus; its error message describes it, so a screen reader reads both.
  useEffect(() => {
    if (focusRequest > 0) document.querySelector<HTMLElement>("form [aria-invalid='true']")?.focus();
  }, [focusRequest]);

  const showFieldErrors = useCallback((errors: Record<string, string>) => {
    setFormError(null);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) setFocusRequest((count) => count + 1);
  }, []);

  const showError = useCallback(
    (error: unknown, fieldFor: FieldForAppCode = {}, alsoKnown: Record<string, string> = {}) => {
      const described = describeError(error);
      if (described.sessionExpired) {
        goToSignInAfterExpiry();
        return;
      }
      const field = isAppCode(described.appCode) ? fieldFor[described.appCode] : undefined;
      const fields = { ...alsoKnown, ...described.fieldErrors };
      if (field) fields[field] = described.message;
      const onFields = Object.keys(fields).length > 0 && (field !== undefined || described.appCode === "validation/Invalid");
      if (onFields) {
        showFieldErrors(fields);
        return;
      }
      setFormError(described.message);
      setFieldErrors(fields);
    },
    [showFieldErrors],
  );

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

  return { formError, fieldErrors, showError, showFieldErrors, clearErrors, setFieldError, setFormError };
}

/** The keys of `Values` that hold free text (not a union of literals, a flag or a list). */
type TextKey<Values> = { [K in keyof Values]: string extends Values[K] ? (Values[K] extends string ? K : never) : never }[keyof Values] &
  string;

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
