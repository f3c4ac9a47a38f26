/**
 * Set-based upserts: a whole batch of rows travels as one JSON parameter and is expanded
 * by `jsonb_populate_recordset`, so a thousand rows cost one statement and one round trip,
 * and PostgreSQL does the type conversion (arrays, timestamps) exactly as for a literal.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export interface UpsertSpec {
  table: string;
  /** `on constraint <name>` target: the natural key of domain.md. */
  constraint: string;
  /** Columns to hand back beside `id`, to map returned ids to input rows. */
  returning?: string[];
  /** Keep these columns' stored values on conflict (e.g. created_at). */
  keepOnConflict?: string[];
  /** Also return `inserted`: true for a new row, false for one the conflict clause updated. */
  reportInserted?: boolean;
}

const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;

/** The columns present in any row, in first-seen order (keys starting with `_` are private). */
export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!k.startsWith('_')) seen.add(k);
  return [...seen];
}

export async function upsertRows<T = Record<string, unknown>>(
  em: EntityManager,
  spec: UpsertSpec,
  rows: Record<string, unknown>[],
): Promise<(T & { id: number })[]> {
  if (rows.length === 0) return [];
  const cols = columnsOf(rows);
  const payload = JSON.stringify(rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))));
  const keep = new Set(['id', 'created_at', ...(spec.keepOnConflict ?? [])]);
  const updates = cols.filter((c) => !keep.has(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`);
  // updated_at is moved by the database trigger on every UPDATE, upserts included.
  // xmax is 0 only on a row version no transaction has updated or locked: a fresh insert.
  const returning = ['id', ...(spec.returning ?? [])].map(quote).join(', ') + (spec.reportInserted ? ', (xmax = 0) as inserted' : '');
  const sql =
    `insert into ${quote(spec.table)} (${cols.map(quote).join(', ')}) ` +
    `select ${cols.map(quote).join(', ')} from jsonb_populate_recordset(null::${quote(spec.table)}, ?::jsonb) ` +
    `on conflict on constraint ${quote(spec.constraint)} do ` +
    `update set ${updates.join(', ')} ` +
    `returning ${returning}`;
  // Through knex with a bind parameter: MikroORM's execute() would inline the (megabytes of)
  // JSON into the SQL text, escaping it character by character.
  const query = em.getConnection().getKnex().raw(sql, [payload]);
  const tx = em.getTransactionContext();
  const result = await (tx ? query.transacting(tx) : query);
  return result.rows;
}
