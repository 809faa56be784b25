"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { GatehouseErrorOf } from "../errors";
import type { ErrorOf } from "../procedure-errors";
import type { User } from "../types";
import { useGatehouse } from "./context";

/** Where the email-code flow is: ask for the address, the code, a display name, or done. */
export type EmailCodeStep = "email" | "code" | "signUp" | "signedIn";

/** Any answer of the three steps' procedures. */
export type EmailCodeSignInError = GatehouseErrorOf<
  ErrorOf<"clientPasswordless.sendCode"> | ErrorOf<"clientPasswordless.verify"> | ErrorOf<"clientPasswordless.register">
>;

export interface UseEmailCodeSignInOptions {
  tenantKey: string;
  /** Called once the user is signed in (the session is stored by then). */
  onSignedIn?: (user: User, isNewUser: boolean) => void;
}

export interface EmailCodeSignIn {
  step: EmailCodeStep;
  /** The address the code went to (from `sendCode`). */
  email: string | null;
  /** When the code mailed last dies, and when another may be sent (ISO-8601), once known. */
  codeExpiresAt: string | null;
  nextResendAvailableAt: string | null;
  /** The last step's error answer; cleared when a step starts. */
  error: EmailCodeSignInError | null;
  /** A call is running. */
  busy: boolean;
  /** The signed-in user (step "signedIn"), and whether `register` created them. */
  user: User | null;
  isNewUser: boolean;
  /** Mails a code to the address; moves to "code" (also on a cooldown: the last code still works). */
  sendCode(email: string): Promise<void>;
  /** Sends another code to the same address. */
  resend(): Promise<void>;
  /** A known user is signed in ("signedIn"); a new address moves to "signUp". */
  verify(code: string): Promise<void>;
  /** Creates the account with the signupToken `verify` answered, and signs it in. */
  register(profile: { displayName: string; userId?: string }): Promise<void>;
  /** Back to "email", forgetting the address and any signupToken. */
  reset(): void;
}

/**
 * Email-code sign-in and sign-up in three steps (CONTRACT v2 "clientPasswordless"): the address,
 * the 6-digit code from the mail, and a short sign-up form when the address has no account yet.
 * Needs the tenant's `emailCodeSignIn` (else each call answers 400 auth/MethodNotEnabled).
 *
 *   const flow = useEmailCodeSignIn({ tenantKey });
 *   flow.step === "email"  → flow.sendCode(email)
 *   flow.step === "code"   → flow.verify(code)
 *   flow.step === "signUp" → flow.register({ displayName })
 */
export function useEmailCodeSignIn({ tenantKey, onSignedIn }: UseEmailCodeSignInOptions): EmailCodeSignIn {
  const { ClientPasswordless } = useGatehouse();
  const [step, setStep] = useState<EmailCodeStep>("email");
  const [email, setEmail] = useState<string | null>(null);
  const [codeExpiresAt, setCodeExpiresAt] = useState<string | null>(null);
  const [nextResendAvailableAt, setNextResendAvailableAt] = useState<string | null>(null);
  const [error, setError] = useState<EmailCodeSignInError | null>(null);
  const [busy, setBusy] = useState(false);
  const [user, setUser] = useState<User | null>(null);
  const [isNewUser, setIsNewUser] = useState(false);
  // Not state: it is never shown, and a re-render must not be needed to use it.
  const signupToken = useRef<string | null>(null);
  const onSignedInRef = useRef(onSignedIn);
  useEffect(() => {
    onSignedInRef.current = onSignedIn;
  }, [onSignedIn]);
  // Answers that arrive after unmount or reset are dropped.
  const generation = useRef(0);
  useEffect(() => {
    const current = generation;
    return () => {
      current.current += 1;
    };
  }, []);

  /** Runs one step; returns its answer's `data` only while the flow it started in is still current. */
  const run = useCallback(async <R extends { error: EmailCodeSignInError | undefined }>(call: () => Promise<R>) => {
    const started = generation.current;
    setBusy(true);
    setError(null);
    const res = await call();
    if (started !== generation.current) return { stale: true as const };
    setBusy(false);
    if (res.error) setError(res.error);
    return { stale: false as const, res };
  }, []);

  const sendCode = useCallback(
    async (address: string) => {
      const trimmed = address.trim();
      const out = await run(() => ClientPasswordless.sendCode({ body: { tenantKey, email: trimmed } }));
      if (out.stale) return;
      const { res } = out;
      if (!res.error) {
        setEmail(trimmed);
        setCodeExpiresAt(res.data.expiresAt);
        setNextResendAvailableAt(res.data.nextResendAvailableAt);
        setStep("code");
      } else if (res.error.appCode === "emailVerification/CooldownActive") {
        // A code went out moments ago and still works: ask for it.
        setEmail(trimmed);
        setNextResendAvailableAt(res.error.data.nextResendAvailableAt);
        setStep("code");
      }
    },
    [ClientPasswordless, run, tenantKey],
  );

  const resend = useCallback(async () => {
    if (email) await sendCode(email);
  }, [email, sendCode]);

  const finish = useCallback((signedIn: User, created: boolean) => {
    signupToken.current = null;
    setUser(signedIn);
    setIsNewUser(created);
    setStep("signedIn");
    onSignedInRef.current?.(signedIn, created);
  }, []);

  const verify = useCallback(
    async (code: string) => {
      if (!email) return;
      const out = await run(() => ClientPasswordless.verify({ body: { tenantKey, email, code: code.trim() } }));
      if (out.stale || out.res.error) return;
      const answer = out.res.data;
      if (answer.needSignup) {
        signupToken.current = answer.signupToken;
        setStep("signUp");
      } else {
        finish(answer.user, false);
      }
    },
    [ClientPasswordless, email, finish, run, tenantKey],
  );

  const register = useCallback(
    async ({ displayName, userId }: { displayName: string; userId?: string }) => {
      const token = signupToken.current;
      if (!token) return;
      const wanted = userId?.trim();
      const body = { signupToken: token, displayName, ...(wanted ? { userId: wanted } : {}) };
      const out = await run(() => ClientPasswordless.register({ body }));
      if (out.stale) return;
      const { res } = out;
      if (!res.error) finish(res.data.user, res.data.isNewUser);
      // Used or expired: only a new code gives a new token (a 409 or 400 keeps it usable).
      else if (res.error.appCode === "auth/InvalidSignupToken") {
        signupToken.current = null;
        setStep("email");
      }
    },
    [ClientPasswordless, finish, run],
  );

  const reset = useCallback(() => {
    generation.current += 1;
    signupToken.current = null;
    setStep("email");
    setEmail(null);
    setCodeExpiresAt(null);
    setNextResendAvailableAt(null);
    setError(null);
    setBusy(false);
    setUser(null);
    setIsNewUser(false);
  }, []);

  return {
    step,
    email,
    codeExpiresAt,
    nextResendAvailableAt,
    error,
    busy,
    user,
    isNewUser,
    sendCode,
    resend,
    verify,
    register,
    reset,
  };
}
