"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createGatehouseClient, toGatehouseError, type User } from "@gatehouse/client";
import { GatehouseProvider, SignUpVerifyFlow, useGatehouse, useSession, useTRPC } from "@gatehouse/client/react";
import styles from "./demo.module.css";

/** The SDK against this origin (the page and the API share it, so no CORS is involved). */
export function DemoApp({ tenantKey }: { tenantKey: string }) {
  const [client] = useState(() => createGatehouseClient({ baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin }));
  return (
    <GatehouseProvider client={client}>
      <div className={styles.columns}>
        <SignUpSection tenantKey={tenantKey} />
        <MePanel />
      </div>
    </GatehouseProvider>
  );
}

function SignUpSection({ tenantKey }: { tenantKey: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [verified, setVerified] = useState<User | null>(null);
  return (
    <section className={styles.card} aria-labelledby="demo-signup">
      <h2 id="demo-signup" className={styles.cardTitle}>
        1. Sign up and verify
      </h2>
      <SignUpVerifyFlow
        tenantKey={tenantKey}
        className={styles.flow}
        onVerified={(user) => {
          setVerified(user);
          void queryClient.invalidateQueries({ queryKey: trpc.clientAuth.me.queryKey() });
        }}
      />
      {verified ? <p className={styles.hint}>Verified at {new Date(verified.emailVerifiedAt ?? "").toLocaleString()}.</p> : null}
    </section>
  );
}

const fields: { key: keyof User; label: string }[] = [
  { key: "userId", label: "User ID" },
  { key: "displayName", label: "Display name" },
  { key: "email", label: "Email" },
  { key: "emailVerifiedAt", label: "Email verified" },
  { key: "role", label: "Role" },
  { key: "source", label: "Source" },
  { key: "tenantKey", label: "Tenant" },
  { key: "createdAt", label: "Created" },
];

function MePanel() {
  const trpc = useTRPC();
  const session = useSession();
  const { ClientAuth } = useGatehouse();
  const signedIn = session.status === "signedIn";
  const me = useQuery({ ...trpc.clientAuth.me.queryOptions(), enabled: signedIn });
  const [signingOut, setSigningOut] = useState(false);
  const error = me.error ? toGatehouseError(me.error) : null;

  return (
    <section className={styles.card} aria-labelledby="demo-me">
      <h2 id="demo-me" className={styles.cardTitle}>
        2. Me
      </h2>
      {!signedIn ? (
        <p className={styles.hint} role="status">
          {session.status === "loading" ? "Loading…" : "Not signed in. Sign up to see your account here."}
        </p>
      ) : me.isPending ? (
        <p className={styles.hint} role="status">
          Loading your account…
        </p>
      ) : error ? (
        <p role="alert" className={styles.error}>
          {error.message} ({error.appCode})
        </p>
      ) : me.data ? (
        <dl className={styles.me} aria-label="Your account">
          {fields.map(({ key, label }) => (
            <div key={key} className={styles.row}>
              <dt>{label}</dt>
              <dd data-field={key}>{String(me.data.user[key] ?? "—")}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {signedIn ? (
        <div className={styles.actions}>
          <button type="button" onClick={() => void me.refetch()} disabled={me.isFetching}>
            Reload me
          </button>
          <button
            type="button"
            disabled={signingOut}
            onClick={async () => {
              setSigningOut(true);
              await ClientAuth.signOut();
              setSigningOut(false);
            }}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </section>
  );
}
