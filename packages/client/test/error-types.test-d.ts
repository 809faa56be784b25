/**
 * Type tests of the SDK's error types. Not run by vitest: `tsc --noEmit` in this package (CI's
 * typecheck) checks them, so a wrong type here fails the build. Each `@ts-expect-error` line must
 * stay an error, and each `expectTypeOf` must hold.
 */
import { useQuery } from "@tanstack/react-query";
import { describe, expectTypeOf, it } from "vitest";
import {
  createGatehouseClient,
  GatehouseError,
  isAppCode,
  isGatehouseError,
  toGatehouseError,
  type AppCode,
  type ClientAppCode,
  type ErrorOf,
  type GatehouseErrorOf,
  type GatehouseTRPCError,
  type ProcedurePath,
  type ServerAppCode,
  type SocialCallbackErrorCode,
  type SocialRedirectAppCode,
  type TransportAppCode,
  type ValidationIssue,
} from "../src";
import {
  useEmailCodeSignIn,
  useGatehouseError,
  usePasswordReset,
  usePhoneVerification,
  useTRPC,
  type EmailCodeSignInError,
  type PasswordResetError,
  type PhoneVerificationError,
} from "../src/react";
import type { ContractErrorOf, procedureErrors } from "../src/procedure-errors";

const { ClientAuth, ClientEmailVerification, ClientPasswordless, trpc } = createGatehouseClient({ baseUrl: "https://auth.example.com" });
const body = { tenantKey: "acme", userId: "ada", password: "a-long-passphrase" };

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe("AppCode", () => {
  it("is closed: a typo is not an appCode", () => {
    // @ts-expect-error a typo (the catalogue's is auth/InvalidCredentials)
    const typo: AppCode = "auth/InvalidCredential";
    void typo;
    expectTypeOf<string>().not.toExtend<AppCode>();
    expectTypeOf<AppCode>().toEqualTypeOf<ServerAppCode | SocialRedirectAppCode | ClientAppCode>();
  });

  it("isAppCode narrows unknown values", () => {
    const value: unknown = "auth/InvalidCredentials";
    if (isAppCode(value)) expectTypeOf(value).toEqualTypeOf<AppCode>();
  });
});

describe("ErrorOf<path>", () => {
  it("is the contract's errors list, the transport's codes and the SDK's", () => {
    expectTypeOf<ErrorOf<"clientAuth.signIn">>().toEqualTypeOf<
      | "rateLimit/TooManyRequests"
      | "tenant/NotFound"
      | "auth/InvalidCredentials"
      | "auth/AccountSuspended"
      | "validation/Invalid"
      | "service/Unavailable"
      | "server/InternalError"
      | TransportAppCode
      | ClientAppCode
    >();
  });

  it("lists every procedure's codes exactly as the contract does (the SDK's copy has not drifted)", () => {
    type Drift = { [P in ProcedurePath]: Same<(typeof procedureErrors)[P][number], ContractErrorOf<P>> };
    expectTypeOf<Drift>().toEqualTypeOf<{ [P in ProcedurePath]: true }>();
  });

  it("types a facade's answer, so a switch over it is exhaustive and a foreign case does not compile", async () => {
    const res = await ClientAuth.signIn({ body });
    if (!res.error) return;
    expectTypeOf(res.error).toEqualTypeOf<GatehouseErrorOf<ErrorOf<"clientAuth.signIn">>>();
    expectTypeOf(res.error).toExtend<GatehouseError>();
    switch (res.error.appCode) {
      // @ts-expect-error signIn never answers a cooldown
      case "emailVerification/CooldownActive":
        break;
      // @ts-expect-error a typo'd appCode
      case "auth/InvalidCredential":
        break;
      case "rateLimit/TooManyRequests":
      case "tenant/NotFound":
      case "auth/InvalidCredentials":
      case "auth/AccountSuspended":
      case "validation/Invalid":
      case "service/Unavailable":
      case "server/InternalError":
      case "request/Malformed":
      case "request/NotFound":
      case "request/MethodNotAllowed":
      case "request/PayloadTooLarge":
      case "request/UnsupportedMediaType":
        break;
      default:
        // Every server code is handled above: what is left is the SDK's own.
        expectTypeOf(res.error.appCode).toEqualTypeOf<ClientAppCode>();
    }
  });
});

