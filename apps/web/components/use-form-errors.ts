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
