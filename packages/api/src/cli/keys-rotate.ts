/**
 * `pnpm keys:rotate`: publishes a new access-token signing key now; it signs after
 * SIGNING_KEY_ACTIVATION_DELAY_SECONDS (300 s), and running servers pick it up without a
 * restart. Needs DATABASE_URL and AUTH_SECRET (the key is stored encrypted with it).
 */
import { getPrisma, isDatabaseUnavailable } from "@gatehouse/db";
import { getConfig } from "../config";
import { auditSystemAction } from "../services/audit";
import { rotateSigningKey } from "../services/signing-keys";

const REQUIRED = ["DATABASE_URL", "AUTH_SECRET"] as const;

async function main(): Promise<number> {
  const missing = REQUIRED.filter((name) => !process.env[name]?.trim());
  if (missing.length > 0) {
    console.error(`keys:rotate: missing required environment: ${missing.join(", ")}`);
    return 1;
  }
  getConfig(); // validates the environment (a ConfigError names the bad variable)
  const { kid, activatesAt } = await rotateSigningKey();
  await auditSystemAction(getPrisma(), "signingKey.rotated", {
    target: { signingKey: kid },
    details: { activatesAt: activatesAt.toISOString() },
  });
  const inSeconds = Math.max(0, Math.round((activatesAt.getTime() - Date.now()) / 1000));
  console.log(`New signing key ${kid}: published now, signs from ${activatesAt.toISOString()} (in ${inSeconds} s).`);
  return 0;
}

function describe(error: unknown): string {
  if (isDatabaseUnavailable(error)) return "cannot reach the database (DATABASE_URL)";
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0] ?? "failed";
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`keys:rotate: ${describe(error)}`);
  code = 1;
} finally {
  if (process.env.DATABASE_URL?.trim()) {
    await getPrisma()
      .$disconnect()
      .catch(() => undefined);
  }
}
process.exit(code);
