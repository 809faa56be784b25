import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { routeParam } from "../../../lib/route-params";
import { DemoApp } from "./demo-app";
import styles from "./demo.module.css";

export const metadata: Metadata = { title: { absolute: "Gatehouse demo product" } };

const TENANT_KEY = /^[a-z0-9][a-z0-9-]{1,31}$/;

/**
 * A stand-in product app for one tenant, built only on @gatehouse/client: sign up, enter the
 * emailed code, see `me`. Everything happens in the browser against this origin's API.
 */
export default async function DemoPage({ params }: { params: Promise<{ tenantKey: string }> }) {
  const tenantKey = routeParam((await params).tenantKey)?.toLowerCase();
  if (!tenantKey || !TENANT_KEY.test(tenantKey)) notFound();
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <p className={styles.eyebrow}>Demo product app</p>
        <h1>
          Welcome to <span className={styles.tenant}>{tenantKey}</span>
        </h1>
        <p className={styles.lead}>
          This page signs its users in with Gatehouse through the client SDK (<code>@gatehouse/client</code>): create an
          account, enter the code from the email, and see what <code>clientAuth.me</code> answers.
        </p>
      </header>
      <DemoApp tenantKey={tenantKey} />
    </main>
  );
}
