import { TRPCClientError, type Operation, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { SessionManager } from "./session";
import type { ClientRouter, RouterOutputs } from "./types";

/** Where the auth link leaves the token for the HTTP link's `headers`. */
export const ACCESS_TOKEN_CONTEXT_KEY = "gatehouseAccessToken";

/** Procedures anyone may call (CONTRACT "P"): no bearer token, no refresh. */
const publicPaths = new Set(["clientAuth.signUp", "clientAuth.signIn", "clientAuth.refresh"]);

type Outputs = RouterOutputs["clientAuth"] & RouterOutputs["clientEmailVerification"];

/** Stores whatever tokens an answer carries, before the caller sees the answer. */
async function absorbAnswer(session: SessionManager, path: string, data: unknown): Promise<void> {
  switch (path) {
    case "clientAuth.signUp":
    case "clientAuth.signIn":
      await session.setSession(data as Outputs["signIn"], "signedIn");
      return;
    case "clientAuth.refresh":
      await session.setSession(data as Outputs["refresh"], "refreshed");
      return;
    case "clientEmailVerification.verifyEmail":
    case "clientAuth.changePassword": {
      const answer = data as Outputs["verifyEmail"] | Outputs["changePassword"];
      await session.setAccessToken(answer.accessToken, answer.accessTokenExpiresAt, "accessTokenUpdated");
      return;
    }
    case "clientAuth.signOut":
      await session.clear("signedOut");
      return;
  }
}

function isUnauthenticated(error: unknown): boolean {
  const data = (error as { data?: { appCode?: unknown; httpStatus?: unknown } } | null)?.data;
  return data?.appCode === "auth/Unauthenticated" && data.httpStatus === 401;
}

/**
 * Attaches `Authorization: Bearer` to every end-user call, refreshing first when the access
 * token is missing or about to expire; on a 401 auth/Unauthenticated it refreshes once and
 * retries the call once. Other 401s (a wrong code, wrong credentials, a bad refresh token) are
 * answers about the input, never a reason to refresh. Answers that carry tokens are stored.
 */
export function gatehouseAuthLink(session: SessionManager): TRPCLink<ClientRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const needsAuth = !publicPaths.has(op.path);
        let subscription: Unsubscribable | undefined;
        let stopped = false;

        const attempt = (token: string | null, retried: boolean) => {
          if (stopped) return;
          const sent: Operation = { ...op, context: { ...op.context, [ACCESS_TOKEN_CONTEXT_KEY]: token } };
          let done: Promise<void> = Promise.resolve();
          subscription = next(sent).subscribe({
            next(envelope) {
              const result = envelope.result as { type?: string; data?: unknown };
              done = absorbAnswer(session, op.path, result.data).then(
                () => observer.next(envelope),
                (error: unknown) => observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error)))),
              );
            },
            error(error) {
              if (needsAuth && !retried && token !== null && isUnauthenticated(error)) {
                session.refreshAfterRejection(token).then(
                  (fresh) => (fresh?.accessToken ? attempt(fresh.accessToken, true) : observer.error(error)),
                  () => observer.error(error),
                );
                return;
              }
              // The server no longer knows this session: nothing left to sign out of.
              if (op.path === "clientAuth.signOut" && isUnauthenticated(error)) void session.clear("signedOut");
              observer.error(error);
            },
            complete() {
              void done.then(() => observer.complete());
            },
          });
        };

        if (needsAuth) {
          session.accessTokenForCall().then(
            (token) => attempt(token, false),
            () => attempt(null, false),
          );
        } else {
          attempt(null, false);
        }

        return () => {
          stopped = true;
          subscription?.unsubscribe();
        };
      });
}
