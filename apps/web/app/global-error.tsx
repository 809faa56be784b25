"use client";

import "./globals.css";

/** Last-resort error page (the root layout itself failed); no inline styles, so the CSP holds. */
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main className="auth-page">
          <div className="auth-card" role="alert">
            <h1>Something went wrong</h1>
            <p className="lead">Gatehouse could not show this page. Try again in a moment.</p>
            <button type="button" className="btn btn-primary" onClick={() => reset()}>
              Try again
            </button>
          </div>
        </main>
      </body>
    </html>
  );
}
