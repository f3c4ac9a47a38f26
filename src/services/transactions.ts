import type { EntityManager } from '@mikro-orm/postgresql';
import { SQLSTATE } from '../db/sqlstate';
import { rootCause } from './ops/diagnose';
import { LockTimeoutError } from './errors';

/** How long one admin transaction (migration, seeding, reset, fresh, drop) may run and wait. */
export interface AdminLimits {
  /** Per-statement limit in ms; 0 = none (the CLI: a migration may rewrite a big table). */
  statementTimeoutMs: number;
  /**
   * How long one statement may wait for a lock, in ms (AE_LOCK_TIMEOUT_MS); 0 = no limit.
   * While an admin statement waits for an exclusive lock, every API read of that table
   * queues behind it, so giving up soon keeps the API answering.
   */
  lockTimeoutMs: number;
}

export const NO_ADMIN_LIMITS: AdminLimits = { statementTimeoutMs: 0, lockTimeoutMs: 0 };

const ms = (n: number) => Math.max(0, Math.floor(n));

/**
 * Run `fn` in a transaction with the admin limits (SET LOCAL, so the pool's short read
 * timeout comes back when it ends). A lock wait that reaches the limit rolls everything
 * back and becomes a LockTimeoutError naming the sessions holding locks on the tables.
 */
export async function adminTransaction<T>(
  em: EntityManager,
  limits: AdminLimits,
  fn: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  const fork = em.fork();
  try {
    return await fork.transactional(async (tx) => {
      await tx
        .getConnection()
        .execute(
          `set local statement_timeout = ${ms(limits.statementTimeoutMs)}; set local lock_timeout = ${ms(limits.lockTimeoutMs)}`,
          [],
          'run',
          tx.getTransactionContext(),
        );
      return fn(tx);
    });
  } catch (e) {
    // MikroORM 6.6's PostgreSQL driver has no class for lock_not_available (LockWaitTimeoutException is MySQL's).
    if (rootCause(e).code !== SQLSTATE.lock_not_available) throw e;
    throw new LockTimeoutError(limits.lockTimeoutMs, await lockHolders(fork).catch(() => []));
  }
}

/** Other sessions holding locks on tables of the public schema, as `pid 123 (psql, idle in transaction)`. */
async function lockHolders(em: EntityManager): Promise<string[]> {
  const rows = await em.getConnection().execute<{ pid: number; app: string; state: string }[]>(
    `select distinct a.pid, coalesce(nullif(a.application_name, ''), '?') as app, coalesce(a.state, '?') as state
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.granted and l.locktype = 'relation' and l.database = (select oid from pg_database where datname = current_database())
        and a.pid <> pg_backend_pid()
        and l.relation in (select c.oid from pg_class c where c.relnamespace = 'public'::regnamespace)
      order by a.pid limit 5`,
  );
  return rows.map((r) => `pid ${r.pid} (${r.app}, ${r.state})`);
}
