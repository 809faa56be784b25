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
  };
}
