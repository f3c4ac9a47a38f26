/**
 * SQL statements a server sent, counted by PostgreSQL itself (pg_stat_statements, loaded
 * at server start), so the three servers are counted the same way whatever their driver.
 * BEGIN/COMMIT count as statements too; the harness sends nothing to a dataset's database
 * while a workload is timed.
 */
import type { BenchDatabase } from './database';
import { processCpuMs } from './server-process';

export async function resetStatements(db: BenchDatabase): Promise<void> {
  await db.admin((c) => c.query('select pg_stat_statements_reset()'));
}

export async function statementsSince(db: BenchDatabase, database: string): Promise<number> {
  return db.admin(async (c) => {
    const { rows } = await c.query(
      `select coalesce(sum(s.calls), 0)::bigint as n from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
      [database],
    );
    return Number(rows[0].n);
  });
}

/**
 * CPU time (user + system, ms) used so far by each PostgreSQL backend connected to
 * `database`, by pid: read from /proc, as the embedded server runs on this machine. The
 * difference of two readings (a backend that is new counts from 0) is what the database
 * spent on one server's requests while only that server's workload ran.
 */
export async function backendCpuMs(db: BenchDatabase, database: string): Promise<Map<number, number>> {
  const pids = await db.admin(async (c) =>
    (await c.query('select pid from pg_stat_activity where datname = $1', [database])).rows.map((r) => Number(r.pid)),
  );
  const out = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

/** CPU ms the backends used between two readings of backendCpuMs. */
export function backendCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}
