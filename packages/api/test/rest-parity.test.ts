import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathParameters, restRoutes, type RestRoute } from "@gatehouse/contract";
import { getPrisma, type Tenant } from "@gatehouse/db";
import type { AppCode } from "../src/errors";
import { appRouter } from "../src/root";
import {
  call,
  clientAt,
  contractStatus,
  createTenant,
  hasRedis,
  issueManager,
  newPassword,
  settle,
  signInUser,
  signUpUser,
  unique,
  useServer,
  verifiedUser,
  type Client,
  type SignedUp,
} from "./kit";
import { issueCode } from "../src/services/social/rounds";
import { rest } from "./rest-wire";
import { newKoreanMobile, startSmsCapture } from "./sms-capture";
import { APP_REDIRECT, pkce, socialTenant, useStandIns } from "./social-support";

/**
 * One table of cases, run against both transports: each case prepares its own state (fresh
 * users, a fresh client IP), then the same call goes over tRPC and over REST. Both must answer
 * the case's outcome with the same status (a REST success: its route's 200 or 201) and appCode,
 * the same message (REST's `detail`, or its `title` when the detail would repeat it) and issues,
 * Retry-After on 429s and `nextResendAvailableAt` on cooldowns; successes the same fields. The
 * per-IP limits run unscaled here, and a limit case exhausts its IP over tRPC first: REST then
 * meets the same limiter, since it calls the same procedure.
 */

type Outcome = "ok" | AppCode;
type Kind = "success" | "validation" | "auth" | "gate" | "limit" | "rule";

interface Prepared {
  /** The procedure's input (path parameters included: REST moves them into the path). */
  input?: unknown;
  token?: string;
  /** The client IP to call from (a limit case's exhausted one). */
  ip: string;
}

interface ParityCase {
  procedure: string;
  kind: Kind;
  name: string;
  expect: Outcome;
  prepare(): Promise<Prepared>;
}

interface Answer {
  status: number;
  appCode: string | undefined;
  /** A success's fields. */
  fields: string[];
  message: string | undefined;
  issues: unknown;
  retryAfter: string | null;
  nextResendAvailableAt: unknown;
  wwwAuthenticate: string | null;
}

const served = new Set(Object.keys(appRouter._def.procedures));
const routeOf = (procedure: string): RestRoute => {
  const route = restRoutes.find((r) => r.procedure === procedure);
  if (!route) throw new Error(`no REST route for ${procedure}`);
  return route;
};

