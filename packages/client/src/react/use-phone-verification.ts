"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { GatehouseErrorOf } from "../errors";
import type { ErrorOf } from "../procedure-errors";
import type { User } from "../types";
import { useGatehouse } from "./context";
import { useStepRunner } from "./step-runner";

/** Where adding a phone is: ask for the number, the texted code, or done. */
export type PhoneVerificationStep = "phone" | "code" | "verified";

/** Any answer of the two procedures. */
export type PhoneVerificationError = GatehouseErrorOf<
  ErrorOf<"clientPhoneVerification.sendCode"> | ErrorOf<"clientPhoneVerification.verifyPhone">
>;

export interface UsePhoneVerificationOptions {
  /** Called once the number is verified, with the user as `verifyPhone` answered it (`phone` in E.164). */
  onVerified?: (user: User) => void;
}

export interface PhoneVerification {
  step: PhoneVerificationStep;
  /** The number the code went to, as the user typed it (the server normalizes it to E.164). */
  phone: string | null;
  /** When the code texted last dies, and when another may be sent (ISO-8601), once known. */
  codeExpiresAt: string | null;
  nextResendAvailableAt: string | null;
  /** The last step's error answer; cleared when a step starts. */
  error: PhoneVerificationError | null;
  /** A call is running. */
  busy: boolean;
  /** The user with the verified number (step "verified"). */
  user: User | null;
  /** Texts a code to the number; moves to "code" (also on a cooldown: the last code still works). */
  sendCode(phone: string): Promise<void>;
  /** Texts another code to the same number. */
  resend(): Promise<void>;
  /** Proves the code: the number becomes the user's verified phone ("verified"). */
  verify(code: string): Promise<void>;
  /** Back to "phone", forgetting the number. */
  reset(): void;
}

/**
 * Adds a verified phone number to the signed-in user in two steps (CONTRACT v2
 * "clientPhoneVerification"): the number, then the 6-digit code from the text message. Needs a
 * session (`A U`: an unverified email is fine, a pending password change is not).
 *
 *   const phone = usePhoneVerification({ onVerified: (user) => console.log(user.phone) });
 *   phone.step === "phone" → phone.sendCode("010-1234-5678")
 *   phone.step === "code"  → phone.verify(code)
 */
export function usePhoneVerification({ onVerified }: UsePhoneVerificationOptions = {}): PhoneVerification {
  const { ClientPhoneVerification } = useGatehouse();
  const [step, setStep] = useState<PhoneVerificationStep>("phone");
  const [phone, setPhone] = useState<string | null>(null);
  const [codeExpiresAt, setCodeExpiresAt] = useState<string | null>(null);
  const [nextResendAvailableAt, setNextResendAvailableAt] = useState<string | null>(null);
  const [user, setUser] = useState<User | null>(null);
  const { run, error, busy, restart } = useStepRunner<PhoneVerificationError>();
  const onVerifiedRef = useRef(onVerified);
  useEffect(() => {
    onVerifiedRef.current = onVerified;
  }, [onVerified]);

  const sendCode = useCallback(
    async (number: string) => {
      const trimmed = number.trim();
      const out = await run(() => ClientPhoneVerification.sendCode({ body: { phone: trimmed } }));
      if (out.stale) return;
      const { res } = out;
      if (!res.error) {
        setPhone(trimmed);
        setCodeExpiresAt(res.data.expiresAt);
        setNextResendAvailableAt(res.data.nextResendAvailableAt);
        setStep("code");
      } else if (res.error.appCode === "smsVerification/CooldownActive") {
        // A code went out moments ago (the cooldown is per user) and still works: ask for it.
        setPhone(trimmed);
        setNextResendAvailableAt(res.error.data.nextResendAvailableAt);
        setStep("code");
      }
    },
    [ClientPhoneVerification, run],
  );

  const resend = useCallback(async () => {
    if (phone) await sendCode(phone);
  }, [phone, sendCode]);

  const verify = useCallback(
    async (code: string) => {
      const out = await run(() => ClientPhoneVerification.verifyPhone({ body: { code: code.trim() } }));
      if (out.stale || out.res.error) return;
      setUser(out.res.data.user);
      setStep("verified");
      onVerifiedRef.current?.(out.res.data.user);
    },
    [ClientPhoneVerification, run],
  );

  const reset = useCallback(() => {
    restart();
    setStep("phone");
    setPhone(null);
    setCodeExpiresAt(null);
    setNextResendAvailableAt(null);
    setUser(null);
  }, [restart]);

  return { step, phone, codeExpiresAt, nextResendAvailableAt, error, busy, user, sendCode, resend, verify, reset };
}
