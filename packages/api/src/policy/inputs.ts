import { z } from "zod";
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARACTERS, normalizePassword } from "./password-policy";

/**
 * The contract's field rules (CONTRACT.md "Numbers"), one schema each, shared by every router.
 * Strings are normalized (trimmed, lower-cased) before they are checked.
 */
const utf8Bytes = (value: string) => Buffer.byteLength(value, "utf8");
/** Characters as people count them: code points, so an emoji is one, not two UTF-16 units. */
const characters = (value: string) => [...value].length;

/**
 * Whether text can be stored and queried at all: PostgreSQL text cannot hold U+0000, and Prisma's
 * engine refuses to decode a lone UTF-16 surrogate (with the u flag, \p{Cs} matches only those).
 * The base procedure refuses any input holding such a string (a 400, never a database error).
 */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !/\p{Cs}/u.test(value);
}

export const tenantKeySchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,31}$/, "Use 2-32 lower-case letters, digits or hyphens, starting with a letter or digit.");

export const userIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, "Use 3-32 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit.");

export const emailSchema = z
  .string()
  .trim()
  .max(254, "An email address has at most 254 characters.")
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }));

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a display name.")
  .refine((value) => characters(value) <= 64, "A display name has at most 64 characters.");

/**
 * A new password, normalized (NFKC) and then measured: the output is the normalized form, which is
 * what services check and hash (the common-password and identity rules come in passwordPolicy).
 */
export const newPasswordSchema = z
  .string()
  .normalize("NFKC")
  .refine((value) => characters(value) >= PASSWORD_MIN_CHARACTERS, `A password has at least ${PASSWORD_MIN_CHARACTERS} characters.`)
  .refine(
    (value) => utf8Bytes(value) <= PASSWORD_MAX_BYTES,
    `A password has at most ${PASSWORD_MAX_BYTES} bytes (UTF-8, after Unicode normalization); longer ones are refused, never truncated.`,
  );

/** What signIn accepts: any 1..64 characters (unknown ones are simply 401). */
export const signInUserIdSchema = z
  .string()
  .min(1, "Enter your user ID.")
  .refine((value) => characters(value) <= 64, "A user ID has at most 64 characters.");
/**
 * An existing password, as typed (the services normalize it before comparing, and compare the
 * typed form too for hashes made before normalization): 1..72 bytes, as typed or once normalized,
 * so whatever newPasswordSchema accepted signs in.
 */
export const existingPasswordSchema = z
  .string()
  .min(1, "Enter the password.")
  .refine(
    (value) => utf8Bytes(value) <= PASSWORD_MAX_BYTES || utf8Bytes(normalizePassword(value)) <= PASSWORD_MAX_BYTES,
    `A password has at most ${PASSWORD_MAX_BYTES} bytes.`,
  );

export const refreshTokenSchema = z.string().min(1).max(512);
export const uuidSchema = z.uuid();
export const otpCodeSchema = z.string().regex(/^\d{6}$/, "The code is 6 digits.");

/** Lists: `{cursor?, limit?}` with limit 1..100, default 20. */
export const pageSchema = {
  cursor: z.string().max(200).optional().nullable(),
  limit: z.number().int().min(1).max(100).default(20),
};
