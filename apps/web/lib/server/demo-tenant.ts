import "server-only";
import { getPrisma } from "@gatehouse/db";

const TENANT_KEY = /^[a-z0-9][a-z0-9-]{1,31}$/;

/**
 * The live tenant a demo page stands for, or null. A real product app knows its tenant; the demo
 * takes it from the address, so it checks up front (404 "no such tenant") instead of failing
 * after the whole form is filled. The contract has no public "does this tenant exist" call, and
 * the demo must not need a staff session, so this is the one read outside packages/api: only the
 * key and name of a tenant that is not soft-deleted (what `findLiveTenant` there accepts).
 */
export async function findDemoTenant(key: string): Promise<{ key: string; name: string } | null> {
  if (!TENANT_KEY.test(key)) return null;
  const tenant = await getPrisma().tenant.findUnique({ where: { key }, select: { key: true, name: true, deletedAt: true } });
  return tenant && !tenant.deletedAt ? { key: tenant.key, name: tenant.name } : null;
}
