import { appError } from "../errors";
import type { ClientInfo } from "./sessions";
import type { VerifyResult } from "./passwordless-signup";

/** clientPasswordless.sendCode (CONTRACT v2). Placeholder until the code limiter lands. */
export async function sendSignInCode(
  input: { tenantKey: string; email: string },
  client: ClientInfo,
): Promise<{ expiresAt: string; nextResendAvailableAt: string }> {
  void input;
  void client;
  return Promise.reject(appError("service/Unavailable"));
}

/** clientPasswordless.verify (CONTRACT v2). Placeholder until the code limiter lands. */
export async function verifySignInCode(
  input: { tenantKey: string; email: string; code: string },
  client: ClientInfo,
): Promise<VerifyResult> {
  void input;
  void client;
  return Promise.reject(appError("service/Unavailable"));
}
