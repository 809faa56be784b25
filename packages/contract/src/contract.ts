import { backOfficeContract } from "./back-office";
import { clientAuthContract } from "./client-auth";
import { clientEmailVerificationContract } from "./client-email-verification";
import { clientPasswordlessContract } from "./client-passwordless";
import { clientPasswordResetContract } from "./client-password-reset";
import { clientPhoneVerificationContract } from "./client-phone-verification";
import { clientSocialContract } from "./client-social";
import type { ProcedureContract } from "./procedure";

/** Every procedure of the API's root router, by the same paths (`contract.clientAuth.signIn`). */
export const contract = {
  clientAuth: clientAuthContract,
  clientEmailVerification: clientEmailVerificationContract,
  clientPasswordless: clientPasswordlessContract,
  clientSocial: clientSocialContract,
  clientPhoneVerification: clientPhoneVerificationContract,
  clientPasswordReset: clientPasswordResetContract,
  backOffice: backOfficeContract,
};

function isProcedure(value: object): value is ProcedureContract {
  return "kind" in value && "output" in value && "errors" in value;
}

function flatten(node: object, prefix: string, into: Map<string, ProcedureContract>): Map<string, ProcedureContract> {
  for (const [key, value] of Object.entries(node) as [string, object][]) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isProcedure(value)) into.set(path, value);
    else flatten(value, path, into);
  }
  return into;
}

/** The same entries by dotted path (`"backOffice.tenants.get"`), as tRPC names procedures. */
export const contractProcedures: ReadonlyMap<string, ProcedureContract> = flatten(contract, "", new Map());
