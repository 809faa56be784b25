/**
 * Words for a tenant's sign-in methods (CONTRACT v2), shared by the admin's switches and the
 * read-only view viewers get. A plain module, not the client form's: a server page reading a
 * value exported by a "use client" module would get a client reference, not the object.
 */
export interface SignInMethods {
  passwordSignUp: boolean;
  emailCodeSignIn: boolean;
}

export const signInMethodLabels: Record<keyof SignInMethods, { label: string; hint: string }> = {
  passwordSignUp: {
    label: "Password sign-up",
    hint: "New users may sign up with a user ID and password. When off, users who already have a password (issued managers among them) still sign in.",
  },
  emailCodeSignIn: {
    label: "Email code sign-in",
    hint: "Users sign in, or sign up, with a 6-digit code sent to their email address; no password needed.",
  },
};

export const signInMethodNames = Object.keys(signInMethodLabels) as (keyof SignInMethods)[];
