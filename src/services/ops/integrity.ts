/**
 * Data integrity: the guide's orphan checks, extended to every foreign key, and the
 * cross-record rules of docs/data-model.md that no single-row constraint can express. Each check is
 * one SQL statement; the `integrity` command and the `integrityReport` query both run these.
 *
 * With the foreign keys in place orphans cannot appear, but they do after loads that bypass
 * them (a data-only restore with triggers disabled, a pipeline writing with
 * session_replication_role = replica, a key dropped by hand), which is why the guide checks.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { UnderscoreNamingStrategy } from '@mikro-orm/core';
import { ENTITIES, TABLES, type TableName } from '../../entities';
import { columnsOf, type ReferenceDeleteRule } from '../../entities/columns';
import { quote, rowCountsSql } from '../read/sql';

export type IntegrityCheckKind = 'orphan' | 'consistency';

export interface IntegrityCheckResult {
  /** Stable identifier, e.g. `audio_processing.participant_id` or `synchronization.total_cycles`. */
  key: string;
  kind: IntegrityCheckKind;
  /** The table whose rows break the rule. */
  table: TableName;
  description: string;
  /** Rows breaking the rule. */
  count: number;
  /** Up to five of their ids, smallest first. */
  sampleIds: number[];
  /** Whether `integrity --fix` repairs it (orphans only). */
  fixable: boolean;
}

export interface IntegrityReport {
  ok: boolean;
  /** Sum of all counts. */
  problems: number;
  checks: IntegrityCheckResult[];
}

export interface IntegrityFix {
  key: string;
  description: string;
  /** `deleted` for a required link (as ON DELETE CASCADE would have), `unlinked` (set to null) for an optional one. */
  action: 'deleted' | 'unlinked';
  count: number;
}

export interface IntegrityFixResult {
  fixes: IntegrityFix[];
  /** Rows that are gone afterwards, per table (orphans plus what cascaded from them). */
  removedRows: Record<TableName, number>;
  /** The report after the repair. */
  after: IntegrityReport;
}

interface ForeignKeySpec {
  table: TableName;
  column: string;
  parent: TableName;
  /** What the foreign key does when its parent is deleted; the repair does the same. */
  onDelete: ReferenceDeleteRule;
  description: string;
}

/** How the integrity report names a table's rows: one, and several. */
const ROWS_OF: Record<TableName, [string, string]> = {
  study: ['study', 'studies'],
  participant: ['participant', 'participants'],
  audio_processing: ['audio record', 'audio records'],
  biomechanics_import: ['biomechanics import', 'biomechanics imports'],
  synchronization: ['synchronization', 'synchronizations'],
  movement_cycles: ['movement cycle', 'movement cycles'],
};

const COLUMN_NAMES = new UnderscoreNamingStrategy();

/**
 * Every foreign key, read from the entities' reference columns (where each is declared with its
 * delete rule), parents before children so that a repair's cascades run downwards.
 */
const FOREIGN_KEYS: ForeignKeySpec[] = ENTITIES.flatMap((entity, i) =>
  columnsOf(entity).flatMap((c): ForeignKeySpec[] => {
    if (c.kind !== 'reference') return [];
    const table = TABLES[i];
    const parent = TABLES[ENTITIES.indexOf(c.entity() as (typeof ENTITIES)[number])];
    const [one] = ROWS_OF[parent];
    const rows = ROWS_OF[table][1];
    return [
      {
        table,
        column: COLUMN_NAMES.joinColumnName(c.property),
        parent,
        onDelete: c.deleteRule,
        description:
          c.deleteRule === 'set null' ? `${rows} linked to a missing ${one}` : `${rows} without their ${one}`,
      },
    ];
  }),
);

const orphanWhere = (fk: ForeignKeySpec) =>
  `x.${quote(fk.column)} is not null and not exists (select 1 from ${quote(fk.parent)} p where p.id = x.${quote(fk.column)})`;

interface CheckSpec {
  key: string;
  kind: IntegrityCheckKind;
  table: TableName;
  description: string;
  /** Selects the ids (`x.id`) of the rows that break the rule. */
  sql: string;
}

