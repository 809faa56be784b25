import { TRPCClientError, type Operation, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { toGatehouseError } from "./errors";
import type { SessionManager } from "./session";
import type { StoredTokens } from "./token-store";
import type { ClientRouter, ProcedurePath, RouterOutputs } from "./types";

/** Where the auth link leaves the token for the HTTP link's `headers`. */
export const ACCESS_TOKEN_CONTEXT_KEY = "gatehouseAccessToken";

/** Procedures anyone may call (CONTRACT "P"): no bearer token, no refresh. Typed, so a renamed path does not compile. */
const publicPaths: ReadonlySet<string> = new Set<ProcedurePath>([
  "clientAuth.signUp",
  "clientAuth.signIn",
  "clientAuth.refresh",
  "clientPasswordless.sendCode",
  "clientPasswordless.verify",
  "clientPasswordless.register",
  "clientSocial.start",
  "clientSocial.exchange",
  "clientSocial.signInWithToken",
  "clientPasswordReset.sendSmsCode",
  "clientPasswordReset.sendEmailCode",
  "clientPasswordReset.verifyCode",
  "clientPasswordReset.resetPassword",
]);

type Outputs = RouterOutputs["clientAuth"] & RouterOutputs["clientEmailVerification"] & RouterOutputs["clientPasswordless"];
type SocialOutputs = RouterOutputs["clientSocial"];

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
    case "clientPasswordless.verify": {
      // Only a known user's answer is a session; `needSignup: true` carries a signupToken.
      const answer = data as Outputs["verify"];
      if (!answer.needSignup) await session.setSession(answer, "signedIn");
      return;
    }
    case "clientPasswordless.register":
      await session.setSession(data as Outputs["register"], "signedIn");
      return;
    case "clientSocial.exchange":
    case "clientSocial.signInWithToken":
      await session.setSession(data as SocialOutputs["exchange"], "signedIn");
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

/** The `refreshToken` of a refresh or signOut body, when the app gave one. */
function refreshTokenIn(input: unknown): string | undefined {
  const token = (input as { refreshToken?: unknown } | null | undefined)?.refreshToken;
  return typeof token === "string" ? token : undefined;
}

/**
 * What the caller sees when the SDK's own work failed: the refresh call's own TRPCClientError
 * (a 503, a network failure) as it came, else the GatehouseError (a store failure) wrapped,
 * which toGatehouseError unwraps.
 */
function asClientError(error: unknown): TRPCClientError<ClientRouter> {
  if (error instanceof TRPCClientError) return error as TRPCClientError<ClientRouter>;
  const gatehouseError = toGatehouseError(error);
  if (gatehouseError.cause instanceof TRPCClientError) return gatehouseError.cause as TRPCClientError<ClientRouter>;
  return new TRPCClientError(gatehouseError.message, { cause: gatehouseError });
}

/**
 * Attaches `Authorization: Bearer` to every end-user call, refreshing first when the access
 * token is missing or about to expire; on a 401 auth/Unauthenticated it refreshes once and
 * retries the call once. Other 401s (a wrong code, wrong credentials, a bad refresh token) are
 * answers about the input, never a reason to refresh. Answers that carry tokens are stored.
 * clientAuth.refresh is the session manager's own refresh (so it joins any refresh running,
 * never presenting one token twice), and signOut with no session is done without a request.
 */
export function gatehouseAuthLink(session: SessionManager): TRPCLink<ClientRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const needsAuth = !publicPaths.has(op.path);
        let subscription: Unsubscribable | undefined;
        let stopped = false;

        const answer = (data: unknown) => {
          if (stopped) return;
          observer.next({ result: { type: "data", data } });
          observer.complete();
        };
        const fail = (error: unknown) => {
          if (!stopped) observer.error(asClientError(error));
        };

        const attempt = (tokens: StoredTokens | null, retried: boolean) => {
          if (stopped) return;
          const token = needsAuth ? (tokens?.accessToken ?? null) : null;
          const sent: Operation = { ...op, context: { ...op.context, [ACCESS_TOKEN_CONTEXT_KEY]: token } };
          let done: Promise<void> = Promise.resolve();
          subscription = next(sent).subscribe({
            next(envelope) {
              const result = envelope.result as { type?: string; data?: unknown };
              done = absorbAnswer(session, op.path, result.data).then(() => observer.next(envelope), fail);
            },
            error(error) {
              if (needsAuth && !retried && tokens && token !== null && isUnauthenticated(error)) {
                session.refreshAfter(tokens).then(
                  (outcome) => (outcome.tokens?.accessToken ? attempt(outcome.tokens, true) : observer.error(error)),
                  // The refresh could not be done (network, timeout, 5xx): say so, not the 401,
                  // so the app does not send a user who is still signed in to the sign-in page.
                  fail,
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

        if (op.path === "clientAuth.refresh") {
          session.refreshForApp(refreshTokenIn(op.input)).then((outcome) => {
            if (outcome?.session) answer(outcome.session);
            else if (outcome?.error) fail(outcome.error);
            // No session and no token given: the server says what is missing.
            else attempt(null, false);
          }, fail);
        } else if (needsAuth) {
          session.tokensForCall().then(
            (tokens) => {
              // Nothing to sign out of; a refresh token in the body still goes to the server.
              if (!tokens && op.path === "clientAuth.signOut" && refreshTokenIn(op.input) === undefined) answer({ success: true });
              else attempt(tokens, false);
            },
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
