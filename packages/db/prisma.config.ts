/**
 * Prisma CLI configuration (Prisma 6.19, offline-capable).
 *
 * - The CLI insists on a native query-engine library even though our client is the
 *   engine-less "client" engine; pointing PRISMA_QUERY_ENGINE_LIBRARY at an existing (empty)
 *   file stops it from trying to download one.
 * - `engine: "js"` + an adapter runs `migrate dev/deploy/status/diff` through Prisma's bundled
 *   WebAssembly schema engine (no schema-engine binary download either).
 * - `generate` must work with no environment at all (build, postinstall): DATABASE_URL gets a
 *   placeholder for schema loading. Every schema-engine command (even `migrate diff
 *   --from-empty`) connects through the adapter, which requires a real DATABASE_URL; the
 *   package scripts `check:drift` and `migrate:diff` supply one (src/cli/with-database.ts).
 * - The adapter gets discrete host/port/user/password/database fields (PrismaPg's shadow
 *   database for `migrate dev` / `diff --from-migrations` overrides `database`, which a
 *   connection string would win over) and a pg.Client that reports the catalog types
 *   `name`/`"char"` as text (see src/schema-engine-client.ts, prisma/prisma#27403).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { pgConfigFromUrl } from "./src/pg-config";
import { CatalogTextClient } from "./src/schema-engine-client";

const here = path.dirname(fileURLToPath(import.meta.url));

// Remove (and engine/query-engine.stub) on Prisma 7, whose CLI has no library/binary query engine to
// look for (prisma/orm#28319); 6.19.3 still resolves one even with `engineType = "client"`.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ||= path.join(here, "engine", "query-engine.stub");
process.env.PRISMA_HIDE_UPDATE_MESSAGE ||= "1";
process.env.CHECKPOINT_DISABLE ||= "1";

// The schema's `url = env("DATABASE_URL")` must resolve for the CLI to load the schema, even
// for `generate`, which never connects. Commands that do connect use the adapter below, which
// insists on a real DATABASE_URL rather than silently using this placeholder.
// Remove with the schema's `url = env("DATABASE_URL")` (Prisma 7 takes the URL from this config instead).
const configuredUrl = process.env.DATABASE_URL?.trim() || undefined;
process.env.DATABASE_URL ||= "postgresql://placeholder@127.0.0.1:5432/placeholder";

export default defineConfig({
  schema: path.join(here, "../../prisma/schema.prisma"),
  migrations: { path: path.join(here, "../../prisma/migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    if (!configuredUrl) {
      throw new Error(
        "DATABASE_URL is not set. Set it, or use `pnpm --filter @gatehouse/db run check:drift` / `migrate:diff`, which provide a scratch server.",
      );
    }
    return new PrismaPg({
      // Discrete fields: remove the need when PrismaPg.connectToShadowDb() also overrides the
      // database of a connectionString (not so in 6.19.3; no upstream issue found).
      ...pgConfigFromUrl(configuredUrl),
      // Remove when @prisma/adapter-pg maps `name`/"char" itself (prisma/orm#27403, open; 6.19.3 fails).
      Client: CatalogTextClient,
      connectionTimeoutMillis: 5_000,
      // The CLI never disposes the pool; a long idle timeout keeps it alive ~10 s after finishing.
      idleTimeoutMillis: 200,
      allowExitOnIdle: true,
    });
  },
});
