/**
 * `ae-db import-legacy`: every row of a predecessor database, written into this schema in one
 * transaction of the target database.
 *
 * The legacy tables are streamed (COPY … TO STDOUT on the source, read in one snapshot, COPY
 * … FROM STDIN on the target) into temporary staging tables shaped like this schema's tables,
 * with each row's legacy id. Everything after that is set-based SQL on the target, table by
 * table, parents first: derive what the predecessor did not store, convert what it spelled
 * differently, reject what breaks a rule of this schema (its own NOT NULLs and CHECKs, read
 * from the catalog, and the cross-record rules), merge duplicates of a natural key, recognise
 * rows already imported, then insert the rest under their legacy ids. Every merged, rejected or
 * converted row goes into the report; nothing is dropped or changed without a line there.
 *
 * The engine knows nothing about a particular predecessor: layouts (b68cac4282f5.ts) do.
 */
import { escapeIdentifier, escapeLiteral, type Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { TableName } from '../../entities';
import { connectClient } from '../../db/pg';
import { UserError } from '../errors';
import type { LegacyLayout, LegacyTableMapping } from './layout';
import { describeDetection, detectLegacy, importAdvice, MOVED_LEGACY_SCHEMA, type LegacyDetection } from './detection';
import type { Disposition, LegacyImportResult, ReportRow, TableSummary } from './report';

const q = escapeIdentifier;
const lit = escapeLiteral;

// ------------------------------------------------------------------ the service

export interface LegacyImportOptions {
  /** The predecessor database. */
  from: string;
  /** Schema holding its tables (default: public, or where a same-database import moved them). */
  schema?: string;
  dryRun?: boolean;
}

interface TargetTable {
  columns: { name: string; notNull: boolean }[];
  checks: { name: string; expression: string }[];
  foreignKeys: { column: string; parent: TableName }[];
  /** The natural key (the table's unique constraint), and which of its columns may be null. */
  key: string[];
  nullableKey: Set<string>;
  /** The id column's sequence. */
  sequence: string;
}

export class LegacyImportService {
  constructor(
    private readonly targetUrl: string,
    private readonly adminTimeoutMs = 0,
  ) {}

  /** What the source database holds, without reading any rows. */
  async detect(url: string, schema?: string): Promise<LegacyDetection> {
    const c = await connectClient(url, { applicationName: 'ae-db import-legacy' });
    try {
      return await detectLegacy(c, schema);
    } finally {
      await c.end().catch(() => {});
    }
  }

  /**
   * Refuses to migrate a database whose public schema is the predecessor's: this project's
   * tables would collide with two of its tables. Says how to import it instead.
   */
  async refuseToMigratePredecessor(maskedUrl: string): Promise<void> {
    const found = await this.detect(this.targetUrl, 'public');
    if (found.kind !== 'layout') return;
    const advice = importAdvice(found, maskedUrl)!;
    throw new UserError(
      `Not migrating: ${advice.detail}; this project's tables would collide with its audio_processing and movement_cycles.\n${advice.fix}`,
    );
  }

  /** Whether `url` is the target database itself (same server, same database). */
  async isTargetDatabase(url: string): Promise<boolean> {
    const tag = `ae-db-probe-${randomBytes(6).toString('hex')}`;
    const probe = await connectClient(url, { applicationName: tag });
    try {
      const target = await connectClient(this.targetUrl, { applicationName: 'ae-db import-legacy' });
      try {
        const { rows } = await target.query(
          `select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()`,
          [tag],
        );
        return rows[0].n > 0;
      } finally {
        await target.end().catch(() => {});
      }
    } finally {
      await probe.end().catch(() => {});
    }
  }

  /**
   * Same-database import, step one: the predecessor's tables move, unchanged, to their own
   * schema (two of their names are ours), in one transaction. Nothing else is touched.
   */
  async moveLegacyTablesAside(): Promise<{ schema: string; tables: string[] }> {
    const c = await connectClient(this.targetUrl, { applicationName: 'ae-db import-legacy' });
    try {
      const d = await detectLegacy(c, 'public');
      if (d.kind !== 'layout') throw new UserError(`Nothing to move: the public schema holds ${describeDetection(d)}.`);
      const schema = MOVED_LEGACY_SCHEMA(d.layout.revision);
      const tables = ['alembic_version', ...Object.keys(d.layout.tables)];
      await c.query('begin');
      try {
        await c.query(`create schema ${q(schema)}`);
        for (const t of tables) await c.query(`alter table public.${q(t)} set schema ${q(schema)}`);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback').catch(() => {});
        throw e;
      }
      return { schema, tables };
    } finally {
      await c.end().catch(() => {});
    }
  }

  async import(o: LegacyImportOptions): Promise<LegacyImportResult> {
    const started = Date.now();
    const source = await connectClient(o.from, { applicationName: 'ae-db import-legacy (source)' });
    let target: Client | undefined;
    try {
      const found = await detectLegacy(source, o.schema);
      if (found.kind !== 'layout') {
        throw new UserError(
          `Cannot import: the source database holds ${describeDetection(found)}. Nothing was written.`,
        );
      }
      const { layout, schema } = found;
      // One snapshot of the source for every table, so parents and children agree.
      await source.query('begin isolation level repeatable read read only');
      const sourceTimeZone = (await source.query(`select current_setting('TimeZone') as tz`)).rows[0].tz as string;

      target = await connectClient(this.targetUrl, { applicationName: 'ae-db import-legacy' });
      await target.query('begin');
      await target.query(`set local statement_timeout = ${Math.max(0, Math.floor(this.adminTimeoutMs))}`);
      await target.query(
        `create temp table import_report (legacy_table text, legacy_id int, disposition text, rule text, offending jsonb, target_table text, seq serial) on commit drop`,
      );
      const meta = new Map<TableName, TargetTable>();
      for (const m of layout.mappings) {
        meta.set(m.target, await readTargetTable(target, m.target));
        await stage(source, target, schema, m, meta.get(m.target)!);
      }
      const run = new ImportRun(target, layout, meta, !!o.dryRun);
      for (const m of layout.mappings) await run.process(m);

      const tables = await run.summaries();
      const report = await run.report();
      if (o.dryRun) await target.query('rollback');
      else await target.query('commit');
      await source.query('rollback');
      return {
        revision: layout.revision,
        sourceSchema: schema,
        sourceTimeZone,
        dryRun: !!o.dryRun,
        tables,
        report,
        rowsRead: tables.reduce((a, t) => a + t.read, 0),
        rowsImported: tables.reduce((a, t) => a + t.imported, 0),
        durationMs: Date.now() - started,
      };
    } catch (e) {
      await target?.query('rollback').catch(() => {});
      throw e;
    } finally {
      await target?.end().catch(() => {});
      await source.end().catch(() => {});
    }
  }
}

// ------------------------------------------------------------------ staging

async function readTargetTable(c: Client, table: TableName): Promise<TargetTable> {
  const columns = await c.query<{ name: string; not_null: boolean }>(
    `select attname as name, attnotnull as not_null from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [table],
  );
  const checks = await c.query<{ name: string; def: string }>(
    `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype = 'c' order by conname`,
    [table],
  );
  const fks = await c.query<{ column: string; parent: TableName }>(
    `select a.attname as column, c.confrelid::regclass::text as parent from pg_constraint c
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.conrelid = $1::regclass order by a.attnum`,
    [table],
  );
  const unique = await c.query<{ cols: string[] }>(
    `select (select array_agg(a.attname::text order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as cols
       from pg_constraint c where c.contype = 'u' and c.conrelid = $1::regclass order by c.conname limit 1`,
    [table],
  );
  const notNull = new Map(columns.rows.map((r) => [r.name, r.not_null]));
  const key = unique.rows[0]?.cols ?? ['id'];
  const sequence = (await c.query(`select pg_get_serial_sequence($1, 'id') as s`, [table])).rows[0].s as string;
  return {
    sequence,
    columns: columns.rows.map((r) => ({ name: r.name, notNull: r.not_null })),
    checks: checks.rows.map((r) => ({ name: r.name, expression: r.def.replace(/^CHECK\s*/, '') })),
    foreignKeys: fks.rows,
    key,
    nullableKey: new Set(key.filter((k) => !notNull.get(k))),
  };
}

/**
 * stage_<table>: this schema's columns, all nullable, plus the import's bookkeeping; filled from the source by COPY.
 */
async function stage(
  source: Client,
  target: Client,
  schema: string,
  m: LegacyTableMapping,
  t: TargetTable,
): Promise<void> {
  const s = q(`stage_${m.target}`);
  const known = new Set(t.columns.map((c) => c.name));
  const unknown = Object.keys(m.columns).filter((c) => !known.has(c));
  if (unknown.length)
    throw new Error(`layout maps ${m.legacy} onto columns ${m.target} does not have: ${unknown.join(', ')}`);
  await target.query(`create temp table ${s} (like ${q(m.target)}) on commit drop`);
  const notNull = t.columns.filter((c) => c.notNull).map((c) => `alter column ${q(c.name)} drop not null`);
  await target.query(
    `alter table ${s} ${[...notNull, 'add column outcome text', 'add column via_merged boolean not null default false', 'add column target_id int', 'add column merged_into int'].join(', ')}`,
  );
  const cols = Object.keys(m.columns);
  const select = `select ${cols.map((c) => `${m.columns[c]} as ${q(c)}`).join(', ')} from ${q(schema)}.${q(m.legacy)} x order by x.id`;
  await pipeline(
    source.query(copyTo(`copy (${select}) to stdout`)),
    target.query(copyFrom(`copy ${s} (${cols.map(q).join(', ')}) from stdin`)),
  );
  await target.query(`alter table ${s} add primary key (id)`);
  await target.query(`analyze ${s}`);
}

// ------------------------------------------------------------------ the rules, table by table

/** Columns a child shares with its parent that must agree (the cross-record rules of docs/data-model.md). */
const SHARED = ['participant_id', 'knee', 'maneuver', 'pass_number', 'speed'];

class ImportRun {
  private readonly order: TableName[];

  constructor(
    private readonly c: Client,
    private readonly layout: LegacyLayout,
    private readonly meta: Map<TableName, TargetTable>,
    private readonly dryRun: boolean,
  ) {
    this.order = layout.mappings.map((m) => m.target);
  }

  private legacyOf(t: TableName): string {
    return this.layout.mappings.find((m) => m.target === t)!.legacy;
  }

  private has(t: TableName, column: string): boolean {
    return this.meta.get(t)!.columns.some((c) => c.name === column);
  }

  /** Sets `outcome` on the undecided rows matching `where` and reports each with `offending`. */
  private async decide(
    t: TableName,
    outcome: 'rejected' | 'merged',
    rule: string,
    where: string,
    offending: string,
    extraSet = '',
  ): Promise<void> {
    await this.c.query(
      `with r as (update ${q(`stage_${t}`)} s set outcome = ${lit(outcome)}${extraSet} where s.outcome is null and (${where}) returning s.id, ${offending} as o)
       insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table) select ${lit(this.legacyOf(t))}, id, ${lit(outcome)}, ${lit(rule)}, o, ${lit(t)} from r`,
    );
  }

  /** Applies `set` to the undecided rows matching `where`, reporting their values before the change. */
  private async change(
    t: TableName,
    disposition: Disposition,
    rule: string,
    where: string,
    set: string,
    offending: string,
  ): Promise<void> {
    const s = q(`stage_${t}`);
    await this.c.query(
      `with old as (select s.id, ${offending} as o from ${s} s where s.outcome is null and (${where})),
            upd as (update ${s} s set ${set} from old where s.id = old.id)
       insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table) select ${lit(this.legacyOf(t))}, id, ${lit(disposition)}, ${lit(rule)}, o, ${lit(t)} from old`,
    );
  }

  async process(m: LegacyTableMapping): Promise<void> {
    const t = m.target;
    const info = this.meta.get(t)!;
    const s = q(`stage_${t}`);
    for (const sql of this.layout.derive[t] ?? []) await this.c.query(sql);
    for (const conv of this.layout.conversions.filter((x) => x.target === t)) {
      await this.change(t, 'converted', conv.rule, conv.where, conv.set, conv.offending);
    }

    // Parents: a missing or rejected parent takes the row with it, or (an optional link) is cleared.
    const earlier = info.foreignKeys.filter((fk) => this.order.indexOf(fk.parent) < this.order.indexOf(t));
    for (const fk of earlier) {
      const p = q(`stage_${fk.parent}`);
      const col = q(fk.column);
      const required =
        info.columns.find((c) => c.name === fk.column)!.notNull ||
        this.layout.rejectWithParent.includes(`${t}.${fk.column}`);
      const gone = `s.${col} is not null and not exists (select 1 from ${p} p where p.id = s.${col} and p.outcome is distinct from 'rejected')`;
      const why = `jsonb_build_object(${lit(fk.column)}, s.${col}, 'parent', ${lit(this.legacyOf(fk.parent))}, 'parent_outcome', coalesce((select p.outcome from ${p} p where p.id = s.${col}), 'missing'))`;
      if (required) await this.decide(t, 'rejected', 'parent_rejected', gone, why);
      else await this.change(t, 'link_cleared', 'parent_rejected', gone, `${col} = null`, why);
    }
    // Parent ids become the ids those parents have in the target (a merged parent's: its survivor's).
    // Only rows whose parent's id changed are rewritten: usually none, as legacy ids are kept.
    for (const fk of earlier) {
      const p = q(`stage_${fk.parent}`);
      await this.c.query(
        `update ${s} s set ${q(fk.column)} = p.target_id, via_merged = s.via_merged or p.outcome = 'merged'
           from ${p} p where p.id = s.${q(fk.column)} and s.outcome is null and (p.target_id <> p.id or p.outcome = 'merged')`,
      );
    }

    // The parent's participant, knee, maneuver (and a synchronization's pass and speed) must be the row's.
    for (const fk of earlier) {
      const shared = SHARED.filter((col) => col !== fk.column && this.has(t, col) && this.has(fk.parent, col));
      if (shared.length === 0) continue;
      const p = q(`stage_${fk.parent}`);
      // Ids are the target's by now; a merged parent shares its survivor's, and its natural key.
      const byTarget = `p.target_id = s.${q(fk.column)} and p.outcome <> 'rejected'`;
      const differs = shared.map((col) => `p.${q(col)} is distinct from s.${q(col)}`).join(' or ');
      const values = shared
        .flatMap((col) => [lit(col), `s.${q(col)}`, lit(`${fk.parent}.${col}`), `p.${q(col)}`])
        .join(', ');
      await this.decide(
        t,
        'rejected',
        `matches_${fk.parent}`,
        `exists (select 1 from ${p} p where ${byTarget} and (${differs}))`,
        `(select jsonb_build_object(${lit(fk.column)}, s.${q(fk.column)}, ${values}) from ${p} p where ${byTarget} limit 1)`,
      );
    }

    // This schema's own rules, as its catalog states them: every NOT NULL and CHECK in one pass over the
    // rows; a row breaking several is reported under the first.
    const rules = [
      ...info.columns
        .filter((x) => x.notNull && x.name !== 'id')
        .map((x) => ({
          rule: `not_null:${x.name}`,
          fails: `s.${q(x.name)} is null`,
          offending: `jsonb_build_object(${lit(x.name)}, null)`,
        })),
      ...info.checks.map((check) => {
        const cols = info.columns
          .map((x) => x.name)
          .filter((name) => new RegExp(`\\b${name}\\b`).test(check.expression));
        return {
          rule: check.name,
          fails: `not coalesce(${check.expression}, true)`,
          offending: `jsonb_build_object(${cols.map((name) => `${lit(name)}, s.${q(name)}`).join(', ')})`,
        };
      }),
    ];
    if (rules.length) {
      const first = (pick: (r: (typeof rules)[number]) => string) =>
        `case ${rules.map((r) => `when ${r.fails} then ${pick(r)}`).join(' ')} end`;
      await this.c.query(
        `with r as (update ${s} s set outcome = 'rejected' where s.outcome is null and (${rules.map((r) => r.fails).join(' or ')})
                    returning s.id, ${first((r) => lit(r.rule))} as rule, ${first((r) => r.offending)} as o)
         insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table)
         select ${lit(this.legacyOf(t))}, id, 'rejected', rule, o, ${lit(t)} from r`,
      );
    }

    // Duplicates of the natural key: the latest survives (a row re-pointed from a merged parent last).
    const keyCols = info.key.map(q).join(', ');
    const recency = ['updated_at', 'created_at']
      .filter((col) => this.has(t, col))
      .map((col) => `${q(col)} desc nulls last`);
    await this.c.query(
      `create temp table dup on commit drop as
         select id, first_value(id) over w as survivor, row_number() over w as rn from ${s} where outcome is null
         window w as (partition by ${keyCols} order by via_merged, ${[...recency, 'id desc'].join(', ')})`,
    );
    await this.decide(
      t,
      'merged',
      `duplicate_${t}`,
      `exists (select 1 from dup d where d.id = s.id and d.rn > 1)`,
      `jsonb_build_object(${info.key.map((k) => `${lit(k)}, s.${q(k)}`).join(', ')}, 'merged_into_legacy_id', (select d.survivor from dup d where d.id = s.id))`,
      `, merged_into = (select d.survivor from dup d where d.id = s.id)`,
    );
    await this.c.query('drop table dup');

    // Rows already in the target under the same natural key: the same
    // content is an earlier import; other content is a conflict.
    const deferred = new Set(info.foreignKeys.filter((fk) => !earlier.includes(fk)).map((fk) => fk.column));
    const compared = info.columns
      .map((x) => x.name)
      .filter((n) => !['id', 'created_at', 'updated_at'].includes(n) && !deferred.has(n));
    const join = info.key
      .map((k) => (info.nullableKey.has(k) ? `x.${q(k)} is not distinct from s.${q(k)}` : `x.${q(k)} = s.${q(k)}`))
      .join(' and ');
    const keys = `array[${compared.map(lit).join(', ')}]::text[]`;
    await this.c.query(
      `create temp table existing on commit drop as
         select s.id, x.id as target_id, (select jsonb_agg(k) from unnest(${keys}) k where to_jsonb(s) -> k is distinct from to_jsonb(x) -> k) as differs
           from ${s} s join ${q(t)} x on ${join} where s.outcome is null`,
    );
    await this.c.query(
      `update ${s} s set outcome = 'present', target_id = e.target_id from existing e where e.id = s.id and e.differs is null and s.outcome is null`,
    );
    await this.decide(
      t,
      'rejected',
      'conflicts_with_existing',
      `exists (select 1 from existing e where e.id = s.id)`,
      `(select jsonb_build_object('existing_id', e.target_id, 'differing_columns', e.differs) from existing e where e.id = s.id)`,
      `, target_id = (select e.target_id from existing e where e.id = s.id)`,
    );
    await this.c.query('drop table existing');

    // New rows keep their legacy id unless the target already uses it; others get ids past every id of the
    // target and of the legacy table, so a rejected row fixed and imported later can still keep its own.
    // Counted here rather than drawn from the sequence: setval and
    // nextval survive a rollback, and a dry run must change nothing.
    await this.c.query(
      `update ${s} s set outcome = 'imported', target_id = case when exists (select 1 from ${q(t)} x where x.id = s.id) then null else s.id end
        where s.outcome is null`,
    );
    const past = `greatest((select max(id) from ${q(t)}), (select max(id) from ${s}), (select last_value from ${info.sequence}))`;
    await this.c.query(
      `with old as (select s.id, row_number() over (order by s.id) as n from ${s} s where s.outcome = 'imported' and s.target_id is null),
            upd as (update ${s} s set target_id = ${past} + old.n from old where s.id = old.id)
       insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table)
       select ${lit(this.legacyOf(t))}, id, 'id_remapped', 'id_taken_in_target', jsonb_build_object('id', id), ${lit(t)} from old`,
    );
    // A merged row becomes its survivor; a survivor rejected afterwards (a conflict) takes its merged rows with it.
    await this.c.query(
      `update ${s} m set target_id = v.target_id from ${s} v where m.outcome = 'merged' and v.id = m.merged_into and v.outcome <> 'rejected'`,
    );
    await this.c.query(
      `with r as (update ${s} m set outcome = 'rejected' from ${s} v where m.outcome = 'merged' and v.id = m.merged_into and v.outcome = 'rejected' returning m.id, v.id as survivor)
       insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table)
       select ${lit(this.legacyOf(t))}, id, 'rejected', 'survivor_rejected', jsonb_build_object('merged_into_legacy_id', survivor), ${lit(t)} from r`,
    );
    await this.c.query(
      `insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table)
       select ${lit(this.legacyOf(t))}, id, 'moved', 'parent_merged', '{}'::jsonb, ${lit(t)} from ${s} where outcome in ('imported', 'present') and via_merged`,
    );

    const insertCols = info.columns.map((x) => x.name).filter((n) => n !== 'id');
    await this.c.query(
      `insert into ${q(t)} (id, ${insertCols.map(q).join(', ')})
       select target_id, ${insertCols.map((n) => (deferred.has(n) ? 'null' : q(n))).join(', ')} from ${s} where outcome = 'imported' order by target_id`,
    );
    if (!this.dryRun)
      await this.c.query(`select setval(${lit(info.sequence)}, ${past}) where exists (select 1 from ${s})`);

    // Links from earlier tables to this one (audio → biomechanics) are written now that both rows exist.
    for (const [child, childInfo] of this.meta) {
      for (const fk of childInfo.foreignKeys.filter(
        (f) => f.parent === t && this.order.indexOf(child) < this.order.indexOf(t),
      )) {
        await this.linkLater(child, fk.column, t);
      }
    }
  }

  /**
   * Writes a link whose parent was staged after the child, or clears it (reported) when that parent did not make it.
   */
  private async linkLater(child: TableName, column: string, parent: TableName): Promise<void> {
    const s = q(`stage_${child}`);
    const p = q(`stage_${parent}`);
    const col = q(column);
    const shared = SHARED.filter((c) => this.has(child, c) && this.has(parent, c));
    const agree = shared.map((c) => `p.${q(c)} is not distinct from s.${q(c)}`).join(' and ') || 'true';
    const parentKept = `p.outcome in ('imported', 'present')`;
    await this.c.query(
      `insert into import_report (legacy_table, legacy_id, disposition, rule, offending, target_table)
       select ${lit(this.legacyOf(child))}, s.id, 'link_cleared',
              case when p.id is null or not ${parentKept} then 'parent_rejected' else ${lit(`matches_${parent}`)} end,
              jsonb_build_object(${lit(column)}, s.${col}, 'parent', ${lit(this.legacyOf(parent))}, 'parent_outcome', coalesce(p.outcome, 'missing')), ${lit(child)}
         from ${s} s left join ${p} p on p.id = s.${col}
        where s.outcome = 'imported' and s.${col} is not null and not coalesce(${parentKept} and ${agree}, false)`,
    );
    // This update is the import's own second half of the insert, not a change of the record:
    // the trigger that moves updated_at is off for it (inside the transaction), so the legacy value stays.
    await this.c.query(`alter table ${q(child)} disable trigger user`);
    await this.c.query(
      `update ${q(child)} x set ${col} = p.target_id from ${s} s join ${p} p on p.id = s.${col}
        where x.id = s.target_id and s.outcome = 'imported' and ${parentKept} and ${agree}`,
    );
    await this.c.query(`alter table ${q(child)} enable trigger user`);
  }

  async summaries(): Promise<TableSummary[]> {
    const out: TableSummary[] = [];
    for (const m of this.layout.mappings) {
      const { rows } = await this.c.query(
        `select count(*)::int as read,
                count(*) filter (where outcome = 'imported')::int as imported, count(*) filter (where outcome = 'present')::int as present,
                count(*) filter (where outcome = 'merged')::int as merged, count(*) filter (where outcome = 'rejected')::int as rejected
           from ${q(`stage_${m.target}`)}`,
      );
      const r = rows[0];
      out.push({
        legacyTable: m.legacy,
        targetTable: m.target,
        read: r.read,
        imported: r.imported,
        alreadyPresent: r.present,
        merged: r.merged,
        rejected: r.rejected,
      });
    }
    return out;
  }

  async report(): Promise<ReportRow[]> {
    const parts = this.layout.mappings.map(
      (m, i) =>
        `select r.*, s.target_id as tid, ${i} as ord from import_report r join ${q(`stage_${m.target}`)} s on s.id = r.legacy_id where r.target_table = ${lit(m.target)}`,
    );
    const { rows } = await this.c.query(`select * from (${parts.join(' union all ')}) x order by ord, legacy_id, seq`);
    return rows.map((r) => ({
      legacyTable: r.legacy_table,
      legacyId: r.legacy_id,
      disposition: r.disposition,
      rule: r.rule,
      offending: r.offending,
      targetTable: r.target_table,
      targetId: r.tid,
    }));
  }
}
