/**
 * SQL statements a server sent, counted by PostgreSQL itself (pg_stat_statements, loaded
 * at server start), so the three servers are counted the same way whatever their driver.
 * BEGIN/COMMIT count as statements too; the harness sends nothing to a dataset's database
 * while a workload is timed.
 */
import type { BenchDatabase } from './database';

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
