import { initTRPC, type TRPCMiddlewareFunction } from "@trpc/server";
import type { Context } from "./context";
import { formatError } from "./error-shape";
import type { IpLimitName } from "./policy/rate-limits";

/**
 * What a procedure declares in `.meta()`, read by the building blocks in procedures.ts. The
 * contract's "who" column gives the first two.
 * @public: no module imports it, but the SDK's declarations name it (the routers' type carries it).
 */
export interface Meta {
  /** `U`: allowed for an unverified self-signed-up user. */
  allowUnverifiedEmail?: boolean;
  /** `C`: allowed while a password change is required. */
  allowPasswordChangeRequired?: boolean;
  /** The per-IP limit every call counts against (policy/rate-limits.ts): 429 past it. */
  ipLimit?: IpLimitName;
  /**
   * Count `ipLimit` only once the input passed its schema (middleware/ip-limit.ts
   * inputCheckedIpLimit), as CONTRACT v2 orders the checks of its new public procedures.
   */
  ipLimitAfterInput?: boolean;
}

/**
 * tRPC init. No transformer: plain JSON in and out (CONTRACT "Wire format"). Every error leaves
 * through `formatError`, which gives it its appCode and status.
 */
const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter: ({ error, path }) => formatError(error, path),
    isDev: false,
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;
/** The bare procedure; routers use the named ones built on it in procedures.ts. */
export const bareProcedure = t.procedure;

/**
 * A middleware that runs behind others which put `Before` into the context, e.g. a gate behind
 * the session check: it reads `ctx.auth` typed, with no cast.
 */
export type MiddlewareAfter<Before extends object> = TRPCMiddlewareFunction<Context, Meta, Before, object, unknown>;
