import type { PagesApi } from "./pages";

/**
 * The one crossing between the front server and Next's server code, which Next compiles into
 * bundles of its own: the front server hands over the API it built (pages.ts) before Next starts,
 * and Next's code takes it from here. This module is the only part of @gatehouse/api that Next
 * bundles (it imports types only), so the key lives on globalThis, under Symbol.for, because the
 * two bundles each have their own copy of this small module. Nothing else crosses that way.
 */
const KEY = Symbol.for("gatehouse.pagesApi");
type Slot = { [KEY]?: PagesApi };

/** Front server, before Next prepares: what Next's server code will call. */
export function handPagesApiToNext(api: PagesApi): void {
  (globalThis as Slot)[KEY] = api;
}

/** Next's server code: the API the front server handed over. */
export function pagesApi(): PagesApi {
  const api = (globalThis as Slot)[KEY];
  if (!api)
    throw new Error(
      "The BackOffice runs inside Gatehouse's front server (apps/web/server/main.ts: pnpm dev, pnpm start), not under `next` alone.",
    );
  return api;
}
