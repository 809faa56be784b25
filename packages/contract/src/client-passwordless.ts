import { z } from "zod";
import { displayNameSchema, emailSchema, otpCodeSchema, tenantKeySchema, userIdSchema } from "./fields";
import { anyProcedure, defineProcedure } from "./procedure";
import { codeSentSchema, newUserSessionSchema, passwordlessVerifyResultSchema } from "./shapes";

/** An opaque signupToken as `verify` answered it. */
const signupTokenSchema = z.string().min(1).max(512).describe("The signupToken `clientPasswordless.verify` answered.");

/** CONTRACT v2 "clientPasswordless" (docs/api.md "clientPasswordless"): email-code sign-in and sign-up, no password. */
export const clientPasswordlessContract = {
  sendCode: defineProcedure({
    kind: "mutation",
    summary: "Mails a 6-digit sign-in code to the address, whether or not an account has it; a new send replaces the previous code.",
    input: z.object({ tenantKey: tenantKeySchema, email: emailSchema }),
    output: codeSentSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "signUp/EmailDomainNotAllowed",
      "emailVerification/CooldownActive",
      ...anyProcedure,
    ],
  }),

  verify: defineProcedure({
    kind: "mutation",
    summary: "With the right code: signs in the user whose verified email it is, or answers a signupToken to finish signing up with.",
    input: z.object({ tenantKey: tenantKeySchema, email: emailSchema, code: otpCodeSchema }),
    output: passwordlessVerifyResultSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "emailVerification/InvalidCode",
      "auth/AccountSuspended",
      ...anyProcedure,
    ],
  }),

  register: defineProcedure({
    kind: "mutation",
    summary: "Creates the user (email verified, no password; a generated userId when none is given) and signs them in.",
    input: z.object({ signupToken: signupTokenSchema, displayName: displayNameSchema, userId: userIdSchema.optional() }),
    output: newUserSessionSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "auth/InvalidSignupToken",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "user/UserIdDuplicated",
      "user/EmailDuplicated",
      ...anyProcedure,
    ],
  }),
};
