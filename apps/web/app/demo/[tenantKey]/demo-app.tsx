"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { createGatehouseClient, toGatehouseError, type GatehouseError, type SocialProvider, type User } from "@gatehouse/client";
import {
  GatehouseProvider,
  useEmailCodeSignIn,
  useGatehouse,
  usePasswordReset,
  usePhoneVerification,
  useSession,
  useSocialCallback,
  useSocialSignIn,
  useTRPC,
} from "@gatehouse/client/react";
import { errorWords, fieldProblem, localDateTime, localTime } from "./messages";
import styles from "./demo.module.css";

/** The ways in the tenant offers besides passwords (from liveTenantSummary: nothing secret). */
export interface DemoTenant {
  key: string;
  emailCodeSignIn: boolean;
  /** Enabled providers, in the order their buttons show. */
  socialProviders: SocialProvider[];
}

/**
 * The SDK against this origin (the page and the API share it, so no CORS is involved). With
 * `callback`, the page is where a social sign-in comes back to (`/demo/<key>/callback`): it
 * finishes the sign-in first, then shows the same steps as the main page.
 */
export function DemoApp({ tenant, callback = false }: { tenant: DemoTenant; callback?: boolean }) {
  const [client] = useState(() =>
    createGatehouseClient({ baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin }),
  );
  return (
    <GatehouseProvider client={client}>{callback ? <SocialCallback tenant={tenant} /> : <DemoFlow tenant={tenant} />}</GatehouseProvider>
  );
}

const PROVIDER_NAMES: Record<SocialProvider, string> = { google: "Google", kakao: "Kakao", naver: "Naver" };

/** Where the providers send the user back to: this tenant's callback page on this origin (one of its redirect URIs). */
const callbackUri = (tenantKey: string) => `${window.location.origin}/demo/${encodeURIComponent(tenantKey)}/callback`;

/**
 * The callback page: `useSocialCallback` trades the one-time code for a session (stored in this
 * page's memory, as a password sign-in's), then the address goes back to the tenant's page
 * (without a reload, so the session stays) and the usual steps follow: signed in, or signed out
 * with the reason (cancelled at the provider, an old link, …) said in words.
 */
function SocialCallback({ tenant }: { tenant: DemoTenant }) {
  const callback = useSocialCallback();
  useEffect(() => {
    if (callback.status !== "pending") window.history.replaceState(null, "", `/demo/${encodeURIComponent(tenant.key)}`);
  }, [callback.status, tenant.key]);
  if (callback.status === "pending") {
    return (
      <div className={styles.columns}>
        <Card title="Signing you in" id="demo-step">
          <p className={styles.hint} role="status">
            Finishing the sign-in…
          </p>
        </Card>
      </div>
    );
  }
  if (callback.status === "error") return <DemoFlow tenant={tenant} socialError={callback.error} />;
  const notice = callback.isNewUser ? `Your account is ready. Welcome, ${callback.user.displayName}!` : "Signed in. Welcome back!";
  return <DemoFlow tenant={tenant} initialNotice={notice} />;
}

/** The first code after sign-up is sent at once; a signed-in, unverified user asks for one. */
type CodeState =
  | { status: "sending"; email: string }
  | { status: "sent"; email: string; expiresAt: string | null; nextResendAt: string | null; error: GatehouseError | null };

/**
 * Which step the user is on follows from the session and from `me` (so a reload lands on the
 * same step): signed out → sign in or create an account; a password change required → choose a
 * new password; a self-signed-up address not verified → enter the code; else signed in.
 */
