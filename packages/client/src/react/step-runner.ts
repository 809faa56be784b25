"use client";
import { useCallback, useEffect, useRef, useState } from "react";

/** A step's answer, or `stale` when the flow was restarted (or unmounted) while it ran. */
export type StepOutcome<R> = { stale: true } | { stale: false; res: R };

/**
 * The call-running part of a multi-step hook (phone verification, password reset): one `busy`
 * flag, the last step's `error`, and answers that arrive after `restart()` or unmount dropped.
 */
export function useStepRunner<E>(): {
  run: <R extends { error: E | undefined }>(call: () => Promise<R>) => Promise<StepOutcome<R>>;
  error: E | null;
  busy: boolean;
  /** Drops the answers of calls still running and clears `error` and `busy`. */
  restart: () => void;
} {
  const [error, setError] = useState<E | null>(null);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);
  useEffect(() => {
    const current = generation;
    return () => {
      current.current += 1;
    };
  }, []);

  const run = useCallback(async <R extends { error: E | undefined }>(call: () => Promise<R>): Promise<StepOutcome<R>> => {
    const started = generation.current;
    setBusy(true);
    setError(null);
    const res = await call();
    if (started !== generation.current) return { stale: true };
    setBusy(false);
    if (res.error) setError(res.error);
    return { stale: false, res };
  }, []);

  const restart = useCallback(() => {
    generation.current += 1;
    setError(null);
    setBusy(false);
  }, []);

  return { run, error, busy, restart };
}
