import { randomInt } from "node:crypto";
import { passwordProblem } from "../../policy/password-policy";

/**
 * Temporary passwords for issued and reset accounts: 20 characters drawn with a CSPRNG from an
 * alphabet without look-alikes (no 0/O, 1/l/I), about 115 bits; shown once, stored only hashed.
 */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const TEMPORARY_PASSWORD_LENGTH = 20;

export function generateTemporaryPassword(identity: { userId?: string | null; email?: string | null } = {}): string {
  for (;;) {
    let password = "";
    for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
    // Practically never true; checked so the guarantee does not rest on odds.
    if (!passwordProblem(password, identity)) return password;
  }
}
