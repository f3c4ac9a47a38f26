/**
 * ReadService: every read of records goes through here — top-level pages, lookups, and
 * the batched parent/children loads behind relationship fields. Each method is exactly
 * one SQL statement, selects only the fields asked for, and returns plain rows keyed by
 * field name (entity property names; links as `participantId`, …), not ORM entities:
 * notebooks pull tens of thousands of rows, and hydrating entities would cost more than
 * the query.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { UserError } from '../errors';
import { checkFilter, whereClause, type CheckedFilter, type FilterOf } from './filters';
import { buildModels, LIST_NAME, type FieldColumn, type RecordKind, type Row, type TableModel } from './model';
import {
  afterCondition,
  checkOrder,
  decodeCursor,
  encodeCursor,
  keySelectList,
  keyValuesOf,
  orderByClause,
  type OrderSpec,
} from './ordering';
import { quote, runQuery, SqlParams } from './sql';
import type { ReadPool } from '../../db/read-pool';
import { parsePgTimestamp } from './timestamps';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;

export interface ListOptions<F> {
  filter?: F | null;
  orderBy?: readonly OrderSpec[] | null;
  /** Page size: default 100, at most 10,000. */
  first?: number | null;
  /** `endCursor` of the previous page. */
  after?: string | null;
  /** Fields to return (default: all of them); `id` always comes along. */
  fields?: readonly string[];
}

export interface Page {
  nodes: Row[];
  hasNextPage: boolean;
  /** Cursor of the last node; the `after` given when the page is empty (so polling can resume). */
  endCursor: string | null;
  /** Rows matching the filter across all pages: one more statement, run only when called. */
  totalCount(): Promise<number>;
}

export interface RelatedOptions<F> {
  filter?: F | null;
  orderBy?: readonly OrderSpec[] | null;
  fields?: readonly string[];
}

const T = 't';

export class ReadService {
  private readonly models: Record<RecordKind, TableModel>;

  constructor(
    private readonly orm: MikroORM,
    private readonly reads: ReadPool,
  ) {
    this.models = buildModels(orm.getMetadata());
  }

  model(kind: RecordKind): TableModel {
    return this.models[kind];
  }

  /** One page of `kind` rows matching `filter`, in `orderBy` order, after the cursor `after`. */
  async list<K extends RecordKind>(kind: K, o: ListOptions<FilterOf[K]> = {}): Promise<Page> {
    const model = this.models[kind];
    const first = checkFirst(o.first);
    const filter = checkFilter(kind, o.filter);
    const keys = checkOrder(model, o.orderBy);
    const after = o.after === null || o.after === undefined ? undefined : decodeCursor(kind, keys, o.after);
    const columns = this.columns(model, o.fields);

    const p = new SqlParams();
    const conditions = [whereClause(filter, T, p)];
    if (after) conditions.push(afterCondition(keys, after, T, p));
    const rows = await this.query(
      `select ${[...selectList(columns), ...keySelectList(keys, T)].join(', ')} from ${quote(model.table)} ${T} ` +
        `where ${conditions.join(' and ')} order by ${orderByClause(keys, T)} limit ${first + 1}`,
      p.values,
    );
    const page = rows.slice(0, first);
    const last = page.at(-1);
    return {
      nodes: page.map((r) => toRow(columns, r)),
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor(kind, keys, keyValuesOf(keys, last)) : (o.after ?? null),
      totalCount: () => this.countChecked(filter),
    };
  }

  /** How many `kind` rows match `filter`. */
  count<K extends RecordKind>(kind: K, filter?: FilterOf[K] | null): Promise<number> {
    return this.countChecked(checkFilter(kind, filter));
  }

  /** The one row matching `filter`, or null (for lookups by a unique key). */
  async findOne<K extends RecordKind>(kind: K, filter: FilterOf[K], fields?: readonly string[]): Promise<Row | null> {
    const page = await this.list(kind, { filter, first: 1, fields });
    return page.nodes[0] ?? null;
  }

