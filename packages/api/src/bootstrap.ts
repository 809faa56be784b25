import { randomBytes } from "node:crypto";
import { closePgPool, disconnectPrisma, getPrisma, isUniqueViolation, type SocialProvider } from "@gatehouse/db";
import { getConfig } from "./config";
import { getLogger } from "./lib/log";
import { hashPassword } from "./lib/password-hasher";
import { newPasswordSchema } from "@gatehouse/contract";
import { passwordProblem } from "./policy/password-policy";
import { auditSystemAction } from "./services/audit";
import { sealClientSecret } from "./services/social/credentials";

/**
 * BACKOFFICE_ADMIN_EMAIL/_PASSWORD: creates that admin when no staff member has the email, and
 * otherwise leaves the account as it is: a password changed in BackOffice, a disable or a role
 * change survives restarts (re-imposing the variables would undo them at every deploy). A
 * password that fails the password policy is a warning, never a refusal to start. Safe with
 * several instances starting at once. Returns what it did.
 */
export async function ensureBootstrapAdmin(): Promise<"created" | "exists" | "skipped"> {
  const admin = getConfig().bootstrapAdmin;
  if (!admin) return "skipped";
  const problem = bootstrapPasswordProblem(admin.password, admin.email);
  if (problem) {
    getLogger().warn(
      { email: admin.email, problem },
      "BACKOFFICE_ADMIN_PASSWORD fails the password policy; change it in BackOffice after signing in",
    );
  }
  const prisma = getPrisma();
  if (await prisma.staffUser.findUnique({ where: { email: admin.email }, select: { id: true } })) return "exists";
  try {
    const created = await prisma.staffUser.create({
      data: { email: admin.email, passwordHash: await hashPassword(admin.password), role: "admin" },
    });
    await auditSystemAction(prisma, "staff.created", { target: { staff: created.email }, details: { bootstrap: true } });
    return "created";
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return "exists"; // another instance created it first
  }
}

/** What the password policy says about the bootstrap password (length, common list, the email). */
function bootstrapPasswordProblem(password: string, email: string): string | undefined {
  const length = newPasswordSchema.safeParse(password);
  if (!length.success) return length.error.issues[0]?.message ?? "invalid length";
  return passwordProblem(password, { email });
}

/** Credentials of a dev provider (the local stand-ins' apps, under `pnpm dev`). */
export interface DevProviderCredentials {
  clientId: string;
  clientSecret: string;
  nativeClientIds?: string[];
  scopes?: string[];
}

/**
 * `pnpm dev` on an empty database: a demo tenant and a BackOffice admin, so a newcomer can sign
 * in at once. With `socialProviders` (the local stand-ins `pnpm dev` started), the demo tenant
 * also gets those providers, enabled, and the demo's callback page among its redirectUris; on an
 * existing dev database too, leaving alone any provider already configured there. Returns the
 * lines to print, or null when there was nothing to seed.
 */
export async function seedDevData(
  options: { socialProviders?: Partial<Record<SocialProvider, DevProviderCredentials>> } = {},
): Promise<string | null> {
  const prisma = getPrisma();
  const lines: string[] = [];
  if ((await prisma.tenant.count()) === 0) {
    await prisma.tenant.create({
      // Email codes on, so /demo/demo shows that sign-in too.
      data: { key: "demo", name: "Demo tenant", allowedEmailDomains: [], locale: "en", appUrl: getConfig().appUrl, emailCodeSignIn: true },
    });
    lines.push(`  demo tenant: key "demo" (any email domain)`);
  }
  if ((await prisma.staffUser.count()) === 0) {
    const email = "admin@gatehouse.local";
    const password = randomBytes(12).toString("base64url");
    await prisma.staffUser.create({ data: { email, passwordHash: await hashPassword(password), role: "admin" } });
    lines.push(`  BackOffice admin: ${email} / ${password}  (shown once; sign in at ${getConfig().appUrl}/backoffice)`);
  }
  if (options.socialProviders) {
    const added = await seedDemoSocialProviders(options.socialProviders);
    if (added.length > 0) lines.push(`  demo tenant: sign-in with ${added.join(", ")} (local stand-ins)`);
  }
  return lines.length > 0 ? ["[gatehouse] seeded development data:", ...lines].join("\n") : null;
}

/** The demo tenant's providers and callback page; returns the providers it configured now. */
async function seedDemoSocialProviders(providers: Partial<Record<SocialProvider, DevProviderCredentials>>): Promise<SocialProvider[]> {
  const prisma = getPrisma();
  const tenant = await prisma.tenant.findUnique({ where: { key: "demo" }, select: { id: true, redirectUris: true } });
  if (!tenant) return [];
  const callback = `${getConfig().appUrl}/demo/demo/callback`;
  if (!tenant.redirectUris.includes(callback)) {
    await prisma.tenant.update({ where: { id: tenant.id }, data: { redirectUris: [...tenant.redirectUris, callback] } });
  }
  const added: SocialProvider[] = [];
  for (const [provider, credentials] of Object.entries(providers) as [SocialProvider, DevProviderCredentials][]) {
    const data = {
      clientId: credentials.clientId,
      clientSecretSealed: sealClientSecret(credentials.clientSecret),
      nativeClientIds: credentials.nativeClientIds ?? [],
      scopes: credentials.scopes ?? [],
      enabled: true,
    };
    try {
      await prisma.tenantSocialProvider.create({ data: { tenantId: tenant.id, provider, ...data } });
      added.push(provider);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // configured already (by an earlier start, or by hand)
    }
  }
  return added;
}

/**
 * `pnpm dev`: applies the pending migrations to DATABASE_URL and returns their names (production
 * migrates with `pnpm db:migrate` before it starts). The runner is loaded only when asked.
 */
export async function migrateDatabase(): Promise<string[]> {
  const { databaseUrl } = getConfig();
  if (!databaseUrl) throw new Error("DATABASE_URL is not configured");
  const { migrate } = await import("@gatehouse/db/migrate");
  return (await migrate(databaseUrl)).applied;
}

/** Closes this process's database connections (Prisma's and the session check's pg pool) at shutdown; never throws. */
export async function closeDatabase(): Promise<void> {
  await Promise.allSettled([disconnectPrisma(), closePgPool()]);
}
