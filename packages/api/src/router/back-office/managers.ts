import { managersContract } from "@gatehouse/contract";
import { adminProcedure } from "../../procedures";
import { issueManagerAccount } from "../../services/back-office/managers";
import { createTRPCRouter } from "../../trpc";
import { callerOf } from "./caller";

/** CONTRACT.md "backOffice": managers.issue */
export const managersRouter = createTRPCRouter({
  issue: adminProcedure
    .input(managersContract.issue.input).output(managersContract.issue.output)
    .mutation(({ ctx, input }) => issueManagerAccount(input, callerOf(ctx))),
});
