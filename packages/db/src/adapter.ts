import { PrismaPg } from "@prisma/adapter-pg";

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type PgTransaction = Awaited<ReturnType<PgAdapter["startTransaction"]>>;

/**
 * PrismaPg, plus a fix for a pool-slot leak in Prisma 6.19's client: to end an interactive
 * transaction it runs `COMMIT`/`ROLLBACK` through `tx.executeRaw()` and only then calls
 * `tx.commit()`/`tx.rollback()`, which is what returns the pg connection to the pool. When
 * that statement throws (the server terminated the connection, a restart, a failing COMMIT),
 * the second call never happens: the connection stays checked out forever, later queries
 * queue for it until "timeout exceeded when trying to connect", and `$disconnect()` hangs.
 * Here a failed COMMIT/ROLLBACK releases the connection itself (pg-pool discards a dead one).
 *
 * Remove when Prisma releases the connection after a failed COMMIT/ROLLBACK itself (leaks in 6.19.3;
 * no upstream issue found, nearest prisma/orm#29952): test/client.test.ts's two pool-slot tests tell.
 */
export class GatehousePrismaPg extends PrismaPg {
  override async connect(): Promise<PgAdapter> {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => releaseOnFailedEnd(await startTransaction(isolationLevel));
    return adapter;
  }
}

function releaseOnFailedEnd(tx: PgTransaction): PgTransaction {
  let released = false;
  const commit = tx.commit.bind(tx);
  const rollback = tx.rollback.bind(tx);
  const executeRaw = tx.executeRaw.bind(tx);
  tx.commit = async () => {
    if (released) return;
    released = true;
    await commit();
  };
  tx.rollback = async () => {
    if (released) return;
    released = true;
    await rollback();
  };
  tx.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (err) {
      const sql = query.sql.trim().toUpperCase();
      if (sql === "COMMIT" || sql === "ROLLBACK") await tx.rollback().catch(() => {});
      throw err;
    }
  };
  return tx;
}
