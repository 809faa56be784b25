import { z } from "zod";
import {
  displayNameSchema,
  emailSchema,
  existingPasswordSchema,
  newPasswordSchema,
  phoneInputSchema,
  refreshTokenSchema,
  signInUserIdSchema,
  tenantKeySchema,
  userIdSchema,
  uuidSchema,
} from "./fields";
import { anyProcedure, defineProcedure, userGates } from "./procedure";
import { changePasswordResultSchema, ownSessionsSchema, sessionSchema, successSchema, userResultSchema } from "./shapes";

/** `A U C`: allowed for an unverified user and while a password change is required. */
const anyState = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: true });
/** `A`: every gate. */
const fullyGated = userGates({ allowUnverifiedEmail: false, allowPasswordChangeRequired: false });

/** CONTRACT.md "clientAuth" (docs/api.md "clientAuth"). */
export const clientAuthContract = {
  signUp: defineProcedure({
    kind: "mutation",
    summary: "Creates a self-signed-up member (email not yet verified) and its first session; sends no mail.",
    input: z.object({
      tenantKey: tenantKeySchema,
      userId: userIdSchema,
      password: newPasswordSchema,
      displayName: displayNameSchema,
      email: emailSchema,
      phone: phoneInputSchema.optional().describe("CONTRACT v2: stored as E.164, unverified."),
    }),
    output: sessionSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "signUp/EmailDomainNotAllowed",
      "user/UserIdDuplicated",
      ...anyProcedure,
    ],
  }),

  signIn: defineProcedure({
    kind: "mutation",
    summary: "Signs a user in with their password and opens a session.",
    input: z.object({ tenantKey: tenantKeySchema, userId: signInUserIdSchema, password: existingPasswordSchema }),
    output: sessionSchema,
    errors: ["rateLimit/TooManyRequests", "tenant/NotFound", "auth/InvalidCredentials", "auth/AccountSuspended", ...anyProcedure],
  }),

  refresh: defineProcedure({
    kind: "mutation",
    summary: "Rotates a refresh token: a new access and refresh token; presenting a spent one ends the session.",
    input: z.object({ refreshToken: refreshTokenSchema }),
    output: sessionSchema,
    errors: ["rateLimit/TooManyRequests", "auth/InvalidRefreshToken", "tenant/NotFound", "auth/AccountSuspended", ...anyProcedure],
  }),

  signOut: defineProcedure({
    kind: "mutation",
    summary: "Ends the caller's session (a given refreshToken must be this session's).",
    input: z.object({ refreshToken: refreshTokenSchema.optional() }).prefault({}),
    output: successSchema,
    errors: [...anyState, "auth/InvalidRefreshToken", ...anyProcedure],
  }),

  me: defineProcedure({
    kind: "query",
    summary: "The signed-in user.",
    input: null,
    output: userResultSchema,
    errors: [...anyState, ...anyProcedure],
  }),

  updateMe: defineProcedure({
    kind: "mutation",
    summary: "Changes the user's display name.",
    input: z.object({ displayName: displayNameSchema }),
    output: userResultSchema,
    errors: [...fullyGated, ...anyProcedure],
  }),

  changePassword: defineProcedure({
    kind: "mutation",
    summary: "Changes the password: keeps this session, ends the others, clears mustChangePassword; answers a fresh access token.",
    input: z.object({ currentPassword: existingPasswordSchema, newPassword: newPasswordSchema }),
    output: changePasswordResultSchema,
    errors: [...anyState, "auth/PasswordNotSet", "rateLimit/TooManyRequests", "auth/InvalidCredentials", ...anyProcedure],
  }),

  listSessions: defineProcedure({
    kind: "query",
    summary: "The user's live sessions, newest first.",
    input: null,
    output: ownSessionsSchema,
    errors: [...anyState, ...anyProcedure],
  }),

  revokeSession: defineProcedure({
    kind: "mutation",
    summary: "Ends one of the user's own sessions (the current one: a sign-out).",
    input: z.object({ id: uuidSchema.describe("A session id from listSessions.") }),
    output: successSchema,
    errors: [...anyState, "session/NotFound", ...anyProcedure],
  }),
};
