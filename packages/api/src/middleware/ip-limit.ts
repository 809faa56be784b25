import { enforceIpLimit } from "../policy/rate-limits";
import { middleware } from "../trpc";

/**
 * The per-IP limit a procedure declares (`.meta({ ipLimit: "signUp" })`), counted where its base
 * procedure (procedures.ts) puts this block: last, behind the access checks and before the input
 * is parsed. So a public procedure counts every call, malformed ones too, while an authenticated
 * one counts only callers who passed its gates (an unauthenticated flood stays 401, never 429).
 */
export const declaredIpLimit = middleware(async ({ ctx, meta, next }) => {
  if (meta?.ipLimit && !meta.ipLimitAfterInput) await enforceIpLimit(meta.ipLimit, ctx.ip);
  return next();
});

/**
 * The declared per-IP limit of a procedure marked `ipLimitAfterInput`, placed after its
 * `.input()`: CONTRACT v2 "Order of checks" puts the input schema (400) before the per-IP limit
 * (429) for the v2 public procedures, so a malformed call is a 400 and spends nothing.
 */
export const inputCheckedIpLimit = middleware(async ({ ctx, meta, next }) => {
  if (meta?.ipLimit && meta.ipLimitAfterInput) await enforceIpLimit(meta.ipLimit, ctx.ip);
  return next();
});
