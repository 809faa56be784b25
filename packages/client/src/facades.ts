import type { TRPCUntypedClient } from "@trpc/client";
import type { AnyTRPCQueryProcedure } from "@trpc/server";
import { TIMEOUT_CONTEXT_KEY } from "./deadline-link";
import { toGatehouseError, type GatehouseErrorOf } from "./errors";
import type { ErrorOf } from "./procedure-errors";
import { createClientSocial, type ClientSocialFacade } from "./social";
import type { StorageLike } from "./token-store";
import type { AppCode, ClientRouter, ProcedurePath, RouterInputs, RouterOutputs } from "./types";

/**
 * A facade call's answer: exactly one of `data` and `error` is set. `C` is the appCodes the error
 * can have (a facade's: `ErrorOf<path>`), so `switch (res.error.appCode)` narrows the error.
 */
export type ApiResult<T, C extends AppCode = AppCode> = { data: T; error: undefined } | { data: undefined; error: GatehouseErrorOf<C> };

export interface CallOptions {
  /** Aborts the request (the answer is then `network/Aborted`). */
  signal?: AbortSignal;
  /** This call's limit in ms instead of the client's `timeoutMs` (then `network/Timeout`); 0 for none. */
  timeoutMs?: number;
}

/** `{ body }` is required when the procedure takes input, optional when it takes none. */
export type FacadeArgs<TInput> = undefined extends TInput
  ? [args?: CallOptions & { body?: Exclude<TInput, undefined | void> }]
  : [args: CallOptions & { body: TInput }];

/** A router's procedures as facade functions (the social facade builds on its own). */
export type FacadeOf<R extends keyof RouterInputs & keyof RouterOutputs & string, TInputs = RouterInputs[R]> = {
  [K in keyof TInputs & keyof RouterOutputs[R] & string]: (
    ...args: FacadeArgs<TInputs[K]>
  ) => Promise<ApiResult<RouterOutputs[R][K], ErrorOf<Extract<`${R}.${K}`, ProcedurePath>>>>;
};

/**
 * Every clientAuth procedure: `{ body }` in, `{ data, error }` out; never throws for an API error.
 * `refresh` may go without a body: it then rotates the stored session. `res.error.appCode` is
 * `ErrorOf<"clientAuth.<name>">`.
 */
export type ClientAuthFacade = FacadeOf<
  "clientAuth",
  Omit<RouterInputs["clientAuth"], "refresh"> & { refresh: RouterInputs["clientAuth"]["refresh"] | undefined }
>;
/** Every clientEmailVerification procedure, as ClientAuthFacade. */
export type ClientEmailVerificationFacade = FacadeOf<"clientEmailVerification">;
/**
 * Email-code sign-in and sign-up (sendCode → verify → register when `needSignup`), as
 * ClientAuthFacade. The session `verify` or `register` answers is stored, as signIn's is.
 */
export type ClientPasswordlessFacade = FacadeOf<"clientPasswordless">;
/**
 * A verified phone number for the signed-in user (sendCode → verifyPhone), as ClientAuthFacade:
 * `A U` procedures, so they carry the stored session's access token (refreshed when due).
 */
export type ClientPhoneVerificationFacade = FacadeOf<"clientPhoneVerification">;

/**
 * `clientPasswordReset.verifyCode`'s body: the code with exactly one of the number or the address
 * it was sent to (both, or neither, does not compile; the server answers either 400).
 */
export type ResetVerifyCodeBody =
  { tenantKey: string; code: string; phone: string; email?: never } | { tenantKey: string; code: string; email: string; phone?: never };

/**
 * Forgot password, by SMS or email (sendSmsCode or sendEmailCode → verifyCode → resetPassword), as
 * ClientAuthFacade. All four are public: no bearer token is sent, and no session is stored
 * (`resetPassword` ends every session of the account; the user then signs in with the new password).
 */
export type ClientPasswordResetFacade = Omit<FacadeOf<"clientPasswordReset">, "verifyCode"> & {
  verifyCode(
    args: CallOptions & { body: ResetVerifyCodeBody },
  ): Promise<ApiResult<RouterOutputs["clientPasswordReset"]["verifyCode"], ErrorOf<"clientPasswordReset.verifyCode">>>;
};

