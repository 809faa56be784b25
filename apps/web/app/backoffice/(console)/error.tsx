"use client";

import { useEffect, useRef } from "react";

/** A page that could not load: say so plainly and offer a retry. Details stay in the server log. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div className="error-state" role="alert">
      <h1 ref={ref} tabIndex={-1}>
        This page could not be loaded
      </h1>
      <p>
        Gatehouse could not get the data for this page. It may be temporarily unable to reach its database or cache. Nothing was changed.
      </p>
      {error.digest ? (
        <p className="muted">
          Reference for the operators: <code>{error.digest}</code>
        </p>
      ) : null}
      <div className="error-actions">
        <button type="button" className="btn btn-primary" onClick={() => reset()}>
          Try again
        </button>
        <a className="btn btn-secondary" href="/backoffice">
          Go to overview
        </a>
      </div>
    </div>
  );
}
