/**
 * The predecessor guide's SQL, verbatim (test/fixtures/guide-sql.sql), against a seeded
 * database: every statement runs, and its answer agrees with what is in the tables.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { sqlClient, type TestDatabase } from './helpers/db';
import { counts, seededDatabase } from './helpers/ops';
import { toolConnection } from '../src/services/ops/pg-tools';
import { TABLES } from '../src/entities';

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'guide-sql.sql'), 'utf8');
const BLOCKS = new Map(
  FIXTURE.split(/^-- @name /m)
    .slice(1)
    .map((b) => {
      const [name, ...body] = b.split('\n');
      return [name.trim(), body.join('\n').trim()] as const;
    }),
);
const block = (name: string) => {
  const text = BLOCKS.get(name);
  if (!text) throw new Error(`no block "${name}" in guide-sql.sql`);
  return text;
};

/** A psql meta-command (`\dt`, `\d audio_processing`), run by psql as the guide does. */
function psql(url: string, command: string): Promise<string> {
  const { dbname, env } = toolConnection(url);
  return new Promise((resolve, reject) => {
    execFile(
      'psql',
      ['-X', '-v', 'ON_ERROR_STOP=1', '--dbname', dbname, '-c', command],
      { env },
      (err, stdout, stderr) => (err ? reject(new Error(`psql ${command}: ${stderr || err.message}`)) : resolve(stdout)),
    );
  });
}

let db: TestDatabase;
let c: Client;
beforeAll(async () => {
  db = await seededDatabase(2);
  c = await sqlClient(db.url);
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
});

it('the fixture holds every block this test runs, and nothing naming columns synchronization never had', () => {
  expect([...BLOCKS.keys()]).toEqual([
    'quick_reference_count',
    'list_tables',
    'describe_audio_processing',
    'count_records',
    'recent_audio',
    'participants',
    'audio_qc_summary',
    'missing_indexes',
    'table_sizes',
    'orphan_audio_count',
    'remove_orphan_audio',
    'test_database_quick_reset',
  ]);
  const statements = [...BLOCKS.values()].join('\n');
  expect(statements).not.toMatch(/biomechanics_sync_method|num_cycles|audio_id/);
});

describe('Data Inspection', () => {
  it('SELECT COUNT(*) FROM audio_processing', async () => {
    const n = await counts(db.url);
    const { rows } = await c.query(block('quick_reference_count'));
    expect(rows).toEqual([{ count: String(n.audio_processing) }]);
  });

  it('\\dt lists the six tables and the migration history', async () => {
    const out = await psql(db.url, block('list_tables').split('\n').pop()!);
    for (const t of [...TABLES, 'mikro_orm_migrations']) {
      expect(out).toMatch(new RegExp(`public \\| ${t} +\\| table`));
    }
  });

  it('\\d audio_processing shows recording_timezone (the checklist\'s "schema is current" test)', async () => {
    const out = await psql(db.url, block('describe_audio_processing').split('\n').pop()!);
    expect(out).toMatch(/recording_timezone +\| character varying\(10\)/);
    expect(out).toContain('"audio_processing_knee_maneuver_index" btree (knee, maneuver)');
  });

  it('the per-table count (UNION ALL) agrees with the tables', async () => {
    const n = await counts(db.url);
    const { rows } = await c.query(block('count_records'));
    expect(Object.fromEntries(rows.map((r) => [r.table, Number(r.count)]))).toEqual(n);
    expect(n.movement_cycles).toBeGreaterThan(100);
  });

  it('recent audio records: ten, newest processing_date first', async () => {
    const { rows } = await c.query(block('recent_audio'));
    expect(rows).toHaveLength(10);
    expect(Object.keys(rows[0])).toEqual([
      'id',
      'audio_file_name',
      'knee',
      'maneuver',
      'processing_status',
      'processing_date',
    ]);
    const dates = rows.map((r) => (r.processing_date as Date).getTime());
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const [{ newest }] = (await c.query('select max(processing_date) as newest from audio_processing')).rows;
    expect(dates[0]).toBe(newest.getTime());
  });

  it('participants with their study names', async () => {
    const { rows } = await c.query(block('participants'));
    expect(rows).toHaveLength((await counts(db.url)).participant);
    expect(new Set(rows.map((r) => r.study_name))).toEqual(new Set(['AOA', 'preOA', 'SMoCK']));
    expect(rows.every((r) => Number.isInteger(r.study_participant_id) && r.study_participant_id > 0)).toBe(true);
  });

  it('the audio QC summary agrees with the flags', async () => {
    const { rows } = await c.query(block('audio_qc_summary'));
    const { rows: expected } = await c.query(
      `select count(*) as total_files, count(*) filter (where audio_qc_fail) as failed_qc,
              count(*) filter (where qc_signal_dropout) as signal_dropout, count(*) filter (where qc_artifact) as artifacts
         from audio_processing`,
    );
    expect(rows).toEqual(expected);
    expect(Number(rows[0].total_files)).toBe(36);
  });
});

describe('Performance (catalog queries)', () => {
  it('indexes of the public schema', async () => {
    const { rows } = await c.query(block('missing_indexes'));
    const names = rows.map((r) => r.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'audio_processing_participant_id_index',
        'audio_processing_knee_maneuver_index',
        'movement_cycles_synchronization_id_index',
      ]),
    );
  });

  it('table sizes, largest first', async () => {
    const { rows } = await c.query(block('table_sizes'));
    expect(rows).toHaveLength(7);
    expect(rows[0].tablename).toBe('movement_cycles');
    expect(rows.every((r) => /^\d+ (bytes|kB|MB)$/.test(r.size))).toBe(true);
  });
});

describe('Data Integrity', () => {
  it('counts no orphaned audio on consistent data, and removes nothing', async () => {
    expect((await c.query(block('orphan_audio_count'))).rows).toEqual([{ count: '0' }]);
    expect((await c.query(block('remove_orphan_audio'))).rowCount).toBe(0);
  });

  it('counts and removes an orphan planted behind a dropped foreign key', async () => {
    await c.query('alter table audio_processing drop constraint audio_processing_participant_id_foreign');
    await c.query(
      `insert into audio_processing (participant_id, audio_file_name, device_serial, firmware_version, file_time, file_size_mb,
              recording_date, recording_time, knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position)
         select 424242, 'orphan.bin', device_serial, firmware_version, file_time, file_size_mb, recording_date, recording_time,
                knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position
           from audio_processing order by id limit 1`,
    );
    const before = (await counts(db.url)).audio_processing;
    expect((await c.query(block('orphan_audio_count'))).rows).toEqual([{ count: '1' }]);
    expect((await c.query(block('remove_orphan_audio'))).rowCount).toBe(1);
    expect((await counts(db.url)).audio_processing).toBe(before - 1);
    expect((await c.query(block('orphan_audio_count'))).rows).toEqual([{ count: '0' }]);
    await c.query(
      'alter table audio_processing add constraint audio_processing_participant_id_foreign foreign key (participant_id) references participant (id) on update cascade on delete cascade',
    );
  });
});

describe('Testing Database', () => {
  it('the quick reset (TRUNCATE … CASCADE) empties every table and keeps the schema', async () => {
    await c.query(block('test_database_quick_reset'));
    expect(Object.values(await counts(db.url))).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await c.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`)).rows[0].n).toBe(7);
  });
});
