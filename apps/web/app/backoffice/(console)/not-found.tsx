import type { Metadata } from "next";
import Link from "next/link";

// Used for every notFound() under the console (an unknown tenant or user), instead of the page's title.
export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <div className="error-state">
      <h1>Not found</h1>
      <p>There is nothing here. The tenant or user may have been deleted, or the link is mistyped.</p>
      <div className="error-actions">
        <Link className="btn btn-primary" href="/backoffice/tenants">
          Go to tenants
        </Link>
      </div>
    </div>
  );
}
