/**
 * ae-db import-legacy against a predecessor-shaped database built from our reading of the
 * predecessor's src/db/models.py at 3bd95ba (test/fixtures/legacy), with the defects its
 * schema let in. Each fixture row's fate is stated here: counts, values column by column, the
 * report, idempotence, the dry run, and the CLI around it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { createTestDatabase, openTestContext, passwordInEnvironment, sqlClient, type TestDatabase } from './helpers/db';
import { legacyDatabase } from './helpers/legacy';
import { fingerprint, sql } from './helpers/ops';
import { aeDb } from './helpers/cli';
import { useTestDatabase } from './helpers/test-database';
import { LAYOUT_B68CAC4282F5 } from '../src/services/legacy/b68cac4282f5';
import type { LegacyImportResult } from '../src/services/legacy/report';
import { StudyName } from '../src/entities';

/** What becomes of every fixture row: table → [imported, merged, rejected] legacy ids. */
const FATE = {
  studies: { imported: [1, 2], merged: [], rejected: [] },
  participants: { imported: [10, 11, 12], merged: [], rejected: [13] },
  audio_processing: { imported: [100, 101, 103], merged: [], rejected: [102, 104, 105] },
  biomechanics_imports: { imported: [200, 201, 202, 204], merged: [], rejected: [203] },
  synchronizations: { imported: [300, 301, 303], merged: [302], rejected: [304, 305, 306, 307] },
  movement_cycles: {
    imported: [400, 401, 402, 404, 405, 406, 410],
    merged: [403, 412],
    rejected: [407, 408, 409, 411, 413],
  },
} as const;

/** Every line the report must have: legacy table, id, disposition, rule. */
const REPORT = [
  'participants,13,rejected,participant_study_participant_id_check',
  'audio_processing,100,converted,pkl_file_checksum_lowercased',
  'audio_processing,102,rejected,audio_processing_mic_1_position_check',
  'audio_processing,104,rejected,parent_rejected',
  'audio_processing,105,rejected,audio_processing_qc_fail_segments_check',
  'biomechanics_imports,202,link_cleared,parent_rejected',
  'biomechanics_imports,203,rejected,biomechanics_import_biomechanics_type_check',
  'synchronizations,301,converted,speed_normal_is_medium',
  'synchronizations,302,merged,duplicate_synchronization',
  'synchronizations,304,rejected,synchronization_walk_pass_speed_check',
  'synchronizations,305,rejected,parent_rejected',
  'synchronizations,306,rejected,matches_biomechanics_import',
  'synchronizations,307,rejected,synchronization_sync_method_check',
  'movement_cycles,400,converted,cycle_file_checksum_lowercased',
  'movement_cycles,403,merged,duplicate_movement_cycles',
  'movement_cycles,404,moved,parent_merged',
  'movement_cycles,407,rejected,parent_rejected',
  'movement_cycles,408,rejected,movement_cycles_end_after_start_check',
  'movement_cycles,409,rejected,movement_cycles_walk_pass_speed_check',
  'movement_cycles,411,rejected,movement_cycles_bio_times_check',
  'movement_cycles,412,merged,duplicate_movement_cycles',
  'movement_cycles,413,rejected,parent_rejected',
];

const reportKeys = (r: LegacyImportResult) =>
  r.report.map((x) => `${x.legacyTable},${x.legacyId},${x.disposition},${x.rule}`);