describe.skipIf(!hasRedis)("REST and tRPC answer alike: one table of cases, both transports", () => {
  // The provider stand-ins (clientSocial's cases), started before the server that points at them.
  const providers = useStandIns();
  Object.assign(providers.env, { RATE_LIMIT_SCALE: "1" });
  // The SMS gateway (clientPhoneVerification's cases), likewise started before the server.
  let sms: Awaited<ReturnType<typeof startSmsCapture>>;
  beforeAll(async () => {
    sms = await startSmsCapture();
    providers.env.SMS_URL = sms.url;
  });
  afterAll(() => sms.close());
  const suite = useServer({ mail: true, env: providers.env });
  let domainTenant: Tenant;
  /** A tenant with the three providers configured (clientSocial). */
  let social: Tenant;
  /** A tenant with email-code sign-in on (the suite's own has it off, the default). */
  let codeTenant: Tenant;
  beforeAll(async () => {
    domainTenant = await createTenant({ allowedEmailDomains: ["example.com"] });
    const created = await createTenant();
    codeTenant = await getPrisma().tenant.update({ where: { id: created.id }, data: { emailCodeSignIn: true } });
    social = await socialTenant(providers.get());
  });

  const fresh = (): Client => clientAt(() => suite.server.url);
  const signUpInput = (tenantKey: string, overrides: Record<string, unknown> = {}) => {
    const userId = unique("p").toLowerCase();
    return { tenantKey, userId, password: newPassword(), displayName: "Parity", email: `${userId}@example.com`, ...overrides };
  };
  /** A user signed up from a fresh client: the session, and that client's IP. */
  const member = async (): Promise<SignedUp & { ip: string; client: Client }> => {
    const client = fresh();
    return { ...(await signUpUser(client, suite.tenantKey)), ip: client.ip, client };
  };
  const verified = async () => {
    const client = fresh();
    return { ...(await verifiedUser(client, suite.tenantKey, suite.smtp)), ip: client.ip, client };
  };
  const suspended = async () => {
    const user = await member();
    await getPrisma().user.updateMany({ where: { tenantId: suite.tenant.id, userId: user.userId }, data: { suspendedAt: new Date() } });
    return user;
  };
  /** An admin-issued manager who must still change the temporary password, signed in. */
  const mustChange = async () => {
    const client = fresh();
    const manager = await issueManager(suite.tenant, { mustChangePassword: true });
    const session = await signInUser(client, manager);
    return { ...manager, session, ip: client.ip };
  };
  /** An address nobody has, with a sign-in code mailed to it: the address and the code. */
  const codeSent = async () => {
    const email = `${unique("pc")}@example.com`.toLowerCase();
    await fresh().api.clientPasswordless.sendCode.mutate({ tenantKey: codeTenant.key, email });
    return { email, code: suite.smtp.latestCode(email) };
  };
  /** A signupToken for a new address, through sendCode and verify. */
  const signupToken = async () => {
    const { email, code } = await codeSent();
    const verified = await fresh().api.clientPasswordless.verify.mutate({ tenantKey: codeTenant.key, email, code });
    if (!verified.needSignup) throw new Error("a new address must get a signupToken");
    return verified.signupToken;
  };
  /** A member with a phone verification code texted to a new number: the member and the code. */
  const phoneCodeSent = async () => {
    const user = await member();
    const phone = newKoreanMobile();
    await user.api.clientPhoneVerification.sendCode.mutate({ phone });
    return { user, phone, code: sms.latestCode(phone) };
  };
  /** A one-time social code for a new member of the suite's tenant (as the callback issues one). */
  const socialCode = async (appCodeChallenge: string | null = null) => {
    const user = await member();
    return issueCode({ tenantId: suite.tenant.id, userId: user.session.user.id, provider: "google", isNewUser: false, appCodeChallenge });
  };
  const googleIdToken = (claims: Record<string, unknown> = {}) =>
    providers.get().google.mintIdToken({ aud: providers.get().credentials.google.clientId, ...claims });
  /** `count` calls over tRPC from a fresh IP, whatever they answer: the IP's limit is then spent. */
  const exhaust = async (count: number, send: (client: Client) => Promise<unknown>): Promise<string> => {
    const client = fresh();
    for (let i = 0; i < count; i++) await settle(send(client));
    return client.ip;
  };

  const cases: ParityCase[] = [
    // clientAuth.signUp
    {
      procedure: "clientAuth.signUp",
      kind: "success",
      name: "a new member",
      expect: "ok",
      prepare: async () => ({ input: signUpInput(suite.tenantKey), ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signUp",
      kind: "validation",
      name: "an email that is not one",
      expect: "validation/Invalid",
      prepare: async () => ({ input: signUpInput(suite.tenantKey, { email: "not-an-email" }), ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signUp",
      kind: "rule",
      name: "an unknown tenant",
      expect: "tenant/NotFound",
      prepare: async () => ({ input: signUpInput("no-such-tenant-x"), ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signUp",
      kind: "rule",
      name: "a taken user ID",
      expect: "user/UserIdDuplicated",
      prepare: async () => {
        const taken = await member();
        return { input: signUpInput(suite.tenantKey, { userId: taken.userId }), ip: fresh().ip };
      },
    },
    {
      procedure: "clientAuth.signUp",
      kind: "rule",
      name: "a domain the tenant does not allow",
      expect: "signUp/EmailDomainNotAllowed",
      prepare: async () => ({ input: signUpInput(domainTenant.key, { email: `${unique("d")}@elsewhere.example` }), ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signUp",
      kind: "limit",
      name: "the 21st sign-up from one IP in a minute",
      expect: "rateLimit/TooManyRequests",
      prepare: async () => ({
        input: signUpInput(suite.tenantKey),
        ip: await exhaust(20, (client) => client.api.clientAuth.signUp.mutate(signUpInput("bad key!"))),
      }),
    },
    // clientAuth.signIn
    {
      procedure: "clientAuth.signIn",
      kind: "success",
      name: "the right password",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { input: { tenantKey: user.tenantKey, userId: user.userId, password: user.password }, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.signIn",
      kind: "auth",
      name: "a wrong password",
      expect: "auth/InvalidCredentials",
      prepare: async () => {
        const user = await member();
        return { input: { tenantKey: user.tenantKey, userId: user.userId, password: `${user.password}x` }, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.signIn",
      kind: "validation",
      name: "no password",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { tenantKey: suite.tenantKey, userId: "someone" }, ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signIn",
      kind: "gate",
      name: "a suspended member",
      expect: "auth/AccountSuspended",
      prepare: async () => {
        const user = await suspended();
        return { input: { tenantKey: user.tenantKey, userId: user.userId, password: user.password }, ip: user.ip };
      },
    },
    // clientAuth.refresh
    {
      procedure: "clientAuth.refresh",
      kind: "success",
      name: "a live refresh token",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { input: { refreshToken: user.session.refreshToken }, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.refresh",
      kind: "auth",
      name: "a spent refresh token",
      expect: "auth/InvalidRefreshToken",
      prepare: async () => {
        const user = await member();
        await user.client.api.clientAuth.refresh.mutate({ refreshToken: user.session.refreshToken });
        return { input: { refreshToken: user.session.refreshToken }, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.refresh",
      kind: "limit",
      name: "the 61st refresh from one IP in a minute",
      expect: "rateLimit/TooManyRequests",
      prepare: async () => {
        const user = await member();
        const ip = await exhaust(60, (client) => client.api.clientAuth.refresh.mutate({ refreshToken: "x" }));
        return { input: { refreshToken: user.session.refreshToken }, ip };
      },
    },
    // clientAuth.signOut
    {
      procedure: "clientAuth.signOut",
      kind: "success",
      name: "no input at all",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.signOut",
      kind: "auth",
      name: "no access token",
      expect: "auth/Unauthenticated",
      prepare: async () => ({ ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.signOut",
      kind: "auth",
      name: "another session's refresh token",
      expect: "auth/InvalidRefreshToken",
      prepare: async () => {
        const user = await member();
        const other = await member();
        return { input: { refreshToken: other.session.refreshToken }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientAuth.changePassword
    {
      procedure: "clientAuth.changePassword",
      kind: "success",
      name: "the right current password",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { input: { currentPassword: user.password, newPassword: newPassword() }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.changePassword",
      kind: "auth",
      name: "a wrong current password",
      expect: "auth/InvalidCredentials",
      prepare: async () => {
        const user = await member();
        return {
          input: { currentPassword: `${user.password}x`, newPassword: newPassword() },
          token: user.session.accessToken,
          ip: user.ip,
        };
      },
    },
    {
      procedure: "clientAuth.changePassword",
      kind: "validation",
      name: "a new password the policy refuses",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { currentPassword: user.password, newPassword: "password" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientAuth.me
    {
      procedure: "clientAuth.me",
      kind: "success",
      name: "a live session",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.me",
      kind: "auth",
      name: "no access token",
      expect: "auth/Unauthenticated",
      prepare: async () => ({ ip: fresh().ip }),
    },
    {
      procedure: "clientAuth.me",
      kind: "auth",
      name: "a forged access token",
      expect: "auth/Unauthenticated",
      prepare: async () => {
        const user = await member();
        return { token: `${user.session.accessToken.slice(0, -4)}AAAA`, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.me",
      kind: "gate",
      name: "a member suspended after signing in",
      expect: "auth/AccountSuspended",
      prepare: async () => {
        const user = await suspended();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientAuth.updateMe
    {
      procedure: "clientAuth.updateMe",
      kind: "success",
      name: "a verified member",
      expect: "ok",
      prepare: async () => {
        const user = await verified();
        return { input: { displayName: "Renamed" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.updateMe",
      kind: "gate",
      name: "an unverified member",
      expect: "auth/EmailNotVerified",
      prepare: async () => {
        const user = await member();
        return { input: { displayName: "Renamed" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.updateMe",
      kind: "gate",
      name: "a manager who must change the password",
      expect: "auth/PasswordChangeRequired",
      prepare: async () => {
        const manager = await mustChange();
        return { input: { displayName: "Renamed" }, token: manager.session.accessToken, ip: manager.ip };
      },
    },
    {
      procedure: "clientAuth.updateMe",
      kind: "validation",
      name: "an empty display name",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await verified();
        return { input: { displayName: "" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientAuth.listSessions
    {
      procedure: "clientAuth.listSessions",
      kind: "success",
      name: "a live session",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.listSessions",
      kind: "auth",
      name: "no access token",
      expect: "auth/Unauthenticated",
      prepare: async () => ({ ip: fresh().ip }),
    },
    // clientAuth.revokeSession
    {
      procedure: "clientAuth.revokeSession",
      kind: "success",
      name: "another session of one's own",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        await signInUser(user.client, user);
        const { items } = await user.api.clientAuth.listSessions.query();
        return { input: { id: items.find((s) => !s.current)!.id }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.revokeSession",
      kind: "rule",
      name: "a session that is not one's own",
      expect: "session/NotFound",
      prepare: async () => {
        const user = await member();
        return { input: { id: randomUUID() }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.revokeSession",
      kind: "validation",
      name: "an id that is not a UUID",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { id: "not-a-uuid" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientAuth.revokeSession",
      kind: "auth",
      name: "no access token",
      expect: "auth/Unauthenticated",
      prepare: async () => ({ input: { id: randomUUID() }, ip: fresh().ip }),
    },
    // clientEmailVerification.sendVerification
    {
      procedure: "clientEmailVerification.sendVerification",
      kind: "success",
      name: "an unverified member's own address",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { input: { email: user.email }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientEmailVerification.sendVerification",
      kind: "limit",
      name: "a second code within the cooldown",
      expect: "emailVerification/CooldownActive",
      prepare: async () => {
        const user = await member();
        await user.api.clientEmailVerification.sendVerification.mutate({ email: user.email });
        return { input: { email: user.email }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientEmailVerification.sendVerification",
      kind: "validation",
      name: "an address that is not one",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { email: "nope" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientEmailVerification.sendVerification",
      kind: "gate",
      name: "a manager who must change the password",
      expect: "auth/PasswordChangeRequired",
      prepare: async () => {
        const manager = await mustChange();
        return { input: { email: `${unique("m")}@example.com` }, token: manager.session.accessToken, ip: manager.ip };
      },
    },
    // clientEmailVerification.verifyEmail
    {
      procedure: "clientEmailVerification.verifyEmail",
      kind: "success",
      name: "the mailed code",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        await user.api.clientEmailVerification.sendVerification.mutate({ email: user.email });
        return { input: { code: suite.smtp.latestCode(user.email) }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientEmailVerification.verifyEmail",
      kind: "auth",
      name: "a wrong code",
      expect: "emailVerification/InvalidCode",
      prepare: async () => {
        const user = await member();
        await user.api.clientEmailVerification.sendVerification.mutate({ email: user.email });
        const code = suite.smtp.latestCode(user.email);
        return { input: { code: code === "000000" ? "111111" : "000000" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientEmailVerification.verifyEmail",
      kind: "validation",
      name: "a code that is not six digits",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { code: "abc" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientPhoneVerification.sendCode
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "success",
      name: "a new number, written nationally",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { input: { phone: `0${newKoreanMobile().slice(3)}` }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "limit",
      name: "a second code within the cooldown",
      expect: "smsVerification/CooldownActive",
      prepare: async () => {
        const { user } = await phoneCodeSent();
        return { input: { phone: newKoreanMobile() }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "validation",
      name: "a number of a country the tenant does not allow",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { phone: "+12015550123" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "rule",
      name: "a number another user verified",
      expect: "user/PhoneDuplicated",
      prepare: async () => {
        const { user: owner, phone, code } = await phoneCodeSent();
        await owner.api.clientPhoneVerification.verifyPhone.mutate({ code });
        const user = await member();
        return { input: { phone }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "auth",
      name: "no access token",
      expect: "auth/Unauthenticated",
      prepare: async () => ({ input: { phone: newKoreanMobile() }, ip: fresh().ip }),
    },
    {
      procedure: "clientPhoneVerification.sendCode",
      kind: "gate",
      name: "a suspended user",
      expect: "auth/AccountSuspended",
      prepare: async () => {
        const user = await suspended();
        return { input: { phone: newKoreanMobile() }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientPhoneVerification.verifyPhone
    {
      procedure: "clientPhoneVerification.verifyPhone",
      kind: "success",
      name: "the texted code",
      expect: "ok",
      prepare: async () => {
        const { user, code } = await phoneCodeSent();
        return { input: { code }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.verifyPhone",
      kind: "auth",
      name: "a wrong code",
      expect: "smsVerification/InvalidCode",
      prepare: async () => {
        const { user, code } = await phoneCodeSent();
        return { input: { code: code === "000000" ? "111111" : "000000" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientPhoneVerification.verifyPhone",
      kind: "validation",
      name: "a code that is not six digits",
      expect: "validation/Invalid",
      prepare: async () => {
        const user = await member();
        return { input: { code: "12a456" }, token: user.session.accessToken, ip: user.ip };
      },
    },
    // clientPasswordless.sendCode
    {
      procedure: "clientPasswordless.sendCode",
      kind: "success",
      name: "a new address",
      expect: "ok",
      prepare: async () => ({ input: { tenantKey: codeTenant.key, email: `${unique("pc")}@example.com` }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.sendCode",
      kind: "limit",
      name: "a second code within the cooldown",
      expect: "emailVerification/CooldownActive",
      prepare: async () => ({ input: { tenantKey: codeTenant.key, email: (await codeSent()).email }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.sendCode",
      kind: "validation",
      name: "an @social.local address",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { tenantKey: codeTenant.key, email: `kakao_${unique()}@social.local` }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.sendCode",
      kind: "rule",
      name: "a tenant with email codes off",
      expect: "auth/MethodNotEnabled",
      prepare: async () => ({ input: { tenantKey: suite.tenantKey, email: `${unique("pc")}@example.com` }, ip: fresh().ip }),
    },
    // clientPasswordless.verify
    {
      procedure: "clientPasswordless.verify",
      kind: "success",
      name: "the mailed code for a new address",
      expect: "ok",
      prepare: async () => ({ input: { tenantKey: codeTenant.key, ...(await codeSent()) }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.verify",
      kind: "auth",
      name: "a wrong code",
      expect: "emailVerification/InvalidCode",
      prepare: async () => {
        const { email, code } = await codeSent();
        return { input: { tenantKey: codeTenant.key, email, code: code === "000000" ? "111111" : "000000" }, ip: fresh().ip };
      },
    },
    {
      procedure: "clientPasswordless.verify",
      kind: "rule",
      name: "an unknown tenant",
      expect: "tenant/NotFound",
      prepare: async () => ({ input: { tenantKey: "no-such-tenant-x", email: "a@example.com", code: "123456" }, ip: fresh().ip }),
    },
    // clientPasswordless.register
    {
      procedure: "clientPasswordless.register",
      kind: "success",
      name: "a fresh signupToken",
      expect: "ok",
      prepare: async () => ({ input: { signupToken: await signupToken(), displayName: "Parity" }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.register",
      kind: "auth",
      name: "a token never issued",
      expect: "auth/InvalidSignupToken",
      prepare: async () => ({ input: { signupToken: "x".repeat(43), displayName: "Parity" }, ip: fresh().ip }),
    },
    {
      procedure: "clientPasswordless.register",
      kind: "validation",
      name: "a blank displayName",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { signupToken: await signupToken(), displayName: "  " }, ip: fresh().ip }),
    },
    // clientSocial.start
    {
      procedure: "clientSocial.start",
      kind: "success",
      name: "a registered redirect URI",
      expect: "ok",
      prepare: async () => ({
        input: { tenantKey: social.key, provider: "google", redirectUri: APP_REDIRECT, state: "s" },
        ip: fresh().ip,
      }),
    },
    {
      procedure: "clientSocial.start",
      kind: "validation",
      name: "a redirect URI with a fragment",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { tenantKey: social.key, provider: "kakao", redirectUri: `${APP_REDIRECT}#x` }, ip: fresh().ip }),
    },
    {
      procedure: "clientSocial.start",
      kind: "rule",
      name: "a redirect URI the tenant did not register",
      expect: "social/RedirectUriNotAllowed",
      prepare: async () => ({
        input: { tenantKey: social.key, provider: "naver", redirectUri: "https://evil.example.com/cb" },
        ip: fresh().ip,
      }),
    },
    {
      procedure: "clientSocial.start",
      kind: "rule",
      name: "a provider the tenant did not configure",
      expect: "auth/MethodNotEnabled",
      prepare: async () => ({ input: { tenantKey: suite.tenantKey, provider: "google", redirectUri: APP_REDIRECT }, ip: fresh().ip }),
    },
    {
      procedure: "clientSocial.start",
      kind: "limit",
      name: "the 61st start from one IP in a minute",
      expect: "rateLimit/TooManyRequests",
      prepare: async () => ({
        input: { tenantKey: social.key, provider: "google", redirectUri: APP_REDIRECT },
        ip: await exhaust(60, (client) =>
          client.api.clientSocial.start.mutate({ tenantKey: unique("none"), provider: "google", redirectUri: APP_REDIRECT }),
        ),
      }),
    },
    // clientSocial.exchange
    {
      procedure: "clientSocial.exchange",
      kind: "success",
      name: "a fresh one-time code with its verifier",
      expect: "ok",
      prepare: async () => {
        const { verifier, challenge } = pkce();
        return { input: { code: await socialCode(challenge), codeVerifier: verifier }, ip: fresh().ip };
      },
    },
    {
      procedure: "clientSocial.exchange",
      kind: "auth",
      name: "a wrong verifier",
      expect: "social/InvalidCode",
      prepare: async () => ({ input: { code: await socialCode(pkce().challenge), codeVerifier: pkce().verifier }, ip: fresh().ip }),
    },
    {
      procedure: "clientSocial.exchange",
      kind: "validation",
      name: "a malformed verifier",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { code: await socialCode(pkce().challenge), codeVerifier: "short" }, ip: fresh().ip }),
    },
    // clientSocial.signInWithToken
    {
      procedure: "clientSocial.signInWithToken",
      kind: "success",
      name: "a Google id_token for the tenant's client",
      expect: "ok",
      prepare: async () => ({ input: { tenantKey: social.key, provider: "google", idToken: await googleIdToken() }, ip: fresh().ip }),
    },
    {
      procedure: "clientSocial.signInWithToken",
      kind: "validation",
      name: "the wrong kind of token for the provider",
      expect: "validation/Invalid",
      prepare: async () => ({ input: { tenantKey: social.key, provider: "kakao", idToken: await googleIdToken() }, ip: fresh().ip }),
    },
    {
      procedure: "clientSocial.signInWithToken",
      kind: "auth",
      name: "an id_token issued to another app",
      expect: "social/InvalidProviderToken",
      prepare: async () => ({
        input: { tenantKey: social.key, provider: "google", idToken: await googleIdToken({ aud: "another.apps.googleusercontent.com" }) },
        ip: fresh().ip,
      }),
    },
    // clientSocial.listIdentities
    {
      procedure: "clientSocial.listIdentities",
      kind: "success",
      name: "a member's (none linked)",
      expect: "ok",
      prepare: async () => {
        const user = await member();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
    {
      procedure: "clientSocial.listIdentities",
      kind: "gate",
      name: "a suspended user's",
      expect: "auth/AccountSuspended",
      prepare: async () => {
        const user = await suspended();
        return { token: user.session.accessToken, ip: user.ip };
      },
    },
  ];

  async function overTrpc(c: ParityCase, prepared: Prepared): Promise<Answer> {
    const kind = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[c.procedure]!._def.type;
    const answer = await call(suite.server.url, c.procedure, prepared.input, {
      method: kind === "query" ? "GET" : "POST",
      token: prepared.token,
      headers: { "x-forwarded-for": prepared.ip },
    });
    const error = answer.body.error;
    return {
      status: answer.status,
      appCode: answer.appCode,
      fields: error ? [] : Object.keys(answer.data as object).sort(),
      message: error?.message,
      issues: error?.data.issues,
      retryAfter: answer.headers.get("retry-after"),
      nextResendAvailableAt: error?.data.nextResendAvailableAt,
      wwwAuthenticate: answer.headers.get("www-authenticate"),
    };
  }

  async function overRest(c: ParityCase, prepared: Prepared): Promise<Answer> {
    const route = routeOf(c.procedure);
    // Path parameters move from the input into the path; what is left is the body.
    let path = route.path;
    let body = prepared.input as Record<string, unknown> | undefined;
    for (const name of pathParameters(route.path)) {
      path = path.replace(`{${name}}`, encodeURIComponent(String(body?.[name])));
      if (body) body = Object.fromEntries(Object.entries(body).filter(([key]) => key !== name));
    }
    const takesBody = route.method === "POST" || route.method === "PATCH";
    const answer = await rest<Record<string, unknown>>(suite.server.url, route.method, path, takesBody ? body : undefined, {
      token: prepared.token,
      headers: { "x-forwarded-for": prepared.ip },
    });
    const problem = answer.appCode === undefined ? undefined : answer.body!;
    return {
      status: answer.status,
      appCode: answer.appCode,
      fields: problem ? [] : Object.keys(answer.body ?? {}).sort(),
      message: problem ? ((problem.detail ?? problem.title) as string) : undefined,
      issues: problem?.issues,
      retryAfter: answer.headers.get("retry-after"),
      nextResendAvailableAt: problem?.nextResendAvailableAt,
      wwwAuthenticate: answer.headers.get("www-authenticate"),
    };
  }

  it("covers every served REST route with a success and at least one refusal, and every kind of case", () => {
    for (const route of restRoutes.filter((r) => served.has(r.procedure))) {
      const own = cases.filter((c) => c.procedure === route.procedure);
      expect(
        own.map((c) => c.expect),
        `${route.method} ${route.path}`,
      ).toContain("ok");
      expect(
        own.some((c) => c.expect !== "ok"),
        `${route.method} ${route.path}`,
      ).toBe(true);
    }
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set<Kind>(["success", "validation", "auth", "gate", "limit", "rule"]));
  });

  it.each(cases.filter((c) => served.has(c.procedure)).map((c) => [`${c.procedure}: ${c.name} → ${c.expect}`, c] as const))(
    "%s",
    async (_label, c) => {
      const trpc = await overTrpc(c, await c.prepare());
      const restAnswer = await overRest(c, await c.prepare());
      const route = routeOf(c.procedure);
      const expected =
        c.expect === "ok" ? { trpc: 200, rest: route.status } : { trpc: contractStatus[c.expect], rest: contractStatus[c.expect] };
      const appCode = c.expect === "ok" ? undefined : c.expect;
      expect({ status: trpc.status, appCode: trpc.appCode }, `tRPC: ${JSON.stringify(trpc)}`).toEqual({ status: expected.trpc, appCode });
      expect({ status: restAnswer.status, appCode: restAnswer.appCode }, `REST: ${JSON.stringify(restAnswer)}`).toEqual({
        status: expected.rest,
        appCode,
      });
      // The same answer beyond the code: fields of a success; message, issues and extras of an error.
      expect(restAnswer.fields).toEqual(trpc.fields);
      expect(restAnswer.message).toBe(trpc.message);
      expect(restAnswer.issues).toEqual(trpc.issues);
      expect(restAnswer.retryAfter === null).toBe(trpc.retryAfter === null);
      expect(restAnswer.nextResendAvailableAt === undefined).toBe(trpc.nextResendAvailableAt === undefined);
      if (expected.rest === 429) expect(Number(restAnswer.retryAfter)).toBeGreaterThanOrEqual(1);
      if (c.expect === "emailVerification/CooldownActive" || c.expect === "smsVerification/CooldownActive")
        expect(restAnswer.nextResendAvailableAt).toEqual(expect.any(String));
      // REST's own addition: the challenge on every 401.
      expect(restAnswer.wwwAuthenticate).toBe(expected.rest === 401 ? "Bearer" : null);
    },
  );
});