function DemoFlow({
  tenant,
  initialNotice = "",
  socialError = null,
}: {
  tenant: DemoTenant;
  initialNotice?: string;
  /** Why the social sign-in that brought the user here did not sign them in. */
  socialError?: GatehouseError | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const { ClientEmailVerification } = useGatehouse();
  const signedIn = session.status === "signedIn";
  const me = useQuery({ ...trpc.clientAuth.me.queryOptions(), enabled: signedIn });
  const [code, setCode] = useState<CodeState | null>(null);
  const [notice, setNotice] = useState(initialNotice);

  const reloadMe = () => queryClient.invalidateQueries({ queryKey: trpc.clientAuth.me.queryKey() });

  async function sendCode(email: string) {
    setCode({ status: "sending", email });
    const sent = await ClientEmailVerification.sendVerification({ body: { email } });
    if (sent.error) {
      const next = sent.error.data?.nextResendAvailableAt;
      setCode({ status: "sent", email, expiresAt: null, nextResendAt: typeof next === "string" ? next : null, error: sent.error });
    } else {
      setCode({ status: "sent", email, expiresAt: sent.data.expiresAt, nextResendAt: sent.data.nextResendAvailableAt, error: null });
    }
  }

  let step: ReactNode;
  const user = me.data?.user;
  if (session.status === "loading" || (signedIn && me.isPending)) {
    step = (
      <Card title="One moment" id="demo-step">
        <p className={styles.hint} role="status">
          Loading…
        </p>
      </Card>
    );
  } else if (!signedIn) {
    step = (
      <SignedOut
        tenant={tenant}
        socialError={socialError}
        onSignedUp={(email) => {
          setNotice("");
          void sendCode(email);
        }}
        onSignedIn={() => {
          setCode(null);
          setNotice("");
        }}
        onCodeSignedIn={(signedIn, isNewUser) => {
          setCode(null);
          setNotice(isNewUser ? `Your account is ready. Welcome, ${signedIn.displayName}!` : `Signed in with an email code. Welcome back!`);
        }}
      />
    );
  } else if (!user) {
    step = (
      <Card title="Your account" id="demo-step">
        {me.error ? <ErrorNote error={toGatehouseError(me.error)} /> : null}
      </Card>
    );
  } else if (user.mustChangePassword) {
    step = (
      <ChangePassword
        user={user}
        onChanged={() => {
          setNotice("Your new password is set. Welcome!");
          void reloadMe();
        }}
      />
    );
  } else if (user.source === "self_signup" && !user.emailVerifiedAt) {
    step = (
      <VerifyEmail
        user={user}
        code={code}
        onSend={sendCode}
        onVerified={(verified) => {
          setNotice(`${verified.email} is verified. Welcome, ${verified.displayName}!`);
          setCode(null);
          void reloadMe();
        }}
      />
    );
  } else {
    step = <SignedIn user={user} notice={notice} onPasswordChangeRequired={() => void reloadMe()} />;
  }

  return (
    <div className={styles.columns}>
      {step}
      <MePanel
        user={signedIn ? user : undefined}
        loading={session.status === "loading" || (signedIn && me.isPending)}
        refetching={me.isFetching}
        onReload={() => void me.refetch()}
      />
    </div>
  );
}

function Card({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className={styles.card} aria-labelledby={id}>
      <h2 id={id} className={styles.cardTitle}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** The message in plain words; the appCode only in the small details line. */
function ErrorNote({ error }: { error: GatehouseError | null }) {
  if (!error) return null;
  return (
    <div role="alert" className={styles.error}>
      <p>{errorWords(error)}</p>
      <small className={styles.details} data-app-code={error.appCode}>
        Details: {error.appCode}
        {error.status ? ` (HTTP ${error.status})` : ""}
      </small>
    </div>
  );
}

interface FieldSpec {
  name: string;
  label: string;
  type: "text" | "email" | "password" | "tel";
  autoComplete: string;
  hint?: string;
  /** What the input starts with (e.g. the userId a password reset just named). */
  defaultValue?: string;
  /** Not required (e.g. a userId the server makes up when none is given). */
  optional?: boolean;
}

/** Labelled inputs whose problems (from the server's answer) sit on the field they are about. */
function Fields({ fields, error, formId }: { fields: FieldSpec[]; error: GatehouseError | null; formId: string }) {
  return (
    <>
      {fields.map((field) => {
        const problem = fieldProblem(error, field.name);
        const inputId = `${formId}-${field.name}`;
        const described = [problem ? `${inputId}-problem` : null, field.hint ? `${inputId}-hint` : null].filter(Boolean).join(" ");
        return (
          <div key={field.name}>
            <label htmlFor={inputId}>{field.label}</label>
            <input
              id={inputId}
              name={field.name}
              type={field.type}
              autoComplete={field.autoComplete}
              defaultValue={field.defaultValue}
              required={!field.optional}
              aria-invalid={problem ? true : undefined}
              aria-describedby={described || undefined}
            />
            {field.hint ? <small id={`${inputId}-hint`}>{field.hint}</small> : null}
            {problem ? (
              <small id={`${inputId}-problem`} className={styles.problem}>
                {problem}
              </small>
            ) : null}
          </div>
        );
      })}
    </>
  );
}

const formValue = (form: FormData, name: string) => String(form.get(name) ?? "");

function SignedOut({
  tenant,
  socialError,
  onSignedUp,
  onSignedIn,
  onCodeSignedIn,
}: {
  tenant: DemoTenant;
  socialError: GatehouseError | null;
  onSignedUp: (email: string) => void;
  onSignedIn: () => void;
  onCodeSignedIn: (user: User, isNewUser: boolean) => void;
}) {
  const tenantKey = tenant.key;
  // Back from a provider without a session: the sign-in form, with the reason.
  const [mode, setMode] = useState<"signIn" | "signUp" | "emailCode" | "forgot">(socialError ? "signIn" : "signUp");
  // After a password reset: the sign-in form says so and starts with the account's userId.
  const [recovered, setRecovered] = useState<{ userId: string } | null>(null);
  // Offered only where the tenant has email codes on (else every step would answer 400 auth/MethodNotEnabled).
  const onEmailCode = tenant.emailCodeSignIn ? () => setMode("emailCode") : undefined;
  const form =
    mode === "emailCode" ? (
      <EmailCode tenantKey={tenantKey} onSignedIn={onCodeSignedIn} onSwitch={() => setMode("signIn")} />
    ) : mode === "forgot" ? (
      <ForgotPassword
        tenantKey={tenantKey}
        onReset={(userId) => {
          setRecovered({ userId });
          setMode("signIn");
        }}
        onCancel={() => setMode("signIn")}
      />
    ) : mode === "signUp" ? (
      <SignUp tenantKey={tenantKey} onSignedUp={onSignedUp} onSwitch={() => setMode("signIn")} onEmailCode={onEmailCode} />
    ) : (
      <SignIn
        // A new form for the recovered account, so its userId is filled in.
        key={recovered?.userId ?? ""}
        tenantKey={tenantKey}
        recoveredUserId={recovered?.userId}
        onSignedIn={onSignedIn}
        onSwitch={() => {
          setRecovered(null);
          setMode("signUp");
        }}
        onEmailCode={onEmailCode}
        onForgot={() => {
          setRecovered(null);
          setMode("forgot");
        }}
      />
    );
  if (tenant.socialProviders.length === 0 && !socialError) return form;
  return (
    <div className={styles.stack}>
      <SocialButtons tenant={tenant} returnedError={socialError} />
      {form}
    </div>
  );
}

/**
 * "Continue with Google / Kakao / Naver" for the providers the tenant has enabled
 * (ClientSocial.start through useSocialSignIn: the browser goes to the provider and comes back to
 * the callback page). `returnedError` is why the last round trip did not sign the user in.
 */
function SocialButtons({ tenant, returnedError }: { tenant: DemoTenant; returnedError: GatehouseError | null }) {
  const social = useSocialSignIn();
  const id = useId();
  return (
    <Card title="Continue with an account you have" id={`${id}-title`}>
      <div className={styles.flow}>
        {tenant.socialProviders.length > 0 ? (
          <div className={styles.buttons}>
            {tenant.socialProviders.map((provider) => (
              <button
                key={provider}
                type="button"
                disabled={social.pending}
                onClick={() => void social.start({ tenantKey: tenant.key, provider, redirectUri: callbackUri(tenant.key) })}
              >
                Continue with {PROVIDER_NAMES[provider]}
              </button>
            ))}
          </div>
        ) : null}
        <ErrorNote error={social.error ?? returnedError} />
      </div>
    </Card>
  );
}

/** Offers the email-code way in (the button's words avoid "Sign in"/"Sign up", the forms' own buttons); none when `onClick` is undefined. */
function EmailCodeButton({ onClick }: { onClick: (() => void) | undefined }) {
  if (!onClick) return null;
  return (
    <button type="button" className={styles.link} onClick={onClick}>
      No password? Use an email code
    </button>
  );
}

/**
 * Email-code sign-in (clientPasswordless through useEmailCodeSignIn): the address, the mailed
 * code, and for an address without an account a short form (display name; the user ID may be
 * left to the server). A tenant without email codes answers 400 auth/MethodNotEnabled at the
 * first step, said in words.
 */
function EmailCode({
  tenantKey,
  onSignedIn,
  onSwitch,
}: {
  tenantKey: string;
  onSignedIn: (user: User, isNewUser: boolean) => void;
  onSwitch: () => void;
}) {
  const flow = useEmailCodeSignIn({ tenantKey, onSignedIn });
  const id = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (flow.step === "email") await flow.sendCode(formValue(form, "email"));
    else if (flow.step === "code") await flow.verify(formValue(form, "code"));
    else if (flow.step === "signUp")
      await flow.register({ displayName: formValue(form, "displayName"), userId: formValue(form, "userId") });
  }

  if (flow.step === "signUp") {
    return (
      <Card title="Finish signing up" id={`${id}-title`}>
        <form className={styles.flow} onSubmit={submit} noValidate>
          <p className={styles.hint}>No account uses {flow.email} yet. Tell us what to call you and you are in: no password needed.</p>
          <Fields
            formId={id}
            error={flow.error}
            fields={[
              { name: "displayName", label: "Display name", type: "text", autoComplete: "name" },
              {
                name: "userId",
                label: "User ID (optional)",
                type: "text",
                autoComplete: "username",
                optional: true,
                hint: "Leave it empty and we choose one for you.",
              },
            ]}
          />
          <ErrorNote error={flow.error} />
          <div className={styles.buttons}>
            <button type="submit" disabled={flow.busy}>
              Create my account
            </button>
            <button type="button" className={styles.link} onClick={flow.reset}>
              Use another address
            </button>
          </div>
        </form>
      </Card>
    );
  }

  if (flow.step === "code") {
    const problem = fieldProblem(flow.error, "code");
    return (
      <Card title="Enter the code" id={`${id}-title`}>
        <form className={styles.flow} onSubmit={submit} noValidate>
          <p className={styles.hint} aria-live="polite">
            We sent a 6-digit code to {flow.email}.{flow.codeExpiresAt ? ` It works until ${localTime(flow.codeExpiresAt)}.` : ""}
          </p>
          <label htmlFor={`${id}-code`}>6-digit code</label>
          <input
            id={`${id}-code`}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-code-problem` : undefined}
          />
          {problem ? (
            <small id={`${id}-code-problem`} className={styles.problem}>
              {problem}
            </small>
          ) : null}
          <ErrorNote error={flow.error} />
          <div className={styles.buttons}>
            <button type="submit" disabled={flow.busy}>
              Continue
            </button>
            <button type="button" disabled={flow.busy} onClick={() => void flow.resend()}>
              Send a new code
            </button>
            <button type="button" className={styles.link} onClick={flow.reset}>
              Use another address
            </button>
          </div>
          {flow.nextResendAvailableAt ? <small>You can ask for another code after {localTime(flow.nextResendAvailableAt)}.</small> : null}
        </form>
      </Card>
    );
  }

  return (
    <Card title="Continue with an email code" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <p className={styles.hint}>New or returning, no password needed: we mail you a 6-digit code.</p>
        <Fields formId={id} error={flow.error} fields={[{ name: "email", label: "Email", type: "email", autoComplete: "email" }]} />
        <ErrorNote error={flow.error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={flow.busy}>
            Send me a code
          </button>
          <button type="button" className={styles.link} onClick={onSwitch}>
            Use a password instead
          </button>
        </div>
      </form>
    </Card>
  );
}

/**
 * Forgot password (clientPasswordReset through usePasswordReset): the verified phone number or
 * email address (by text message or by email), the code sent there, a new password. The page says
 * the same whether or not an account has that number or address, as the API answers the same.
 * Once the password is set, every session of the account has ended: `onReset` goes back to the
 * sign-in form with the account's userId.
 */
function ForgotPassword({ tenantKey, onReset, onCancel }: { tenantKey: string; onReset: (userId: string) => void; onCancel: () => void }) {
  const flow = usePasswordReset({ tenantKey, onReset });
  const [via, setVia] = useState<"sms" | "email">("sms");
  const id = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (flow.step === "identify") {
      if (via === "sms") await flow.sendSmsCode(formValue(form, "phone"));
      else await flow.sendEmailCode(formValue(form, "email"));
    } else if (flow.step === "code") await flow.verifyCode(formValue(form, "code"));
    else if (flow.step === "newPassword") await flow.resetPassword(formValue(form, "newPassword"));
  }

  if (flow.step === "newPassword" || flow.step === "done") {
    return (
      <Card title="Choose a new password" id={`${id}-title`}>
        <form className={styles.flow} onSubmit={submit} noValidate>
          <p className={styles.hint}>
            The code is right: this is the account <strong data-field="recoveredUserId">{flow.userId}</strong>. Choose its new password
            {flow.resetTokenExpiresAt ? ` before ${localTime(flow.resetTokenExpiresAt)}` : ""}.
          </p>
          <Fields
            formId={id}
            error={flow.error}
            fields={[
              {
                name: "newPassword",
                label: "New password",
                type: "password",
                autoComplete: "new-password",
                hint: "At least 8 characters; not a common password.",
              },
            ]}
          />
          <ErrorNote error={flow.error} />
          <div className={styles.buttons}>
            <button type="submit" disabled={flow.busy || flow.step === "done"}>
              Set new password
            </button>
            <button type="button" className={styles.link} onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </Card>
    );
  }

  if (flow.step === "code") {
    const problem = fieldProblem(flow.error, "code");
    const where = flow.channel === "sms" ? "by text message to" : "by email to";
    return (
      <Card title="Enter the code" id={`${id}-title`}>
        <form className={styles.flow} onSubmit={submit} noValidate>
          <p className={styles.hint} aria-live="polite">
            If an account has verified {flow.target}, we sent it a 6-digit code {where} it.
            {flow.codeExpiresAt ? ` The code works until ${localTime(flow.codeExpiresAt)}.` : ""}
          </p>
          <label htmlFor={`${id}-code`}>6-digit code</label>
          <input
            id={`${id}-code`}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-code-problem` : undefined}
          />
          {problem ? (
            <small id={`${id}-code-problem`} className={styles.problem}>
              {problem}
            </small>
          ) : null}
          <ErrorNote error={flow.error} />
          <div className={styles.buttons}>
            <button type="submit" disabled={flow.busy}>
              Continue
            </button>
            <button type="button" disabled={flow.busy} onClick={() => void flow.resend()}>
              Send a new code
            </button>
            <button type="button" className={styles.link} onClick={flow.reset}>
              Start again
            </button>
          </div>
          {flow.nextResendAvailableAt ? <small>You can ask for another code after {localTime(flow.nextResendAvailableAt)}.</small> : null}
        </form>
      </Card>
    );
  }

  return (
    <Card title="Forgot your password?" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <p className={styles.hint}>We send a 6-digit code to the phone number or email address you verified on your account.</p>
        <fieldset className={styles.choice}>
          <legend>Send the code</legend>
          <label>
            <input type="radio" name="via" value="sms" checked={via === "sms"} onChange={() => setVia("sms")} /> by text message
          </label>
          <label>
            <input type="radio" name="via" value="email" checked={via === "email"} onChange={() => setVia("email")} /> by email
          </label>
        </fieldset>
        <Fields
          key={via}
          formId={id}
          error={flow.error}
          fields={[
            via === "sms"
              ? {
                  name: "phone",
                  label: "Phone number",
                  type: "tel",
                  autoComplete: "tel",
                  hint: "The verified mobile number of your account, e.g. 010-1234-5678 or +82 10-1234-5678.",
                }
              : {
                  name: "email",
                  label: "Email",
                  type: "email",
                  autoComplete: "email",
                  hint: "The verified email address of your account.",
                },
          ]}
        />
        <ErrorNote error={flow.error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={flow.busy}>
            Send the code
          </button>
          <button type="button" className={styles.link} onClick={onCancel}>
            Back to sign in
          </button>
        </div>
      </form>
    </Card>
  );
}

function SignUp({
  tenantKey,
  onSignedUp,
  onSwitch,
  onEmailCode,
}: {
  tenantKey: string;
  onSignedUp: (email: string) => void;
  onSwitch: () => void;
  onEmailCode: (() => void) | undefined;
}) {
  const { ClientAuth } = useGatehouse();
  const id = useId();
  const [error, setError] = useState<GatehouseError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = formValue(form, "email").trim();
    setBusy(true);
    setError(null);
    const res = await ClientAuth.signUp({
      body: {
        tenantKey,
        userId: formValue(form, "userId").trim(),
        displayName: formValue(form, "displayName"),
        email,
        password: formValue(form, "password"),
      },
    });
    setBusy(false);
    if (res.error) setError(res.error);
    else onSignedUp(res.data.user.email ?? email);
  }

  return (
    <Card title="Create your account" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <Fields
          formId={id}
          error={error}
          fields={[
            {
              name: "userId",
              label: "User ID",
              type: "text",
              autoComplete: "username",
              hint: "3 to 32 characters: letters, digits, dots, dashes, underscores.",
            },
            { name: "displayName", label: "Display name", type: "text", autoComplete: "name" },
            { name: "email", label: "Email", type: "email", autoComplete: "email", hint: "We send a 6-digit code to this address." },
            {
              name: "password",
              label: "Password",
              type: "password",
              autoComplete: "new-password",
              hint: "At least 8 characters; not a common password.",
            },
          ]}
        />
        <ErrorNote error={error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={busy}>
            Sign up
          </button>
          <button type="button" className={styles.link} onClick={onSwitch}>
            I have an account: sign in
          </button>
          <EmailCodeButton onClick={onEmailCode} />
        </div>
      </form>
    </Card>
  );
}

function SignIn({
  tenantKey,
  recoveredUserId,
  onSignedIn,
  onSwitch,
  onEmailCode,
  onForgot,
}: {
  tenantKey: string;
  /** The account whose password was just reset here: said, and its userId filled in. */
  recoveredUserId: string | undefined;
  onSignedIn: () => void;
  onSwitch: () => void;
  onEmailCode: (() => void) | undefined;
  onForgot: () => void;
}) {
  const { ClientAuth } = useGatehouse();
  const id = useId();
  const [error, setError] = useState<GatehouseError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const res = await ClientAuth.signIn({
      body: { tenantKey, userId: formValue(form, "userId").trim(), password: formValue(form, "password") },
    });
    setBusy(false);
    if (res.error) setError(res.error);
    else onSignedIn();
  }

  return (
    <Card title="Sign in" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        {recoveredUserId ? (
          <p role="status" className={styles.success}>
            Your new password is set and every earlier session has ended. Sign in with it.
          </p>
        ) : null}
        <Fields
          formId={id}
          error={error}
          fields={[
            {
              name: "userId",
              label: "User ID",
              type: "text",
              autoComplete: "username",
              ...(recoveredUserId ? { defaultValue: recoveredUserId } : {}),
            },
            {
              name: "password",
              label: "Password",
              type: "password",
              autoComplete: "current-password",
              hint: "Issued an account by an administrator? Use the temporary password you were given.",
            },
          ]}
        />
        <ErrorNote error={error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <button type="button" className={styles.link} onClick={onSwitch}>
            New here: create an account
          </button>
          <button type="button" className={styles.link} onClick={onForgot}>
            Forgot password?
          </button>
          <EmailCodeButton onClick={onEmailCode} />
        </div>
      </form>
    </Card>
  );
}

function VerifyEmail({
  user,
  code,
  onSend,
  onVerified,
}: {
  user: User;
  code: CodeState | null;
  onSend: (email: string) => Promise<void>;
  onVerified: (user: User) => void;
}) {
  const { ClientEmailVerification } = useGatehouse();
  const id = useId();
  const [error, setError] = useState<GatehouseError | null>(null);
  const [busy, setBusy] = useState(false);
  const email = code?.email ?? user.email ?? "";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = formValue(new FormData(event.currentTarget), "code").trim();
    setBusy(true);
    setError(null);
    const res = await ClientEmailVerification.verifyEmail({ body: { code: value } });
    setBusy(false);
    if (res.error) setError(res.error);
    else onVerified(res.data.user);
  }

  async function resend() {
    setError(null);
    await onSend(email);
  }

  const sending = code?.status === "sending";
  return (
    <Card title="Enter the code" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <p className={styles.hint} aria-live="polite">
          {sending
            ? `Sending a code to ${email}…`
            : code && !code.error
              ? `We sent a 6-digit code to ${email}.${code.expiresAt ? ` It works until ${localTime(code.expiresAt)}.` : ""}`
              : `Your email address is not verified yet. Send a code to ${email} and enter it here.`}
        </p>
        {code?.status === "sent" ? <ErrorNote error={code.error} /> : null}
        <label htmlFor={`${id}-code`}>6-digit code</label>
        <input
          id={`${id}-code`}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          aria-invalid={fieldProblem(error, "code") ? true : undefined}
          aria-describedby={fieldProblem(error, "code") ? `${id}-code-problem` : undefined}
        />
        {fieldProblem(error, "code") ? (
          <small id={`${id}-code-problem`} className={styles.problem}>
            {fieldProblem(error, "code")}
          </small>
        ) : null}
        <ErrorNote error={error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={busy || sending}>
            Verify email
          </button>
          <button type="button" disabled={busy || sending} onClick={() => void resend()}>
            {code ? "Send a new code" : "Send the code"}
          </button>
        </div>
        {code?.status === "sent" && code.nextResendAt ? (
          <small>You can ask for another code after {localTime(code.nextResendAt)}.</small>
        ) : null}
      </form>
    </Card>
  );
}

/**
 * An admin-issued manager (or anyone whose password an admin reset) must choose a new password
 * before anything else: every other call answers 403 auth/PasswordChangeRequired until then.
 */
function ChangePassword({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { ClientAuth } = useGatehouse();
  const id = useId();
  const [error, setError] = useState<GatehouseError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const res = await ClientAuth.changePassword({
      body: { currentPassword: formValue(form, "currentPassword"), newPassword: formValue(form, "newPassword") },
    });
    setBusy(false);
    if (res.error) setError(res.error);
    else onChanged();
  }

  // A wrong temporary password is about that field.
  const shownError = error?.appCode === "auth/InvalidCredentials" ? null : error;
  return (
    <Card title="Choose a new password" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <p className={styles.hint}>
          Welcome, {user.displayName}.{" "}
          {user.source === "admin_issued" ? "Your account was set up by an administrator" : "An administrator reset your password"}: please
          replace the temporary password with one only you know before you continue.
        </p>
        <Fields
          formId={id}
          error={shownError}
          fields={[
            { name: "currentPassword", label: "Temporary password", type: "password", autoComplete: "current-password" },
            {
              name: "newPassword",
              label: "New password",
              type: "password",
              autoComplete: "new-password",
              hint: "At least 8 characters; not a common password.",
            },
          ]}
        />
        {error?.appCode === "auth/InvalidCredentials" ? (
          <div role="alert" className={styles.error}>
            <p>That is not your temporary password.</p>
            <small className={styles.details} data-app-code={error.appCode}>
              Details: {error.appCode} (HTTP {error.status})
            </small>
          </div>
        ) : (
          <ErrorNote error={shownError} />
        )}
        <div className={styles.buttons}>
          <button type="submit" disabled={busy}>
            Change password and continue
          </button>
        </div>
      </form>
    </Card>
  );
}

function SignedIn({ user, notice, onPasswordChangeRequired }: { user: User; notice: string; onPasswordChangeRequired: () => void }) {
  const { ClientAuth } = useGatehouse();
  const id = useId();
  const [error, setError] = useState<GatehouseError | null>(null);
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const trpc = useTRPC();

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved("");
    const res = await ClientAuth.updateMe({ body: { displayName: formValue(new FormData(event.currentTarget), "displayName") } });
    setBusy(false);
    if (res.error) {
      // An admin may have reset the password meanwhile: the gate says so, and me shows the step.
      if (res.error.appCode === "auth/PasswordChangeRequired") onPasswordChangeRequired();
      setError(res.error);
      return;
    }
    setSaved("Saved.");
    queryClient.setQueryData(trpc.clientAuth.me.queryKey(), { user: res.data.user });
  }

  return (
    <div className={styles.stack}>
      <Card title="You are signed in" id={`${id}-title`}>
        <div className={styles.flow}>
          {notice ? (
            <p role="status" className={styles.success}>
              {notice}
            </p>
          ) : null}
          <p className={styles.hint}>Hello, {user.displayName}. This is where the product would begin.</p>
          <form onSubmit={rename} noValidate>
            <label htmlFor={`${id}-displayName`}>Display name</label>
            <input
              id={`${id}-displayName`}
              name="displayName"
              defaultValue={user.displayName}
              autoComplete="name"
              aria-invalid={fieldProblem(error, "displayName") ? true : undefined}
              aria-describedby={fieldProblem(error, "displayName") ? `${id}-displayName-problem` : undefined}
            />
            {fieldProblem(error, "displayName") ? (
              <small id={`${id}-displayName-problem`} className={styles.problem}>
                {fieldProblem(error, "displayName")}
              </small>
            ) : null}
            <ErrorNote error={error} />
            <div className={styles.buttons}>
              <button type="submit" disabled={busy}>
                Save name
              </button>
              <span role="status">{saved}</span>
            </div>
          </form>
        </div>
      </Card>
      <AddPhone user={user} onVerified={(verified) => queryClient.setQueryData(trpc.clientAuth.me.queryKey(), { user: verified })} />
    </div>
  );
}

/**
 * "Add a phone" for the signed-in user (clientPhoneVerification through usePhoneVerification):
 * the number, then the texted code; a verified number is shown, and another may replace it.
 */
function AddPhone({ user, onVerified }: { user: User; onVerified: (user: User) => void }) {
  const flow = usePhoneVerification({ onVerified });
  const [changing, setChanging] = useState(false);
  const id = useId();
  const verified = user.phone && user.phoneVerifiedAt ? user.phone : null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (flow.step === "phone") await flow.sendCode(formValue(form, "phone"));
    else if (flow.step === "code") await flow.verify(formValue(form, "code"));
  }

  if (verified && (flow.step === "verified" || !changing)) {
    return (
      <Card title="Your phone" id={`${id}-title`}>
        <div className={styles.flow}>
          {flow.step === "verified" ? (
            <p role="status" className={styles.success}>
              {verified} is verified. You can use it to reset a forgotten password.
            </p>
          ) : null}
          <p className={styles.hint}>
            Your verified phone number is <strong data-field="verifiedPhone">{verified}</strong>.
          </p>
          <div className={styles.buttons}>
            <button
              type="button"
              onClick={() => {
                flow.reset();
                setChanging(true);
              }}
            >
              Use another number
            </button>
          </div>
        </div>
      </Card>
    );
  }

  if (flow.step === "code") {
    const problem = fieldProblem(flow.error, "code");
    return (
      <Card title="Enter the code" id={`${id}-title`}>
        <form className={styles.flow} onSubmit={submit} noValidate>
          <p className={styles.hint} aria-live="polite">
            We texted a 6-digit code to {flow.phone}.{flow.codeExpiresAt ? ` It works until ${localTime(flow.codeExpiresAt)}.` : ""}
          </p>
          <label htmlFor={`${id}-code`}>6-digit code from the text message</label>
          <input
            id={`${id}-code`}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-code-problem` : undefined}
          />
          {problem ? (
            <small id={`${id}-code-problem`} className={styles.problem}>
              {problem}
            </small>
          ) : null}
          <ErrorNote error={flow.error} />
          <div className={styles.buttons}>
            <button type="submit" disabled={flow.busy}>
              Verify phone
            </button>
            <button type="button" disabled={flow.busy} onClick={() => void flow.resend()}>
              Send a new code
            </button>
            <button type="button" className={styles.link} onClick={flow.reset}>
              Use another number
            </button>
          </div>
          {flow.nextResendAvailableAt ? <small>You can ask for another code after {localTime(flow.nextResendAvailableAt)}.</small> : null}
        </form>
      </Card>
    );
  }

  return (
    <Card title="Add a phone" id={`${id}-title`}>
      <form className={styles.flow} onSubmit={submit} noValidate>
        <p className={styles.hint}>
          {user.phone && !user.phoneVerifiedAt
            ? `Your number ${user.phone} is not verified yet. Verify it, or another one, to reset a forgotten password by text message.`
            : "A verified mobile number lets you reset a forgotten password by text message."}
        </p>
        <Fields
          formId={id}
          error={flow.error}
          fields={[
            {
              name: "phone",
              label: "Phone number",
              type: "tel",
              autoComplete: "tel",
              hint: "A mobile number, e.g. 010-1234-5678 or +82 10-1234-5678. We text a 6-digit code to it.",
              ...(user.phone && !user.phoneVerifiedAt ? { defaultValue: user.phone } : {}),
            },
          ]}
        />
        <ErrorNote error={flow.error} />
        <div className={styles.buttons}>
          <button type="submit" disabled={flow.busy}>
            Text me a code
          </button>
          {verified ? (
            <button type="button" className={styles.link} onClick={() => setChanging(false)}>
              Keep {verified}
            </button>
          ) : null}
        </div>
      </form>
    </Card>
  );
}

const ROLE_WORDS: Record<User["role"], string> = { member: "Member", manager: "Manager" };
const SOURCE_WORDS: Record<User["source"], string> = { self_signup: "Signed up on this site", admin_issued: "Set up by an administrator" };

function MePanel({
  user,
  loading,
  refetching,
  onReload,
}: {
  user: User | undefined;
  loading: boolean;
  refetching: boolean;
  onReload: () => void;
}) {
  const { ClientAuth } = useGatehouse();
  const [signingOut, setSigningOut] = useState(false);
  const rows: { key: string; label: string; value: string }[] = user
    ? [
        { key: "userId", label: "User ID", value: user.userId },
        { key: "displayName", label: "Display name", value: user.displayName },
        { key: "email", label: "Email", value: user.email ?? "None given" },
        // Admin-issued accounts are never asked to verify an address.
        {
          key: "emailVerifiedAt",
          label: "Email verified",
          value: user.emailVerifiedAt ? localDateTime(user.emailVerifiedAt) : user.source === "admin_issued" ? "Not needed" : "Not yet",
        },
        {
          key: "phone",
          label: "Phone",
          value: user.phone
            ? `${user.phone} (${user.phoneVerifiedAt ? `verified ${localDateTime(user.phoneVerifiedAt)}` : "not verified"})`
            : "None",
        },
        {
          key: "hasPassword",
          label: "Password",
          value: user.hasPassword ? "Set" : "None (signs in with an email code or a social account)",
        },
        { key: "role", label: "Role", value: ROLE_WORDS[user.role] ?? user.role },
        { key: "source", label: "Account", value: SOURCE_WORDS[user.source] ?? user.source },
        { key: "mustChangePassword", label: "New password needed", value: user.mustChangePassword ? "Yes" : "No" },
        { key: "lastLoginAt", label: "Last sign-in", value: user.lastLoginAt ? localDateTime(user.lastLoginAt) : "Not yet" },
        { key: "createdAt", label: "Member since", value: localDateTime(user.createdAt) },
      ]
    : [];
  return (
    <section className={styles.card} aria-labelledby="demo-me">
      <h2 id="demo-me" className={styles.cardTitle}>
        Me
      </h2>
      {loading ? (
        <p className={styles.hint} role="status">
          Loading…
        </p>
      ) : !user ? (
        <p className={styles.hint} role="status">
          Not signed in. Sign up or sign in to see your account here.
        </p>
      ) : (
        <>
          <dl className={styles.me} aria-label="Your account">
            {rows.map((row) => (
              <div key={row.key} className={styles.row}>
                <dt>{row.label}</dt>
                <dd data-field={row.key}>{row.value}</dd>
              </div>
            ))}
          </dl>
          <div className={styles.actions}>
            <button type="button" onClick={onReload} disabled={refetching}>
              Reload me
            </button>
            <button
              type="button"
              disabled={signingOut}
              onClick={async () => {
                setSigningOut(true);
                // The facade answers errors as data; the session is forgotten locally either way.
                try {
                  await ClientAuth.signOut();
                } finally {
                  setSigningOut(false);
                }
              }}
            >
              Sign out
            </button>
          </div>
        </>
      )}
    </section>
  );
}
