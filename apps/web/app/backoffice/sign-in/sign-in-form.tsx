"use client";

import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_BYTES } from "@gatehouse/contract";
import { TextField } from "#components/form";
import type { SignInState } from "./page";

function SubmitButton() {
  const { pending } = useFormStatus();
  return (
    <button className="btn btn-primary btn-block" type="submit" disabled={pending} aria-disabled={pending}>
      {pending ? "Signing in…" : "Sign in"}
    </button>
  );
}

/**
 * Works without JavaScript too (a server action posted by the form). A refused attempt comes back
 * as action state: the message and the email, kept in the form and never put in the URL.
 */
export function SignInForm({
  action,
  next,
  urlError,
  notice,
  errorMessages,
}: {
  action: (previous: SignInState, formData: FormData) => Promise<SignInState>;
  next: string | undefined;
  /** A reason next-auth put in the URL (no email). */
  urlError: string | undefined;
  notice: string | undefined;
  errorMessages: Record<string, string>;
}) {
  const [state, formAction] = useActionState(action, {});
  const errorMessage = state.error ? (errorMessages[state.error] ?? errorMessages.CredentialsSignin) : urlError;
  const errorId = errorMessage ? "sign-in-error" : undefined;
  return (
    <>
      {errorMessage ? (
        <div role="alert" className="alert alert-error" id="sign-in-error">
          {errorMessage}
        </div>
      ) : notice ? (
        <div role="status" className="alert alert-info">
          {notice}
        </div>
      ) : null}
      {/* A new key per answer, so the kept email is shown and the password field starts empty. */}
      <form action={formAction} key={state.error ? `${state.error}:${state.email ?? ""}` : "initial"}>
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <TextField
          label="Email"
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          maxLength={EMAIL_MAX_LENGTH}
          defaultValue={state.email}
          autoFocus={!state.email}
          errorId={errorId}
        />
        <TextField
          label="Password"
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={PASSWORD_MAX_BYTES}
          autoFocus={Boolean(state.email)}
          errorId={errorId}
        />
        <SubmitButton />
      </form>
    </>
  );
}