describe("ClientPasswordless", () => {
  it("narrows verify's answer on needSignup: a session, or a signupToken", async () => {
    const res = await ClientPasswordless.verify({ body: { tenantKey: "acme", email: "ada@example.com", code: "123456" } });
    if (res.error) return;
    if (res.data.needSignup) {
      expectTypeOf(res.data.signupToken).toEqualTypeOf<string>();
      // @ts-expect-error no session without an account
      void res.data.accessToken;
    } else {
      expectTypeOf(res.data.accessToken).toEqualTypeOf<string>();
      expectTypeOf(res.data.user.hasPassword).toEqualTypeOf<boolean>();
    }
  });

  it("types each procedure's errors, so a switch over register's is exhaustive", async () => {
    // @ts-expect-error register takes a signupToken, not an email
    void ClientPasswordless.register({ body: { email: "ada@example.com", displayName: "Ada" } });
    const res = await ClientPasswordless.register({ body: { signupToken: "t", displayName: "Ada" } });
    if (!res.error) return;
    switch (res.error.appCode) {
      // @ts-expect-error register never answers a wrong code
      case "emailVerification/InvalidCode":
        break;
      case "rateLimit/TooManyRequests":
      case "auth/InvalidSignupToken":
      case "tenant/NotFound":
      case "auth/MethodNotEnabled":
      case "user/UserIdDuplicated":
      case "user/EmailDuplicated":
      case "validation/Invalid":
      case "service/Unavailable":
      case "server/InternalError":
      case "request/Malformed":
      case "request/NotFound":
      case "request/MethodNotAllowed":
      case "request/PayloadTooLarge":
      case "request/UnsupportedMediaType":
        break;
      default:
        expectTypeOf(res.error.appCode).toEqualTypeOf<ClientAppCode>();
    }
    const sent = await ClientPasswordless.sendCode({ body: { tenantKey: "acme", email: "ada@example.com" } });
    if (sent.error?.appCode === "emailVerification/CooldownActive")
      expectTypeOf(sent.error.data.nextResendAvailableAt).toEqualTypeOf<string>();
  });

  it("gives the hook's error the three procedures' codes", () => {
    function Flow() {
      const flow = useEmailCodeSignIn({ tenantKey: "acme" });
      expectTypeOf(flow.error).toEqualTypeOf<EmailCodeSignInError | null>();
      expectTypeOf<EmailCodeSignInError["appCode"]>().toEqualTypeOf<
        ErrorOf<"clientPasswordless.sendCode"> | ErrorOf<"clientPasswordless.verify"> | ErrorOf<"clientPasswordless.register">
      >();
      // @ts-expect-error none of the three answers a password change
      if (flow.error?.appCode === "auth/PasswordChangeRequired") return null;
      return null;
    }
    void Flow;
  });
});

describe("data, issues and serverAppCode by appCode", () => {
  it("gives CooldownActive its nextResendAvailableAt, and codes without data none", async () => {
    const res = await ClientEmailVerification.sendVerification({ body: { email: "ada@example.com" } });
    if (!res.error) return;
    const error = res.error;
    if (error.appCode === "emailVerification/CooldownActive") {
      expectTypeOf(error.data.nextResendAvailableAt).toEqualTypeOf<string>();
      expectTypeOf(error.serverAppCode).toEqualTypeOf<"emailVerification/CooldownActive">();
      expectTypeOf(error.issues).toEqualTypeOf<undefined>();
    }
    if (error.appCode === "user/EmailDuplicated") {
      expectTypeOf(error.data).toEqualTypeOf<undefined>();
      // @ts-expect-error no data fields with this code
      void error.data.nextResendAvailableAt;
    }
    if (error.appCode === "validation/Invalid") expectTypeOf(error.issues).toEqualTypeOf<ValidationIssue[]>();
    if (error.appCode === "client/UnexpectedAppCode") {
      expectTypeOf(error.serverAppCode).toEqualTypeOf<string>();
      expectTypeOf(error.data).toEqualTypeOf<Readonly<Record<string, unknown>> | undefined>();
    }
    if (error.appCode === "network/Unavailable") expectTypeOf(error.serverAppCode).toEqualTypeOf<undefined>();
    // Before narrowing, the field is not there to read without a check.
    // @ts-expect-error data may be undefined
    void error.data.nextResendAvailableAt;
  });

  it("keeps instanceof and the guards working on every variant", () => {
    const thrown: unknown = new Error("x");
    if (thrown instanceof GatehouseError) {
      expectTypeOf(thrown).toEqualTypeOf<GatehouseErrorOf>();
      if (thrown.appCode === "emailVerification/CooldownActive") expectTypeOf(thrown.data.nextResendAvailableAt).toEqualTypeOf<string>();
    }
    if (isGatehouseError(thrown)) expectTypeOf(thrown).toEqualTypeOf<GatehouseErrorOf>();
    const made = new GatehouseError({
      appCode: "emailVerification/CooldownActive",
      status: 429,
      message: "wait",
      data: { nextResendAvailableAt: "" },
    });
    expectTypeOf(made.data.nextResendAvailableAt).toEqualTypeOf<string>();
    // @ts-expect-error CooldownActive's data is required
    void new GatehouseError({ appCode: "emailVerification/CooldownActive", status: 429, message: "wait" });
    // @ts-expect-error the fallback keeps the code as sent
    void new GatehouseError({ appCode: "client/UnexpectedAppCode", status: 418, message: "?" });
  });
});

