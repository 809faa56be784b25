import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { pagesApi } from "@gatehouse/api/pages-handoff";
import { routeParam } from "#lib/route-params";
import { DemoApp } from "./demo-app";
import styles from "./demo.module.css";

export const metadata: Metadata = { title: { absolute: "Gatehouse demo product" } };

/**
 * A stand-in product app for one tenant, built only on @gatehouse/client: create an account and
 * verify its email, sign in (an admin-issued manager first chooses a new password), sign in or
 * up with an email code (offered when the tenant has them on), or continue with Google, Kakao or
 * Naver (a button per provider the tenant has enabled; the provider returns to
 * `/demo/<key>/callback`), reset a forgotten password by text message or email, add a verified
 * phone, see `me`, sign out. Everything happens in the browser against this
 * origin's API; the server only checks that the tenant exists (404 "no such tenant" up front) and
 * which ways in it offers.
 */
export default async function DemoPage({ params }: { params: Promise<{ tenantKey: string }> }) {
  const tenant = await pagesApi().liveTenantSummary(routeParam((await params).tenantKey)?.toLowerCase() ?? "");
  if (!tenant) notFound();
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <p className={styles.eyebrow}>Demo product app</p>
        <h1>
          Welcome to {tenant.name} <span className={styles.tenant}>({tenant.key})</span>
        </h1>
        <p className={styles.lead}>
          This page signs its users in with Gatehouse through the client SDK (<code>@gatehouse/client</code>): create an account and enter
          the code from the email, sign in with an account an administrator issued you, or, where the tenant allows it, continue with just
          an email code or a Google, Kakao or Naver account. Forgot the password? Reset it with a code by text message or email. Once in,
          add a phone and see what <code>clientAuth.me</code> answers.
        </p>
      </header>
      <DemoApp tenant={{ key: tenant.key, emailCodeSignIn: tenant.emailCodeSignIn, socialProviders: tenant.socialProviders }} />
    </main>
  );
}
