import type { ReactNode } from "react";
import { connection } from "next/server";
import { NavLink } from "#components/nav-link";
import { Providers } from "#components/providers";
import { TimeZoneSync } from "#components/time-zone-sync";
import { requireStaff } from "#lib/server/staff";
import { staffTimeZone } from "#lib/server/time-zone";
import { signOutAction } from "../actions";

/**
 * The signed-in BackOffice: a left navigation, who is signed in (and as what role), and the page.
 * No session (or an ended one) goes to sign-in. Viewers do not see the Staff section.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  await connection();
  const staff = await requireStaff();
  const timeZone = await staffTimeZone();
  return (
    <Providers>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="shell">
        <aside className="sidebar">
          <div className="sidebar-inner">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true">
                G
              </span>
              <span>
                Gatehouse <span className="brand-sub">BackOffice</span>
              </span>
            </div>
            <nav aria-label="BackOffice" className="nav">
              <ul>
                <li>
                  <NavLink href="/backoffice" exact>
                    Overview
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/backoffice/tenants">Tenants</NavLink>
                </li>
                <li>
                  <NavLink href="/backoffice/users">Users</NavLink>
                </li>
                {staff.isAdmin ? (
                  <li>
                    <NavLink href="/backoffice/staff">Staff</NavLink>
                  </li>
                ) : null}
                <li>
                  <NavLink href="/backoffice/audit">Audit log</NavLink>
                </li>
                <li>
                  <NavLink href="/backoffice/account">Account</NavLink>
                </li>
              </ul>
            </nav>
            <div className="sidebar-footer">
              <p className="whoami">
                <span className="visually-hidden">Signed in as </span>
                <span className="whoami-email">{staff.email}</span>
                <span className={`badge ${staff.isAdmin ? "badge-info" : "badge-neutral"}`}>{staff.isAdmin ? "Admin" : "Viewer"}</span>
              </p>
              <form action={signOutAction}>
                <button type="submit" className="btn btn-ghost btn-block">
                  Sign out
                </button>
              </form>
            </div>
          </div>
        </aside>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
      <TimeZoneSync serverZone={timeZone} />
    </Providers>
  );
}
