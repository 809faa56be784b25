import type { z } from "zod";
import type { AppCode } from "./app-codes";

/**
 * One procedure of the contract, as data: what it takes, what it answers, and every appCode it
 * can answer (besides the transport's, see `transportAppCodes`). The router hands `input` and
 * `output` to tRPC; the SDK and the REST/OpenAPI documents read the rest.
 */
export interface ProcedureContract<
  Input extends z.ZodType | null = z.ZodType | null,
  Output extends z.ZodType = z.ZodType,
  Code extends AppCode = AppCode,
> {
  kind: "query" | "mutation";
  /** One sentence: what the procedure does. */
  summary: string;
  /** `null`: the procedure takes no input (whatever is sent is ignored). */
  input: Input;
  output: Output;
  errors: readonly Code[];
}

/** Keeps each entry's exact schema types and its appCodes as a literal union. */
export function defineProcedure<const Input extends z.ZodType | null, const Output extends z.ZodType, const Code extends AppCode>(
  procedure: ProcedureContract<Input, Output, Code>,
): ProcedureContract<Input, Output, Code> {
  return procedure;
}

/** Every procedure can answer these: a field or rule of its input, an outage, an unexpected fault. */
export const anyProcedure = ["validation/Invalid", "service/Unavailable", "server/InternalError"] as const;

/**
 * An end-user procedure (`A`) behind the gates, in their order (CONTRACT.md "Gates"): the access
 * token, suspension, then the password-change gate unless marked `C` and the email gate unless
 * marked `U`.
 */
export function userGates<const U extends boolean, const C extends boolean>(marks: {
  allowUnverifiedEmail: U;
  allowPasswordChangeRequired: C;
}) {
  return [
    "auth/Unauthenticated",
    "auth/AccountSuspended",
    ...((marks.allowPasswordChangeRequired ? [] : ["auth/PasswordChangeRequired"]) as C extends true
      ? []
      : ["auth/PasswordChangeRequired"]),
    ...((marks.allowUnverifiedEmail ? [] : ["auth/EmailNotVerified"]) as U extends true ? [] : ["auth/EmailNotVerified"]),
  ] as const;
}

/** Every BackOffice procedure: no staff session (401); a viewer calling an admin procedure, or a call from another origin (403). */
export const staffGates = ["auth/Unauthenticated", "auth/Forbidden"] as const;
