import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { invalidField } from "../errors";

/**
 * New passwords (CONTRACT "Numbers"): normalized with NFKC first, then at least 8 characters
 * (code points) and at most 72 UTF-8 bytes (bcrypt's input; longer is refused, never truncated),
 * not on the shipped list of common passwords (case-insensitively), not equal to the userId or the
 * email. The normalized form is what is checked, hashed and compared, so the same password typed
 * on another keyboard or input method (full-width, composed or decomposed) is the same password.
 * Length is the schema's job (policy/inputs.ts); the rest is checked here.
 */
export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_BYTES = 72;

export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

let commonPasswords: Set<string> | undefined;

function listPath(): string {
  const candidates: string[] = [];
  for (const base of [import.meta.url, `${process.cwd()}/`]) {
    try {
      candidates.push(createRequire(base).resolve("@gatehouse/api/data/common-passwords.txt"));
    } catch {
      // try the next way
    }
  }
  candidates.push(path.resolve(process.cwd(), "packages/api/data/common-passwords.txt"));
  const found = candidates[0];
  if (!found) throw new Error("the common-password list is missing");
  return found;
}

function commonPasswordList(): Set<string> {
  if (!commonPasswords) {
    const lines = readFileSync(listPath(), "utf8").split("\n");
    commonPasswords = new Set(lines.filter((line) => line && !line.startsWith("#")).map((line) => line.trim().toLowerCase()));
  }
  return commonPasswords;
}

export function passwordProblem(password: string, identity: { userId?: string | null; email?: string | null }): string | undefined {
  const lower = normalizePassword(password).toLowerCase();
  if (commonPasswordList().has(lower)) return "This password is too common. Choose one that is harder to guess.";
  if (identity.userId && lower === identity.userId.toLowerCase()) return "The password must not be your user ID.";
  if (identity.email && lower === identity.email.toLowerCase()) return "The password must not be your email address.";
  return undefined;
}

/** Throws 400 validation/Invalid with an issue on `field` when the password is refused. */
export function assertPasswordAllowed(
  password: string,
  identity: { userId?: string | null; email?: string | null },
  field = "password",
): void {
  const problem = passwordProblem(password, identity);
  if (problem) throw invalidField(field, problem);
}
