"use client";

import { useFormStatus } from "react-dom";

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
  const describedBy = hasError ? "sign-in-error" : undefined;
  return (
    <form action={action} noValidate={false}>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          maxLength={254}
          defaultValue={email}
          autoFocus={!email}
          aria-invalid={hasError || undefined}
          aria-describedby={describedBy}
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={72}
          autoFocus={Boolean(email)}
          aria-invalid={hasError || undefined}
          aria-describedby={describedBy}
        />
      </div>
      <SubmitButton />
    </form>
  );
}
