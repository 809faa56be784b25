/**
 * `@gatehouse/api/dev`: what `pnpm dev` needs from the database package, the embedded
 * PostgreSQL, so the front server reaches the data layer only through this package (a lint rule
 * says so). Loaded only by `pnpm dev` (apps/web/server/dev-defaults.ts imports it on demand).
 */
export { EmbeddedPostgresStartError, isPortFree, runningServerPort, startEmbeddedPostgres } from "@gatehouse/db/embedded";
