import { invalidField } from "../../errors";

/**
 * Cursor pagination, newest first. A cursor is the opaque base64url of the last item's sort
 * key; the next page starts strictly after it, so items inserted meanwhile never shift a page.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Sort key of the (createdAt desc, id desc) lists. */
export interface CreatedKey {
  createdAt: Date;
  id: string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_DATE_MS = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_DATE_MS = Date.parse("9999-12-31T23:59:59.999Z");
const isStorableDate = (date: Date) => date.getTime() >= MIN_DATE_MS && date.getTime() <= MAX_DATE_MS;

const invalidCursor = () => invalidField("cursor", "The cursor is not valid for this list.");

export function encodeCreatedCursor(key: CreatedKey): string {
  return encode([key.createdAt.toISOString(), key.id]);
}

/** The decoded key, or 400 validation/Invalid on the `cursor` field. */
function decodeCreatedCursor(cursor: string): CreatedKey {
  const value = decode(cursor);
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
    const createdAt = new Date(value[0]);
    // Only what a real row can hold: a date Prisma can send (years 1..9999) and a well-formed UUID.
    if (isStorableDate(createdAt) && UUID.test(value[1])) return { createdAt, id: value[1] };
  }
  throw invalidCursor();
}

/** Prisma `where` for the rows after `cursor` in (createdAt desc, id desc) order. */
export function afterCreatedCursor(cursor: string | null | undefined) {
  if (!cursor) return {};
  const key = decodeCreatedCursor(cursor);
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}

export const createdOrder = [{ createdAt: "desc" as const }, { id: "desc" as const }];

export function encodeIdCursor(id: bigint): string {
  return encode(id.toString());
}

/** PostgreSQL bigint's largest value: a larger id cursor names no row (and Prisma refuses it). */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function decodeIdCursor(cursor: string): bigint {
  const value = decode(cursor);
  if (typeof value === "string" && /^[0-9]{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT) return BigInt(value);
  throw invalidCursor();
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that there is more.
 */
export function toPage<Row, T>(rows: Row[], limit: number, cursorOf: (row: Row) => string, map: (row: Row) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

/**
 * `contains` filter for Prisma: a case-insensitive literal substring. Prisma hands the value to
 * ILIKE as is, so `%`, `_` and the escape character `\` are escaped here.
 */
export function containsInsensitive(query: string) {
  return { contains: query.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" as const };
}
