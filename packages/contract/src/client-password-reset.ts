import { z } from "zod";
import { emailSchema, newPasswordSchema, otpCodeSchema, phoneInputSchema, resetTokenSchema, tenantKeySchema } from "./fields";
import { anyProcedure, defineProcedure } from "./procedure";
import { codeSentSchema, resetVerifyResultSchema, successSchema } from "./shapes";

/**
 * CONTRACT v2 "clientPasswordReset" (docs/api.md): forgot password, by SMS or by email. The sends
 * answer the same whether or not a user has that verified number or address.
 */
export const clientPasswordResetContract = {
  sendSmsCode: defineProcedure({
    kind: "mutation",
    summary: "Texts a reset code to the number when a user of the tenant verified it; answers the same either way.",
    input: z.object({ tenantKey: tenantKeySchema, phone: phoneInputSchema }),
    output: codeSentSchema,
    errors: ["rateLimit/TooManyRequests", "tenant/NotFound", "auth/MethodNotEnabled", "smsVerification/CooldownActive", ...anyProcedure],
  }),

  sendEmailCode: defineProcedure({
    kind: "mutation",
    summary: "Mails a reset code to the address when a user of the tenant verified it; answers the same either way.",
    input: z.object({ tenantKey: tenantKeySchema, email: emailSchema }),
    output: codeSentSchema,
    errors: ["rateLimit/TooManyRequests", "tenant/NotFound", "emailVerification/CooldownActive", ...anyProcedure],
  }),

  verifyCode: defineProcedure({
    kind: "mutation",
    summary: "With the right code for the number or address: names the account and answers a 5-minute resetToken.",
    input: z
      .object({
        tenantKey: tenantKeySchema,
        code: otpCodeSchema,
        phone: phoneInputSchema.optional(),
        email: emailSchema.optional(),
      })
      .superRefine((value, ctx) => {
        const given = (value.phone !== undefined ? 1 : 0) + (value.email !== undefined ? 1 : 0);
        if (given !== 1) {
          ctx.addIssue({
            code: "custom",
            path: [value.phone === undefined ? "phone" : "email"],
            message: "Give exactly one of phone and email.",
          });
        }
      }),
    output: resetVerifyResultSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "smsVerification/InvalidCode",
      "emailVerification/InvalidCode",
      ...anyProcedure,
    ],
  }),

  resetPassword: defineProcedure({
    kind: "mutation",
    summary: "Sets a new password with the resetToken: clears mustChangePassword and ends every session of the user.",
    input: z.object({ resetToken: resetTokenSchema, newPassword: newPasswordSchema }),
    output: successSchema,
    errors: ["rateLimit/TooManyRequests", "auth/InvalidResetToken", ...anyProcedure],
  }),
};
