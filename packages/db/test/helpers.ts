import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const migrationsDir = path.join(repoRoot, "prisma", "migrations");
export const schemaPath = path.join(repoRoot, "prisma", "schema.prisma");

/** Model names declared in prisma/schema.prisma (each is a table of the same name). */
export function schemaModels(): string[] {
  const schema = readFileSync(schemaPath, "utf8");
  return [...schema.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]!);
}

/** The schema's enums, sorted (each becomes a PostgreSQL enum type). */
export function schemaEnums(): string[] {
  const schema = readFileSync(schemaPath, "utf8");
  return [...schema.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]!).sort();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}
