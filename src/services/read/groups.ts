/**
 * Group-by aggregates: rows of one list, filtered as the list is, grouped by some of their
 * columns, with the count and statistics of their numeric columns, all computed by
 * PostgreSQL in one GROUP BY. Which columns can be grouped by and which have statistics is
 * derived from the column declarations (src/entities/columns.ts): every enum, boolean and
 * integer column groups, every integer and float column has statistics; `study` and
 * `participantNumber` group through the participant.
 *
 * One builder (`groupedSelect`) writes the GROUP BY for both read paths: the compiled
 * statement wraps it in its JSON text, the resolvers run it through `GroupService`.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  AudioProcessing,
  BiomechanicsImport,
  MovementCycle,
  Participant,
  StudyName,
  Synchronization,
} from '../../entities';
import { columnKindsOf, type EntityClass } from '../../entities/columns';
import type { ReadPool } from '../../db/read-pool';
import { UserError } from '../errors';
import { checkFilter, whereClause, type CheckedFilter } from './filters';
import { FIELD_ALIASES, type RecordKind, type TableModel } from './model';
import type { ReadService } from './read-service';
import { quote, runQuery, SqlParams } from './sql';

/** The lists that have `<record>Groups`. */
export type GroupKind = Exclude<RecordKind, 'study'>;
export const GROUP_KINDS: readonly GroupKind[] = [
  'participant',
  'audioProcessing',
  'biomechanicsImport',
  'synchronization',
  'movementCycle',
];

const ENTITY_CLASS: Record<GroupKind, EntityClass> = {
  participant: Participant,
  audioProcessing: AudioProcessing,
  biomechanicsImport: BiomechanicsImport,
  synchronization: Synchronization,
  movementCycle: MovementCycle,
};

/** A column rows can be grouped by. `study` and `participantNumber` are read through the participant. */
export interface GroupField {
  field: string;
  type: 'int' | 'boolean' | 'enum';
  /** The GraphQL enum (for `enum`), and its stored value → GraphQL name where they differ. */
  graphqlType?: object;
  renamed: ReadonlyMap<string, string>;
  via?: 'study' | 'participant';
}

export interface GroupModel {
  kind: GroupKind;
  groupFields: ReadonlyMap<string, GroupField>;
  /** Fields with statistics: every int and float column. */
  numericFields: readonly string[];
}

export const STATISTICS = ['sum', 'avg', 'min', 'max', 'stddev', 'percentile'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** What each statistic is in SQL (`stddev` is the sample standard deviation, null for one row). */
const AGGREGATE_SQL: Record<Exclude<Statistic, 'percentile'>, string> = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  stddev: 'stddev_samp',
};

function renamedValues(items: object): Map<string, string> {
  return new Map(
    Object.entries(items)
      .filter(([name, value]) => name !== value)
      .map(([name, value]) => [String(value), name]),
  );
}

/** The group-by model of each list, from its entity's column declarations. */
function buildGroupModel(kind: GroupKind): GroupModel {
  const groupFields = new Map<string, GroupField>([
    [
      'study',
      { field: 'study', type: 'enum', graphqlType: StudyName, renamed: renamedValues(StudyName), via: 'study' },
    ],
    ['participantNumber', { field: 'participantNumber', type: 'int', renamed: new Map(), via: 'participant' }],
  ]);
  const numericFields: string[] = [];
  for (const [field, column] of columnKindsOf(ENTITY_CLASS[kind])) {
    if (column.kind === 'int' || column.kind === 'float') numericFields.push(field);
    // The participant's own number is `participantNumber`.
    if (kind === 'participant' && field === 'studyParticipantId') continue;
    if (column.kind === 'enum') {
      groupFields.set(field, {
        field,
        type: 'enum',
        graphqlType: column.graphqlType,
        renamed: renamedValues(column.items()),
      });
    } else if (column.kind === 'int' || column.kind === 'boolean') {
      groupFields.set(field, { field, type: column.kind, renamed: new Map() });
    }
  }
  for (const [alias, of] of Object.entries(FIELD_ALIASES[kind] ?? {}))
    if (numericFields.includes(of)) numericFields.push(alias);
  return { kind, groupFields, numericFields };
}