describe("tRPC errors", () => {
  it("types error.data.appCode on the tRPC client's rejections", async () => {
    try {
      await trpc.clientAuth.me.query();
    } catch (caught) {
      const error = caught as GatehouseTRPCError;
      expectTypeOf(error.data?.appCode).toEqualTypeOf<ServerAppCode | undefined>();
      expectTypeOf(toGatehouseError(caught)).toEqualTypeOf<GatehouseErrorOf>();
      expectTypeOf(toGatehouseError(caught, "clientAuth.me")).toEqualTypeOf<GatehouseErrorOf<ErrorOf<"clientAuth.me">>>();
      // @ts-expect-error not a procedure of the SDK's router
      toGatehouseError(caught, "backOffice.tenants.list");
    }
  });

  it("types the React hooks' errors", () => {
    function Me() {
      const me = useQuery(useTRPC().clientAuth.me.queryOptions());
      expectTypeOf(me.error?.data?.appCode).toEqualTypeOf<ServerAppCode | undefined>();
      const error = useGatehouseError(me.error, "clientAuth.me");
      if (error?.appCode === "auth/Unauthenticated") expectTypeOf(error.serverAppCode).toEqualTypeOf<"auth/Unauthenticated">();
      // @ts-expect-error me never answers a cooldown
      if (error?.appCode === "emailVerification/CooldownActive") return null;
      expectTypeOf(useGatehouseError(me.error)).toEqualTypeOf<GatehouseErrorOf | null>();
      return null;
    }
    void Me;
  });
});

describe("ClientSocial", () => {
  const { ClientSocial } = createGatehouseClient({ baseUrl: "https://auth.example.com" });

  it("types handleCallback's error with the redirect's codes, exchange's and the SDK's", async () => {
    const res = await ClientSocial.handleCallback("https://app.example.com/cb?code=a&state=b");
    if (!res.error) {
      expectTypeOf(res.data.isNewUser).toEqualTypeOf<boolean>();
      return;
    }
    expectTypeOf(res.error).toEqualTypeOf<GatehouseErrorOf<SocialCallbackErrorCode>>();
    expectTypeOf<
      "social/AccessDenied" | "social/ProviderError" | "social/InvalidState" | "social/InvalidCode"
    >().toExtend<SocialCallbackErrorCode>();
    expectTypeOf<SocialRedirectAppCode>().toExtend<AppCode>();
    if (res.error.appCode === "social/AccessDenied") expectTypeOf(res.error.serverAppCode).toEqualTypeOf<"social/AccessDenied">();
    switch (res.error.appCode) {
      // @ts-expect-error the callback never answers a resend cooldown
      case "emailVerification/CooldownActive":
        break;
    }
  });

  it("takes the one kind of native token each provider accepts", async () => {
    await ClientSocial.signInWithToken({ body: { tenantKey: "acme", provider: "google", idToken: "t" } });
    await ClientSocial.signInWithToken({ body: { tenantKey: "acme", provider: "kakao", accessToken: "t" } });
    // @ts-expect-error Google takes an idToken, never an access token
    await ClientSocial.signInWithToken({ body: { tenantKey: "acme", provider: "google", accessToken: "t" } });
    // @ts-expect-error Naver takes an accessToken
    await ClientSocial.signInWithToken({ body: { tenantKey: "acme", provider: "naver", idToken: "t" } });
    // @ts-expect-error not a provider
    await ClientSocial.start({ tenantKey: "acme", provider: "github", redirectUri: "https://app.example.com/cb" });
  });
});

