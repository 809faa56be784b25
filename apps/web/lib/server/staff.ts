import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { pagesApi } from "@gatehouse/api/pages-handoff";
import { signInUrl } from "./sign-in-url";

export interface SignedInStaff {
  email: string;
  role: "admin" | "viewer";
  isAdmin: boolean;
}

/**
 * The staff member behind this request's session cookie, read the same way the API's
 * staffProcedure reads it (so a disabled or re-roled member is seen at once). Used only for
 * rendering decisions; every change still goes through the API, which enforces the role.
 * Never hands the database row (it holds the password hash) to a client component.
 */
export const currentStaff = cache(async (): Promise<SignedInStaff | null> => {
  const cookieHeader = (await headers()).get("cookie") ?? undefined;
  const staff = await pagesApi().staffFromCookie(cookieHeader);
  if (!staff) return null;
  return { email: staff.email, role: staff.role, isAdmin: staff.role === "admin" };
});

/** Whether the browser still holds a session cookie (signed in once, now expired or revoked). */
export async function hasSessionCookie(): Promise<boolean> {
  const jar = await cookies();
  const name = pagesApi().staffSessionCookieName();
  return jar.has(name) || jar.has(`${name}.0`);
}

/** The signed-in staff member, or a redirect to sign-in (saying the session ended, if it did). */
export async function requireStaff(): Promise<SignedInStaff> {
  const staff = await currentStaff();
  if (staff) return staff;
  const expired = await hasSessionCookie();
  redirect(signInUrl({ expired, next: (await headers()).get("x-gatehouse-path") ?? undefined }));
}