export const GROUP_MODELS: Record<GroupKind, GroupModel> = Object.fromEntries(
  GROUP_KINDS.map((k) => [k, buildGroupModel(k)]),
) as Record<GroupKind, GroupModel>;

/** One statistic of one numeric field (`p` for percentile). */
export interface Aggregate {
  statistic: Statistic;
  field: string;
  p?: number;
}

/** `p` of percentile(p): a number in [0, 1]. */
export function checkPercentile(p: unknown, path = 'percentile.p'): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new UserError(`${path}: p must be a number from 0 to 1 (got ${JSON.stringify(p)}); 0.5 is the median.`);
  }
  return p;
}

/** A validated group request: the fields to group by (in order, once each) and the statistics to compute. */
export interface GroupRequest {
  kind: GroupKind;
  groupBy: readonly string[];
  filter: CheckedFilter;
  aggregates: readonly Aggregate[];
}

export function checkGroupRequest(
  kind: GroupKind,
  groupBy: readonly string[] | null | undefined,
  filter: object | null | undefined,
  aggregates: readonly Aggregate[],
): GroupRequest {
  const model = GROUP_MODELS[kind];
  if (!Array.isArray(groupBy))
    throw new UserError('groupBy: must be a list of fields (an empty list gives one group).');
  const fields: string[] = [];
  groupBy.forEach((f, i) => {
    if (!model.groupFields.has(f))
      throw new UserError(
        `groupBy[${i}]: ${JSON.stringify(f)} cannot be grouped by (known: ${[...model.groupFields.keys()].join(', ')}).`,
      );
    if (!fields.includes(f)) fields.push(f);
  });
  for (const a of aggregates) {
    if (!STATISTICS.includes(a.statistic)) throw new Error(`unknown statistic ${a.statistic}`);
    if (!model.numericFields.includes(a.field)) throw new UserError(`${a.statistic}.${a.field}: not a numeric field.`);
    if (a.statistic === 'percentile') checkPercentile(a.p);
  }
  return { kind, groupBy: fields, filter: checkFilter(kind, filter), aggregates };
}

/** Output column names of the grouped select. */
export const keyColumn = (field: string) => `k_${field}`;
export const aggregateColumn = (i: number) => `a${i}`;
export const COUNT_COLUMN = 'n';

export interface GroupedSelect {
  /** `select … group by …`: one row per group, its keys as `k_<field>`, `n`, and each aggregate as `a<i>`. */
  sql: string;
  /** The key columns in order, for `order by`. */
  keyColumns: string[];
}

/**
 * The GROUP BY of `request` over `model`'s table. `link` restricts it to the rows whose
 * link column equals an expression (a parent row of the compiled statement), or groups by
 * the link column too (`"_parent"`, the resolvers' batch over many parents).
 */
export function groupedSelect(
  request: GroupRequest,
  model: TableModel,
  p: SqlParams,
  alias: string,
  link?: { column: string; equals: string } | { column: string; anyOf: readonly number[] },
): GroupedSelect {
  const t = alias;
  const gp = `${t}_p`;
  const gs = `${t}_s`;
  const selfIsParticipant = request.kind === 'participant';
  const fields = request.groupBy.map((f) => GROUP_MODELS[request.kind].groupFields.get(f)!);
  const needsStudy = fields.some((f) => f.via === 'study');
  const needsParticipant = !selfIsParticipant && fields.some((f) => f.via);
  const column = (field: string) => `${t}.${quote(model.fields.get(field)!.column)}`;
  const keyExpr = (f: GroupField) => {
    if (f.via === 'study') return `${gs}."name"`;
    if (f.via === 'participant') return `${selfIsParticipant ? t : gp}."study_participant_id"`;
    return column(f.field);
  };
  const select = fields.map((f) => `${keyExpr(f)} as ${quote(keyColumn(f.field))}`);
  const groupBy = fields.map(keyExpr);
  if (link && 'anyOf' in link) {
    select.push(`${t}.${quote(link.column)} as "_parent"`);
    groupBy.push(`${t}.${quote(link.column)}`);
  }
  select.push(`count(*)::int as ${quote(COUNT_COLUMN)}`);
  request.aggregates.forEach((a, i) => {
    const value = `${column(a.field)}::float8`;
    const expr =
      a.statistic === 'percentile'
        ? `percentile_cont(${p.bind(a.p, 'float8')}) within group (order by ${value})`
        : `${AGGREGATE_SQL[a.statistic]}(${value})`;
    select.push(`(${expr})::float8 as ${quote(aggregateColumn(i))}`);
  });
  // Bound after the select list: placeholders are numbered in the order of the text.
  const conditions = [whereClause(request.filter, t, p)];
  if (link && 'equals' in link) conditions.push(`${t}.${quote(link.column)} = ${link.equals}`);
  if (link && 'anyOf' in link)
    conditions.push(`${t}.${quote(link.column)} = any(${p.bindArray(link.anyOf.filter(Number.isInteger), 'int')})`);
  let from = `${quote(model.table)} ${t}`;
  if (needsParticipant) from += ` join "participant" ${gp} on ${gp}."id" = ${t}."participant_id"`;
  if (needsStudy) from += ` join "study" ${gs} on ${gs}."id" = ${selfIsParticipant ? t : gp}."study_id"`;
  return {
    sql: `select ${select.join(', ')} from ${from} where ${conditions.join(' and ')}${groupBy.length ? ` group by ${groupBy.join(', ')}` : ''}`,
    keyColumns: fields.map((f) => keyColumn(f.field)),
  };
}

