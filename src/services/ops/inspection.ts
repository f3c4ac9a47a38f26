/**
 * Read-only questions about the database itself: what is in it and how big it is.
 * Each answer is computed in SQL; nothing loads rows into Node.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TABLES, type TableName } from '../../entities';
import { rowCountsSql } from '../read/sql';

export interface ServerInfo {
  serverVersion: string;
  database: string;
  user: string;
}

export interface TableStats {
  table: string;
  /** Exact row count (count(*)). */
  rows: number;
  /** The planner's estimate (pg_class.reltuples; -1 before the first ANALYZE). */
  rowEstimate: number;
  /** Table, indexes and TOAST together (pg_total_relation_size). */
  totalBytes: number;
  totalSize: string;
  tableBytes: number;
  indexBytes: number;
  indexCount: number;
}

export interface IndexStats {
  table: string;
  name: string;
  definition: string;
  bytes: number;
  size: string;
  /** Index scans since the statistics were last reset. */
  scans: number;
  unique: boolean;
  primary: boolean;
}

export interface DatabaseStats {
  database: string;
  bytes: number;
  size: string;
  /** Largest first, as the guide's table-size query orders them. */
  tables: TableStats[];
  indexes: IndexStats[];
  /** Foreign-key columns with no index starting with them (`table.column`): the guide's "missing indexes". */
  unindexedForeignKeys: string[];
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
    const rows = await conn.execute<{ t: TableName; n: number }[]>(rowCountsSql(existing), [], 'all', tx);
    for (const r of rows) out[r.t] = r.n;
    return out;
  }

  /** Statements `databaseStats()` runs (size, tables, exact counts, indexes, unindexed keys). */
  static readonly DATABASE_STATS_STATEMENTS = 5;

  /** Statements `recordCounts()` runs (which tables exist, then one count over all of them). */
  static readonly RECORD_COUNTS_STATEMENTS = 2;

  /**
   * The guide's performance section in one answer: database size, each table's rows and
   * total size (largest first), and the indexes of the public schema with their size and use.
   */
  async databaseStats(): Promise<DatabaseStats> {
    const conn = this.orm.em.getConnection();
    const [db] = await conn.execute(
      `select current_database() as name, pg_database_size(current_database())::float8 as bytes,
              pg_size_pretty(pg_database_size(current_database())) as size`,
    );
    const tables = await conn.execute<Omit<TableStats, 'rows'>[]>(
      `select t.tablename as "table", c.reltuples::float8 as "rowEstimate",
              pg_total_relation_size(c.oid)::float8 as "totalBytes", pg_size_pretty(pg_total_relation_size(c.oid)) as "totalSize",
              pg_relation_size(c.oid)::float8 as "tableBytes", pg_indexes_size(c.oid)::float8 as "indexBytes",
              (select count(*)::int from pg_index i where i.indrelid = c.oid) as "indexCount"
         from pg_tables t join pg_class c on c.relname = t.tablename and c.relnamespace = 'public'::regnamespace
        where t.schemaname = 'public'
        order by pg_total_relation_size(c.oid) desc, t.tablename`,
    );
    const exact = tables.length
      ? await conn.execute<{ t: string; n: number }[]>(
          rowCountsSql(
            tables.map((t) => t.table),
            'public',
          ),
        )
      : [];
    const rows = new Map(exact.map((r) => [r.t, r.n]));
    const indexes = await conn.execute<IndexStats[]>(
      `select i.tablename as "table", i.indexname as name, i.indexdef as definition,
              pg_relation_size(ic.oid)::float8 as bytes, pg_size_pretty(pg_relation_size(ic.oid)) as size,
              coalesce(s.idx_scan, 0)::float8 as scans, x.indisunique as "unique", x.indisprimary as "primary"
         from pg_indexes i
         join pg_class ic on ic.relname = i.indexname and ic.relnamespace = 'public'::regnamespace
         join pg_index x on x.indexrelid = ic.oid
         left join pg_stat_user_indexes s on s.indexrelid = ic.oid
        where i.schemaname = 'public'
        order by i.tablename, i.indexname`,
    );
    const unindexed = await conn.execute<{ fk: string }[]>(
      `select cl.relname || '.' || a.attname as fk
         from pg_constraint con
         join pg_class cl on cl.oid = con.conrelid
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
        where con.contype = 'f' and cl.relnamespace = 'public'::regnamespace
          and not exists (select 1 from pg_index i where i.indrelid = con.conrelid and i.indkey[0] = con.conkey[1])
        order by 1`,
    );
    return {
      database: db.name,
      bytes: db.bytes,
      size: db.size,
      tables: tables.map((t) => ({ ...t, rows: rows.get(t.table) ?? 0 })),
      indexes,
      unindexedForeignKeys: unindexed.map((r) => r.fk),
    };
  }
}