  /** Rows by id (one statement for any number of ids); missing ids are absent from the map. */
  async byIds(kind: RecordKind, ids: readonly number[], fields?: readonly string[]): Promise<Map<number, Row>> {
    const model = this.models[kind];
    const columns = this.columns(model, fields);
    const p = new SqlParams();
    const rows = await this.query(
      `select ${selectList(columns).join(', ')} from ${quote(model.table)} ${T} where ${T}."id" = any(${p.bindArray(checkIds(ids), 'int')})`,
      p.values,
    );
    return new Map(rows.map((r) => [r.id as number, toRow(columns, r)]));
  }

  /**
   * The `kind` rows whose link `relation` points at each of `parentIds`, filtered and
   * ordered, in one statement: the batch behind a relationship list field.
   */
  async related<K extends RecordKind>(
    kind: K,
    relation: string,
    parentIds: readonly number[],
    o: RelatedOptions<FilterOf[K]> = {},
  ): Promise<Map<number, Row[]>> {
    const model = this.models[kind];
    const linkField = model.relations.get(relation);
    if (!linkField) throw new Error(`${kind} has no relation ${relation}`);
    const link = model.fields.get(linkField)!;
    const filter = checkFilter(kind, o.filter);
    const keys = checkOrder(model, o.orderBy);
    const columns = this.columns(model, o.fields);
    const p = new SqlParams();
    const linkCondition = `${T}.${quote(link.column)} = any(${p.bindArray(checkIds(parentIds), 'int')})`;
    const rows = await this.query(
      `select ${[...selectList(columns), `${T}.${quote(link.column)} as "_parent"`].join(', ')} from ${quote(model.table)} ${T} ` +
        `where ${linkCondition} and ${whereClause(filter, T, p)} order by ${orderByClause(keys, T)}`,
      p.values,
    );
    const groups = new Map<number, Row[]>(parentIds.map((id) => [id, []]));
    for (const r of rows) groups.get(r._parent as number)?.push(toRow(columns, r));
    return groups;
  }

  /** The columns for `fields` (all when not given), `id` first; an unknown field is a UserError. */
  private columns(model: TableModel, fields?: readonly string[]): FieldColumn[] {
    if (!fields) return [...model.fields.values()];
    const out = [model.fields.get('id')!];
    for (const f of new Set(fields)) {
      if (f === 'id') continue;
      const column = model.fields.get(f);
      if (!column) throw new UserError(`fields: ${JSON.stringify(f)} is not a field of ${LIST_NAME[model.kind]}.`);
      out.push(column);
    }
    return out;
  }

  private async countChecked(filter: CheckedFilter): Promise<number> {
    const p = new SqlParams();
    const model = this.models[filter.kind];
    const [row] = await this.query(
      `select count(*) as n from ${quote(model.table)} ${T} where ${whereClause(filter, T, p)}`,
      p.values,
    );
    return Number(row.n);
  }

  private query(sql: string, values: unknown[]): Promise<Row[]> {
    return runQuery(this.orm, this.reads, sql, values);
  }
}

function selectList(columns: FieldColumn[]): string[] {
  return columns.map((c) => `${T}.${quote(c.column)} as ${quote(c.field)}`);
}

function toRow(columns: FieldColumn[], raw: Row): Row {
  const out: Row = {};
  for (const c of columns) {
    const v = raw[c.field];
    out[c.field] = c.value !== 'plain' && typeof v === 'string' ? parsePgTimestamp(v) : v;
  }
  return out;
}

export function checkFirst(first: number | null | undefined, path = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new UserError(
      `${path}: must be an integer from 0 to ${MAX_PAGE_SIZE} (got ${JSON.stringify(first)}); page with "after" for more rows.`,
    );
  }
  return first;
}

function checkIds(ids: readonly number[]): number[] {
  return ids.filter((id) => Number.isInteger(id));
}
