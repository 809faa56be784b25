/**
 * The API's test kit (`@gatehouse/api/testing`, a test-only export: nothing in src imports it):
 * the real handler in-process, one fixture set, the typed behaviour client and `expectError`.
 * Raw HTTP (./wire.ts) is for tests about the wire itself.
 */
export { hasRedis, startServer, type ServerOptions, type TestServer } from "./server";
export { useServer, suiteEnv, type Suite, type SuiteOptions } from "./suite";
export {
  apiClient,
  callByName,
  clientAt,
  randomIp,
  withResponse,
  type Api,
  type ApiClientOptions,
  type Client,
  type RouterInputs,
  type RouterOutputs,
  type Session,
  type UserDto,
} from "./client";
export { contractStatus, expectError, expectInvalidField, expectNoSecrets, settle, type ErrorAnswer, type Outcome } from "./expect";
export {
  auditActionsFor,
  auditEvents,
  claimsOf,
  createTenant,
  eventually,
  issueManager,
  kidOf,
  newPassword,
  plantSession,
  sendCode,
  sessionRowOf,
  sidOf,
  signedInStaff,
  signInUser,
  signUpUser,
  sleep,
  unique,
  verifiedUser,
  verifyCode,
  wrongCode,
  type SignedUp,
  type TenantOptions,
  type TestStaff,
} from "./fixtures";
export { call, sessionCookieOf, setCookiesOf, signInStaff, type CallResult } from "./wire";
