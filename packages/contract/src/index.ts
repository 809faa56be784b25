/**
 * @gatehouse/contract: the API contract as data, shared by the API (procedures' input and output
 * schemas), the BackOffice (form validation, label maps) and the SDK (its appCodes). Browser-safe:
 * zod is its only dependency, and nothing here touches Node.
 */
export * from "./app-codes";
export * from "./audit-actions";
export * from "./locales";
export * from "./fields";
export * from "./shapes";
export * from "./procedure";
export * from "./rest";
export { clientAuthContract } from "./client-auth";
export { clientEmailVerificationContract } from "./client-email-verification";
export { clientPasswordlessContract } from "./client-passwordless";
export { clientSocialContract } from "./client-social";
export { clientPhoneVerificationContract } from "./client-phone-verification";
export { clientPasswordResetContract } from "./client-password-reset";
export {
  auditLogContract,
  backOfficeContract,
  managersContract,
  socialProvidersContract,
  staffContract,
  tenantsContract,
  usersContract,
} from "./back-office";
export { contract, contractProcedures } from "./contract";
