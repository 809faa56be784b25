import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@gatehouse/db";
import { ensureBootstrapAdmin } from "../src/bootstrap";
import { loadConfig, setConfig } from "../src/config";
import { createLogger, getLogger, setLogger } from "../src/lib/log";
import { hasRedis, suiteEnv, unique, useServer } from "./kit";

/**
 * BACKOFFICE_ADMIN_EMAIL/_PASSWORD (issue 15): the admin is created when missing and otherwise
 * left as it is across restarts; a password the policy refuses is a warning, never a refusal
 * to start. A "restart" is another ensureBootstrapAdmin() with the same environment, as the
 * front server runs at every start.
 */
describe.skipIf(!hasRedis)("the bootstrap admin", () => {
  const suite = useServer();
  const lines: Record<string, unknown>[] = [];
  const previousLogger = getLogger();
  beforeAll(() => {
    setLogger(
      createLogger({
        level: "warn",
        destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
      }),
    );
  });
  afterAll(() => {
    setLogger(previousLogger);
  });
  afterEach(() => {
    lines.length = 0;
  });

  /** The server's config with these bootstrap variables, as a start with them would read it. */
  const withBootstrap = (email: string, password: string) =>
    setConfig(loadConfig({ ...process.env, ...suiteEnv, BACKOFFICE_ADMIN_EMAIL: email, BACKOFFICE_ADMIN_PASSWORD: password }, "test"));
  const bootstrapWarnings = () => lines.filter((line) => String(line.msg).includes("BACKOFFICE_ADMIN_PASSWORD"));

  it("created when missing; a password changed in BackOffice survives a restart", async () => {
    const email = `${unique("boot")}@staff.example.com`;
    const envPassword = "bootstrap admin passphrase one";
    withBootstrap(email, envPassword);
    await ensureBootstrapAdmin();
    expect(await getPrisma().staffUser.findUnique({ where: { email } })).toMatchObject({ role: "admin", disabledAt: null });
    const cookie = await suite.signInStaff(email, envPassword);
    expect(cookie).toBeDefined();
    await suite
      .staffCaller(cookie)
      .backOffice.staff.changePassword.mutate({ currentPassword: envPassword, newPassword: "a password chosen later" });

    const restarted = await ensureBootstrapAdmin();
    expect(await suite.signInStaff(email, envPassword)).toBeUndefined();
    expect(await suite.signInStaff(email, "a password chosen later")).toBeDefined();
    expect(restarted).toBe("exists");
    expect(await getPrisma().auditEvent.count({ where: { target: `staff:${email}`, action: "staff.created" } })).toBe(1);
    expect(await getPrisma().auditEvent.count({ where: { target: `staff:${email}`, action: "staff.updated" } })).toBe(0);
    expect(bootstrapWarnings()).toEqual([]);
  });

  it("a disable and a role change survive a restart", async () => {
    const email = `${unique("bootd")}@staff.example.com`;
    const envPassword = "bootstrap admin passphrase two";
    withBootstrap(email, envPassword);
    await ensureBootstrapAdmin();
    const other = await suite.newStaff("admin", "bootother");
    await other.api.backOffice.staff.update.mutate({ email, role: "viewer", disabled: true });

    const restarted = await ensureBootstrapAdmin();
    expect(await getPrisma().staffUser.findUnique({ where: { email } })).toMatchObject({ role: "viewer", disabledAt: expect.any(Date) });
    expect(await suite.signInStaff(email, envPassword)).toBeUndefined();
    expect(restarted).toBe("exists");
  });

  it("a password the policy refuses is a warning, not a refusal to start: the admin is created", async () => {
    const email = `${unique("bootw")}@staff.example.com`;
    withBootstrap(email, "password1");
    const started = await ensureBootstrapAdmin();
    expect(bootstrapWarnings()).toEqual([expect.objectContaining({ level: 40, email, problem: expect.stringContaining("common") })]);
    // The log names the problem, never the password.
    expect(JSON.stringify(lines)).not.toContain("password1");
    expect(await suite.signInStaff(email, "password1")).toBeDefined();
    expect(started).toBe("created");
  });
});
