import { managersContract as c } from "@gatehouse/contract";
import { adminProcedure } from "../../procedures";
import { issueManagerAccount } from "../../services/back-office/managers";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT.md "backOffice": managers.issue */
export const managersRouter = createTRPCRouter({
  issue: adminProcedure
    .input(c.issue.input)
    .output(c.issue.output)
    .mutation(({ ctx, input }) => issueManagerAccount(ctx.caller, input)),
});
