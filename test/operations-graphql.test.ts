/**
 * `integrityReport` and `databaseStats` over GraphQL: the same answers as the service the
 * CLI prints, checked against independent SQL.
 */
import { useTestDatabase } from './helpers/test-database';

const { ctx, sql: c, gql } = useTestDatabase({ seed: { participantsPerStudy: 1, seed: 3 }, sql: true, graphql: true });

const INTEGRITY = `{ integrityReport { ok problems checks { key kind table description count sampleIds fixable } } }`;

describe('integrityReport', () => {
  it('is clean on consistent data and lists every check', async () => {
    const r = await gql.query(INTEGRITY);
    expect(r.errors).toBeUndefined();
    const report = r.data.integrityReport;
    expect(report.ok).toBe(true);
    expect(report.problems).toBe(0);
    expect(report.checks).toHaveLength(26);
    expect(report.checks.filter((x: any) => x.kind === 'orphan')).toHaveLength(12);
    expect(report.checks.find((x: any) => x.key === 'synchronization.audio_processing_id')).toEqual({
      key: 'synchronization.audio_processing_id',
      kind: 'orphan',
      table: 'synchronization',
      description: 'synchronizations without their audio record',
      count: 0,
      sampleIds: [],
      fixable: true,
    });
  });

  it('counts the syncs, cycles and recording links that disagree with an audio record whose knee changed, as independent SQL does', async () => {
    // One audio record gets the other knee: its syncs and cycles now disagree with it.
    const [{ id: audio }] = (
      await c.query(`select id from audio_processing where maneuver = 'walk' order by id limit 1`)
    ).rows;
    await c.query(
      `update audio_processing set knee = case knee when 'left' then 'right' else 'left' end where id = $1`,
      [audio],
    );
    const syncs = (
      await c.query('select id from synchronization where audio_processing_id = $1 order by id', [audio])
    ).rows.map((r) => r.id);
    const cycles = (
      await c.query('select id from movement_cycles where audio_processing_id = $1 order by id', [audio])
    ).rows.map((r) => r.id);
    const [{ id: bio }] = (
      await c.query('select biomechanics_import_id as id from audio_processing where id = $1', [audio])
    ).rows;
    expect(syncs.length).toBeGreaterThan(1);

    const r = await gql.query(INTEGRITY);
    expect(r.errors).toBeUndefined();
    const by = Object.fromEntries(r.data.integrityReport.checks.map((x: any) => [x.key, x]));
    expect(by['synchronization.audio_knee_maneuver']).toMatchObject({
      count: syncs.length,
      sampleIds: syncs.slice(0, 5),
      fixable: false,
      kind: 'consistency',
    });
    expect(by['movement_cycles.audio_match'].count).toBe(cycles.length);
    expect(by['audio_processing.biomechanics_match']).toMatchObject({ count: 1, sampleIds: [audio] });
    expect(by['biomechanics_import.audio_match']).toMatchObject({ count: 1, sampleIds: [bio] });
    expect(by['synchronization.biomechanics_knee_maneuver'].count).toBe(0);
    expect(by['movement_cycles.biomechanics_match'].count).toBe(0);
    expect(r.data.integrityReport.problems).toBe(syncs.length + cycles.length + 2);
    expect(r.data.integrityReport.ok).toBe(false);
    // Same answer as the service `ae-db integrity` prints.
    expect(r.data.integrityReport).toEqual(JSON.parse(JSON.stringify(await ctx.services.integrity.report())));
  });
});

describe('databaseStats', () => {
  it('reports the database, each table with exact rows, sizes and index counts, and every index', async () => {
    const r = await gql.query(`{ databaseStats {
      database bytes size unindexedForeignKeys
      tables { table rows rowEstimate totalBytes totalSize tableBytes indexBytes indexCount }
      indexes { table name definition bytes size scans unique primary } } }`);
    expect(r.errors).toBeUndefined();
    const s = r.data.databaseStats;
    const [db] = (
      await c.query(`select current_database() as name, pg_database_size(current_database())::float8 as bytes`)
    ).rows;
    expect(s.database).toBe(db.name);
    expect(Math.abs(s.bytes - db.bytes)).toBeLessThan(db.bytes * 0.05);
    expect(s.tables.map((t: any) => t.table).sort()).toEqual([
      'audio_processing',
      'biomechanics_import',
      'mikro_orm_migrations',
      'movement_cycles',
      'participant',
      'study',
      'synchronization',
    ]);
    for (const t of s.tables) {
      const [{ n, total, idx }] = (
        await c.query(
          `select (select count(*)::int from public.${t.table}) as n, pg_total_relation_size('public.${t.table}')::float8 as total,
                  (select count(*)::int from pg_indexes where schemaname = 'public' and tablename = $1) as idx`,
          [t.table],
        )
      ).rows;
      expect({ table: t.table, rows: t.rows, totalBytes: t.totalBytes, indexCount: t.indexCount }).toEqual({
        table: t.table,
        rows: n,
        totalBytes: total,
        indexCount: idx,
      });
      expect(t.tableBytes + t.indexBytes).toBeLessThanOrEqual(t.totalBytes);
    }
    const totals = s.tables.map((t: any) => t.totalBytes);
    expect(totals).toEqual([...totals].sort((a: number, b: number) => b - a));
    const { rows: indexes } = await c.query(
      `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`,
    );
    expect(s.indexes.map((i: any) => [i.table, i.name, i.definition])).toEqual(
      indexes.map((i) => [i.tablename, i.indexname, i.indexdef]),
    );
    expect(s.indexes.find((i: any) => i.name === 'study_pkey')).toMatchObject({ unique: true, primary: true });
    expect(s.indexes.find((i: any) => i.name === 'audio_processing_knee_maneuver_index')).toMatchObject({
      unique: false,
      primary: false,
    });
    expect(s.unindexedForeignKeys).toEqual([]);
  });
});
