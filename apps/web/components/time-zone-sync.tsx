"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

const COOKIE = "gh_tz";

/**
 * Tells the server the browser's time zone (a cookie), so server-rendered times are in the
 * staff member's zone. Re-renders once when the zone is first learned or has changed.
 */
export function TimeZoneSync({ serverZone }: { serverZone: string }) {
  const router = useRouter();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === serverZone) return;
    document.cookie = `${COOKIE}=${encodeURIComponent(zone)}; Path=/backoffice; Max-Age=31536000; SameSite=Lax`;
    router.refresh();
  }, [serverZone, router]);
  return null;
}
