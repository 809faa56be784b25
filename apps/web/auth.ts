import NextAuth, { type NextAuthConfig } from "next-auth";
import { pagesApi } from "@gatehouse/api/pages-handoff";

// The config lives in @gatehouse/api (shared with the API's tests) and comes from the front
// server's copy of the API; built lazily per request so nothing reads the environment at build
// time. @auth/core is one module for both sides (next.config.ts: serverExternalPackages), so the
// sign-in's refusals (CredentialsSignin subclasses) are next-auth's own errors.
export const { handlers, signIn, signOut } = NextAuth((): NextAuthConfig => pagesApi().staffAuthConfig());
