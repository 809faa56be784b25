"use server";

import { signOut } from "../../auth";

/** Ends the staff session (next-auth clears its cookie) and returns to the sign-in page. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/backoffice/sign-in?signedOut=1" });
}

/**
 * After a staff member changes their own password the API ends every older session, this one
 * included; clear the cookie too and ask them to sign in with the new password.
 */
