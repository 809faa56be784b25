import { SmsDeliveryError } from "./sender";
import { maskPhone } from "./url";

/**
 * One gateway call on fetch, bounded by OUTBOUND_TIMEOUT_MS: no answer (refused connection,
 * timeout) → `unreachable`; a 5xx → `unreachable`; a 4xx → `refused`. The answer's JSON (or
 * null) is handed back for the caller's own error shapes. `what` names the gateway in messages.
 */
export async function callGateway(
  what: string,
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new SmsDeliveryError("unreachable", timedOut ? `${what} did not answer within ${timeoutMs} ms` : `${what} is unreachable`);
  }
  let body: unknown = null;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.status >= 500) throw new SmsDeliveryError("unreachable", `${what} answered ${response.status}`);
  return { status: response.status, body };
}

/**
 * A short, safe excerpt of a gateway's own error words (one line): Twilio's messages quote the
 * number, so digit runs are masked (a number keeps its ends, shorter runs go entirely).
 */
export function gatewayWords(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return "";
  return value
    .replace(/\s+/g, " ")
    .slice(0, 160)
    .replace(/\+?\d{6,}/g, (run) => (run.length >= 10 ? maskPhone(run) : "[redacted]"));
}
