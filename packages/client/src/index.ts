/**
 * @gatehouse/client: the typed SDK product apps use to sign their users in with Gatehouse.
 *
 *   const { ClientAuth, ClientEmailVerification, ClientPasswordless, ClientSocial, ClientPhoneVerification, ClientPasswordReset, hooks } =
 *     createGatehouseClient({ baseUrl });
 *   const res = await ClientAuth.signUp({ body: { tenantKey, userId, password, displayName, email } });
 *   if (res.error) throw res.error; // res.error.appCode, res.error.status
 */
export { createGatehouseClient, type FetchLike, type GatehouseClient, type GatehouseClientOptions, type GatehouseHooks } from "./client";
export {
  clientAuthProcedures,
  clientEmailVerificationProcedures,
  clientPasswordlessProcedures,
  clientPasswordResetProcedures,
  clientPhoneVerificationProcedures,
  clientSocialProcedures,
  type ApiResult,
  type CallOptions,
  type ClientAuthFacade,
  type ClientEmailVerificationFacade,
  type ClientPasswordlessFacade,
  type ClientPasswordResetFacade,
  type ClientPhoneVerificationFacade,
  type FacadeArgs,
  type ResetVerifyCodeBody,
} from "./facades";
export {
  GatehouseError,
  isAppCode,
  isGatehouseError,
  toGatehouseError,
  type AppCodeData,
  type ErrorDataOf,
  type GatehouseErrorInit,
  type GatehouseErrorOf,
} from "./errors";
export type { ErrorOf, SocialCallbackErrorCode } from "./procedure-errors";
export {
  type ClientSocialFacade,
  type SignInWithTokenBody,
  type SocialProvider,
  type SocialSignIn,
  type SocialStartOptions,
  type SocialStartResult,
} from "./social";
export { gatehouseAuthLink, ACCESS_TOKEN_CONTEXT_KEY } from "./auth-link";
export {
  SessionManager,
  type GatehouseWarning,
  type LocksLike,
  type SessionChange,
  type SessionChangeReason,
  type SessionListener,
} from "./session";
export {
  browserStorageTokenStore,
  memoryTokenStore,
  type BrowserStorageTokenStoreOptions,
  type StorageLike,
  type StoredTokens,
  type TokenStore,
} from "./token-store";
export type {
  AppCode,
  ClientAppCode,
  ClientRouter,
  GatehouseTRPCError,
  ProcedurePath,
  RouterInputs,
  RouterOutputs,
  ServerAppCode,
  Session,
  SocialRedirectAppCode,
  TransportAppCode,
  User,
  ValidationIssue,
} from "./types";
