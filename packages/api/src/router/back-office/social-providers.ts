import { socialProvidersContract as c } from "@gatehouse/contract";
import { adminProcedure, staffProcedure } from "../../procedures";
import { listSocialProviders, removeSocialProvider, setSocialProvider } from "../../services/back-office/social-providers";
import { createTRPCRouter } from "../../trpc";

/** CONTRACT v2 "backOffice additions": socialProviders.* (the client secret is write-only). */
export const socialProvidersRouter = createTRPCRouter({
  list: staffProcedure
    .input(c.list.input)
    .output(c.list.output)
    .query(({ input }) => listSocialProviders(input.tenantKey)),

  set: adminProcedure
    .input(c.set.input)
    .output(c.set.output)
    .mutation(({ ctx, input }) => setSocialProvider(ctx.caller, input)),

  remove: adminProcedure
    .input(c.remove.input)
    .output(c.remove.output)
    .mutation(({ ctx, input }) => removeSocialProvider(ctx.caller, input)),
});
