import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createPrismaClient,
  disconnectPrisma,
  getPrisma,
  isDatabaseUnavailable,
  isUniqueViolation,
  Locale,
  Prisma,
  type PrismaClient,
  UserRole,
} from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: "gh_client" });
  prisma = createPrismaClient(db.url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the generated client through @prisma/adapter-pg", () => {
  it("round-trips rows, enums, arrays and defaults", async () => {
    const tenant = await prisma.tenant.create({ data: { key: "acme", name: "Acme", allowedEmailDomains: ["acme.test"] } });
    expect(tenant.locale).toBe(Locale.ko);
    expect(tenant.allowedEmailDomains).toEqual(["acme.test"]);
    const user = await prisma.user.create({
      data: { tenantId: tenant.id, userId: "alice", displayName: "Alice", source: "self_signup" },
    });
    expect(user.role).toBe(UserRole.member);
    const event = await prisma.auditEvent.create({ data: { actorType: "system", action: "tenant.created", details: { a: 1 } } });
    expect(typeof event.id).toBe("bigint");
  });
});

describe("isUniqueViolation", () => {
  it("recognises P2002 on a single-column unique (Tenant.key) with its field", async () => {
    await prisma.tenant.create({ data: { key: "dup", name: "One" } });
    const err = await caught(prisma.tenant.create({ data: { key: "dup", name: "Two" } }));
    expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    // The exact shape under adapter-pg: no meta.target; the columns are in the adapter error.
    expect(err).toMatchObject({
      code: "P2002",
      meta: {
        modelName: "Tenant",
        driverAdapterError: { cause: { kind: "UniqueConstraintViolation", originalCode: "23505", constraint: { fields: ["key"] } } },
      },
    });
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, ["key"])).toBe(true);
    expect(isUniqueViolation(err, ["name"])).toBe(false);
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it("tells the two compound uniques of User apart (adapter-pg reports quoted column names)", async () => {
    const tenant = await prisma.tenant.create({ data: { key: "compound", name: "C" } });
    const base = { tenantId: tenant.id, displayName: "X", source: "self_signup" as const };
    await prisma.user.create({ data: { ...base, userId: "bob", verifiedEmail: "bob@x.test" } });

    const sameUserId = await caught(prisma.user.create({ data: { ...base, userId: "bob" } }));
    expect(sameUserId).toMatchObject({
      code: "P2002",
      meta: { driverAdapterError: { cause: { constraint: { fields: ['"tenantId"', '"userId"'] } } } },
    });
    expect(isUniqueViolation(sameUserId, ["tenantId", "userId"])).toBe(true);
    expect(isUniqueViolation(sameUserId, ["userId"])).toBe(true);
    expect(isUniqueViolation(sameUserId, ["tenantId", "verifiedEmail"])).toBe(false);

    const sameEmail = await caught(prisma.user.create({ data: { ...base, userId: "bob2", verifiedEmail: "bob@x.test" } }));
    expect(isUniqueViolation(sameEmail, ["tenantId", "verifiedEmail"])).toBe(true);
    expect(isUniqueViolation(sameEmail, ["userId"])).toBe(false);
  });

  it("works inside interactive transactions and for raw queries (P2010)", async () => {
    await prisma.staffUser.create({ data: { email: "a@x.test", passwordHash: "h", role: "admin" } });
    const inTx = await caught(
      prisma.$transaction(async (tx) => {
        await tx.staffUser.create({ data: { email: "a@x.test", passwordHash: "h", role: "viewer" } });
      }),
    );
    expect(isUniqueViolation(inTx, ["email"])).toBe(true);

    const raw = await caught(
      prisma.$executeRaw`INSERT INTO "StaffUser" (id, email, "passwordHash", role, "updatedAt")
                         VALUES (gen_random_uuid(), 'a@x.test', 'h', 'admin', now())`,
    );
    expect(raw).toMatchObject({ code: "P2010" });
    expect(isUniqueViolation(raw, ["email"])).toBe(true);
  });

  it("is false for other errors", async () => {
    const fk = await caught(
      prisma.user.create({
        data: { tenantId: "00000000-0000-4000-8000-000000000000", userId: "x", displayName: "x", source: "self_signup" },
      }),
    );
    expect(fk).toMatchObject({ code: "P2003" });
    expect(isUniqueViolation(fk)).toBe(false);
    expect(isDatabaseUnavailable(fk)).toBe(false);

    const notFound = await caught(prisma.tenant.findUniqueOrThrow({ where: { key: "missing" } }));
    expect(isUniqueViolation(notFound)).toBe(false);
    expect(isDatabaseUnavailable(notFound)).toBe(false);
    expect(isUniqueViolation(new Error("boom"))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });

  it("recognises raw pg errors (SQLSTATE 23505) too", () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "User_tenantId_userId_key"'), {
      code: "23505",
      severity: "ERROR",
      detail: 'Key ("tenantId", "userId")=(1, bob) already exists.',
      constraint: "User_tenantId_userId_key",
    });
    expect(isUniqueViolation(pgError, ["tenantId", "userId"])).toBe(true);
    expect(isUniqueViolation(pgError, ["verifiedEmail"])).toBe(false);
    // Classic-engine shape, in case: meta.target.
    const classic = Object.assign(new Error("Unique constraint failed"), { code: "P2002", meta: { target: ["key"] } });
    expect(isUniqueViolation(classic, ["key"])).toBe(true);
  });
});

