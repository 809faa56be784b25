import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { z } from "zod";
import { getPrisma } from "@gatehouse/db";
import { createLogger, getLogger, setLogger } from "../src/lib/log";
import { hashPassword } from "../src/lib/password-hasher";
import { clientRouters } from "../src/root";
import { backOfficeRouter } from "../src/router/back-office";
import { ensureSigningKey } from "../src/services/signing-keys";
import { publicProcedure } from "../src/procedures";
import { createTRPCRouter } from "../src/trpc";
import { type MailCatcher, startMailCatcher } from "@gatehouse/testing/mail";
import { newKoreanMobile, startSmsCapture, type SmsCapture } from "./sms-capture";
import { call, createTenant, hasRedis, signInStaff, startServer, unique, type CallResult, type TestServer } from "./kit";
import { startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
import { rest } from "./rest-wire";
import { browserAt, pkce, socialTenant } from "./social-support";

/**
 * Drives every flow (staff sign-in, every BackOffice mutation, the whole end-user life cycle over
 * tRPC and again over REST, refresh-token reuse, email verification right and wrong, a 503 from a
 * refusing mail server, an unexpected 500, REST bodies refused as malformed or too large) with the
 * server logging at "trace" into memory, then scans the log for
 * every secret used or produced on the way. None may appear; the request lines must.
 */

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

// The real router plus one procedure that fails the way a library error can: with a message that
// echoes its arguments (as a Prisma validation error prints the call, password hash included).
const faultyRouter = createTRPCRouter({
  ...clientRouters,
  backOffice: backOfficeRouter,
  logScan: createTRPCRouter({
    fault: publicProcedure
      .input(z.object({ hash: z.string(), token: z.string(), refresh: z.string(), code: z.string() }))
      .mutation(({ input }) => {
        throw new Error(
          `Invalid \`prisma.user.create()\` invocation: { data: { passwordHash: "${input.hash}", note: "${input.token}", refresh: "${input.refresh}", otp: "${input.code}" } }`,
        );
      }),
  }),
});

describe.skipIf(!hasRedis)("the log under every flow", () => {
  const lines: string[] = [];
  const previousLogger = getLogger();
  let server: TestServer;
  let smtp: MailCatcher;
  let standIns: StandIns;
  let sms: SmsCapture;
  /** Every secret used or produced: none may reach the log. */
  const secrets = new Map<string, string>();
  const responses: CallResult[] = [];
  const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
  const headers = { "x-forwarded-for": ip, "user-agent": "log-scan" };

  function secret(label: string, value: string | undefined | null) {
    if (value) secrets.set(value, label);
  }

  /** Calls and records every token the answer carries as a secret. */
  async function send<T = Record<string, unknown>>(
    path: string,
    input?: unknown,
    options: { method?: "GET" | "POST"; token?: string; cookie?: string } = {},
  ) {
    const res = await call<T>(server.url, path, input, { ...options, headers });
    responses.push(res as CallResult);
    recordSecrets(res.body, options);
    return res;
  }

  /** Every token an answer carries, and the credentials sent, become secrets. */
  function recordSecrets(body: unknown, options: { token?: string; cookie?: string }) {
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === "object") {
        for (const [key, v] of Object.entries(value)) {
          if (typeof v === "string" && ["accessToken", "refreshToken", "temporaryPassword", "signupToken"].includes(key)) {
            secret(key, v);
            if (key === "signupToken") secret("sha256(signupToken)", sha256(v));
            if (key === "refreshToken") {
              secret("sha256(refreshToken)", sha256(v));
              secret("sha256(refresh secret)", sha256(v.split(".")[1] ?? ""));
            }
          } else walk(v);
        }
      }
    };
    walk(body);
    if (options.token) secret("authorization header", `Bearer ${options.token}`);
    if (options.cookie) secret("cookie header", options.cookie);
  }

  /** A REST call (/api/v1), recorded like `send`'s. */
  async function sendRest<T = Record<string, unknown>>(
    method: string,
    path: string,
    input?: unknown,
    options: { token?: string; rawBody?: string; contentType?: string } = {},
  ) {
    const res = await rest<T>(server.url, method, path, input, {
      token: options.token,
      rawBody: options.rawBody,
      headers: { ...headers, ...(options.contentType ? { "content-type": options.contentType } : {}) },
    });
    responses.push({ status: res.status, headers: res.headers, body: {}, data: res.body, appCode: res.appCode });
    recordSecrets(res.body, options);
    return { ...res, data: res.body as T };
  }

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString("utf8")
            .split("\n")
            .filter((l) => l.length > 0),
        );
        done();
      },
    });
    // The application's own logger settings (redaction, error scrubbing), at the chattiest level.
    setLogger(createLogger({ level: "trace", destination }));
    smtp = await startMailCatcher();
    sms = await startSmsCapture();
    standIns = await startStandIns();
    await ensureSigningKey();
    server = await startServer({
      router: faultyRouter,
      env: {
        RATE_LIMIT_SCALE: "100",
        TRUST_PROXY: "1",
        SMTP_URL: smtp.url,
        MAIL_FROM: "Gatehouse <no-reply@example.com>",
        LOG_LEVEL: "trace",
        SMS_URL: sms.url,
        ...standIns.env,
      },
    });
    secret("AUTH_SECRET", process.env.AUTH_SECRET);
  });

  afterAll(async () => {
    setLogger(previousLogger);
    await server?.close();
    await smtp?.close();
    await sms?.close();
    await standIns?.stop();
  });

  it("drives the social flows: browser and native, right and refused, replays, a provider down", async () => {
    const tenant = await socialTenant(standIns);
    const tenantKey = tenant.key;
    for (const credentials of Object.values(standIns.credentials)) secret("provider client secret", credentials.clientSecret);
    const browser = browserAt(ip, server.config.appUrl);
    standIns.google.signInAs({
      sub: `log${Date.now()}`,
      email: `${unique("lg")}@gmail.com`.toLowerCase(),
      email_verified: true,
      name: "Log",
    });
    const { verifier, challenge } = pkce();
    secret("app PKCE verifier", verifier);
    const authorizationUrl = browser.locationOf(
      await browser.start(server.url, "google", { tenantKey, codeChallenge: challenge, state: "s" }),
    );
    secret("social state", authorizationUrl.searchParams.get("state"));
    secret("OIDC nonce", authorizationUrl.searchParams.get("nonce"));
    const callbackUrl = browser.locationOf(await browser.get(authorizationUrl.href));
    secret("provider's code", callbackUrl.searchParams.get("code"));
    const back = browser.locationOf(await browser.callback(callbackUrl, server.url));
    const code = back.searchParams.get("code")!;
    secret("one-time social code", code);
    expect((await browser.callback(callbackUrl, server.url)).status).toBe(400); // state replay
    expect((await send("clientSocial.exchange", { code, codeVerifier: pkce().verifier })).status).toBe(401);
    const again = await browser.signIn(server.url, "google", { tenantKey, codeChallenge: challenge });
    const code2 = again.searchParams.get("code")!;
    secret("second one-time social code", code2);
    const exchanged = await send<{ accessToken: string }>("clientSocial.exchange", { code: code2, codeVerifier: verifier });
    expect(exchanged.status).toBe(200);
    expect((await send("clientSocial.listIdentities", undefined, { method: "GET", token: exchanged.data.accessToken })).status).toBe(200);

    // Native tokens: Google's id_token right, forged and foreign; Kakao's access token, then Kakao down.
    const idToken = await standIns.google.mintIdToken({ aud: standIns.credentials.google.clientId });
    secret("Google id_token", idToken);
    expect((await send("clientSocial.signInWithToken", { tenantKey, provider: "google", idToken })).status).toBe(200);
    const forged = await standIns.google.forgeIdToken({ aud: standIns.credentials.google.clientId });
    secret("forged id_token", forged);
    expect((await send("clientSocial.signInWithToken", { tenantKey, provider: "google", idToken: forged })).status).toBe(401);
    const kakaoToken = standIns.kakao.issueAccessToken({
      appId: Number(standIns.credentials.kakao.nativeClientIds[0]),
      person: { id: Date.now(), nickname: "Log K" },
    });
    secret("Kakao access token", kakaoToken);
    expect((await send("clientSocial.signInWithToken", { tenantKey, provider: "kakao", accessToken: kakaoToken })).status).toBe(200);
    standIns.kakao.setMode("down");
    expect((await send("clientSocial.signInWithToken", { tenantKey, provider: "kakao", accessToken: kakaoToken })).status).toBe(503);
    standIns.kakao.setMode("ok");
    // The operator hears of it (which provider, how), the caller only the 503.
    expect(lines.some((line) => line.includes("social provider unreachable") && line.includes('"provider":"kakao"'))).toBe(true);
    // Over REST too.
    expect((await sendRest("POST", "/api/v1/auth/social/kakao/token", { tenantKey, accessToken: kakaoToken })).status).toBe(200);
    expect((await sendRest("POST", "/api/v1/auth/social/exchange", { code: code2 })).status).toBe(401);
  }, 60_000);

  it("drives phone verification: a number signed up with, codes texted, wrong and right, a 409, a refusing gateway", async () => {
    const tenant = await createTenant({ name: "Log scan phones" });
    const phone = newKoreanMobile();
    const nationalDigits = `0${phone.slice(3)}`;
    const signUpAs = (prefix: string, withPhone?: string) =>
      send<{ accessToken: string }>("clientAuth.signUp", {
        tenantKey: tenant.key,
        userId: unique(prefix).slice(0, 24),
        password: `Phone-${unique("pw")}-Passphrase`,
        displayName: "Phone",
        email: `${unique(prefix)}@example.com`,
        ...(withPhone ? { phone: withPhone } : {}),
      });
    const owner = await signUpAs("ph", nationalDigits);
    expect(owner.status).toBe(200);
    const token = owner.data.accessToken;
    expect((await send("clientPhoneVerification.sendCode", { phone: nationalDigits }, { token })).status).toBe(200);
    const code = sms.latestCode(phone);
    secret("SMS code", code);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    secret("wrong SMS code", wrong);
    expect((await send("clientPhoneVerification.verifyPhone", { code: wrong }, { token })).status).toBe(401);
    expect((await send("clientPhoneVerification.verifyPhone", { code }, { token })).status).toBe(200);
    // Another user: the 409, then a refusing gateway (503) over REST, then a code over REST.
    const rival = await signUpAs("ph2");
    const rivalToken = rival.data.accessToken;
    expect((await send("clientPhoneVerification.sendCode", { phone }, { token: rivalToken })).status).toBe(409);
    const other = newKoreanMobile();
    sms.failWith = 500;
    expect((await sendRest("POST", "/api/v1/auth/phone-verification/send", { phone: other }, { token: rivalToken })).status).toBe(503);
    sms.failWith = null;
    expect((await sendRest("POST", "/api/v1/auth/phone-verification/send", { phone: other }, { token: rivalToken })).status).toBe(200);
    const restCode = sms.latestCode(other);
    secret("SMS code over REST", restCode);
    expect((await sendRest("POST", "/api/v1/auth/phone-verification/verify", { code: restCode }, { token: rivalToken })).status).toBe(200);

    // The operator hears of the refused delivery with the number masked; no full number in any line.
    expect(lines.some((line) => line.includes("phone verification SMS not delivered"))).toBe(true);
    const log = lines.join("\n");
    for (const number of [phone, other, phone.slice(1), nationalDigits, other.slice(1), `0${other.slice(3)}`])
      expect(log).not.toContain(number);
  });

  it("drives every flow", async () => {
    const prisma = getPrisma();
    // --- Staff: sign-in good and bad, every BackOffice mutation and query.
    const adminEmail = `${unique("logadmin")}@staff.example.com`;
    const adminPassword = `Admin-${unique("pw")}-Passphrase`;
    secret("admin password", adminPassword);
    await prisma.staffUser.create({ data: { email: adminEmail, passwordHash: await hashPassword(adminPassword), role: "admin" } });
    const wrongStaffPassword = `Wrong-${unique("pw")}-Passphrase`;
    secret("wrong staff password", wrongStaffPassword);
    expect(await signInStaff(server.url, adminEmail, wrongStaffPassword, { headers })).toBeUndefined();
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    secret("csrf token", ((await csrf.json()) as { csrfToken: string }).csrfToken);
    let cookie = (await signInStaff(server.url, adminEmail, adminPassword, { headers }))!;
    expect(cookie).toBeDefined();
    secret("staff session cookie", cookie.split("=")[1]);

    const tenantKey = unique("log").slice(0, 30);
    expect(
      (await send("backOffice.tenants.create", { key: tenantKey, name: "Log scan", allowedEmailDomains: [], locale: "en" }, { cookie }))
        .status,
    ).toBe(200);
    expect(
      (await send("backOffice.tenants.update", { key: tenantKey, name: "Log scan 2", appUrl: "https://log.example.com" }, { cookie }))
        .status,
    ).toBe(200);
    // A provider's client secret (CONTRACT v2: write-only, never logged), sealed at rest too.
    const clientSecret = `gcs-${unique("secret")}-${unique("x")}`;
    secret("provider client secret", clientSecret);
    const provider = { tenantKey, provider: "google", clientId: "log-scan.apps.example.com", scopes: ["openid", "email"] };
    expect((await send("backOffice.socialProviders.set", { ...provider, clientSecret, enabled: true }, { cookie })).status).toBe(200);
    expect((await send("backOffice.socialProviders.set", { ...provider, enabled: false }, { cookie })).status).toBe(200);
    expect((await send("backOffice.socialProviders.set", { ...provider, clientSecret: "", enabled: true }, { cookie })).status).toBe(400);
    expect((await send("backOffice.socialProviders.list", { tenantKey }, { method: "GET", cookie })).status).toBe(200);
    const sealed = await prisma.tenantSocialProvider.findFirstOrThrow({ where: { tenant: { key: tenantKey } } });
    secret("sealed provider client secret", sealed.clientSecretSealed);
    expect(
      (await send("backOffice.socialProviders.set", { ...provider, provider: "naver", clientSecret, enabled: true }, { cookie })).status,
    ).toBe(200);
    expect((await send("backOffice.socialProviders.remove", { tenantKey, provider: "naver" }, { cookie })).status).toBe(200);
    const spareKey = unique("logs").slice(0, 30);
    await send("backOffice.tenants.create", { key: spareKey, name: "Spare", allowedEmailDomains: [] }, { cookie });
    expect((await send("backOffice.tenants.softDelete", { key: spareKey }, { cookie })).status).toBe(200);
    expect((await send("backOffice.tenants.restore", { key: spareKey }, { cookie })).status).toBe(200);
    const managerId = unique("mgr").slice(0, 24);
    const issued = await send<{ temporaryPassword: string }>(
      "backOffice.managers.issue",
      { tenantKey, userId: managerId, displayName: "Manager", email: `${managerId}@example.com`, includePasswordInEmail: true },
      { cookie },
    );
    expect(issued.status).toBe(200);
    const reset = await send<{ temporaryPassword: string }>("backOffice.users.resetPassword", { tenantKey, userId: managerId }, { cookie });
    expect(reset.status).toBe(200);
    expect((await send("backOffice.users.suspend", { tenantKey, userId: managerId }, { cookie })).status).toBe(200);
    expect((await send("backOffice.users.unsuspend", { tenantKey, userId: managerId }, { cookie })).status).toBe(200);
    const staffEmail = `${unique("logstaff")}@staff.example.com`;
    const staffPassword = `Viewer-${unique("pw")}-Passphrase`;
    secret("new staff password", staffPassword);
    expect((await send("backOffice.staff.create", { email: staffEmail, password: staffPassword, role: "viewer" }, { cookie })).status).toBe(
      200,
    );
    expect((await send("backOffice.staff.update", { email: staffEmail, role: "admin" }, { cookie })).status).toBe(200);
    expect((await send("backOffice.staff.update", { email: staffEmail, disabled: true }, { cookie })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the session's sign-in second must pass
    const newAdminPassword = `Admin2-${unique("pw")}-Passphrase`;
    secret("changed admin password", newAdminPassword);
    const changed = await call(
      server.url,
      "backOffice.staff.changePassword",
      { currentPassword: adminPassword, newPassword: newAdminPassword },
      { cookie, headers },
    );
    expect(changed.status).toBe(200);
    cookie = changed.headers.getSetCookie()[0]!.split(";", 1)[0]!;
    secret("renewed staff session cookie", cookie.split("=")[1]);
    for (const [path, input] of [
      ["backOffice.tenants.list", {}],
      ["backOffice.tenants.get", { key: tenantKey }],
      ["backOffice.users.list", { tenantKey }],
      ["backOffice.auditLog.list", { tenantKey }],
      ["backOffice.staff.list", {}],
    ] as const) {
      expect((await send(path, input, { method: "GET", cookie })).status).toBe(200);
    }

    // --- The issued manager: first sign-in with the temporary password, then the forced change.
    const managerSession = await send<{ accessToken: string }>("clientAuth.signIn", {
      tenantKey,
      userId: managerId,
      password: reset.data.temporaryPassword,
    });
    expect(managerSession.status).toBe(200);
    const managerPassword = `Manager-${unique("pw")}-Passphrase`;
    secret("manager password", managerPassword);
    expect(
      (
        await send(
          "clientAuth.changePassword",
          { currentPassword: reset.data.temporaryPassword, newPassword: managerPassword },
          { token: managerSession.data.accessToken },
        )
      ).status,
    ).toBe(200);

    // --- End user: sign-up, sign-in good and bad, refresh, reuse, verification, password change, sign-out.
    const userId = unique("user").slice(0, 24);
    const email = `${userId}@example.com`;
    const password = `User-${unique("pw")}-Passphrase`;
    secret("user password", password);
    const signedUp = await send<{ accessToken: string; refreshToken: string }>("clientAuth.signUp", {
      tenantKey,
      userId,
      password,
      displayName: "Log User",
      email,
    });
    expect(signedUp.status).toBe(200);
    const wrongPassword = `Wrong-${unique("pw")}-Passphrase`;
    secret("wrong user password", wrongPassword);
    expect((await send("clientAuth.signIn", { tenantKey, userId, password: wrongPassword })).status).toBe(401);
    const signedIn = await send<{ accessToken: string; refreshToken: string }>("clientAuth.signIn", { tenantKey, userId, password });
    expect(signedIn.status).toBe(200);
    const refreshed = await send<{ accessToken: string; refreshToken: string }>("clientAuth.refresh", {
      refreshToken: signedIn.data.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect((await send("clientAuth.refresh", { refreshToken: signedIn.data.refreshToken })).status).toBe(401); // reuse
    const token = signedUp.data.accessToken;
    expect((await send("clientEmailVerification.sendVerification", { email }, { token })).status).toBe(200);
    const code = smtp.latestCode(email);
    secret("OTP code", code);
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    secret("wrong OTP code", wrongCode);
    expect((await send("clientEmailVerification.verifyEmail", { code: wrongCode }, { token })).status).toBe(401);
    expect((await send("clientEmailVerification.verifyEmail", { code }, { token })).status).toBe(200);
    expect((await send("clientAuth.me", undefined, { method: "GET", token })).status).toBe(200);
    expect((await send("clientAuth.listSessions", undefined, { method: "GET", token })).status).toBe(200);
    expect((await send("clientAuth.updateMe", { displayName: "Log User 2" }, { token })).status).toBe(200);
    const newPassword = `User2-${unique("pw")}-Passphrase`;
    secret("changed user password", newPassword);
    expect((await send("clientAuth.changePassword", { currentPassword: password, newPassword }, { token })).status).toBe(200);
    expect((await send("clientAuth.signOut", { refreshToken: signedUp.data.refreshToken }, { token })).status).toBe(200);

    // --- A 503: the mail server refuses the verification mail.
    const other = await send<{ accessToken: string }>("clientAuth.signUp", {
      tenantKey,
      userId: unique("u2").slice(0, 24),
      password: `Other-${unique("pw")}-Pass`,
      displayName: "Other",
      email: `${unique("o")}@example.com`,
    });
    smtp.refuse = true;
    expect(
      (await send("clientEmailVerification.sendVerification", { email: `${unique("o")}@example.com` }, { token: other.data.accessToken }))
        .status,
    ).toBe(503);
    smtp.refuse = false;

    // --- Email-code sign-in (clientPasswordless): a stranger signs up, the verified owner signs in,
    // wrong codes, and a 503 from the refusing mail server.
    await prisma.tenant.update({ where: { key: tenantKey }, data: { emailCodeSignIn: true } });
    const stranger = `${unique("pl")}@example.com`;
    expect((await send("clientPasswordless.sendCode", { tenantKey, email: stranger })).status).toBe(200);
    const signInCode = smtp.latestCode(stranger);
    secret("sign-in code", signInCode);
    const wrongSignInCode = String((Number(signInCode) + 1) % 1_000_000).padStart(6, "0");
    secret("wrong sign-in code", wrongSignInCode);
    expect((await send("clientPasswordless.verify", { tenantKey, email: stranger, code: wrongSignInCode })).status).toBe(401);
    const needSignup = await send<{ signupToken: string }>("clientPasswordless.verify", { tenantKey, email: stranger, code: signInCode });
    expect(needSignup.status).toBe(200);
    expect((await send("clientPasswordless.register", { signupToken: needSignup.data.signupToken, displayName: "Code User" })).status).toBe(
      200,
    );
    expect((await send("clientPasswordless.register", { signupToken: needSignup.data.signupToken, displayName: "Again" })).status).toBe(
      401,
    );
    expect((await send("clientPasswordless.sendCode", { tenantKey, email })).status).toBe(200);
    const ownerCode = smtp.latestCode(email);
    secret("owner's sign-in code", ownerCode);
    expect((await send("clientPasswordless.verify", { tenantKey, email, code: ownerCode })).status).toBe(200);
    smtp.refuse = true;
    expect((await send("clientPasswordless.sendCode", { tenantKey, email: `${unique("pl")}@example.com` })).status).toBe(503);
    smtp.refuse = false;

    // --- An unexpected 500 whose error text holds secrets.
    const userRow = await prisma.user.findFirstOrThrow({ where: { tenant: { key: tenantKey }, userId } });
    const fault = await send("logScan.fault", {
      hash: userRow.passwordHash!,
      token: refreshed.data.accessToken,
      refresh: refreshed.data.refreshToken,
      code,
    });
    expect(fault.status).toBe(500);
    expect(fault.appCode).toBe("server/InternalError");

    // --- Users deleted last (their hashes are gathered below first).
    const hashes = await prisma.user.findMany({ where: { tenant: { key: tenantKey } }, select: { passwordHash: true } });
    const staffHashes = await prisma.staffUser.findMany({
      where: { email: { in: [adminEmail, staffEmail] } },
      select: { passwordHash: true },
    });
    for (const h of [...hashes, ...staffHashes]) secret("bcrypt hash", h.passwordHash);
    expect((await send("backOffice.users.delete", { tenantKey, userId: managerId }, { cookie })).status).toBe(200);
  }, 120_000);

  it("drives the end-user flow over REST, and REST's refusals of bodies that hold secrets", async () => {
    // The tenant of the flow above (a live one), found by name.
    const tenantKey = (await getPrisma().tenant.findFirstOrThrow({ where: { name: "Log scan 2" } })).key;
    const userId = unique("rest").slice(0, 24);
    const email = `${userId}@example.com`;
    const password = `Rest-${unique("pw")}-Passphrase`;
    secret("REST user password", password);
    const signedUp = await sendRest<{ accessToken: string; refreshToken: string }>("POST", "/api/v1/auth/sign-up", {
      tenantKey,
      userId,
      password,
      displayName: "Rest User",
      email,
    });
    expect(signedUp.status).toBe(201);
    const wrongPassword = `RestWrong-${unique("pw")}-Passphrase`;
    secret("REST wrong password", wrongPassword);
    expect((await sendRest("POST", "/api/v1/auth/sign-in", { tenantKey, userId, password: wrongPassword })).status).toBe(401);
    const signedIn = await sendRest<{ accessToken: string; refreshToken: string }>("POST", "/api/v1/auth/sign-in", {
      tenantKey,
      userId,
      password,
    });
    expect(signedIn.status).toBe(200);
    const refreshed = await sendRest<{ refreshToken: string }>("POST", "/api/v1/auth/refresh", {
      refreshToken: signedIn.data.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect((await sendRest("POST", "/api/v1/auth/refresh", { refreshToken: signedIn.data.refreshToken })).status).toBe(401); // reuse
    const token = signedUp.data.accessToken;
    expect((await sendRest("POST", "/api/v1/auth/email-verification/send", { email }, { token })).status).toBe(200);
    const code = smtp.latestCode(email);
    secret("REST OTP code", code);
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    secret("REST wrong OTP code", wrongCode);
    expect((await sendRest("POST", "/api/v1/auth/email-verification/verify", { code: wrongCode }, { token })).status).toBe(401);
    expect((await sendRest("POST", "/api/v1/auth/email-verification/verify", { code }, { token })).status).toBe(200);
    expect((await sendRest("GET", "/api/v1/auth/me", undefined, { token })).status).toBe(200);
    // The reuse above ended that session: one more to list and revoke.
    expect((await sendRest("POST", "/api/v1/auth/sign-in", { tenantKey, userId, password })).status).toBe(200);
    const sessions = await sendRest<{ items: { id: string; current: boolean }[] }>("GET", "/api/v1/auth/sessions", undefined, { token });
    expect(sessions.status).toBe(200);
    expect((await sendRest("PATCH", "/api/v1/auth/me", { displayName: "Rest User 2" }, { token })).status).toBe(200);
    const other = sessions.data.items.find((s) => !s.current)!;
    expect((await sendRest("DELETE", `/api/v1/auth/sessions/${other.id}`, undefined, { token })).status).toBe(200);
    const newPassword = `Rest2-${unique("pw")}-Passphrase`;
    secret("REST changed password", newPassword);
    expect((await sendRest("POST", "/api/v1/auth/change-password", { currentPassword: password, newPassword }, { token })).status).toBe(
      200,
    );
    expect((await sendRest("POST", "/api/v1/auth/sign-out", undefined, { token })).status).toBe(200);

    // Bodies REST refuses before any procedure runs: never logged, whatever they hold.
    const inBadJson = `RestBadJson-${unique("pw")}-Passphrase`;
    secret("password in malformed JSON", inBadJson);
    const malformed = await sendRest("POST", "/api/v1/auth/sign-in", undefined, {
      rawBody: `{"tenantKey":"${tenantKey}","userId":"${userId}","password":"${inBadJson}"`,
      contentType: "application/json",
    });
    expect(malformed.appCode).toBe("request/Malformed");
    const inForm = `RestForm-${unique("pw")}-Passphrase`;
    secret("password in a form body", inForm);
    const form = await sendRest("POST", "/api/v1/auth/sign-in", undefined, {
      rawBody: new URLSearchParams({ tenantKey, userId, password: inForm }).toString(),
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form.appCode).toBe("request/UnsupportedMediaType");
    const inHuge = `RestHuge-${unique("pw")}-Passphrase`;
    secret("password in a huge body", inHuge);
    const huge = await sendRest("POST", "/api/v1/auth/sign-in", { tenantKey, userId, password: inHuge, pad: "x".repeat(70_000) });
    expect(huge.appCode).toBe("request/PayloadTooLarge");
    const inPath = `RestPath-${unique("pw")}`;
    secret("text in an unknown path's query", inPath);
    expect((await sendRest("GET", `/api/v1/auth/nope?password=${inPath}`)).appCode).toBe("request/NotFound");

    // A REST 503: the mail server refuses the verification mail.
    const another = await sendRest<{ accessToken: string }>("POST", "/api/v1/auth/sign-up", {
      tenantKey,
      userId: unique("r2").slice(0, 24),
      password: `RestOther-${unique("pw")}-Pass`,
      displayName: "Other",
      email: `${unique("ro")}@example.com`,
    });
    smtp.refuse = true;
    const unavailable = await sendRest(
      "POST",
      "/api/v1/auth/email-verification/send",
      { email: `${unique("ro")}@example.com` },
      { token: another.data.accessToken },
    );
    smtp.refuse = false;
    expect(unavailable.status).toBe(503);
    // The REST users' hashes join the secrets.
    const rows = await getPrisma().user.findMany({ where: { tenant: { key: tenantKey } }, select: { passwordHash: true } });
    for (const row of rows) secret("bcrypt hash", row.passwordHash);
  }, 120_000);

  it("the log holds a request line with a request id for every API call, and the 500 and 503 with theirs", () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = entries.filter((e) => e.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(responses.length);
    for (const r of requests) {
      expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r).toMatchObject({
        method: expect.any(String),
        path: expect.stringMatching(/^\//),
        status: expect.any(Number),
        ms: expect.any(Number),
      });
    }
    // Each answer's X-Request-Id names its line.
    const ids = new Set(requests.map((r) => r.requestId));
    for (const res of responses) expect(ids.has(res.headers.get("x-request-id"))).toBe(true);
    const failed = entries.filter((e) => e.msg === "request failed");
    expect(failed.map((e) => e.appCode)).toEqual(expect.arrayContaining(["server/InternalError", "service/Unavailable"]));
    for (const f of failed) expect(ids.has(f.requestId)).toBe(true);
    expect(requests.some((r) => r.status === 500) && requests.some((r) => r.status === 503)).toBe(true);
    // REST calls have their lines too (path without the query), and the REST 503 its failure line.
    expect(requests.filter((r) => String(r.path).startsWith("/api/v1/")).length).toBeGreaterThan(15);
    expect(requests.some((r) => String(r.path).includes("?"))).toBe(false);
    expect(failed.some((f) => f.path === "clientEmailVerification.sendVerification" && f.appCode === "service/Unavailable")).toBe(true);
  });

  it("at rest: Redis and the database hold no password, code or token in the clear", async () => {
    const plain = [...secrets].filter(([, label]) => !/hash|sha256|AUTH_SECRET|header|cookie|csrf/.test(label));
    expect(plain.length).toBeGreaterThan(15);
    const redis = new Redis(process.env.REDIS_URL!);
    const stored: string[] = [];
    try {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${process.env.REDIS_KEY_PREFIX}*`, "COUNT", 1000);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === "string") stored.push(key, (await redis.get(key)) ?? "");
          else if (type === "hash") stored.push(key, JSON.stringify(await redis.hgetall(key)));
          else if (type === "zset") stored.push(key, JSON.stringify(await redis.zrange(key, 0, -1)));
          else stored.push(key);
        }
      } while (cursor !== "0");
    } finally {
      redis.disconnect();
    }
    expect(stored.some((entry) => entry.includes(":otp") || entry.includes("hmac"))).toBe(true); // the control
    const prisma = getPrisma();
    const tenants = await prisma.tenant.findMany({ where: { name: { startsWith: "Log scan" } }, include: { users: true, sessions: true } });
    const staff = await prisma.staffUser.findMany({ where: { email: { contains: "staff.example.com" } } });
    const audit = await prisma.auditEvent.findMany({ where: { tenantId: { in: tenants.map((t) => t.id) } } });
    const database = JSON.stringify([tenants, staff, audit], (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    );
    expect(database).toContain(tenants[0]!.users[0]!.passwordHash); // the control: the rows are there
    const atRest = `${stored.join("\n")}\n${database}`;
    const found = plain
      .filter(([value]) => (/^\d{6}$/.test(value) ? new RegExp(`(?<!\\d)${value}(?!\\d)`).test(atRest) : atRest.includes(value)))
      .map(([value, label]) => `${label}: ${value.slice(0, 12)}…`);
    expect(found).toEqual([]);
  });

  it("the log holds none of the secrets used or produced", () => {
    const log = lines.join("\n");
    expect(secrets.size).toBeGreaterThan(30);
    const found: string[] = [];
    for (const [value, label] of secrets) {
      // Codes are short: only a whole 6-digit run counts (timestamps and ids hold digits too).
      const present = /^\d{6}$/.test(value)
        ? new RegExp(`(?<!\\d)${value}(?!\\d)`).test(log)
        : log.includes(value) || log.includes(JSON.stringify(value).slice(1, -1));
      if (present) found.push(`${label}: ${value.slice(0, 16)}…`);
    }
    expect(found).toEqual([]);
    // No hash- or token-shaped text at all, whatever its origin.
    expect(log).not.toMatch(/\$2[aby]?\$\d\d\$/);
    expect(log).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./);
  });
});
