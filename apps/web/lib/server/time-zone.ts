import "server-only";
import { cookies } from "next/headers";
import { DEFAULT_TIME_ZONE, isValidTimeZone } from "../format";

/** Cookie the browser sets with its IANA time zone (components/time-zone-sync.tsx). */
const TIME_ZONE_COOKIE = "gh_tz";

/** The staff member's time zone as their browser reports it; UTC until it has. */
export async function staffTimeZone(): Promise<string> {
  const value = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  return isValidTimeZone(value) ? value : DEFAULT_TIME_ZONE;
}
