/** Shown while a list page's data loads (loading.tsx of the segments that have no [key] below them: a tenant or user page must not stream, so it can answer 404). */
export function PageLoading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <div className="skeleton skeleton-title" />
      <div className="skeleton skeleton-line" />
      <div className="skeleton skeleton-block" />
      <span className="visually-hidden">Loading…</span>
    </div>
  );
}