type Kinds<TRouter> = {
  [K in Exclude<keyof TRouter, "_def" | "createCaller">]: TRouter[K] extends AnyTRPCQueryProcedure ? "query" : "mutation";
};

/** Each procedure's kind; `satisfies` keeps the lists equal to the router type, both ways. */
export const clientAuthProcedures = {
  signUp: "mutation",
  signIn: "mutation",
  refresh: "mutation",
  signOut: "mutation",
  me: "query",
  updateMe: "mutation",
  changePassword: "mutation",
  listSessions: "query",
  revokeSession: "mutation",
} as const satisfies Kinds<ClientRouter["clientAuth"]>;

export const clientEmailVerificationProcedures = {
  sendVerification: "mutation",
  verifyEmail: "mutation",
} as const satisfies Kinds<ClientRouter["clientEmailVerification"]>;

export const clientPasswordlessProcedures = {
  sendCode: "mutation",
  verify: "mutation",
  register: "mutation",
} as const satisfies Kinds<ClientRouter["clientPasswordless"]>;

export const clientSocialProcedures = {
  start: "mutation",
  exchange: "mutation",
  signInWithToken: "mutation",
  listIdentities: "query",
} as const satisfies Kinds<ClientRouter["clientSocial"]>;

export const clientPhoneVerificationProcedures = {
  sendCode: "mutation",
  verifyPhone: "mutation",
} as const satisfies Kinds<ClientRouter["clientPhoneVerification"]>;

export const clientPasswordResetProcedures = {
  sendSmsCode: "mutation",
  sendEmailCode: "mutation",
  verifyCode: "mutation",
  resetPassword: "mutation",
} as const satisfies Kinds<ClientRouter["clientPasswordReset"]>;

function buildFacade<TFacade>(
  client: TRPCUntypedClient<ClientRouter>,
  router: string,
  kinds: Record<string, "query" | "mutation">,
): TFacade {
  const facade: Record<string, (args?: CallOptions & { body?: unknown }) => Promise<ApiResult<unknown>>> = {};
  for (const [name, kind] of Object.entries(kinds)) {
    // One of ProcedurePath: the kinds tables list exactly the router's procedures.
    const path = `${router}.${name}` as ProcedurePath;
    facade[name] = async (args = {}) => {
      const options = {
        ...(args.signal ? { signal: args.signal } : {}),
        ...(args.timeoutMs === undefined ? {} : { context: { [TIMEOUT_CONTEXT_KEY]: args.timeoutMs } }),
      };
      try {
        const data = kind === "query" ? await client.query(path, args.body, options) : await client.mutation(path, args.body, options);
        return { data, error: undefined };
      } catch (error) {
        return { data: undefined, error: toGatehouseError(error, path) };
      }
    };
  }
  return facade as TFacade;
}

export function createFacades(
  client: TRPCUntypedClient<ClientRouter>,
  socialStorage: () => StorageLike,
): {
  ClientAuth: ClientAuthFacade;
  ClientEmailVerification: ClientEmailVerificationFacade;
  ClientPasswordless: ClientPasswordlessFacade;
  ClientSocial: ClientSocialFacade;
  ClientPhoneVerification: ClientPhoneVerificationFacade;
  ClientPasswordReset: ClientPasswordResetFacade;
} {
  return {
    ClientAuth: buildFacade<ClientAuthFacade>(client, "clientAuth", clientAuthProcedures),
    ClientEmailVerification: buildFacade<ClientEmailVerificationFacade>(
      client,
      "clientEmailVerification",
      clientEmailVerificationProcedures,
    ),
    ClientPasswordless: buildFacade<ClientPasswordlessFacade>(client, "clientPasswordless", clientPasswordlessProcedures),
    ClientSocial: createClientSocial(buildFacade<FacadeOf<"clientSocial">>(client, "clientSocial", clientSocialProcedures), socialStorage),
    ClientPhoneVerification: buildFacade<ClientPhoneVerificationFacade>(
      client,
      "clientPhoneVerification",
      clientPhoneVerificationProcedures,
    ),
    // The body's one-of type narrows the router's input (both fields optional): every body it allows, the router takes.
    ClientPasswordReset: buildFacade<ClientPasswordResetFacade>(client, "clientPasswordReset", clientPasswordResetProcedures),
  };
}
