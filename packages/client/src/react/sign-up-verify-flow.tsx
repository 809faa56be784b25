"use client";
import { useId, useState, type FormEvent } from "react";
import type { GatehouseError } from "../errors";
import type { User } from "../types";
import { useGatehouse } from "./context";

export interface SignUpVerifyFlowProps {
  tenantKey: string;
  /** Called once the email is verified, with the user as the server now has it. */
  onVerified?: (user: User) => void;
  className?: string;
}

type Step = { name: "signUp" } | { name: "verify"; email: string; nextResendAt: string | null } | { name: "done"; user: User };

function fieldIssue(error: GatehouseError | null, field: string): string | undefined {
  return error?.issues?.find((issue) => issue.path[0] === field)?.message;
}

function ErrorNote({ error }: { error: GatehouseError | null }) {
  if (!error) return null;
  return (
    <p role="alert" data-app-code={error.appCode}>
      {error.message} <small>({error.appCode})</small>
    </p>
  );
}

/**
 * The sign-up → verify flow of the SDK's README, as a component (unstyled; give it a class):
 *
 *   const res = await ClientAuth.signUp({ body: { tenantKey, userId, password, displayName, email } });
 *   if (res.error) throw res.error;
 *   await ClientEmailVerification.sendVerification({ body: { email } });
 *   await ClientEmailVerification.verifyEmail({ body: { code } });
 *
 * The facades store the tokens the answers carry, so nothing else is needed between the steps.
 */
export function SignUpVerifyFlow({ tenantKey, onVerified, className }: SignUpVerifyFlowProps) {
  const { ClientAuth, ClientEmailVerification } = useGatehouse();
  const id = useId();
  const [step, setStep] = useState<Step>({ name: "signUp" });
  const [error, setError] = useState<GatehouseError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState("");

  async function sendCode(email: string): Promise<void> {
    const sent = await ClientEmailVerification.sendVerification({ body: { email } });
    if (sent.error) {
      setError(sent.error);
      const next = sent.error.appCode === "emailVerification/CooldownActive" ? sent.error.data.nextResendAvailableAt : null;
      setStep({ name: "verify", email, nextResendAt: next });
      return;
    }
    setNotice(`We sent a 6-digit code to ${email}.`);
    setStep({ name: "verify", email, nextResendAt: sent.data.nextResendAvailableAt });
  }

  async function onSignUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      tenantKey,
      userId: String(form.get("userId") ?? ""),
      password: String(form.get("password") ?? ""),
      displayName: String(form.get("displayName") ?? ""),
      email: String(form.get("email") ?? ""),
    };
    setBusy(true);
    setError(null);
    try {
      const res = await ClientAuth.signUp({ body });
      if (res.error) {
        setError(res.error);
        return;
      }
      await sendCode(res.data.user.email ?? body.email);
    } finally {
      setBusy(false);
    }
  }

  async function onVerify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const res = await ClientEmailVerification.verifyEmail({ body: { code } });
      if (res.error) {
        setError(res.error);
        return;
      }
      setStep({ name: "done", user: res.data.user });
      onVerified?.(res.data.user);
    } finally {
      setBusy(false);
    }
  }

  async function onResend(email: string) {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      await sendCode(email);
    } finally {
      setBusy(false);
    }
  }

  if (step.name === "done") {
    return (
      <div className={className} role="status">
        <p>
          {step.user.email} is verified. Welcome, {step.user.displayName}.
        </p>
      </div>
    );
  }

  if (step.name === "verify") {
    const codeIssue = fieldIssue(error, "code");
    return (
      <form className={className} onSubmit={onVerify} aria-labelledby={`${id}-verify-title`} noValidate>
        <h2 id={`${id}-verify-title`}>Enter the code</h2>
        <p aria-live="polite">{notice}</p>
        <label htmlFor={`${id}-code`}>6-digit code</label>
        <input
          id={`${id}-code`}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          aria-invalid={codeIssue ? true : undefined}
          aria-describedby={codeIssue ? `${id}-code-issue` : undefined}
        />
        {codeIssue ? <small id={`${id}-code-issue`}>{codeIssue}</small> : null}
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          Verify email
        </button>
        <button type="button" disabled={busy} onClick={() => void onResend(step.email)}>
          Send a new code
        </button>
        {step.nextResendAt ? <small>A new code can be sent after {new Date(step.nextResendAt).toLocaleTimeString()}.</small> : null}
      </form>
    );
  }

  const fields = [
    { name: "userId", label: "User ID", type: "text", autoComplete: "username" },
    { name: "displayName", label: "Display name", type: "text", autoComplete: "name" },
    { name: "email", label: "Email", type: "email", autoComplete: "email" },
    { name: "password", label: "Password", type: "password", autoComplete: "new-password" },
  ] as const;
  return (
    <form className={className} onSubmit={onSignUp} aria-labelledby={`${id}-signup-title`} noValidate>
      <h2 id={`${id}-signup-title`}>Create your account</h2>
      {fields.map((field) => {
        const issue = fieldIssue(error, field.name);
        return (
          <div key={field.name}>
            <label htmlFor={`${id}-${field.name}`}>{field.label}</label>
            <input
              id={`${id}-${field.name}`}
              name={field.name}
              type={field.type}
              autoComplete={field.autoComplete}
              required
              aria-invalid={issue ? true : undefined}
              aria-describedby={issue ? `${id}-${field.name}-issue` : undefined}
            />
            {issue ? <small id={`${id}-${field.name}-issue`}>{issue}</small> : null}
          </div>
        );
      })}
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        Sign up
      </button>
    </form>
  );
}
