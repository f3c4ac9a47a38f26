/**
 * The guide's quick test-database reset: keep the schema (and the migration history), empty
 * every data table and restart their id sequences, in one statement.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { TABLES, type TableName } from '../../entities';
import { quote, rowCountsSql } from '../read/sql';
import { adminTransaction, NO_ADMIN_LIMITS, type AdminLimits } from '../transactions';

export class MaintenanceService {
  constructor(
    private readonly orm: MikroORM,
    /** An admin operation: it may run longer than a read, and waits for its table locks only so long. */
    private readonly limits: AdminLimits = NO_ADMIN_LIMITS,
  ) {}

  /** `TRUNCATE study, participant, … RESTART IDENTITY CASCADE`; returns the rows each table held. */
  async truncateAll(): Promise<Record<TableName, number>> {
    return adminTransaction(this.orm.em, this.limits, async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      // Counted in the same transaction, after taking the lock, so the answer is what was removed.
      await conn.execute(`lock table ${TABLES.map(quote).join(', ')} in access exclusive mode`, [], 'run', tx);
      const rows = await conn.execute<{ t: TableName; n: number }[]>(rowCountsSql(TABLES), [], 'all', tx);
      await conn.execute(`truncate ${TABLES.map(quote).join(', ')} restart identity cascade`, [], 'run', tx);
      return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<TableName, number>;
    });
  }
}
