/**
 * Read-only rows for the GraphQL read path. A nested query can return tens of thousands
 * of records that nobody will modify, so they are fetched as plain objects: only the
 * columns asked for (plus the keys that link records), aliased to property names in SQL,
 * with no entity hydration, no identity map and no change tracking. The objects carry the
 * same names an entity exposes to GraphQL, foreign keys included (`participantId`, …), so
 * the schema serves rows and entities alike.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';

export type ReadRow = Record<string, unknown> & { id: number };

interface ColumnPlan {
  /** `"column" as "property"` for the select list. */
  select: string;
  /** Converts the driver's value in place, when it needs converting. */
  convert?: (value: unknown) => unknown;
}

interface EntityPlan {
  table: string;
  /** Scalar properties and foreign keys (as `<relation>Id`) by GraphQL field name. */
  columns: Map<string, ColumnPlan>;
  /** Always selected: the id and every foreign key, which relationship fields need. */
  keys: string[];
  /** Relation property → its foreign-key column. */
  foreignKeys: Map<string, string>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * MikroORM's PostgreSQL connection leaves date-times as the server's text. `timestamp`
 * columns hold UTC wall-clock times (the ORM is configured with forceUtcTimezone);
 * `timestamptz` text carries its own offset (`+00`, `+05:30`), completed here to ISO form.
 */
const utcTimestamp = (v: unknown) => (typeof v === 'string' ? new Date(`${v.replace(' ', 'T')}Z`) : v);
const zonedTimestamp = (v: unknown) =>
  typeof v === 'string' ? new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')) : v;

function columnPlan(prop: EntityProperty): ColumnPlan | undefined {
  const column = prop.fieldNames?.[0];
  if (!column) return undefined;
  if (prop.kind === 'm:1') return { select: `${quote(column)} as ${quote(`${prop.name}Id`)}` };
  if (prop.kind !== 'scalar') return undefined;
  const select = `${quote(column)} as ${quote(prop.name)}`;
  const columnType = String(prop.columnTypes?.[0] ?? '');
  if (columnType.startsWith('timestamptz')) return { select, convert: zonedTimestamp };
  if (columnType.startsWith('timestamp')) return { select, convert: utcTimestamp };
  return { select };
}

/** Plans depend on the metadata only; every request of every ORM instance shares them. */
const plans = new WeakMap<EntityMetadata, EntityPlan>();

export class RowReader {
  constructor(private readonly em: EntityManager) {}

  private plan(entityName: string): EntityPlan {
    const meta = this.em.getMetadata().find(entityName) as EntityMetadata | undefined;
    if (!meta) throw new Error(`No entity metadata for ${entityName}`);
    let plan = plans.get(meta);
    if (plan) return plan;
    const columns = new Map<string, ColumnPlan>();
    const keys = ['id'];
    const foreignKeys = new Map<string, string>();
    for (const prop of meta.props) {
      const c = columnPlan(prop);
      if (!c) continue;
      if (prop.kind === 'm:1') {
        columns.set(`${prop.name}Id`, c);
        keys.push(`${prop.name}Id`);
        foreignKeys.set(prop.name, prop.fieldNames[0]);
      } else columns.set(prop.name, c);
    }
    plan = { table: meta.tableName, columns, keys, foreignKeys };
    plans.set(meta, plan);
    return plan;
  }

  /** The select list for these GraphQL fields (unknown names, e.g. relationship fields, are ignored). */
  private selectList(plan: EntityPlan, fields: readonly string[]): { sql: string; converters: [string, (v: unknown) => unknown][] } {
    const names = [...new Set([...plan.keys, ...fields])].filter((f) => plan.columns.has(f));
    const converters: [string, (v: unknown) => unknown][] = [];
    for (const n of names) {
      const convert = plan.columns.get(n)!.convert;
      if (convert) converters.push([n, convert]);
    }
    return { sql: names.map((n) => plan.columns.get(n)!.select).join(', '), converters };
  }

  private async run(sql: string, params: unknown[], converters: [string, (v: unknown) => unknown][]): Promise<ReadRow[]> {
    const knex = (this.em.getTransactionContext<Knex.Transaction>() ?? this.em.getConnection().getKnex()) as Knex;
    const { rows } = (await knex.raw(sql, params as any[])) as { rows: ReadRow[] };
    if (converters.length) for (const row of rows) for (const [name, convert] of converters) row[name] = convert(row[name]);
    return rows;
  }

  /** Rows whose id is in `ids`. */
  byIds(entityName: string, ids: readonly number[], fields: readonly string[]): Promise<ReadRow[]> {
    const plan = this.plan(entityName);
    const { sql, converters } = this.selectList(plan, fields);
    return this.run(`select ${sql} from ${quote(plan.table)} where "id" = any(?::int[])`, [ids], converters);
  }

  /** Rows whose relation `relation` points at one of `parentIds`, ordered by id; `relation` is the property (`participant`). */
  byParent(entityName: string, relation: string, parentIds: readonly number[], fields: readonly string[]): Promise<ReadRow[]> {
    const plan = this.plan(entityName);
    const fk = plan.foreignKeys.get(relation);
    if (!fk) throw new Error(`${entityName} has no many-to-one relation "${relation}"`);
    const { sql, converters } = this.selectList(plan, fields);
    return this.run(`select ${sql} from ${quote(plan.table)} where ${quote(fk)} = any(?::int[]) order by "id"`, [parentIds], converters);
  }
}
