import { initTRPC } from "@trpc/server";
import type { Context } from "./context";
import { formatError } from "./error-shape";

/** Per-procedure marks from the contract's "who" column. */
export interface Meta {
  /** `U`: allowed for an unverified self-signed-up user. */
  allowUnverifiedEmail?: boolean;
  /** `C`: allowed while a password change is required. */
  allowPasswordChangeRequired?: boolean;
}

/**
 * tRPC init and the base procedures. No transformer: plain JSON in and out (CONTRACT "Wire
 * format"). Every error leaves through `formatError`, which gives it its appCode and status.
 */
const t = initTRPC.context<Context>().meta<Meta>().create({
  errorFormatter: ({ error, path }) => formatError(error, path),
  isDev: false,
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** `P`: anyone may call. */
export const publicProcedure = t.procedure;
