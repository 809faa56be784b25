/**
 * `pnpm staff:create --email ops@example.com [--role admin|viewer]`
 * `pnpm staff:reset-password --email ops@example.com` (the same CLI with `--reset`)
 *
 * Creates a BackOffice staff member, or sets a new password for an existing one (the way back in
 * for an admin who forgot theirs: every session of that staff member ends; role and enabled state
 * are left as they are). The password comes from STAFF_PASSWORD, or a random one is generated and
 * printed once. Needs DATABASE_URL. Exits 1 with one line on any refusal.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { emailSchema, newPasswordSchema } from "@gatehouse/contract";
import { passwordProblem } from "../policy/password-policy";

const USAGE =
  "usage: pnpm staff:create --email <address> [--role admin|viewer] | pnpm staff:reset-password --email <address>   (password: STAFF_PASSWORD, else generated)";

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's arguments.
    args: argv.filter((arg) => arg !== "--"),
    options: {
      email: { type: "string" },
      role: { type: "string", default: "admin" },
      reset: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const email = emailSchema.safeParse(values.email ?? "");
  if (!email.success) throw new UsageError(`--email: ${email.error.issues[0]?.message ?? "required"}`);
  const role = values.role;
  if (role !== "admin" && role !== "viewer") throw new UsageError("--role must be admin or viewer");
  return { email: email.data, role, reset: values.reset === true } as const;
}

function passwordFor(email: string): { password: string; generated: boolean } {
  const given = process.env.STAFF_PASSWORD;
  if (given) {
    const length = newPasswordSchema.safeParse(given);
    if (!length.success) throw new UsageError(`STAFF_PASSWORD: ${length.error.issues[0]?.message ?? "invalid"}`);
    const problem = passwordProblem(given, { email });
    if (problem) throw new UsageError(`STAFF_PASSWORD: ${problem}`);
    return { password: length.data, generated: false };
  }
  // 18 random bytes: 24 base64url characters, 144 bits.
  return { password: randomBytes(18).toString("base64url"), generated: true };
}

async function main(): Promise<void> {
  const { email, role, reset } = parse(process.argv.slice(2));
  const { password, generated } = passwordFor(email);
  if (!process.env.DATABASE_URL) throw new UsageError("DATABASE_URL is not set");
  // Loaded once the arguments are known to be good, so a mistake is reported at once.
  const [{ getPrisma, isUniqueViolation }, { hashPassword }, { auditSystemAction }, { revokeStaffSessions }] = await Promise.all([
    import("@gatehouse/db"),
    import("../lib/password-hasher"),
    import("../services/audit"),
    import("../staff/sessions"),
  ]);
  const prisma = getPrisma();
  const passwordHash = await hashPassword(password);
  if (reset) {
    const staff = await prisma.$transaction(async (tx) => {
      const found = await tx.staffUser.findUnique({ where: { email } });
      if (!found) return null;
      // The version bump also refuses a sign-in still checking the old password (staff/sessions.ts).
      const changed = await tx.staffUser.update({
        where: { id: found.id },
        data: { passwordHash, passwordChangedAt: new Date(), credentialsVersion: { increment: 1 } },
      });
      await revokeStaffSessions(found.id, "password_reset", tx);
      await auditSystemAction(tx, "staff.passwordChanged", { target: { staff: changed.email }, details: { via: "cli", reset: true } });
      return changed;
    });
    if (!staff) throw new UsageError(`No staff member has the email ${email}.`);
    console.log(
      `New password set for ${staff.role} ${staff.email}${staff.disabledAt ? " (still disabled)" : ""}; their sessions have ended.`,
    );
  } else {
    try {
      const staff = await prisma.$transaction(async (tx) => {
        const created = await tx.staffUser.create({ data: { email, passwordHash, role } });
        await auditSystemAction(tx, "staff.created", { target: { staff: created.email }, details: { role, via: "cli" } });
        return created;
      });
      console.log(`Created ${staff.role} ${staff.email}.`);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new UsageError(`A staff member with the email ${email} already exists (a new password: pnpm staff:reset-password).`);
      throw error;
    }
  }
  if (generated) console.log(`Password (shown once, store it now): ${password}`);
}

async function disconnect(): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  const { disconnectPrisma } = await import("@gatehouse/db");
  await disconnectPrisma();
}

main()
  .then(async () => {
    await disconnect();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(
      error instanceof UsageError
        ? error.message
        : `${process.argv.includes("--reset") ? "staff:reset-password" : "staff:create"} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (error instanceof UsageError) console.error(USAGE);
    await disconnect().catch(() => {});
    process.exit(1);
  });
