/**
 * Set-based upserts: a whole batch of rows travels as one JSON parameter and is expanded
 * by `json_populate_recordset`, so a thousand rows cost one statement and one round trip,
 * and PostgreSQL does the type conversion (arrays, timestamps) exactly as for a literal.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { quote } from '../read/sql';

export interface UpsertSpec {
  table: string;
  /** `on constraint <name>` target: the natural key of docs/data-model.md. */
  constraint: string;
  /** Columns to hand back beside `id`, to map returned ids to input rows. */
  returning?: string[];
  /** Keep these columns' stored values on conflict (e.g. created_at). */
  keepOnConflict?: string[];
  /** Also return `inserted`: true for a new row, false for one the conflict clause updated. */
  reportInserted?: boolean;
}

/** The columns present in any row, in first-seen order (keys starting with `_` are private). */
export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!k.startsWith('_')) seen.add(k);
  return [...seen];
}

/**
 * The statement's runner: the transaction when `em` is inside one, else the pool.
 * We go to knex rather than `em.getConnection().execute()` because the latter inlines
 * parameters into the SQL text as escaped literals; for a payload of several megabytes
 * that escaping, and the garbage it leaves, cost more than the insert itself.
 */
function runner(em: EntityManager): Knex {
  return (em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()) as Knex;
}

function upsertSql(spec: UpsertSpec, cols: string[], returning: string): string {
  const keep = new Set(['id', 'created_at', ...(spec.keepOnConflict ?? [])]);
  const updates = cols.filter((c) => !keep.has(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`);
  // updated_at is moved by the database trigger on every UPDATE, upserts included.
  // json (not jsonb): each record is parsed once on its way into the table, so building
  // jsonb's binary form first would only add work.
  return (
    `insert into ${quote(spec.table)} (${cols.map(quote).join(', ')}) ` +
    `select ${cols.map(quote).join(', ')} from json_populate_recordset(null::${quote(spec.table)}, ?::json) ` +
    `on conflict on constraint ${quote(spec.constraint)} do ` +
    `update set ${updates.join(', ')} ` +
    `returning ${returning}`
  );
}

/**
 * Keys a row lacks arrive as null (the record starts from `null::table`), and keys that
 * name no column (`_sync`, `_key`) are ignored by PostgreSQL, so rows are sent as they are.
 */
export async function upsertRows<T = Record<string, unknown>>(
  em: EntityManager,
  spec: UpsertSpec,
  rows: Record<string, unknown>[],
): Promise<(T & { id: number })[]> {
  if (rows.length === 0) return [];
  // xmax is 0 only on a row version no transaction has updated or locked: a fresh insert.
  const returning =
    ['id', ...(spec.returning ?? [])].map(quote).join(', ') + (spec.reportInserted ? ', (xmax = 0) as inserted' : '');
  const res = await runner(em).raw(upsertSql(spec, columnsOf(rows), returning), [JSON.stringify(rows)]);
  return res.rows;
}

/** Like `upsertRows` when the caller needs no ids back: returns only how many rows were written. */
export async function upsertRowsCount(
  em: EntityManager,
  spec: UpsertSpec,
  rows: Record<string, unknown>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const sql = `with written as (${upsertSql(spec, columnsOf(rows), '1')}) select count(*)::int as n from written`;
  const res = await runner(em).raw(sql, [JSON.stringify(rows)]);
  return res.rows[0].n;
}
