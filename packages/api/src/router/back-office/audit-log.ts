import { auditLogContract } from "@gatehouse/contract";
import { staffProcedure } from "../../procedures";
import { listAuditEvents } from "../../services/back-office/audit-log";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": auditLog.list */
export const auditLogRouter = createTRPCRouter({
  list: staffProcedure
    .input(auditLogContract.list.input).output(auditLogContract.list.output)
    .query(({ input }) => listAuditEvents(input)),
});
