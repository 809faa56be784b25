import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { EMAIL_MAX_LENGTH } from "@gatehouse/contract";
import { AuthError } from "next-auth";
import { signIn } from "#auth";
import { currentStaff } from "#lib/server/staff";
import { safeNextPath } from "#lib/server/sign-in-url";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const errorMessages: Record<string, string> = {
  CredentialsSignin: "The email or password is incorrect. Check both and try again.",
  rate_limited: "Too many sign-in attempts. Wait a few minutes, then try again.",
  unavailable: "Gatehouse is temporarily unavailable. Try again shortly.",
};

/** What a refused sign-in hands back to the form: the reason, and the email to show again. */
export interface SignInState {
  error?: string;
  email?: string;
}

/**
 * A refused sign-in answers the form in place (React's action state) instead of redirecting: the
 * email address never goes into a URL, so it reaches neither the browser history nor the server's
 * request log. Success redirects (next-auth throws Next's redirect, which is rethrown).
 */
async function signInAction(_previous: SignInState, formData: FormData): Promise<SignInState> {
  "use server";
  const next = safeNextPath(String(formData.get("next") ?? "")) ?? "/backoffice";
  const email = String(formData.get("email") ?? "").slice(0, EMAIL_MAX_LENGTH);
  try {
    await signIn("credentials", { email, password: String(formData.get("password") ?? ""), redirectTo: next });
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      return { error: code && code !== "credentials" ? code : error.type, email };
    }
    throw error;
  }
  return {};
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const one = (name: string) => (typeof params[name] === "string" ? (params[name] as string) : undefined);
  const next = safeNextPath(one("next"));
  if (await currentStaff()) redirect(next ?? "/backoffice");

  // next-auth's own error redirect (a form posted straight to /api/auth/callback/credentials)
  // carries only the reason; the form's refusals arrive as action state (SignInForm).
  const error = one("error");
  const urlError = error ? (errorMessages[error] ?? errorMessages.CredentialsSignin!) : undefined;
  let notice: string | undefined;
  if (!urlError) {
    if (one("expired"))
      notice = "Your session has ended (sessions last at most 8 hours, and end when your account changes). Sign in again to continue.";
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
        <SignInForm action={signInAction} next={next} urlError={urlError} notice={notice} errorMessages={errorMessages} />
      </div>
    </main>
  );
}
