import { z } from "zod";
import {
  codeChallengeSchema,
  codeVerifierSchema,
  providerTokenSchema,
  redirectUriSchema,
  socialCodeSchema,
  socialProviderSchema,
  socialStateSchema,
  tenantKeySchema,
  type SocialProviderName,
} from "./fields";
import { anyProcedure, defineProcedure, userGates } from "./procedure";
import { identitiesSchema, newUserSessionSchema, socialStartResultSchema } from "./shapes";

/** The one kind of token a native sign-in takes per provider (Google's id_token; Kakao's and Naver's access token). */
const nativeTokenKinds = { google: "idToken", kakao: "accessToken", naver: "accessToken" } as const satisfies Record<
  SocialProviderName,
  "idToken" | "accessToken"
>;

/** `listIdentities` is `A U C`: any signed-in user, verified or not, password change pending or not. */
const anyState = userGates({ allowUnverifiedEmail: true, allowPasswordChangeRequired: true });

/**
 * CONTRACT v2 "clientSocial" (docs/api.md "clientSocial"): sign-in with Google, Kakao or Naver.
 * Browser flow: `start` → the provider → Gatehouse's callback → the app's `redirectUri` with a
 * one-time code → `exchange`. Native apps: `signInWithToken` with the provider SDK's token.
 */
export const clientSocialContract = {
  start: defineProcedure({
    kind: "mutation",
    summary: "Starts a browser sign-in: answers the provider's authorization URL (state, nonce and PKCE kept 10 minutes, single use).",
    input: z.object({
      tenantKey: tenantKeySchema,
      provider: socialProviderSchema,
      redirectUri: redirectUriSchema.describe("Where Gatehouse sends the browser back: exactly one of the tenant's `redirectUris`."),
      state: socialStateSchema.optional(),
      codeChallenge: codeChallengeSchema
        .optional()
        .describe("PKCE S256 between the app and Gatehouse: when given, `exchange` requires its `codeVerifier`."),
    }),
    output: socialStartResultSchema,
    errors: ["rateLimit/TooManyRequests", "tenant/NotFound", "auth/MethodNotEnabled", "social/RedirectUriNotAllowed", ...anyProcedure],
  }),

  exchange: defineProcedure({
    kind: "mutation",
    summary:
      "Trades the redirect's one-time code (and PKCE verifier) for a session; the code is burned by any refusal but a malformed verifier.",
    input: z.object({
      code: socialCodeSchema,
      codeVerifier: codeVerifierSchema.optional(),
      tenantKey: tenantKeySchema.optional().describe("When given, the code must have been issued for this tenant."),
    }),
    output: newUserSessionSchema,
    errors: ["rateLimit/TooManyRequests", "social/InvalidCode", "auth/AccountSuspended", "tenant/NotFound", ...anyProcedure],
  }),

  signInWithToken: defineProcedure({
    kind: "mutation",
    summary:
      "Native apps: signs in with the provider SDK's token (Google `idToken`; Kakao and Naver `accessToken`), checked for this tenant's app.",
    input: z
      .object({
        tenantKey: tenantKeySchema,
        provider: socialProviderSchema,
        idToken: providerTokenSchema.optional().describe("Google only: the id_token Google Sign-In gave the app."),
        accessToken: providerTokenSchema.optional().describe("Kakao and Naver only: the access token their SDK gave the app."),
      })
      .superRefine((input, ctx) => {
        // CONTRACT v2: the wrong kind of token for the provider is a 400, on the field at fault.
        const wanted = nativeTokenKinds[input.provider];
        const other = wanted === "idToken" ? "accessToken" : "idToken";
        if (input[other] !== undefined) {
          ctx.addIssue({ code: "custom", path: [other], message: `${input.provider} takes \`${wanted}\`, not \`${other}\`.` });
        }
        if (input[wanted] === undefined)
          ctx.addIssue({ code: "custom", path: [wanted], message: `${input.provider} needs \`${wanted}\`.` });
      }),
    output: newUserSessionSchema,
    errors: [
      "rateLimit/TooManyRequests",
      "tenant/NotFound",
      "auth/MethodNotEnabled",
      "social/InvalidProviderToken",
      "signUp/EmailDomainNotAllowed",
      "auth/AccountSuspended",
      ...anyProcedure,
    ],
  }),

  listIdentities: defineProcedure({
    kind: "query",
    summary: "The signed-in user's linked provider accounts.",
    input: null,
    output: identitiesSchema,
    errors: [...anyState, ...anyProcedure],
  }),
};
