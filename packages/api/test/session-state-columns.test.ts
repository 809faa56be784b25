import { afterAll, describe, expect, it } from "vitest";
import { closePgPool, getPgPool, Prisma, type User } from "@gatehouse/db";
import { SESSION_STATE_QUERY, type SessionUser } from "../src/services/session-state";

/**
 * The per-request session check (src/services/session-state.ts) is hand-written SQL on a plain pg
 * pool, outside Prisma: nothing else notices when the schema moves under it. Its user columns
 * must be exactly the User model's minus the password hash (the row is typed as
 * `Omit<User, "passwordHash">`, so a column added to User and missing here would be a lie the
 * compiler cannot see), and every session/tenant column it reads must be that model's field
 * under the name the code destructures (`s_<field>`, `t_<field>`).
 *
 * Checked against both the Prisma schema (the generated client's field lists) and the migrated
 * test database (where PostgreSQL says each output column comes from), so a renamed, added or
 * dropped column fails here, by name, instead of as `undefined` at run time.
 */
const MODEL_FIELDS = {
  User: Object.values(Prisma.UserScalarFieldEnum) as string[],
  Session: Object.values(Prisma.SessionScalarFieldEnum) as string[],
  Tenant: Object.values(Prisma.TenantScalarFieldEnum) as string[],
};
/** Output-name prefix → model, as loadSessionState destructures the row. */
const PREFIXES = { s_: "Session", t_: "Tenant" } as const;
/** Output columns that are expressions (no source column to compare): reviewed by hand. */
const EXPRESSIONS = ["t_locale", "hasPassword"]; // t.locale::text: the enum read as its label; passwordHash IS NOT NULL
/** User columns the session check deliberately leaves out: exactly what SessionUser omits. */
const USER_COLUMNS_LEFT_OUT = ["passwordHash", "credentialsVersion"] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails typecheck when SessionUser starts or stops omitting a User field this list does not name.
const leftOutIsWhatSessionUserOmits: Same<Exclude<keyof User, (typeof USER_COLUMNS_LEFT_OUT)[number]> | "hasPassword", keyof SessionUser> =
  true;
void leftOutIsWhatSessionUserOmits;

interface OutputColumn {
  /** The column name in the result (after `AS`). */
  name: string;
  /** The table and column PostgreSQL says it comes from; undefined for an expression (e.g. a cast). */
  source: { table: string; column: string } | undefined;
}

/** The statement's output columns and their sources, as PostgreSQL describes them. */
async function outputColumns(): Promise<OutputColumn[]> {
  const pool = getPgPool();
  // No session has the nil uuid: the statement runs (so every column it names must exist) and
  // PostgreSQL still describes every output column.
  const result = await pool.query({ ...SESSION_STATE_QUERY, values: ["00000000-0000-0000-0000-000000000000"] });
  const { rows: attributes } = await pool.query<{ tableID: number; columnID: number; table: string; column: string }>(
    `SELECT c.oid::int AS "tableID", a.attnum::int AS "columnID", c.relname AS "table", a.attname AS "column"
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.oid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`,
    [[...new Set(result.fields.map((f) => f.tableID).filter((id) => id !== 0))]],
  );
  return result.fields.map((field) => {
    const attribute = attributes.find((a) => a.tableID === field.tableID && a.columnID === field.columnID);
    return { name: field.name, source: attribute && { table: attribute.table, column: attribute.column } };
  });
}

function modelOf(name: string): { model: keyof typeof MODEL_FIELDS; field: string } {
  for (const [prefix, model] of Object.entries(PREFIXES)) {
    if (name.startsWith(prefix)) return { model, field: name.slice(prefix.length) };
  }
  return { model: "User", field: name };
}

afterAll(async () => {
  await closePgPool();
});

describe("the raw-SQL session check's columns match the schema", () => {
  it("selects every User field but the password hash, and nothing else from User", async () => {
    const userColumns = (await outputColumns())
      .filter((c) => modelOf(c.name).model === "User" && !EXPRESSIONS.includes(c.name))
      .map((c) => c.name);
    const expected = MODEL_FIELDS.User.filter((field) => !(USER_COLUMNS_LEFT_OUT as readonly string[]).includes(field));
    expect([...userColumns].sort(), "session-state.ts's user columns vs prisma/schema.prisma's User model").toEqual([...expected].sort());
  });

  it("names each output column after the model field it reads (s_ = Session, t_ = Tenant)", async () => {
    const mismatches: string[] = [];
    for (const column of await outputColumns()) {
      const { model, field } = modelOf(column.name);
      if (!MODEL_FIELDS[model].includes(field) && !EXPRESSIONS.includes(column.name)) {
        mismatches.push(`${column.name}: ${model} has no field "${field}" in the Prisma schema`);
      }
      // A plain column reference must come from that model's table and column; an expression
      // has no source to compare, so only the reviewed ones are allowed.
      if (!column.source && !EXPRESSIONS.includes(column.name)) {
        mismatches.push(`${column.name}: an expression, not a column; check it by hand and add it to EXPRESSIONS`);
      }
      if (column.source && (column.source.table !== model || column.source.column !== field)) {
        mismatches.push(`${column.name}: reads "${column.source.table}"."${column.source.column}", expected "${model}"."${field}"`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("the migrated database's User table has exactly the Prisma fields (what the select list was checked against)", async () => {
    const { rows } = await getPgPool().query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'User'`,
    );
    expect(rows.map((r) => r.column_name).sort()).toEqual([...MODEL_FIELDS.User].sort());
  });
});
