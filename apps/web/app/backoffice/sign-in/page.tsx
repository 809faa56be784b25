import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { signIn } from "../../../auth";
import { currentStaff } from "../../../lib/server/staff";
import { safeNextPath } from "../../../lib/server/sign-in-url";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const errorMessages: Record<string, string> = {
  CredentialsSignin: "The email or password is incorrect. Check both and try again.",
  rate_limited: "Too many sign-in attempts. Wait a few minutes, then try again.",
  unavailable: "Gatehouse is temporarily unavailable. Try again shortly.",
};

async function signInAction(formData: FormData) {
  "use server";
  const next = safeNextPath(String(formData.get("next") ?? "")) ?? "/backoffice";
  try {
    await signIn("credentials", {
      email: String(formData.get("email") ?? ""),
      password: String(formData.get("password") ?? ""),
      redirectTo: next,
    });
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      const reason = code && code !== "credentials" ? code : error.type;
      const params = new URLSearchParams({ error: reason });
      if (next !== "/backoffice") params.set("next", next);
      const email = String(formData.get("email") ?? "").slice(0, 254);
      if (email) params.set("email", email);
      redirect(`/backoffice/sign-in?${params.toString()}`);
    }
    throw error;
  }
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const one = (name: string) => (typeof params[name] === "string" ? (params[name] as string) : undefined);
  const next = safeNextPath(one("next"));
  if (await currentStaff()) redirect(next ?? "/backoffice");

  const error = one("error");
  const errorMessage = error ? (errorMessages[error] ?? errorMessages.CredentialsSignin!) : undefined;
  let notice: string | undefined;
  if (!errorMessage) {
    if (one("expired")) notice = "Your session has ended (sessions last at most 8 hours, and end when your account changes). Sign in again to continue.";
    else if (one("passwordChanged")) notice = "Your password was changed. Sign in with the new password.";
    else if (one("signedOut")) notice = "You have signed out.";
  }

  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            G
          </span>
          <span>Gatehouse</span>
        </div>
        <h1>Sign in to BackOffice</h1>
        <p className="lead">For Gatehouse staff. Use the email and password of your staff account.</p>
        {errorMessage ? (
          <div role="alert" className="alert alert-error" id="sign-in-error">
            {errorMessage}
          </div>
        ) : null}
        {notice ? (
          <div role="status" className="alert alert-info">
            {notice}
          </div>
        ) : null}
        <SignInForm action={signInAction} next={next} email={one("email")} hasError={Boolean(errorMessage)} />
      </div>
    </main>
  );
}