/** `order by` of groups: by key, in groupBy order, nulls last. */
export function groupOrder(keyColumns: readonly string[], alias: string): string {
  return keyColumns.map((k) => `${alias}.${quote(k)} asc nulls last`).join(', ');
}

/** One group as the resolvers return it. */
export interface GroupRow {
  key: Record<string, unknown>;
  count: number;
  /** Statistic → field → value; percentiles under `percentile:<p>`. */
  values: Record<string, Record<string, number | null>>;
}

export const statisticSlot = (a: Pick<Aggregate, 'statistic' | 'p'>) =>
  a.statistic === 'percentile' ? `percentile:${a.p}` : a.statistic;

export class GroupService {
  constructor(
    private readonly orm: MikroORM,
    private readonly reads: ReadPool,
    private readonly read: ReadService,
  ) {}

  /** The groups of `request` (one statement), in key order. */
  async groups(request: GroupRequest): Promise<GroupRow[]> {
    const rows = await this.run(request);
    return rows.map((r) => toGroupRow(request, r));
  }

  /**
   * The groups of the `request.kind` rows linked through `relation` to each parent, in one
   * statement. Every parent gets its groups; with an empty groupBy, one group even over no rows.
   */
  async groupsByParent(
    request: GroupRequest,
    relation: string,
    parentIds: readonly number[],
  ): Promise<Map<number, GroupRow[]>> {
    const model = this.read.model(request.kind);
    const linkField = model.relations.get(relation);
    if (!linkField) throw new Error(`${request.kind} has no relation ${relation}`);
    const rows = await this.run(request, { column: model.fields.get(linkField)!.column, anyOf: parentIds });
    const out = new Map<number, GroupRow[]>(parentIds.map((id) => [id, []]));
    for (const r of rows) out.get(r._parent as number)?.push(toGroupRow(request, r));
    if (request.groupBy.length === 0) {
      for (const [id, groups] of out)
        if (groups.length === 0) out.set(id, [toGroupRow(request, { [COUNT_COLUMN]: 0 })]);
    }
    return out;
  }

  private async run(request: GroupRequest, link?: { column: string; anyOf: readonly number[] }) {
    const p = new SqlParams();
    const g = groupedSelect(request, this.read.model(request.kind), p, 't', link);
    const order = groupOrder(g.keyColumns, 'g');
    return runQuery(this.orm, this.reads, `select * from (${g.sql}) g${order ? ` order by ${order}` : ''}`, p.values);
  }
}

function toGroupRow(request: GroupRequest, r: Record<string, unknown>): GroupRow {
  const key: Record<string, unknown> = {};
  for (const f of request.groupBy) key[f] = r[keyColumn(f)] ?? null;
  const values: GroupRow['values'] = {};
  request.aggregates.forEach((a, i) => {
    const slot = statisticSlot(a);
    const v = r[aggregateColumn(i)];
    (values[slot] ??= {})[a.field] = v === null || v === undefined ? null : Number(v);
  });
  return { key, count: Number(r[COUNT_COLUMN]), values };
}
