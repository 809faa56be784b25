import pg from "pg";

/**
 * A `pg.Client` for Prisma's WebAssembly schema engine (used by `prisma migrate *` through
 * prisma.config.ts). @prisma/adapter-pg 6.19 cannot map the catalog types `name` (19) and
 * `"char"` (18), nor their arrays (1003, 1002), and the engine then fails with
 * "Column type 'name' could not be deserialized" (prisma/prisma#27403). This client reports
 * those columns as `text` (25) / `text[]` (1009), and parses the array values that `pg`
 * leaves as raw strings. Both the promise and the callback form of `query` are patched
 * (pg.Pool uses the callback form).
 *
 * Only for the migration tooling; the application's PrismaClient does not need it.
 *
 * Remove when prisma/orm#27403 is fixed (open, still failing in 6.19.3): then `pnpm --filter
 * @gatehouse/db run check:drift` passes with a plain PrismaPg in prisma.config.ts.
 */
const SCALAR_AS_TEXT = new Set([18, 19]);
const ARRAY_AS_TEXT_ARRAY = new Set([1002, 1003]);
const TEXT = 25;
const TEXT_ARRAY = 1009;

type Field = { dataTypeID: number; name: string };
type ResultLike = { fields?: Field[]; rows?: unknown[] };

function patchResult(result: unknown): void {
  if (Array.isArray(result)) {
    for (const r of result) patchResult(r);
    return;
  }
  if (result === null || typeof result !== "object") return;
  const { fields, rows } = result as ResultLike;
  if (!Array.isArray(fields)) return;
  const parseTextArray = (pg.types.getTypeParser as (oid: number, format: "text") => unknown)(TEXT_ARRAY, "text") as (
    value: string,
  ) => unknown;
  fields.forEach((field, index) => {
    if (SCALAR_AS_TEXT.has(field.dataTypeID)) {
      field.dataTypeID = TEXT;
    } else if (ARRAY_AS_TEXT_ARRAY.has(field.dataTypeID)) {
      field.dataTypeID = TEXT_ARRAY;
      for (const row of rows ?? []) {
        if (Array.isArray(row)) {
          if (typeof row[index] === "string") row[index] = parseTextArray(row[index] as string);
        } else if (row !== null && typeof row === "object") {
          const record = row as Record<string, unknown>;
          const value = record[field.name];
          if (typeof value === "string") record[field.name] = parseTextArray(value);
        }
      }
    }
  });
}

type QueryCallback = (err: Error | null, result?: unknown) => void;

export class CatalogTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    const patched = (...args: unknown[]): unknown => {
      const [config] = args;
      // A Submittable (cursor, stream) manages its own rows: leave it alone.
      if (config !== null && typeof config === "object" && typeof (config as { submit?: unknown }).submit === "function") {
        return original.apply(this, args);
      }
      const cbIndex = args.findIndex((a, i) => i > 0 && typeof a === "function");
      if (cbIndex !== -1) {
        const callback = args[cbIndex] as QueryCallback;
        const wrapped: QueryCallback = (err, result) => {
          if (!err) patchResult(result);
          callback(err, result);
        };
        const copy = [...args];
        copy[cbIndex] = wrapped;
        return original.apply(this, copy);
      }
      const out = original.apply(this, args);
      if (out && typeof (out as Promise<unknown>).then === "function") {
        return (out as Promise<unknown>).then((result) => {
          patchResult(result);
          return result;
        });
      }
      return out;
    };
    Object.defineProperty(this, "query", { value: patched, writable: true, configurable: true });
  }
}
