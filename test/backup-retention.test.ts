/**
 * Backup retention never deletes the only full backups: file names carry the database and
 * the kind, pruning looks only at backups of the same database and kind, and the newest
 * --keep-last of them stay whatever their age. `ae-db backup` prints what it kept and deleted.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aeDb } from './helpers/cli';
import { seededDatabase } from './helpers/ops';
import { createTestDatabase, type TestDatabase } from './helpers/db';
import { backupKind, backupNamePrefix, pruneBackups } from '../src/services/ops/backup-files';

let db: TestDatabase;
let other: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await seededDatabase(1);
  other = await createTestDatabase();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ae-retention-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(async () => {
  await db?.drop();
  await other?.drop();
});

const DAY = 86_400;
/** A file in `dir` last modified `days` ago. */
function aged(name: string, days: number): string {
  const p = join(dir, name);
  writeFileSync(p, 'x');
  const t = Date.now() / 1000 - days * DAY;
  utimesSync(p, t, t);
  return name;
}
const full = (database: string, stamp: string) => `ae_backup_${database}_full_${stamp}.sql.gz`;

async function backup(args: string[], url = db.url) {
  const r = await aeDb(['backup', '--dir', dir, ...args], { AE_DATABASE_URL: url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

it('a --schema-only, --table or other-database backup after a week without nightly backups deletes none of the full backups', async () => {
  // The nightly full backups stopped 8 days ago: they are the only copies.
  const nightly = [8, 9, 10, 11].map((d) => aged(full(db.name, `202601${10 + d}_020000`), d));
  const before = readdirSync(dir).sort();

  const schema = await backup(['--schema-only', '--keep-days', '7']);
  const table = await backup(['--table', 'audio_processing', '--keep-days', '7']);
  const otherDb = await backup(['--keep-days', '7'], other.url);

  const now = readdirSync(dir).sort();
  expect(now.filter((f) => before.includes(f))).toEqual(before);
  expect(
    now
      .filter((f) => !before.includes(f))
      .map((f) => f.replace(/\d{8}_\d{6}/, 'STAMP'))
      .sort(),
  ).toEqual(
    [
      `ae_backup_${db.name}_schema_STAMP.sql.gz`,
      `ae_backup_${db.name}_tables-audio_processing_STAMP.sql.gz`,
      `ae_backup_${other.name}_full_STAMP.sql.gz`,
    ].sort(),
  );
  expect(schema).toMatch(
    new RegExp(
      `Retention: backups of "${db.name}", kind schema, in ${dir}: the newest 3 kept whatever their age, the others deleted after 7 days`,
    ),
  );
  for (const out of [schema, table, otherDb]) expect(out).toContain('  deleted (0): -');
  for (const f of nightly) expect(schema + table + otherDb).not.toContain(f);
});

it('a full backup keeps the newest --keep-last full backups whatever their age, deletes older ones past --keep-days, and prints both', async () => {
  const old = [10, 20, 30, 40].map((d, i) => aged(full(db.name, `2026010${i + 1}_020000`), d));
  const out = await backup(['--keep-days', '7', '--keep-last', '3']);
  const made = readdirSync(dir).find((f) => !old.includes(f))!;
  expect(made).toMatch(new RegExp(`^ae_backup_${db.name}_full_\\d{8}_\\d{6}\\.sql\\.gz$`));
  // The new one and the two newest old ones stay although older than 7 days.
  expect(readdirSync(dir).sort()).toEqual([made, old[0], old[1]].sort());
  expect(out).toContain(`  kept (3):    ${made}, ${old[0]}, ${old[1]}`);
  expect(out).toContain(`  deleted (2): ${old[2]}, ${old[3]}`);
});

it('--keep-days 0 deletes nothing; --keep-last 0 is refused before anything is dumped', async () => {
  const old = aged(full(db.name, '20200101_000000'), 400);
  const out = await backup(['--keep-days', '0']);
  expect(out).toContain('none deleted (--keep-days 0)');
  expect(readdirSync(dir)).toContain(old);
  const r = await aeDb(['backup', '--dir', dir, '--keep-last', '0'], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Error: --keep-last must be a whole number of backups, at least 1, got 0\.\n$/);
  expect(readdirSync(dir)).toHaveLength(2);
});

it('pruneBackups looks only at <prefix><YYYYMMDD_HHMMSS>.sql.gz regular files; the age boundary is keepDays × 24 h before now', () => {
  const now = new Date();
  const prefix = backupNamePrefix('lab', 'full');
  const keep = [
    'ae_backup_20200101_000000.sql.gz', // the predecessor's script: database and kind unknown
    'ae_backup_lab_schema_20200101_000000.sql.gz',
    'ae_backup_lab_full_extra_20200101_000000.sql.gz', // database "lab_full_extra"? not this prefix's
    'ae_backup_lab_tables-audio_processing_20200101_000000.sql.gz',
    'ae_backup_lab_full_20200101_000000.sql', // not gzip
    'notes.txt',
  ];
  for (const f of keep) aged(f, 30);
  mkdirSync(join(dir, 'ae_backup_lab_full_20200101_000001.sql.gz'));
  aged('ae_backup_lab_full_20260101_000000.sql.gz', 1);
  aged('ae_backup_lab_full_20250101_000000.sql.gz', 7 + 1 / 24); // 1 hour past the boundary
  aged('ae_backup_lab_full_20250102_000000.sql.gz', 7 - 1 / 24); // 1 hour inside it
  const r = pruneBackups(dir, prefix, { keepDays: 7, keepLast: 1, now });
  expect(r).toEqual({
    kept: ['ae_backup_lab_full_20260101_000000.sql.gz', 'ae_backup_lab_full_20250102_000000.sql.gz'],
    deleted: ['ae_backup_lab_full_20250101_000000.sql.gz'],
  });
  expect(readdirSync(dir)).toEqual(expect.arrayContaining([...keep, 'ae_backup_lab_full_20200101_000001.sql.gz']));
});

it('names: kinds for every content choice, and database names safe as file names', () => {
  expect(backupKind({})).toBe('full');
  expect(backupKind({ schemaOnly: true })).toBe('schema');
  expect(backupKind({ dataOnly: true })).toBe('data');
  expect(backupKind({ tables: ['biomechanics_import', 'audio_processing'] })).toBe(
    'tables-audio_processing+biomechanics_import',
  );
  expect(backupKind({ dataOnly: true, tables: ['study'] })).toBe('data-tables-study');
  expect(backupNamePrefix('acoustic_emissions', 'full')).toBe('ae_backup_acoustic_emissions_full_');
  expect(backupNamePrefix('lab/db 1', 'schema')).toBe('ae_backup_lab%2Fdb%201_schema_');
});
