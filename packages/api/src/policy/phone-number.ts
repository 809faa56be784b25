import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { invalidField } from "../errors";

/**
 * CONTRACT v2 "Phone numbers": a `phone` input is E.164 (`+821012345678`) or a national number of
 * the tenant's first `phoneCountries` entry (`010-1234-5678`, `01012345678`). It is read with
 * libphonenumber-js's full metadata (`/max`: the only build that knows which ranges are mobile)
 * and must be a valid, mobile-capable number (type MOBILE or FIXED_LINE_OR_MOBILE, as in the US
 * where the two share ranges) of an allowed country; `[]` allows any country but then only `+`
 * numbers, since there is no region to read a national number in. Anything else is a 400
 * `validation/Invalid` on `phone`.
 */

/** Digits with the usual separators, an optional leading `+`; nothing else (no letters, no "ext."). */
const PHONE_CHARACTERS = /^\+?[0-9(][0-9 ().-]*$/;

const MOBILE_CAPABLE = new Set(["MOBILE", "FIXED_LINE_OR_MOBILE"]);

const invalidPhone = () => invalidField("phone", "Enter a mobile phone number of an allowed country.");

/** The number as E.164, or a 400 on `phone`. */
export function normalizePhone(input: string, phoneCountries: readonly string[]): string {
  const text = input.trim();
  if (!PHONE_CHARACTERS.test(text)) throw invalidPhone();
  const international = text.startsWith("+");
  const region = phoneCountries[0] as CountryCode | undefined;
  // A national number needs the tenant's region; `[]` has none.
  if (!international && region === undefined) throw invalidPhone();
  const parsed = international ? parsePhoneNumberFromString(text) : parsePhoneNumberFromString(text, region);
  if (!parsed?.isValid()) throw invalidPhone();
  const type = parsed.getType();
  if (type === undefined || !MOBILE_CAPABLE.has(type)) throw invalidPhone();
  if (phoneCountries.length > 0 && (parsed.country === undefined || !phoneCountries.includes(parsed.country))) throw invalidPhone();
  return parsed.number;
}