const orphanKey = (fk: ForeignKeySpec) => `${fk.table}.${fk.column}`;

/** One orphan check per foreign key. */
const ORPHANS: CheckSpec[] = FOREIGN_KEYS.map((fk) => ({
  key: orphanKey(fk),
  kind: 'orphan',
  table: fk.table,
  description: fk.description,
  sql: `select x.id from ${quote(fk.table)} x where ${orphanWhere(fk)}`,
}));

/**
 * Rows of `table` (as `x`) whose row in the table `column` links to (as `p`) meets `where`.
 * `column` is one of FOREIGN_KEYS, which names the linked table.
 */
function linked(table: TableName, column: string, name: string, description: string, where: string): CheckSpec {
  const fk = FOREIGN_KEYS.find((f) => f.table === table && f.column === column);
  if (!fk) throw new Error(`${table}.${column} is not a foreign key`);
  return {
    key: `${table}.${name}`,
    kind: 'consistency',
    table,
    description,
    sql: `select x.id from ${quote(table)} x join ${quote(fk.parent)} p on p.id = x.${quote(column)} where ${where}`,
  };
}

/** Some of `columns` differ between the row and its linked row. */
const differs = (...columns: string[]) =>
  columns.map((c) => `p.${quote(c)} is distinct from x.${quote(c)}`).join(' or ');

/** Synchronizations whose `column` differs from `counted` of their movement cycles (`c.total`, `c.outliers`). */
function cycleCount(name: string, column: string, description: string, counted: string): CheckSpec {
  return {
    key: `synchronization.${name}`,
    kind: 'consistency',
    table: 'synchronization',
    description,
    sql: `select x.id from synchronization x left join (
    select synchronization_id, count(*) as total, count(*) filter (where is_outlier) as outliers
      from movement_cycles where synchronization_id is not null group by synchronization_id) c on c.synchronization_id = x.id
     where x.${quote(column)} <> coalesce(${counted}, 0)`,
  };
}

/** docs/data-model.md's rules across records. */
const CONSISTENCY: CheckSpec[] = [
  linked(
    'synchronization',
    'audio_processing_id',
    'audio_participant',
    'synchronizations whose audio record belongs to another participant',
    'p.participant_id <> x.participant_id',
  ),
  linked(
    'synchronization',
    'biomechanics_import_id',
    'biomechanics_participant',
    'synchronizations whose biomechanics import belongs to another participant',
    'p.participant_id <> x.participant_id',
  ),
  linked(
    'synchronization',
    'audio_processing_id',
    'audio_knee_maneuver',
    'synchronizations whose knee or maneuver differs from their audio record',
    differs('knee', 'maneuver'),
  ),
  linked(
    'synchronization',
    'biomechanics_import_id',
    'biomechanics_knee_maneuver',
    'synchronizations whose knee or maneuver differs from their biomechanics import',
    differs('knee', 'maneuver'),
  ),
  cycleCount(
    'total_cycles',
    'total_cycles_extracted',
    'synchronizations whose total_cycles_extracted differs from their number of movement cycles',
    'c.total',
  ),
  cycleCount(
    'outlier_cycles',
    'outlier_cycles',
    'synchronizations whose outlier_cycles differs from their cycles marked is_outlier',
    'c.outliers',
  ),
  cycleCount(
    'clean_cycles',
    'clean_cycles',
    'synchronizations whose clean_cycles differs from their cycles not marked is_outlier',
    'c.total - c.outliers',
  ),
  linked(
    'movement_cycles',
    'synchronization_id',
    'synchronization_match',
    'movement cycles whose participant, knee, maneuver, pass or speed differs from their synchronization',
    differs('participant_id', 'knee', 'maneuver', 'pass_number', 'speed'),
  ),
  linked(
    'movement_cycles',
    'audio_processing_id',
    'audio_match',
    'movement cycles whose participant, knee or maneuver differs from their audio record',
    differs('participant_id', 'knee', 'maneuver'),
  ),
  linked(
    'movement_cycles',
    'biomechanics_import_id',
    'biomechanics_match',
    'movement cycles whose participant, knee or maneuver differs from their biomechanics import',
    differs('participant_id', 'knee', 'maneuver'),
  ),
  linked(
    'audio_processing',
    'biomechanics_import_id',
    'biomechanics_match',
    'audio records linked to biomechanics of another participant, knee or maneuver',
    differs('participant_id', 'knee', 'maneuver'),
  ),
  linked(
    'biomechanics_import',
    'audio_processing_id',
    'audio_match',
    'biomechanics imports linked to audio of another participant, knee or maneuver',
    differs('participant_id', 'knee', 'maneuver'),
  ),
  linked(
    'audio_processing',
    'biomechanics_import_id',
    'biomechanics_link_mutual',
    'audio records whose biomechanics import links back to a different audio record',
    'p.audio_processing_id <> x.id',
  ),
  linked(
    'biomechanics_import',
    'audio_processing_id',
    'audio_link_mutual',
    'biomechanics imports whose audio record links back to a different biomechanics import',
    'p.biomechanics_import_id <> x.id',
  ),
];

