import type { AuthConfig } from "@auth/core";
import { CredentialsSignin } from "@auth/core/errors";
import Credentials from "@auth/core/providers/credentials";
import { getConfig } from "../config";
import { appErrorOf } from "../errors";
import { CLIENT_IP_HEADER } from "../http/headers";
import { getLogger } from "../lib/log";
import { STAFF_SESSION_MAX_AGE_SECONDS, authorizeStaff, staffSessionCookieName } from "./auth";
import { revokeStaffSession } from "./sessions";

declare module "@auth/core/types" {
  interface User {
    /** The server-side StaffSession the Credentials sign-in opened (staff/sessions.ts). */
    staffSessionId?: string;
  }
}

class RateLimited extends CredentialsSignin {
  override code = "rate_limited";
}
class Unavailable extends CredentialsSignin {
  override code = "unavailable";
}

/**
 * BackOffice staff sign-in (Auth.js Credentials, JWT sessions), shared by Next's route
 * (`NextAuth(staffAuthConfig())`) and by tests that mount `@auth/core` directly. The cookie
 * holds only the staff id, the id of a server-side StaffSession and the sign-in time; role,
 * enabled state and the session's liveness are re-read from the database on every API call, so
 * a disabled staff member's session stops working at once, and signing out ends the session on
 * the server (a copy of the cookie stops working too).
 */
export function staffAuthConfig(): AuthConfig {
  const config = getConfig();
  const secure = config.appUrl.startsWith("https:");
  return {
    trustHost: true,
    // A refused password is an expected outcome (audited), not an error to log with a stack.
    logger: {
      error: (error) => {
        if (error.name !== "CredentialsSignin") getLogger().error({ err: error.message, type: error.name }, "auth error");
      },
      warn: (code) => getLogger().warn({ code }, "auth warning"),
      debug: () => {},
    },
    basePath: "/api/auth",
    secret: [config.authSecret ?? "", ...(config.authSecretPrevious ? [config.authSecretPrevious] : [])].filter(Boolean),
    useSecureCookies: secure,
    session: { strategy: "jwt", maxAge: STAFF_SESSION_MAX_AGE_SECONDS },
    cookies: { sessionToken: { name: staffSessionCookieName(config.appUrl) } },
    pages: { signIn: "/backoffice/sign-in", error: "/backoffice/sign-in" },
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          const ip = request.headers.get(CLIENT_IP_HEADER) ?? "unknown";
          try {
            const staff = await authorizeStaff({ email: credentials.email, password: credentials.password, ip });
            return staff ? { id: staff.id, email: staff.email, staffSessionId: staff.sessionId } : null;
          } catch (error) {
            if (appErrorOf(error)?.appCode === "rateLimit/TooManyRequests") throw new RateLimited();
            throw new Unavailable();
          }
        },
      }),
    ],
    events: {
      // next-auth clears the browser's cookie; revoking the row ends the session for any copy.
      // A failure here is logged by next-auth and the cookie still cleared: the session then
      // lives until it expires (8 hours), so it is logged loudly.
      signOut: async (message) => {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid !== "string") return;
        try {
          await revokeStaffSession(sid, "signed_out");
        } catch (error) {
          getLogger().error({ err: error }, "staff sign-out could not end the session on the server");
          throw error;
        }
      },
    },
    callbacks: {
      jwt: ({ token, user }) => {
        if (user?.id) {
          token.staffId = user.id;
          token.sid = user.staffSessionId;
          token.signedInAt = Math.floor(Date.now() / 1000);
        }
        return token;
      },
      session: ({ session, token }) => ({ ...session, staffId: token.staffId as string | undefined }),
    },
  };
}
