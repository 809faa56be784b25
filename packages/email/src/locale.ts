/** Languages every Gatehouse mail is written in. Korean is the default. */
export type Locale = "ko" | "en";

export const LOCALES: readonly Locale[] = ["ko", "en"];

export const DEFAULT_LOCALE: Locale = "ko";

/** Maps any stored or user-supplied value onto a supported locale ("ko" when unknown). */
export function normalizeLocale(value: string | null | undefined): Locale {
  const lower = (value ?? "").trim().toLowerCase();
  if (lower === "en" || lower.startsWith("en-") || lower.startsWith("en_")) return "en";
  return DEFAULT_LOCALE;
}
