import { appError } from "../errors";
import { isStorableText } from "@gatehouse/contract";
import { middleware } from "../trpc";

/**
 * The path of a string in `input` that no database column can hold (see isStorableText), if any.
 * Iterative, so inputs nested thousands of levels deep cannot exhaust the stack.
 */
export function unstorableTextPath(input: unknown): (string | number)[] | undefined {
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
export const refuseUnstorableText = middleware(async ({ getRawInput, next }) => {
  const path = unstorableTextPath(await getRawInput());
  if (path) {
    const message = "Text must be well-formed Unicode without NUL (U+0000) characters.";
    throw appError("validation/Invalid", { message, issues: [{ path, message }] });
  }
  return next();
});
