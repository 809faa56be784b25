import { SEARCH_QUERY_MAX_LENGTH } from "@gatehouse/contract";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatDateTime } from "../lib/format";
import { hrefWith, nextPageParams, pageNumber, previousPageParams, type PageState } from "../lib/pagination";

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

interface TitledProps {
  /** The heading's id, which names the section for screen readers. */
  id: string;
  title: ReactNode;
  /** Beside the heading, such as a link to the full list. */
  action?: ReactNode;
  className?: string | undefined;
  children: ReactNode;
}

function Titled({ kind, id, title, action, className, children }: TitledProps & { kind: "card" | "section" }) {
  return (
    <section className={`${kind}${className ? ` ${className}` : ""}`} aria-labelledby={id}>
      <div className={`${kind}-header`}>
        <h2 id={id}>{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

/** A boxed section with a heading. */
/** The header action to create a tenant, for admins only (null for viewers). */
export function NewTenantLink({ isAdmin }: { isAdmin: boolean }) {
  return isAdmin ? (
    <Link href="/backoffice/tenants/new" className="btn btn-primary">
      New tenant
    </Link>
  ) : null;
}

export function Card(props: TitledProps) {
  return <Titled kind="card" {...props} />;
}

/** A page section with a heading, not boxed. */
export function Section(props: TitledProps) {
  return <Titled kind="section" {...props} />;
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

/** An IP address; an IPv6 one may break after its colons rather than widen its column. */
export function IpAddress({ ip }: { ip: string | null }) {
  if (!ip) return <span className="muted">—</span>;
  const groups = ip.split(":");
  return (
    <span className="ip">
      {groups.map((group, index) => (
        <span key={index}>
          {group}
          {index < groups.length - 1 ? (
            <>
              :<wbr />
            </>
          ) : null}
        </span>
      ))}
    </span>
  );
}

/** A value with a muted note under it, such as a user ID over the display name. */
export function Annotated({ note, children }: { note: ReactNode; children: ReactNode }) {
  return (
    <span className="stack">
      {children}
      <span className="muted small">{note}</span>
    </span>
  );
}

export function LinkList({ items }: { items: { href: string; label: ReactNode; note: ReactNode }[] }) {
  return (
    <ul className="link-list">
      {items.map((item) => (
        <li key={item.href}>
          <Link href={item.href}>{item.label}</Link>
          <span className="muted small">{item.note}</span>
        </li>
      ))}
    </ul>
  );
}

/** A table with a caption for screen readers and a header row; the rows are the children. */
export function DataTable({
  caption,
  columns,
  children,
  fit = false,
}: {
  caption: string;
  columns: ReactNode[];
  children: ReactNode;
  fit?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className={fit ? "table table-fit" : "table"}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
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
        <input id="search-q" name="q" type="search" defaultValue={query} placeholder={placeholder} maxLength={SEARCH_QUERY_MAX_LENGTH} />
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

/** Previous and next links for a cursor-paged list at `path`; the page's filters travel along. */
export function Pagination({
  label,
  path,
  filters,
  page,
  nextCursor,
}: {
  label: string;
  path: string;
  filters: Record<string, string | undefined>;
  page: PageState;
  nextCursor: string | null;
}) {
  const previous = previousPageParams(page);
  const previousHref = previous ? hrefWith(path, { ...filters, ...previous }) : undefined;
  const nextHref = nextCursor ? hrefWith(path, { ...filters, ...nextPageParams(page, nextCursor) }) : undefined;
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
      <span className="pagination-page">Page {pageNumber(page)}</span>
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
