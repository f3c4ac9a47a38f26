import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Run `fn` in a transaction whose statements may take up to `timeoutMs` (0 = no limit),
 * overriding the pool's short read timeout for this transaction only (SET LOCAL).
 */
export function adminTransaction<T>(em: EntityManager, timeoutMs: number, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.fork().transactional(async (tx) => {
    await tx.getConnection().execute(`set local statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`, [], 'run', tx.getTransactionContext());
    return fn(tx);
  });
}
