import Link from "next/link";
import type { ReactNode } from "react";
import { formatDateTime } from "../lib/format";

/** Small server-rendered building blocks shared by the BackOffice pages. */

export function PageHeader({
  title,
  description,
  actions,
  breadcrumbs,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  breadcrumbs?: { href: string; label: string }[];
}) {
  return (
    <header className="page-header">
      {breadcrumbs && breadcrumbs.length > 0 ? (
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <ol>
            {breadcrumbs.map((crumb) => (
              <li key={crumb.href}>
                <Link href={crumb.href}>{crumb.label}</Link>
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      <div className="page-header-row">
        <div>
          <h1>{title}</h1>
          {description ? <p className="page-description">{description}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
    </header>
  );
}

export function Time({ iso, timeZone, empty = "Never" }: { iso: string | null | undefined; timeZone: string; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={`${iso} (UTC)`}>
      {formatDateTime(iso, timeZone)}
    </time>
  );
}

type BadgeTone = "neutral" | "success" | "warning" | "danger" | "info";

export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children ? <p>{children}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function Notice({ tone = "info", children }: { tone?: "info" | "success" | "warning" | "error"; children: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function SearchForm({
  action,
  label,
  query,
  placeholder,
  hidden,
  children,
}: {
  action: string;
  label: string;
  query: string;
  placeholder?: string;
  hidden?: Record<string, string>;
  children?: ReactNode;
}) {
  return (
    <form role="search" action={action} method="get" className="toolbar">
      {Object.entries(hidden ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="toolbar-field grow">
        <label htmlFor="search-q">{label}</label>
        <input id="search-q" name="q" type="search" defaultValue={query} placeholder={placeholder} maxLength={100} />
      </div>
      {children}
      <div className="toolbar-buttons">
        <button type="submit" className="btn btn-secondary">
          Search
        </button>
        {query ? (
          <Link href={action} className="btn btn-ghost">
            Clear
          </Link>
        ) : null}
      </div>
    </form>
  );
}

export function Pagination({
  label,
  pageNumber,
  previousHref,
  nextHref,
}: {
  label: string;
  pageNumber: number;
  previousHref: string | undefined;
  nextHref: string | undefined;
}) {
  if (!previousHref && !nextHref) return null;
  return (
    <nav className="pagination" aria-label={label}>
      {previousHref ? (
        <Link href={previousHref} className="btn btn-secondary" rel="prev">
          ← Previous
        </Link>
      ) : (
        <span className="btn btn-secondary is-disabled" aria-disabled="true">
          ← Previous
        </span>
      )}
      <span className="pagination-page">Page {pageNumber}</span>
      {nextHref ? (
        <Link href={nextHref} className="btn btn-secondary" rel="next">
          Next →
        </Link>
      ) : (
        <span className="btn btn-secondary is-disabled" aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}

export function DefinitionList({ items }: { items: { term: string; value: ReactNode }[] }) {
  return (
    <dl className="details">
      {items.map((item) => (
        <div key={item.term} className="details-row">
          <dt>{item.term}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
