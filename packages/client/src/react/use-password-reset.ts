"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { GatehouseErrorOf } from "../errors";
import type { ApiResult } from "../facades";
import type { ErrorOf } from "../procedure-errors";
import type { RouterOutputs } from "../types";
import { useGatehouse } from "./context";
import { useStepRunner } from "./step-runner";

/** Where a password reset is: which number or address, the code, the new password, or done. */
export type PasswordResetStep = "identify" | "code" | "newPassword" | "done";

/** How the code travels: a text message or an email. */
export type PasswordResetChannel = "sms" | "email";

/** Any answer of the four procedures. */
export type PasswordResetError = GatehouseErrorOf<
  | ErrorOf<"clientPasswordReset.sendSmsCode">
  | ErrorOf<"clientPasswordReset.sendEmailCode">
  | ErrorOf<"clientPasswordReset.verifyCode">
  | ErrorOf<"clientPasswordReset.resetPassword">
>;

type CodeSent = RouterOutputs["clientPasswordReset"]["sendSmsCode"];
type SendErrorCode = ErrorOf<"clientPasswordReset.sendSmsCode"> | ErrorOf<"clientPasswordReset.sendEmailCode">;

export interface UsePasswordResetOptions {
  tenantKey: string;
  /** Called once the new password is set (every session of the account has ended by then), with the account's userId. */
  onReset?: (userId: string) => void;
}

export interface PasswordReset {
  step: PasswordResetStep;
  /** The way the code was sent, and the number or address it went to, once a send was asked for. */
  channel: PasswordResetChannel | null;
  target: string | null;
  /** When the code sent last dies, and when another may be sent (ISO-8601), once known. */
  codeExpiresAt: string | null;
  nextResendAvailableAt: string | null;
  /** The account the code proved (from "newPassword" on): the userId to sign in with. */
  userId: string | null;
  /** When the reset token dies: the new password must be set before then (ISO-8601). */
  resetTokenExpiresAt: string | null;
  /** The last step's error answer; cleared when a step starts. */
  error: PasswordResetError | null;
  /** A call is running. */
  busy: boolean;
  /**
   * Asks for a code by text message or email; moves to "code". The answer is the same whether or
   * not an account has that verified number or address (only such an account gets a message).
   * A cooldown answer moves on too: the code sent moments ago still works.
   */
  sendSmsCode(phone: string): Promise<void>;
  sendEmailCode(email: string): Promise<void>;
  /** Sends another code the same way to the same number or address. */
  resend(): Promise<void>;
  /** Proves the code: the account is named (`userId`) and the flow moves to "newPassword". */
  verifyCode(code: string): Promise<void>;
  /**
   * Sets the new password ("done"). The password policy's 400 keeps the step (the token stays
   * usable); a used or expired token (`auth/InvalidResetToken`) goes back to "identify".
   */
  resetPassword(newPassword: string): Promise<void>;
  /** Back to "identify", forgetting the number or address and any reset token. */
  reset(): void;
}

/**
 * Forgot password in three steps (CONTRACT v2 "clientPasswordReset"): the verified phone number
 * or email address, the 6-digit code sent there, and a new password. No session is involved:
 * afterwards the user signs in with `userId` and the new password.
 *
 *   const flow = usePasswordReset({ tenantKey });
 *   flow.step === "identify"    → flow.sendSmsCode(phone) or flow.sendEmailCode(email)
 *   flow.step === "code"        → flow.verifyCode(code)
 *   flow.step === "newPassword" → flow.resetPassword(password)
 */
export function usePasswordReset({ tenantKey, onReset }: UsePasswordResetOptions): PasswordReset {
  const { ClientPasswordReset } = useGatehouse();
  const [step, setStep] = useState<PasswordResetStep>("identify");
  const [channel, setChannel] = useState<PasswordResetChannel | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [codeExpiresAt, setCodeExpiresAt] = useState<string | null>(null);
  const [nextResendAvailableAt, setNextResendAvailableAt] = useState<string | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const [resetTokenExpiresAt, setResetTokenExpiresAt] = useState<string | null>(null);
  const { run, error, busy, restart } = useStepRunner<PasswordResetError>();
  // Not state: it is never shown, and a re-render must not be needed to use it.
  const resetToken = useRef<string | null>(null);
  const onResetRef = useRef(onReset);
  useEffect(() => {
    onResetRef.current = onReset;
  }, [onReset]);

  const send = useCallback(
    async (via: PasswordResetChannel, value: string) => {
      const trimmed = value.trim();
      const out = await run<ApiResult<CodeSent, SendErrorCode>>(() =>
        via === "sms"
          ? ClientPasswordReset.sendSmsCode({ body: { tenantKey, phone: trimmed } })
          : ClientPasswordReset.sendEmailCode({ body: { tenantKey, email: trimmed } }),
      );
      if (out.stale) return;
      const { res } = out;
      const moveOn = () => {
        resetToken.current = null;
        setChannel(via);
        setTarget(trimmed);
        setStep("code");
      };
      if (!res.error) {
        moveOn();
        setCodeExpiresAt(res.data.expiresAt);
        setNextResendAvailableAt(res.data.nextResendAvailableAt);
      } else if (res.error.appCode === "smsVerification/CooldownActive" || res.error.appCode === "emailVerification/CooldownActive") {
        moveOn();
        setNextResendAvailableAt(res.error.data.nextResendAvailableAt);
      }
    },
    [ClientPasswordReset, run, tenantKey],
  );

  const sendSmsCode = useCallback((phone: string) => send("sms", phone), [send]);
  const sendEmailCode = useCallback((email: string) => send("email", email), [send]);
  const resend = useCallback(async () => {
    if (channel && target) await send(channel, target);
  }, [channel, target, send]);

  const verifyCode = useCallback(
    async (code: string) => {
      if (!channel || !target) return;
      const body = channel === "sms" ? { tenantKey, code: code.trim(), phone: target } : { tenantKey, code: code.trim(), email: target };
      const out = await run(() => ClientPasswordReset.verifyCode({ body }));
      if (out.stale || out.res.error) return;
      resetToken.current = out.res.data.resetToken;
      setUserId(out.res.data.userId);
      setResetTokenExpiresAt(out.res.data.resetTokenExpiresAt);
      setStep("newPassword");
    },
    [ClientPasswordReset, channel, run, target, tenantKey],
  );

  const resetPassword = useCallback(
    async (newPassword: string) => {
      const token = resetToken.current;
      if (!token) return;
      const out = await run(() => ClientPasswordReset.resetPassword({ body: { resetToken: token, newPassword } }));
      if (out.stale) return;
      const { res } = out;
      if (!res.error) {
        resetToken.current = null;
        setStep("done");
        if (userId) onResetRef.current?.(userId);
      } else if (res.error.appCode === "auth/InvalidResetToken") {
        // Used or expired: only a new code gives a new token.
        resetToken.current = null;
        setResetTokenExpiresAt(null);
        setStep("identify");
      }
    },
    [ClientPasswordReset, run, userId],
  );

  const reset = useCallback(() => {
    restart();
    resetToken.current = null;
    setStep("identify");
    setChannel(null);
    setTarget(null);
    setCodeExpiresAt(null);
    setNextResendAvailableAt(null);
    setUserId(null);
    setResetTokenExpiresAt(null);
  }, [restart]);

  return {
    step,
    channel,
    target,
    codeExpiresAt,
    nextResendAvailableAt,
    userId,
    resetTokenExpiresAt,
    error,
    busy,
    sendSmsCode,
    sendEmailCode,
    resend,
    verifyCode,
    resetPassword,
    reset,
  };
}
