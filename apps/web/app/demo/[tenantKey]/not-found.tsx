import type { Metadata } from "next";
import styles from "./demo.module.css";

export const metadata: Metadata = { title: { absolute: "No such tenant · Gatehouse demo product" } };

/** /demo/<key> for a key no live tenant has: said before anyone fills in a form (HTTP 404). */
export default function DemoTenantNotFound() {
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <p className={styles.eyebrow}>Demo product app</p>
        <h1>No such tenant</h1>
        <p className={styles.lead}>
          No tenant with this key exists (or it was deleted), so nobody can sign up or sign in here. Check the key in the address: each
          tenant&apos;s page in the BackOffice links its demo page. The development server seeds one at <a href="/demo/demo">/demo/demo</a>.
        </p>
      </header>
    </main>
  );
}
