import { auditLogContract as c } from "@gatehouse/contract";
import { staffProcedure } from "../../procedures";
import { listAuditEvents } from "../../services/back-office/audit-log";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": auditLog.list */
export const auditLogRouter = createTRPCRouter({
  list: staffProcedure
    .input(c.list.input)
    .output(c.list.output)
    .query(({ input }) => listAuditEvents(input)),
});
