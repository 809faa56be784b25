import { createTRPCRouter } from "../trpc";

export const clientEmailVerificationRouter = createTRPCRouter({});
