import { z } from "zod";
import { emailSchema, otpCodeSchema } from "./fields";
import { anyProcedure, defineProcedure, userGates } from "./procedure";
import { codeSentSchema, verifyEmailResultSchema } from "./shapes";

/** `A U`: allowed for an unverified user, not while a password change is required. */
const unverified = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: false });

/** CONTRACT.md "clientEmailVerification" (docs/api.md "clientEmailVerification"). */
export const clientEmailVerificationContract = {
  sendVerification: defineProcedure({
    kind: "mutation",
    summary: "Mails a 6-digit code to the address given (it must pass the tenant's domain policy); a new send replaces the previous code.",
    input: z.object({ email: emailSchema }),
    output: codeSentSchema,
    errors: [
      ...unverified,
      "rateLimit/TooManyRequests",
      "signUp/EmailDomainNotAllowed",
      "user/EmailDuplicated",
      "emailVerification/CooldownActive",
      ...anyProcedure,
    ],
  }),

  verifyEmail: defineProcedure({
    kind: "mutation",
    summary: "With the right code, the address it was sent to becomes the user's verified email; answers a fresh access token.",
    input: z.object({ code: otpCodeSchema }),
    output: verifyEmailResultSchema,
    errors: [...unverified, "rateLimit/TooManyRequests", "emailVerification/InvalidCode", "user/EmailDuplicated", ...anyProcedure],
  }),
};
