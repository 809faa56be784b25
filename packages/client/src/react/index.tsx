"use client";
/**
 * @gatehouse/client/react: the provider, tRPC + TanStack Query hooks for the end-user API, the
 * session as React state, an example sign-up → verify flow, the email-code sign-in hook, the
 * social sign-in hooks, and the phone-verification and password-reset hooks.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { TRPCClient } from "@trpc/client";
import { createTRPCContext, type TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import type { GatehouseClient } from "../client";
import { toGatehouseError, type GatehouseErrorOf } from "../errors";
import type { ErrorOf } from "../procedure-errors";
import type { StoredTokens } from "../token-store";
import type { ClientRouter, ProcedurePath } from "../types";
import { GatehouseClientContext, useGatehouse } from "./context";

const trpcContext = createTRPCContext<ClientRouter>();

/**
 * The tRPC options proxy: `useQuery(useTRPC().clientAuth.me.queryOptions())`,
 * `useMutation(useTRPC().clientAuth.updateMe.mutationOptions())`. Calls go through the
 * client's auth link (bearer token, refresh, token storage).
 */
export const useTRPC: () => TRPCOptionsProxy<ClientRouter> = trpcContext.useTRPC;
/** The typed tRPC client (`client.trpc`). */
export const useTRPCClient: () => TRPCClient<ClientRouter> = trpcContext.useTRPCClient;

/** Retries only what may pass by itself (no answer, 5xx), at most twice; never a 4xx. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const { status } = toGatehouseError(error);
  return failureCount < 2 && (status === 0 || status >= 500);
}

/**
 * A hook's error (`useQuery(...).error`, `useMutation(...).error`) as a GatehouseError, or null
 * when there is none. With the procedure's path it is typed for that procedure, as a facade's
 * `res.error` is: `useGatehouseError(me.error, "clientAuth.me")`.
 */
export function useGatehouseError(error: unknown): GatehouseErrorOf | null;
export function useGatehouseError<P extends ProcedurePath>(error: unknown, path: P): GatehouseErrorOf<ErrorOf<P>> | null;
export function useGatehouseError(error: unknown, path?: ProcedurePath): GatehouseErrorOf | null {
  return useMemo(
    () => (error == null ? null : path === undefined ? toGatehouseError(error) : toGatehouseError(error, path)),
    [error, path],
  );
}

export function createGatehouseQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: shouldRetry, staleTime: 30_000 }, mutations: { retry: false } },
  });
}

export interface GatehouseProviderProps {
  client: GatehouseClient;
  /** Default: one made by createGatehouseQueryClient() for this provider. */
  queryClient?: QueryClient;
  children?: ReactNode;
}

/**
 * Provides the client, TanStack Query and the tRPC hooks. When the session ends (sign-out,
 * failed refresh) the cached answers of the previous user are dropped.
 */
export function GatehouseProvider({ client, queryClient, children }: GatehouseProviderProps) {
  const [ownQueryClient] = useState(createGatehouseQueryClient);
  const queries = queryClient ?? ownQueryClient;
  useEffect(
    () =>
      client.hooks.onSessionChange((tokens) => {
        if (!tokens) queries.removeQueries();
      }),
    [client, queries],
  );
  return (
    <QueryClientProvider client={queries}>
      <trpcContext.TRPCProvider trpcClient={client.trpc} queryClient={queries}>
        <GatehouseClientContext.Provider value={client}>{children}</GatehouseClientContext.Provider>
      </trpcContext.TRPCProvider>
    </QueryClientProvider>
  );
}

export { useGatehouse };

export type SessionState =
  { status: "loading"; tokens: undefined } | { status: "signedIn"; tokens: StoredTokens } | { status: "signedOut"; tokens: null };

/** The session as React state, following every change (this tab's and, for shared stores, others'). */
export function useSession(): SessionState {
  const { hooks } = useGatehouse();
  const [state, setState] = useState<SessionState>({ status: "loading", tokens: undefined });
  useEffect(() => {
    let live = true;
    const apply = (tokens: StoredTokens | null) => {
      if (live) setState(tokens ? { status: "signedIn", tokens } : { status: "signedOut", tokens: null });
    };
    const unsubscribe = hooks.onSessionChange((tokens) => apply(tokens));
    void hooks.getTokens().then(apply);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [hooks]);
  return state;
}

export { SignUpVerifyFlow, type SignUpVerifyFlowProps } from "./sign-up-verify-flow";
export {
  useEmailCodeSignIn,
  type EmailCodeSignIn,
  type EmailCodeSignInError,
  type EmailCodeStep,
  type UseEmailCodeSignInOptions,
} from "./use-email-code-sign-in";
export {
  usePasswordReset,
  type PasswordReset,
  type PasswordResetChannel,
  type PasswordResetError,
  type PasswordResetStep,
  type UsePasswordResetOptions,
} from "./use-password-reset";
export {
  usePhoneVerification,
  type PhoneVerification,
  type PhoneVerificationError,
  type PhoneVerificationStep,
  type UsePhoneVerificationOptions,
} from "./use-phone-verification";
export {
  useSocialCallback,
  useSocialSignIn,
  type SocialCallbackState,
  type SocialSignInButton,
  type UseSocialCallbackOptions,
} from "./use-social";