describe('import-legacy', () => {
  let legacy: TestDatabase;
  let source: Client;
  let first: LegacyImportResult;
  const { ctx, sql: target } = useTestDatabase({
    sql: true,
    prepare: async () => {
      legacy = await legacyDatabase();
      source = await sqlClient(legacy.url);
      return async () => {
        await source.end();
        await legacy.drop();
      };
    },
  });

  it('recognises the layout, and refuses a database that is not one it knows, writing nothing', async () => {
    expect(await ctx.services.legacyImport.detect(legacy.url)).toMatchObject({
      kind: 'layout',
      schema: 'public',
      layout: { revision: 'b68cac4282f5' },
    });
    const before = await fingerprint(ctx.target.url);
    await expect(ctx.services.legacyImport.import({ from: ctx.target.url })).rejects.toThrow(
      /Cannot import: the source database holds no predecessor tables/,
    );

    const other = await legacyDatabase({ rows: false });
    try {
      await sql(other.url, `update alembic_version set version_num = '0123abcd4567'`);
      await expect(ctx.services.legacyImport.import({ from: other.url })).rejects.toThrow(
        /Alembic revision 0123abcd4567, which this import does not know \(it knows b68cac4282f5\)/,
      );
      await sql(
        other.url,
        `update alembic_version set version_num = 'b68cac4282f5'; alter table synchronizations drop column speed`,
      );
      await expect(ctx.services.legacyImport.import({ from: other.url })).rejects.toThrow(
        /stamped b68cac4282f5 in schema public, but without synchronizations\.speed/,
      );
    } finally {
      await other.drop();
    }
    expect(await fingerprint(ctx.target.url)).toEqual(before);
  });

  it('--dry-run writes nothing and reports what the import will do', async () => {
    const before = await fingerprint(ctx.target.url);
    const dry = await ctx.services.legacyImport.import({ from: legacy.url, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(await fingerprint(ctx.target.url)).toEqual(before);
    first = await ctx.services.legacyImport.import({ from: legacy.url });
    // The same report and summary as the real run.
    expect(dry.tables).toEqual(first.tables);
    expect(dry.report).toEqual(first.report);
  });

  it('accounts for every row: read = imported + merged + rejected, per table', () => {
    for (const t of first.tables) {
      const fate = FATE[t.legacyTable as keyof typeof FATE];
      expect({
        table: t.legacyTable,
        read: t.read,
        imported: t.imported,
        present: t.alreadyPresent,
        merged: t.merged,
        rejected: t.rejected,
      }).toEqual({
        table: t.legacyTable,
        read: fate.imported.length + fate.merged.length + fate.rejected.length,
        imported: fate.imported.length,
        present: 0,
        merged: fate.merged.length,
        rejected: fate.rejected.length,
      });
    }
  });

  it('keeps the legacy ids of what it imports, and nothing else', async () => {
    for (const m of LAYOUT_B68CAC4282F5.mappings) {
      const { rows } = await target.query(`select id from ${m.target} order by id`);
      expect({ table: m.target, ids: rows.map((r) => r.id) }).toEqual({
        table: m.target,
        ids: [...FATE[m.legacy as keyof typeof FATE].imported],
      });
    }
  });

  it('lists every merged, rejected and changed row in the report, with the values at fault', () => {
    expect(reportKeys(first)).toEqual(REPORT);
    const line = (table: string, id: number, rule: string) =>
      first.report.find((r) => r.legacyTable === table && r.legacyId === id && r.rule === rule)!;
    expect(line('participants', 13, 'participant_study_participant_id_check').offending).toEqual({
      study_participant_id: -5,
    });
    expect(line('audio_processing', 102, 'audio_processing_mic_1_position_check').offending).toEqual({
      mic_1_position: 'XYZ',
    });
    expect(line('audio_processing', 105, 'audio_processing_qc_fail_segments_check').offending).toEqual({
      qc_fail_segments: [1],
    });
    expect(line('synchronizations', 302, 'duplicate_synchronization')).toMatchObject({
      offending: {
        participant_id: 10,
        knee: 'left',
        maneuver: 'fe',
        pass_number: null,
        speed: null,
        merged_into_legacy_id: 303,
      },
      targetTable: 'synchronization',
      targetId: 303,
    });
    expect(line('synchronizations', 306, 'matches_biomechanics_import').offending).toMatchObject({
      knee: 'left',
      'biomechanics_import.knee': 'right',
    });
    expect(line('synchronizations', 301, 'speed_normal_is_medium')).toMatchObject({
      offending: { speed: 'normal' },
      targetId: 301,
    });
    expect(line('synchronizations', 307, 'synchronization_sync_method_check').offending).toEqual({
      sync_method: 'rms',
    });
    expect(line('movement_cycles', 403, 'duplicate_movement_cycles')).toMatchObject({
      offending: { cycle_index: 0, merged_into_legacy_id: 406 },
      targetId: 406,
    });
    expect(line('movement_cycles', 412, 'duplicate_movement_cycles')).toMatchObject({
      offending: { merged_into_legacy_id: 400 },
      targetId: 400,
    });
    expect(line('movement_cycles', 407, 'parent_rejected').offending).toEqual({
      synchronization_id: 304,
      parent: 'synchronizations',
      parent_outcome: 'rejected',
    });
    expect(line('movement_cycles', 408, 'movement_cycles_end_after_start_check').offending).toEqual({
      start_time_s: 9.5,
      end_time_s: 8.3,
    });
    expect(line('biomechanics_imports', 203, 'biomechanics_import_biomechanics_type_check').offending).toEqual({
      biomechanics_type: 'Vicon',
    });
  });

  it('maps every column: same-named columns unchanged, bookkeeping times as instants of the source time zone', async () => {
    const tz = (await source.query(`select current_setting('TimeZone') as tz`)).rows[0].tz;
    expect(first.sourceTimeZone).toBe(tz);
    const BOOKKEEPING = ['created_at', 'updated_at', 'processing_date'];
    const RENAMED: Record<string, string[]> = { participants: ['study_id', 'study_participant_id'] };
    for (const m of LAYOUT_B68CAC4282F5.mappings) {
      const legacyColumns = (
        await source.query(
          `select column_name from information_schema.columns where table_name = $1 order by ordinal_position`,
          [m.legacy],
        )
      ).rows.map((r) => r.column_name as string);
      // Every legacy column is read by the mapping.
      const mapped = Object.values(m.columns).join(' ');
      for (const col of legacyColumns)
        expect(`${m.legacy}.${col}: ${new RegExp(`\\bx\\.${col}\\b`).test(mapped)}`).toBe(`${m.legacy}.${col}: true`);
      const ids = [...FATE[m.legacy as keyof typeof FATE].imported];
      const plain = legacyColumns.filter(
        (c) =>
          !BOOKKEEPING.includes(c) &&
          !RENAMED[m.legacy]?.includes(c) &&
          !/checksum/.test(c) &&
          c !== 'speed' &&
          c !== 'id',
      );
      const times = BOOKKEEPING.filter((c) => legacyColumns.includes(c));
      const select = (instant: (c: string) => string) =>
        [
          'id',
          ...plain.map((c) => `to_jsonb(${c}) as ${c}`),
          ...times.map((c) => `extract(epoch from ${instant(c)}) as ${c}`),
        ].join(', ');
      const fromLegacy = await source.query(
        `select ${select((c) => `${c} at time zone current_setting('TimeZone')`)} from ${m.legacy} where id = any($1) order by id`,
        [ids],
      );
      const inTarget = await target.query(
        `select ${select((c) => c)} from ${m.target} where id = any($1) order by id`,
        [ids],
      );
      expect(plain.length + times.length).toBeGreaterThan(0);
      // The one change the report announces: a link to a rejected row is cleared.
      for (const line of first.report.filter((r) => r.legacyTable === m.legacy && r.disposition === 'link_cleared')) {
        const column = Object.keys(line.offending).find((k) => k !== 'parent' && k !== 'parent_outcome')!;
        fromLegacy.rows.find((r) => r.id === line.legacyId)[column] = null;
      }
      // And the other: a cycle of a merged synchronization now belongs to the one it was merged into.
      const mergedInto = new Map(
        first.report
          .filter((r) => r.legacyTable === 'synchronizations' && r.disposition === 'merged')
          .map((r) => [r.legacyId, r.targetId]),
      );
      for (const row of m.legacy === 'movement_cycles' ? fromLegacy.rows : [])
        if (mergedInto.has(row.synchronization_id)) row.synchronization_id = mergedInto.get(row.synchronization_id);
      expect(inTarget.rows).toEqual(fromLegacy.rows);
    }
  });

  it('handles the quirks: swapped participant columns, derived knee/maneuver/pass/speed, spelled-differently values', async () => {
    const p = await target.query(
      `select p.id, s.name, p.study_participant_id from participant p join study s on s.id = p.study_id order by p.id`,
    );
    expect(p.rows).toEqual([
      { id: 10, name: 'AOA', study_participant_id: 1011 },
      { id: 11, name: 'AOA', study_participant_id: 1012 },
      { id: 12, name: 'preOA', study_participant_id: 2001 },
    ]);
    const syncs = await target.query(
      `select id, knee, maneuver, pass_number, speed, sync_file_checksum from synchronization order by id`,
    );
    expect(syncs.rows).toEqual([
      {
        id: 300,
        knee: 'left',
        maneuver: 'walk',
        pass_number: 1,
        speed: 'slow',
        sync_file_checksum: 'aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44',
      },
      { id: 301, knee: 'left', maneuver: 'walk', pass_number: 1, speed: 'medium', sync_file_checksum: null },
      { id: 303, knee: 'left', maneuver: 'fe', pass_number: null, speed: null, sync_file_checksum: null },
    ]);
    const cycles = await target.query(
      `select id, synchronization_id, knee, maneuver, pass_number, speed, cycle_index, processing_status, extract(epoch from processing_date) as pd from movement_cycles order by id`,
    );
    const created = await source.query(
      `select id, extract(epoch from created_at at time zone current_setting('TimeZone')) as pd from movement_cycles order by id`,
    );
    const pd = new Map(created.rows.map((r) => [r.id, r.pd]));
    const cycle = (
      id: number,
      sync: number | null,
      maneuver: string,
      pass: number | null,
      speed: string | null,
      index: number,
    ) => ({
      id,
      synchronization_id: sync,
      knee: 'left',
      maneuver,
      pass_number: pass,
      speed,
      cycle_index: index,
      processing_status: 'success',
      pd: pd.get(id),
    });
    expect(cycles.rows).toEqual([
      cycle(400, 300, 'walk', 1, 'slow', 0),
      cycle(401, 300, 'walk', 1, 'slow', 1),
      cycle(402, 301, 'walk', 1, 'medium', 0),
      cycle(404, 303, 'fe', null, null, 3), // moved from the merged synchronization 302
      cycle(405, 303, 'fe', null, null, 1),
      cycle(406, 303, 'fe', null, null, 0),
      cycle(410, null, 'fe', null, null, 5),
    ]);
    const checksums = await target.query(
      `select (select pkl_file_checksum from audio_processing where id = 100) as a, (select cycle_file_checksum from movement_cycles where id = 400) as c`,
    );
    expect(checksums.rows[0]).toEqual({
      a: '9f2c5e0a8b7d6c4e3f1a2b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e',
      c: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12',
    });
    // The recording-time link in both directions; the one to a rejected audio record is cleared (and reported).
    const links = await target.query(`select id, biomechanics_import_id as b from audio_processing order by id`);
    expect(links.rows).toEqual([
      { id: 100, b: 200 },
      { id: 101, b: 201 },
      { id: 103, b: null },
    ]);
    const back = await target.query(`select id, audio_processing_id as a from biomechanics_import order by id`);
    expect(back.rows).toEqual([
      { id: 200, a: 100 },
      { id: 201, a: 101 },
      { id: 202, a: null },
      { id: 204, a: null },
    ]);
  });

  it('leaves the sequences past the legacy ids; ae-db integrity finds only the stored cycle counters the legacy data got wrong', async () => {
    const next = await target.query(
      `select nextval(pg_get_serial_sequence('movement_cycles', 'id')) as m, nextval(pg_get_serial_sequence('synchronization', 'id')) as s`,
    );
    expect(Number(next.rows[0].m)).toBeGreaterThan(413);
    expect(Number(next.rows[0].s)).toBeGreaterThan(307);
    const report = await ctx.services.integrity.report();
    // Counters are copied as the predecessor stored them; rejected and merged cycles make them
    // disagree, and integrity says so.
    const failing = report.checks.filter((c) => c.count > 0).map((c) => `${c.key} ${c.sampleIds.join(',')}`);
    expect(failing).toEqual(['synchronization.total_cycles 300,303', 'synchronization.clean_cycles 300,303']);
  });

  it('is idempotent: a second run imports nothing, changes nothing and reports the same', async () => {
    const before = await fingerprint(ctx.target.url);
    const again = await ctx.services.legacyImport.import({ from: legacy.url });
    expect(again.rowsImported).toBe(0);
    for (const t of again.tables) {
      const fate = FATE[t.legacyTable as keyof typeof FATE];
      expect([t.legacyTable, t.imported, t.alreadyPresent, t.merged, t.rejected]).toEqual([
        t.legacyTable,
        0,
        fate.imported.length,
        fate.merged.length,
        fate.rejected.length,
      ]);
    }
    expect(reportKeys(again)).toEqual(REPORT);
    expect(await fingerprint(ctx.target.url)).toEqual(before);
  });

  it('keeps a legacy id only while it is free, and joins rows the target already has under the same natural key', async () => {
    const other = await openTestContext();
    try {
      // The target already has AOA 1011 (as id 1, study AOA id 1), and SMoCK (study id 2) 7 sitting on id 11.
      const own = await other.services.records.upsertParticipant({ study: StudyName.AOA, number: 1011 });
      const squatter = await other.services.records.upsertParticipant({ study: StudyName.SMoCK, number: 7 });
      await sql(other.target.url, `update participant set id = 11 where id = $1`, [squatter.id]);
      const before = await sql(other.target.url, `select to_jsonb(p) as row from participant p order by id`);
      const r = await other.services.legacyImport.import({ from: legacy.url });
      const summary = Object.fromEntries(
        r.tables.map((t) => [t.legacyTable, [t.imported, t.alreadyPresent, t.merged, t.rejected]]),
      );
      expect(summary.studies).toEqual([1, 1, 0, 0]);
      expect(summary.participants).toEqual([2, 1, 0, 1]);
      expect(
        r.report.filter((x) => x.disposition === 'id_remapped').map((x) => `${x.legacyTable},${x.legacyId}`),
      ).toEqual(['studies,2', 'participants,11']);
      const preOA = (await sql(other.target.url, `select id from study where name = 'preOA'`))[0].id;
      expect(preOA).toBeGreaterThan(2);
      const aoa1012 = (await sql(other.target.url, `select id from participant where study_participant_id = 1012`))[0]
        .id;
      expect(aoa1012).toBeGreaterThan(13);
      expect(
        await sql(
          other.target.url,
          `select id, study_id, study_participant_id from participant where id in ($1, 12) order by id`,
          [own.id],
        ),
      ).toEqual([
        { id: own.id, study_id: 1, study_participant_id: 1011 },
        { id: 12, study_id: preOA, study_participant_id: 2001 },
      ]);
      // Children follow their parents' ids in the target; the rows that were there are untouched.
      expect(await sql(other.target.url, `select id, participant_id from audio_processing order by id`)).toEqual([
        { id: 100, participant_id: own.id },
        { id: 101, participant_id: own.id },
        { id: 103, participant_id: 12 },
      ]);
      expect(
        await sql(other.target.url, `select to_jsonb(p) as row from participant p where id in ($1, 11) order by id`, [
          own.id,
        ]),
      ).toEqual(before);
    } finally {
      await other.close();
    }
  });
});

describe('ae-db import-legacy, status and doctor', () => {
  let legacy: TestDatabase;
  let fresh: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ae-legacy-'));

  beforeAll(async () => {
    [legacy, fresh] = await Promise.all([legacyDatabase(), createTestDatabase()]);
  });
  afterAll(() => Promise.all([legacy?.drop(), fresh?.drop()]));

  /** ae-db import-legacy as the README says to run it: no password on its command line. */
  const importLegacy = (source: TestDatabase, target: TestDatabase, ...args: string[]) => {
    const from = passwordInEnvironment(source.url);
    return aeDb(['import-legacy', '--from', from.url, ...args], { AE_DATABASE_URL: target.url, ...from.env });
  };

  it('status and doctor recognise a predecessor database and say how to import it', async () => {
    const status = await aeDb(['status'], { AE_DATABASE_URL: legacy.url });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      'Predecessor: this is a predecessor database (Alembic revision b68cac4282f5) in schema public',
    );
    expect(status.stdout).toMatch(/npx ae-db import-legacy --from postgresql:\/\/\S+ --url NEW_URL/);
    expect(status.stdout).toContain('→ import the predecessor database first (below)');
    // Migrating it would collide with its tables: refused, with the same advice, and nothing changes.
    const upgrade = await aeDb(['upgrade'], { AE_DATABASE_URL: legacy.url });
    expect(upgrade.code).toBe(1);
    expect(upgrade.stderr).toContain(
      'Not migrating: this is a predecessor database (Alembic revision b68cac4282f5) in schema public',
    );
    expect(upgrade.stderr).toContain('npx ae-db import-legacy --from');
    expect(
      (
        await sql(legacy.url, `select count(*)::int as n from information_schema.tables where table_schema = 'public'`)
      )[0].n,
    ).toBe(7);
    const doctor = await aeDb(['doctor'], { AE_DATABASE_URL: legacy.url });
    expect(doctor.stdout).toMatch(
      /^WARN {2}Predecessor database +this is a predecessor database \(Alembic revision b68cac4282f5\)/m,
    );
    expect(doctor.stdout).toContain(
      'fix: Import it into a new database: npx ae-db init --url NEW_URL && npx ae-db import-legacy',
    );
  });

  it('prints the summary, writes the CSV report, and says so when there is nothing new', async () => {
    const file = join(dir, 'report.csv');
    const r = await importLegacy(legacy, fresh, '--report', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/movement_cycles → movement_cycles +14 +7 +0 +2 +5/);
    expect(r.stdout).toContain('Every row is accounted for: read = imported + already there + merged + rejected.');
    expect(r.stdout).toMatch(/Imported 22 row\(s\) in one transaction/);
    const csv = readFileSync(file, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('legacy_table,legacy_id,disposition,rule,offending_values,target_table,target_id');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(REPORT);
    expect(csv).toContain(
      'synchronizations,307,rejected,synchronization_sync_method_check,"{""sync_method"":""rms""}",synchronization,',
    );

    const again = await importLegacy(legacy, fresh, '--dry-run');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Dry run: 0 row(s) would be imported; nothing was written');
    const third = await importLegacy(legacy, fresh);
    expect(third.stdout).toContain('Nothing new to import');
    expect(third.stdout).toContain('legacy_table,legacy_id,disposition,rule'); // the report, on stdout without --report
  });

  it('imports into the database holding the predecessor tables after confirmation, moving them aside unchanged', async () => {
    const same = await legacyDatabase();
    try {
      const refused = await importLegacy(same, same);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('without confirmation: not on a terminal, pass --yes');
      const before = await sql(
        same.url,
        `select count(*)::int as n, md5(string_agg(to_jsonb(m)::text, '' order by id)) as h from movement_cycles m`,
      );
      const r = await importLegacy(same, same, '--yes');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Moved 7 predecessor tables to schema legacy_b68cac4282f5 (unchanged).');
      expect(r.stdout).toMatch(/movement_cycles → movement_cycles +14 +7 +0 +2 +5/);
      const moved = await sql(
        same.url,
        `select count(*)::int as n, md5(string_agg(to_jsonb(m)::text, '' order by id)) as h from legacy_b68cac4282f5.movement_cycles m`,
      );
      expect(moved).toEqual(before);
      expect((await sql(same.url, 'select count(*)::int as n from movement_cycles'))[0].n).toBe(7);
      const status = await aeDb(['status'], { AE_DATABASE_URL: same.url });
      expect(status.stdout).toContain('moved there by an earlier import-legacy');
      const again = await importLegacy(same, same);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Nothing new to import');
    } finally {
      await same.drop();
    }
  });
});
