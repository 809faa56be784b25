import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pagesApi } from "@gatehouse/api/pages-handoff";
import { routeParam } from "#lib/route-params";
import { DemoApp } from "../demo-app";
import styles from "../demo.module.css";

export const metadata: Metadata = { title: { absolute: "Signing in · Gatehouse demo product" } };

/**
 * Where a social sign-in of the demo comes back to (one of the tenant's redirect URIs:
 * `<APP_URL>/demo/<key>/callback`). The browser finishes it (`useSocialCallback`: state check,
 * PKCE, exchange) and lands on the demo's steps, signed in or told why not.
 */
export default async function DemoCallbackPage({ params }: { params: Promise<{ tenantKey: string }> }) {
  const tenant = await pagesApi().liveTenantSummary(routeParam((await params).tenantKey)?.toLowerCase() ?? "");
  if (!tenant) notFound();
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <p className={styles.eyebrow}>Demo product app</p>
        <h1>
          Welcome to {tenant.name} <span className={styles.tenant}>({tenant.key})</span>
        </h1>
      </header>
      <DemoApp tenant={{ key: tenant.key, emailCodeSignIn: tenant.emailCodeSignIn, socialProviders: tenant.socialProviders }} callback />
    </main>
  );
}
