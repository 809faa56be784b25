import { randomBytes } from "node:crypto";
import { getPrisma, isUniqueViolation } from "@gatehouse/db";
import { getConfig } from "./config";
import { hashPassword, verifyPassword } from "./lib/password-hasher";
import { audit, systemActor } from "./services/audit";

/**
 * BACKOFFICE_ADMIN_EMAIL/_PASSWORD: makes sure that admin exists, is enabled and has that
 * password. Safe with several instances starting at once.
 */
export async function ensureBootstrapAdmin(): Promise<void> {
  const admin = getConfig().bootstrapAdmin;
  if (!admin) return;
  const prisma = getPrisma();
  const existing = await prisma.staffUser.findUnique({ where: { email: admin.email } });
  if (existing) {
    const samePassword = await verifyPassword(admin.password, existing.passwordHash);
    if (samePassword && existing.role === "admin" && !existing.disabledAt) return;
    await prisma.staffUser.update({
      where: { id: existing.id },
      data: {
        role: "admin",
        disabledAt: null,
        ...(samePassword ? {} : { passwordHash: await hashPassword(admin.password), passwordChangedAt: new Date() }),
      },
    });
    await audit({ actor: systemActor, action: "staff.updated", target: `staff:${admin.email}`, details: { bootstrap: true } });
    return;
  }
  try {
    const created = await prisma.staffUser.create({
      data: { email: admin.email, passwordHash: await hashPassword(admin.password), role: "admin" },
    });
    await audit({ actor: systemActor, action: "staff.created", target: `staff:${created.email}`, details: { bootstrap: true } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // another instance created it first
  }
}

/**
 * `pnpm dev` on an empty database: a demo tenant and a BackOffice admin, so a newcomer can sign
 * in at once. Returns the lines to print, or null when there was nothing to seed.
 */
export async function seedDevData(): Promise<string | null> {
  const prisma = getPrisma();
  const lines: string[] = [];
  if ((await prisma.tenant.count()) === 0) {
    await prisma.tenant.create({
      data: { key: "demo", name: "Demo tenant", allowedEmailDomains: [], locale: "en", appUrl: getConfig().appUrl },
    });
    lines.push(`  demo tenant: key "demo" (any email domain)`);
  }
  if ((await prisma.staffUser.count()) === 0) {
    const email = "admin@gatehouse.local";
    const password = randomBytes(12).toString("base64url");
    await prisma.staffUser.create({ data: { email, passwordHash: await hashPassword(password), role: "admin" } });
    lines.push(`  BackOffice admin: ${email} / ${password}  (shown once; sign in at ${getConfig().appUrl}/backoffice)`);
  }
  return lines.length > 0 ? ["[gatehouse] seeded development data:", ...lines].join("\n") : null;
}