describe("isDatabaseUnavailable", () => {
  it("a client pointed at a closed port fails fast and is recognised", async () => {
    const port = await closedPort();
    const client = createPrismaClient(`postgres://postgres@127.0.0.1:${port}/gatehouse`);
    const started = Date.now();
    const err = await caught(client.tenant.findFirst());
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ code: "P1001" });
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isUniqueViolation(err)).toBe(false);
    await client.$disconnect();
  });

  it("a server that accepts but never answers fails within ~3 s (connection timeout)", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = createPrismaClient(`postgres://postgres@127.0.0.1:${port}/gatehouse`);
    const started = Date.now();
    const err = await caught(client.tenant.findFirst());
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(3_500);
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(isDatabaseUnavailable(err)).toBe(true);
    await client.$disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("a statement that exceeds statement_timeout is recognised (57014)", async () => {
    const client = createPrismaClient(db.url, { statementTimeoutMillis: 200 });
    const err = await caught(client.$queryRaw`SELECT pg_sleep(2)`);
    expect(err).toMatchObject({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "57014" } } } });
    expect(isDatabaseUnavailable(err)).toBe(true);
    await client.$disconnect();
  });

  it("a connection terminated by the server (57P01) inside a transaction is recognised and does not leak the pool slot", async () => {
    const client = createPrismaClient(db.url, { max: 1 });
    await client.$queryRaw`SELECT 1`;
    const err = await caught(
      client.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_terminate_backend(pg_backend_pid())`;
      }),
    );
    expect(err).toMatchObject({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "57P01" } } } });
    expect(isDatabaseUnavailable(err)).toBe(true);
    // With Prisma's stock adapter the only pooled connection stays checked out: this query
    // would fail with "timeout exceeded when trying to connect" and $disconnect() would hang.
    expect(await client.$queryRaw`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
    const started = Date.now();
    await client.$disconnect();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a COMMIT that fails (deferred unique constraint) is a unique violation and frees the connection", async () => {
    await prisma.$executeRawUnsafe(
      'CREATE TABLE "DeferredProbe" ("v" INTEGER, CONSTRAINT "DeferredProbe_v_key" UNIQUE ("v") DEFERRABLE INITIALLY DEFERRED)',
    );
    const client = createPrismaClient(db.url, { max: 1 });
    const err = await caught(
      client.$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO "DeferredProbe" ("v") VALUES (1), (1)`;
      }),
    );
    expect(isUniqueViolation(err, ["v"])).toBe(true);
    expect(await client.$queryRaw`SELECT count(*)::int AS n FROM "DeferredProbe"`).toEqual([{ n: 0 }]);
    await client.$disconnect();
  });

  it("recognises the raw shapes: socket errors, pg SQLSTATEs, pool timeouts", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
      errno: -111,
      syscall: "connect",
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], ""))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error("the database system is starting up"), { code: "57P03" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated due to connection timeout"))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1017" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("something else"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe("getPrisma()", () => {
  it("throws a clear error when DATABASE_URL is unset", async () => {
    await disconnectPrisma();
    vi.stubEnv("DATABASE_URL", "");
    try {
      expect(() => getPrisma()).toThrow(/DATABASE_URL is not set/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("is one client per process until disconnected, then a new one", async () => {
    vi.stubEnv("DATABASE_URL", db.url);
    try {
      const a = getPrisma();
      expect(getPrisma()).toBe(a);
      expect(await a.tenant.count()).toBeGreaterThan(0);

      await disconnectPrisma();
      const b = getPrisma();
      expect(b).not.toBe(a);
      expect(await b.tenant.count()).toBeGreaterThan(0);
      await disconnectPrisma();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reads DATABASE_URL lazily, at first call", async () => {
    await disconnectPrisma();
    vi.stubEnv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing");
    try {
      const client = getPrisma();
      expect(isDatabaseUnavailable(await caught(client.tenant.count()))).toBe(true);
    } finally {
      await disconnectPrisma();
      vi.unstubAllEnvs();
    }
  });
});
