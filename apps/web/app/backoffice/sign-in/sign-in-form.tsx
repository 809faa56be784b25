"use client";

import { useFormStatus } from "react-dom";
import { TextField } from "../../../components/form";

function SubmitButton() {
  const { pending } = useFormStatus();
  return (
    <button className="btn btn-primary btn-block" type="submit" disabled={pending} aria-disabled={pending}>
      {pending ? "Signing in…" : "Sign in"}
    </button>
  );
}

/** Works without JavaScript too (a server action posted by the form). */
export function SignInForm({
  action,
  next,
  email,
  hasError,
}: {
  action: (formData: FormData) => Promise<void>;
  next: string | undefined;
  email: string | undefined;
  hasError: boolean;
}) {
  const errorId = hasError ? "sign-in-error" : undefined;
  return (
    <form action={action} noValidate={false}>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <TextField
        label="Email"
        id="email"
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        defaultValue={email}
        autoFocus={!email}
        errorId={errorId}
      />
      <TextField
        label="Password"
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        maxLength={72}
        autoFocus={Boolean(email)}
        errorId={errorId}
      />
      <SubmitButton />
    </form>
  );
}
