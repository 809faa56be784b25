/**
 * Cursor pagination in the URL. The API only goes forward (`nextCursor`), so the cursors of the
 * pages before the current one travel along in `trail`, which makes "Previous" a plain link.
 * "~" stands for the first page (it never occurs in a base64url cursor); "." separates entries.
 */
const FIRST_PAGE = "~";
const MAX_TRAIL = 50;
const cursorPattern = /^[A-Za-z0-9_-]{1,200}$/;

export interface PageState {
  cursor: string | undefined;
  trail: string[];
}

export function readPageState(params: { cursor?: string | string[]; trail?: string | string[] }): PageState {
  const cursor = typeof params.cursor === "string" && cursorPattern.test(params.cursor) ? params.cursor : undefined;
  const rawTrail = typeof params.trail === "string" ? params.trail.split(".") : [];
  const trail = cursor ? rawTrail.filter((entry) => entry === FIRST_PAGE || cursorPattern.test(entry)).slice(-MAX_TRAIL) : [];
  return { cursor, trail };
}

export function pageNumber(state: PageState): number {
  return state.trail.length + 1;
}

/** Query parameters (besides the page's own filters) for the next and previous pages. */
export function nextPageParams(state: PageState, nextCursor: string): Record<string, string> {
  const trail = [...state.trail, state.cursor ?? FIRST_PAGE].slice(-MAX_TRAIL);
  return { cursor: nextCursor, trail: trail.join(".") };
}

export function previousPageParams(state: PageState): Record<string, string> | undefined {
  if (!state.cursor) return undefined;
  const previous = state.trail[state.trail.length - 1];
  if (previous === undefined || previous === FIRST_PAGE) return {};
  return { cursor: previous, trail: state.trail.slice(0, -1).join(".") };
}

export function hrefWith(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") search.set(key, value);
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}
