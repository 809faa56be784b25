/**
 * `pnpm staff:create --email ops@example.com [--role admin|viewer]`
 *
 * Creates a BackOffice staff member. The password comes from STAFF_PASSWORD, or a random one is
 * generated and printed once. Needs DATABASE_URL. Exits 1 with one line on any refusal.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { emailSchema, newPasswordSchema } from "../policy/inputs";
import { passwordProblem } from "../policy/password-policy";

const USAGE = "usage: pnpm staff:create --email <address> [--role admin|viewer]   (password: STAFF_PASSWORD, else generated)";

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's arguments.
    args: argv.filter((arg) => arg !== "--"),
    options: { email: { type: "string" }, role: { type: "string", default: "admin" }, help: { type: "boolean", short: "h" } },
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
  return { email: email.data, role } as const;
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
  const { email, role } = parse(process.argv.slice(2));
  const { password, generated } = passwordFor(email);
  if (!process.env.DATABASE_URL) throw new UsageError("DATABASE_URL is not set");
  // Loaded once the arguments are known to be good, so a mistake is reported at once.
  const [{ getPrisma, isUniqueViolation }, { hashPassword }, { audit, systemActor }] = await Promise.all([
    import("@gatehouse/db"),
    import("../lib/password-hasher"),
    import("../services/audit"),
  ]);
  const prisma = getPrisma();
  const passwordHash = await hashPassword(password);
  try {
    const staff = await prisma.$transaction(async (tx) => {
      const created = await tx.staffUser.create({ data: { email, passwordHash, role } });
      await audit({ actor: systemActor, action: "staff.created", target: `staff:${created.email}`, details: { role, via: "cli" } }, tx);
      return created;
    });
    console.log(`Created ${staff.role} ${staff.email}.`);
    if (generated) console.log(`Password (shown once, store it now): ${password}`);
  } catch (error) {
    if (isUniqueViolation(error)) throw new UsageError(`A staff member with the email ${email} already exists.`);
    throw error;
  }
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
    console.error(error instanceof UsageError ? error.message : `staff:create failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) console.error(USAGE);
    await disconnect().catch(() => {});
    process.exit(1);
  });
