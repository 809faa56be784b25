/** Shown while a page's data loads (server components stream in behind it). */
export default function Loading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <div className="skeleton skeleton-title" />
      <div className="skeleton skeleton-line" />
      <div className="skeleton skeleton-block" />
      <span className="visually-hidden">Loading…</span>
    </div>
  );
}
