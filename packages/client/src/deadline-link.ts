import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { ClientRouter } from "./types";

/** Where a call's own `timeoutMs` travels in the operation's context (the facades put it there). */
export const TIMEOUT_CONTEXT_KEY = "gatehouseTimeoutMs";

/** A usable `timeoutMs`: a finite number of milliseconds, 0 for no deadline. */
export const isTimeoutMs = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/**
 * Ends a call when it has taken `timeoutMs` (the call's own, else `defaultTimeoutMs`) with a
 * TimeoutError (`network/Timeout`), or at once when the caller's signal aborts, even while the
 * call waits for a refresh (`network/Aborted`). Either way the request below is cancelled; a
 * refresh the call was waiting for is shared and goes on, under its own deadline.
 */
export function deadlineLink(defaultTimeoutMs: number): TRPCLink<ClientRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const own = op.context[TIMEOUT_CONTEXT_KEY];
        // A bad per-call value falls back to the client's rather than to no deadline at all.
        const timeoutMs = isTimeoutMs(own) ? own : defaultTimeoutMs;
        const callerSignal = op.signal;
        const controller = new AbortController();
        let timer: ReturnType<typeof setTimeout> | undefined;
        let finished = false;

        const finish = (): boolean => {
          if (finished) return false;
          finished = true;
          clearTimeout(timer);
          callerSignal?.removeEventListener("abort", onCallerAbort);
          return true;
        };
        const stop = (reason: DOMException) => {
          if (!finish()) return;
          observer.error(TRPCClientError.from(reason));
          controller.abort(reason);
          subscription.unsubscribe();
        };
        const onCallerAbort = () => stop(new DOMException("The request was aborted.", "AbortError"));

        if (callerSignal?.aborted) {
          finish();
          observer.error(TRPCClientError.from(new DOMException("The request was aborted.", "AbortError")));
          return () => {};
        }
        const subscription = next({ ...op, signal: controller.signal }).subscribe({
          next(envelope) {
            if (!finished) observer.next(envelope);
          },
          error(error) {
            if (finish()) observer.error(error);
          },
          complete() {
            if (finish()) observer.complete();
          },
        });
        if (!finished) {
          callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
          if (timeoutMs > 0) {
            timer = setTimeout(() => stop(new DOMException(`No answer from Gatehouse within ${timeoutMs} ms.`, "TimeoutError")), timeoutMs);
          }
        }
        return () => {
          finish();
          subscription.unsubscribe();
        };
      });
}
