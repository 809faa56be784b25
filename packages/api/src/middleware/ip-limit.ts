import { enforceIpLimit } from "../policy/rate-limits";
import { middleware } from "../trpc";

/**
 * The per-IP limit a procedure declares (`.meta({ ipLimit: "signUp" })`), counted where its base
 * procedure (procedures.ts) puts this block: last, behind the access checks and before the input
 * is parsed. So a public procedure counts every call, malformed ones too, while an authenticated
 * one counts only callers who passed its gates (an unauthenticated flood stays 401, never 429).
 */
export const declaredIpLimit = middleware(async ({ ctx, meta, next }) => {
  if (meta?.ipLimit) await enforceIpLimit(meta.ipLimit, ctx.ip);
  return next();
});
