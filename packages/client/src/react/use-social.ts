"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { GatehouseErrorOf } from "../errors";
import type { ApiResult } from "../facades";
import type { ErrorOf, SocialCallbackErrorCode } from "../procedure-errors";
import type { SocialSignIn, SocialStartOptions, SocialStartResult } from "../social";
import type { User } from "../types";
import { useGatehouse } from "./context";

export interface SocialSignInButton {
  /** `ClientSocial.start`: goes to the provider (or answers the URL with `redirect: false`). */
  start(options: SocialStartOptions): Promise<ApiResult<SocialStartResult, ErrorOf<"clientSocial.start">>>;
  /** A start is running, or the page is on its way to the provider. */
  pending: boolean;
  /** The last start's error (cleared when a start begins). */
  error: GatehouseErrorOf<ErrorOf<"clientSocial.start">> | null;
}

/**
 * The "Continue with Google" button's state: `start` sends the browser to the provider, `pending`
 * disables the buttons meanwhile (it stays true while the page leaves), `error` says why not
 * (`auth/MethodNotEnabled`, `social/RedirectUriNotAllowed`, …).
 */
export function useSocialSignIn(): SocialSignInButton {
  const { ClientSocial } = useGatehouse();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<SocialSignInButton["error"]>(null);
  const start = useCallback(
    async (options: SocialStartOptions) => {
      setPending(true);
      setError(null);
      const res = await ClientSocial.start(options);
      // On its way to the provider: stay pending until the page is gone. Else, done.
      const leaving = !res.error && options.redirect !== false && typeof globalThis.location?.assign === "function";
      if (!leaving) setPending(false);
      if (res.error) setError(res.error);
      return res;
    },
    [ClientSocial],
  );
  return { start, pending, error };
}

export type SocialCallbackState =
  | { status: "pending"; user: null; isNewUser: false; error: null }
  | { status: "signedIn"; user: User; isNewUser: boolean; error: null }
  | { status: "error"; user: null; isNewUser: false; error: GatehouseErrorOf<SocialCallbackErrorCode> };

export interface UseSocialCallbackOptions {
  /** Default: the page's address when the component mounts. */
  url?: string;
  /** Called once the user is signed in (the session is stored by then). */
  onSignedIn?: (signIn: SocialSignIn) => void;
}

/**
 * The callback page: runs `ClientSocial.handleCallback` once on mount (StrictMode's second run
 * joins the first; nothing is exchanged twice) and answers where it stands. On `"error"`, switch
 * on `error.appCode`: `social/AccessDenied` (cancelled), `social/InvalidState` (an old or foreign
 * link), `signUp/EmailDomainNotAllowed`, `auth/AccountSuspended`, `social/InvalidCode`, ….
 */
export function useSocialCallback(options: UseSocialCallbackOptions = {}): SocialCallbackState {
  const { ClientSocial } = useGatehouse();
  const [state, setState] = useState<SocialCallbackState>({ status: "pending", user: null, isNewUser: false, error: null });
  // The URL as the page was opened: handleCallback takes code and state out of the address bar.
  const [url] = useState(() => options.url ?? globalThis.location?.href);
  const onSignedIn = useRef(options.onSignedIn);
  useEffect(() => {
    onSignedIn.current = options.onSignedIn;
  }, [options.onSignedIn]);
  // One run per mounted page, kept across StrictMode's unmount and remount of the same component.
  const run = useRef<ReturnType<typeof ClientSocial.handleCallback> | null>(null);
  const announced = useRef(false);

  useEffect(() => {
    let live = true;
    run.current ??= ClientSocial.handleCallback(url);
    void run.current.then((res) => {
      if (!live) return;
      if (res.error) {
        setState({ status: "error", user: null, isNewUser: false, error: res.error });
        return;
      }
      setState({ status: "signedIn", user: res.data.user, isNewUser: res.data.isNewUser, error: null });
      if (!announced.current) {
        announced.current = true;
        onSignedIn.current?.(res.data);
      }
    });
    return () => {
      live = false;
    };
  }, [ClientSocial, url]);

  return state;
}
