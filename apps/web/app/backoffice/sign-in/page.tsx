import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { signIn } from "../../../auth";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const messages: Record<string, string> = {
  CredentialsSignin: "The email or password is incorrect.",
  rate_limited: "Too many attempts. Wait a few minutes and try again.",
  unavailable: "Gatehouse is temporarily unavailable. Try again shortly.",
};

async function signInAction(formData: FormData) {
  "use server";
  try {
    await signIn("credentials", {
      email: formData.get("email"),
      password: formData.get("password"),
      redirectTo: "/backoffice",
    });
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      redirect(`/backoffice/sign-in?error=${encodeURIComponent(code && code !== "credentials" ? code : error.type)}`);
    }
    throw error;
  }
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string }> }) {
  const { error, code } = await searchParams;
  const message = error ? (messages[code ?? ""] ?? messages[error] ?? messages.CredentialsSignin) : undefined;
  return (
    <main className="auth-card">
      <h1>Gatehouse BackOffice</h1>
      <p className="lead">Sign in with your staff account.</p>
      {message ? (
        <div role="alert" className="alert">
          {message}
        </div>
      ) : null}
      <form action={signInAction}>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button className="button" type="submit">
          Sign in
        </button>
      </form>
    </main>
  );
}
