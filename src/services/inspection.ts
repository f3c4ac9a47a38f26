/**
 * Read-only questions about the database itself: what is in it and how big it is.
 * Each answer is computed in SQL; nothing loads rows into Node.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TABLES, type TableName } from '../entities';

export interface ServerInfo {
  serverVersion: string;
  database: string;
  user: string;
}

export class InspectionService {
  constructor(private readonly orm: MikroORM) {}

  async serverInfo(): Promise<ServerInfo> {
    const [row] = await this.orm.em
      .getConnection()
      .execute(`select current_setting('server_version') as v, current_database() as d, current_user as u`);
    return { serverVersion: row.v, database: row.d, user: row.u };
  }

  /**
   * Row counts per table (the guide's UNION ALL query); tables that do not exist yet count
   * as null. Pass `em` to count inside its transaction.
   */
  async recordCounts(em: EntityManager = this.orm.em): Promise<Record<TableName, number | null>> {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    const present = await conn.execute<{ t: string }[]>(
      `select table_name as t from information_schema.tables where table_schema = 'public' and table_name = any(?::text[])`,
      [`{${TABLES.join(',')}}`],
      'all',
      tx,
    );
    const have = new Set(present.map((r) => r.t));
    const out = Object.fromEntries(TABLES.map((t) => [t, null])) as Record<TableName, number | null>;
    const existing = TABLES.filter((t) => have.has(t));
    if (existing.length === 0) return out;
    const rows = await conn.execute<{ t: TableName; n: string }[]>(
      existing.map((t) => `select '${t}' as t, count(*) as n from "${t}"`).join(' union all '),
      [],
      'all',
      tx,
    );
    for (const r of rows) out[r.t] = Number(r.n);
    return out;
  }
}
