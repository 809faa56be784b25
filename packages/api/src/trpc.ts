import { initTRPC } from "@trpc/server";
import type { Context } from "./context";
import { formatError } from "./error-shape";
import { appError } from "./errors";
import { isStorableText } from "./policy/inputs";

/**
 * Per-procedure marks from the contract's "who" column.
 * @public: no module imports it, but the SDK's declarations name it (the routers' type carries it).
 */
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

/**
 * The path of a string in `input` that no database column can hold (see isStorableText), if any.
 * Iterative, so inputs nested thousands of levels deep cannot exhaust the stack.
 */
function unstorableTextPath(input: unknown): (string | number)[] | undefined {
  type Entry = { value: unknown; key?: string | number; parent?: Entry };
  const stack: Entry[] = [{ value: input }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value } = entry;
    if (typeof value === "string") {
      if (isStorableText(value)) continue;
      const path: (string | number)[] = [];
      for (let at: Entry | undefined = entry; at?.key !== undefined; at = at.parent) path.unshift(at.key);
      return path;
    }
    if (Array.isArray(value)) value.forEach((item, key) => stack.push({ value: item, key, parent: entry }));
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, key, parent: entry });
    }
  }
  return undefined;
}

/**
 * Such text is refused before any schema or query sees it: a 400 on the field, never a database
 * error (both were 500s, found by the fuzz suites). It runs first, so such an input is a 400 even
 * without credentials; it reveals nothing either way.
 */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const path = unstorableTextPath(await getRawInput());
  if (path) {
    const message = "Text must be well-formed Unicode without NUL (U+0000) characters.";
    throw appError("validation/Invalid", { message, issues: [{ path, message }] });
  }
  return next();
});

/** `P`: anyone may call. */
export const publicProcedure = t.procedure.use(refuseUnstorableText);