describe("ClientPhoneVerification and ClientPasswordReset", () => {
  const { ClientPhoneVerification, ClientPasswordReset } = createGatehouseClient({ baseUrl: "https://auth.example.com" });

  it("types the phone cooldown's data and verifyPhone's codes", async () => {
    const sent = await ClientPhoneVerification.sendCode({ body: { phone: "010-1234-5678" } });
    if (sent.error?.appCode === "smsVerification/CooldownActive")
      expectTypeOf(sent.error.data.nextResendAvailableAt).toEqualTypeOf<string>();
    const res = await ClientPhoneVerification.verifyPhone({ body: { code: "123456" } });
    if (!res.error) {
      expectTypeOf(res.data.user.phone).toEqualTypeOf<string | null>();
      return;
    }
    switch (res.error.appCode) {
      // @ts-expect-error a phone code is never an email code
      case "emailVerification/InvalidCode":
        break;
      case "smsVerification/InvalidCode":
      case "user/PhoneDuplicated":
      case "auth/Unauthenticated":
      case "auth/AccountSuspended":
      case "auth/PasswordChangeRequired":
      case "rateLimit/TooManyRequests":
      case "validation/Invalid":
      case "service/Unavailable":
      case "server/InternalError":
      case "request/Malformed":
      case "request/NotFound":
      case "request/MethodNotAllowed":
      case "request/PayloadTooLarge":
      case "request/UnsupportedMediaType":
        break;
      default:
        expectTypeOf(res.error.appCode).toEqualTypeOf<ClientAppCode>();
    }
  });

  it("takes verifyCode with exactly one of phone and email", async () => {
    await ClientPasswordReset.verifyCode({ body: { tenantKey: "acme", code: "123456", phone: "+821012345678" } });
    await ClientPasswordReset.verifyCode({ body: { tenantKey: "acme", code: "123456", email: "ada@example.com" } });
    // @ts-expect-error both
    await ClientPasswordReset.verifyCode({ body: { tenantKey: "acme", code: "123456", phone: "+821012345678", email: "ada@example.com" } });
    // @ts-expect-error neither
    await ClientPasswordReset.verifyCode({ body: { tenantKey: "acme", code: "123456" } });
    const res = await ClientPasswordReset.verifyCode({ body: { tenantKey: "acme", code: "123456", email: "ada@example.com" } });
    if (!res.error) expectTypeOf(res.data).toEqualTypeOf<{ resetToken: string; resetTokenExpiresAt: string; userId: string }>();
    const done = await ClientPasswordReset.resetPassword({ body: { resetToken: "t", newPassword: "a-long-passphrase" } });
    // @ts-expect-error resetPassword never answers a code error
    if (done.error?.appCode === "emailVerification/InvalidCode") return;
    const mailed = await ClientPasswordReset.sendEmailCode({ body: { tenantKey: "acme", email: "ada@example.com" } });
    // @ts-expect-error the email send is never switched off
    if (mailed.error?.appCode === "auth/MethodNotEnabled") return;
  });

  it("gives the hooks' errors their procedures' codes", () => {
    function Flows() {
      const reset = usePasswordReset({ tenantKey: "acme" });
      expectTypeOf<PasswordResetError["appCode"]>().toEqualTypeOf<
        | ErrorOf<"clientPasswordReset.sendSmsCode">
        | ErrorOf<"clientPasswordReset.sendEmailCode">
        | ErrorOf<"clientPasswordReset.verifyCode">
        | ErrorOf<"clientPasswordReset.resetPassword">
      >();
      // @ts-expect-error no session, so no gate
      if (reset.error?.appCode === "auth/PasswordChangeRequired") return null;
      const phone = usePhoneVerification();
      expectTypeOf(phone.error).toEqualTypeOf<PhoneVerificationError | null>();
      // @ts-expect-error phone verification has no tenant to miss
      if (phone.error?.appCode === "tenant/NotFound") return null;
      return null;
    }
    void Flows;
  });
});
