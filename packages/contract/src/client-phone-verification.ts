import { z } from "zod";
import { otpCodeSchema, phoneInputSchema } from "./fields";
import { anyProcedure, defineProcedure, userGates } from "./procedure";
import { codeSentSchema, userResultSchema } from "./shapes";

/** `A U`: signed in, not suspended, no password change pending; an unverified email is fine. */
const gates = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: false });

/** CONTRACT v2 "clientPhoneVerification" (docs/api.md): a verified phone number on the signed-in user. */
export const clientPhoneVerificationContract = {
  sendCode: defineProcedure({
    kind: "mutation",
    summary: "Texts a 6-digit code to the number (normalized to E.164); a new send replaces the previous code.",
    input: z.object({ phone: phoneInputSchema }),
    output: codeSentSchema,
    errors: [
      ...gates,
      "rateLimit/TooManyRequests",
      "auth/MethodNotEnabled",
      "user/PhoneDuplicated",
      "smsVerification/CooldownActive",
      ...anyProcedure,
    ],
  }),

  verifyPhone: defineProcedure({
    kind: "mutation",
    summary: "With the right code: the number becomes the user's verified phone.",
    input: z.object({ code: otpCodeSchema }),
    output: userResultSchema,
    errors: [...gates, "rateLimit/TooManyRequests", "smsVerification/InvalidCode", "user/PhoneDuplicated", ...anyProcedure],
  }),
};