/** Statements `report()` runs: one per check. */
export const INTEGRITY_REPORT_STATEMENTS = ORPHANS.length + CONSISTENCY.length;

const countAndSample = (idsSql: string) =>
  `select count(*)::int as n, coalesce((array_agg(id order by id))[1:5], '{}') as sample from (${idsSql}) q`;

export class IntegrityService {
  constructor(private readonly orm: MikroORM) {}

  /** Every check with its count, orphans first, in a fixed order. */
  async report(): Promise<IntegrityReport> {
    const conn = this.orm.em.getConnection();
    const checks: IntegrityCheckResult[] = [];
    for (const { key, kind, table, description, sql } of [...ORPHANS, ...CONSISTENCY]) {
      const [row] = await conn.execute(countAndSample(sql));
      checks.push({ key, kind, table, description, count: row.n, sampleIds: row.sample, fixable: kind === 'orphan' });
    }
    const problems = checks.reduce((a, c) => a + c.count, 0);
    return { ok: problems === 0, problems, checks };
  }

  /**
   * The guide's "remove orphaned records", for every foreign key, in one transaction: a row
   * whose required parent is missing is deleted (its children go with it, as the cascade
   * would have done); an optional link to a missing row is set to null. Repeated until a pass
   * finds nothing, since removing one orphan can orphan rows whose keys were dropped too.
   */
  async fixOrphans(): Promise<IntegrityFixResult> {
    const fixes = new Map<string, IntegrityFix>();
    const removedRows = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>;
    await this.orm.em.fork().transactional(async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      const countAll = async () => {
        const rows = await conn.execute<{ t: TableName; n: number }[]>(rowCountsSql(TABLES), [], 'all', tx);
        return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<TableName, number>;
      };
      const before = await countAll();
      for (let pass = 0; pass < 20; pass++) {
        let changed = 0;
        for (const fk of FOREIGN_KEYS) {
          const sql =
            fk.onDelete === 'cascade'
              ? `with gone as (delete from ${quote(fk.table)} x where ${orphanWhere(fk)} returning 1) select count(*)::int as n from gone`
              : `with gone as (update ${quote(fk.table)} x set ${quote(fk.column)} = null where ${orphanWhere(fk)} returning 1) select count(*)::int as n from gone`;
          const [{ n }] = await conn.execute(sql, [], 'all', tx);
          if (!n) continue;
          changed += n;
          const key = orphanKey(fk);
          const fix = fixes.get(key) ?? {
            key,
            description: fk.description,
            action: fk.onDelete === 'cascade' ? 'deleted' : 'unlinked',
            count: 0,
          };
          fix.count += n;
          fixes.set(key, fix);
        }
        if (!changed) break;
      }
      const after = await countAll();
      for (const t of TABLES) removedRows[t] = before[t] - after[t];
    });
    return { fixes: [...fixes.values()], removedRows, after: await this.report() };
  }
}
