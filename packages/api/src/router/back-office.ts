import { createTRPCRouter } from "../trpc";

export const backOfficeRouter = createTRPCRouter({});
