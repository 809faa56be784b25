/**
 * Small string helpers shared by the templates and the renderer.
 * Kept free of React so they can be unit-tested and reused.
 */

/** U+2009 THIN SPACE: visible as a narrow gap, never a digit, not collapsed by html-to-text. */
const DIGIT_GROUP_SEPARATOR = "\u2009";

/**
 * Splits every run of 6 or more decimal digits (any script: ASCII, full-width, ...)
 * into groups of 3 separated by a thin space.
 *
 * The verification mail promises that its plain-text part contains the code as its only
 * run of 6 digits; any other text that ends up in that mail (the tenant name, chiefly)
 * goes through this first, so a tenant called "Shop 1234567" cannot break that promise.
 */
export function breakLongDigitRuns(value: string): string {
  return value.replace(/\p{Nd}{6,}/gu, (run) => {
    const digits = Array.from(run);
    const groups: string[] = [];
    for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3).join(""));
    return groups.join(DIGIT_GROUP_SEPARATOR);
  });
}

/** Collapses line breaks, control characters and repeated white space into single spaces. */
export function singleLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/**
 * Returns the URL as a string when it is an absolute http(s) URL, otherwise null.
 * Links in mail never point anywhere else (no javascript:, data:, mailto: ...).
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password) return null;
  return url.toString();
}

/**
 * The tenant's name as a mail shows it: one line, no run of 6+ digits (so a code stays the only
 * one), "Gatehouse" when nothing is left.
 */
export function tenantLabel(tenantName: string): string {
  return breakLongDigitRuns(singleLine(tenantName)) || "Gatehouse";
}
