import NextAuth, { type NextAuthConfig } from "next-auth";
import { getConfig } from "@gatehouse/api";
import { staffAuthConfig } from "@gatehouse/api/staff-auth";

// The config lives in @gatehouse/api (shared with the API's tests); built lazily per request so
// nothing reads the environment at build time.
export const { handlers, auth, signIn, signOut } = NextAuth((): NextAuthConfig => {
  getConfig();
  return staffAuthConfig();
});
