export { staffAuthConfig } from "./auth-config";
export { STAFF_SESSION_MAX_AGE_SECONDS, staffFromCookie, staffSessionCookieName } from "./auth";
