/**
 * `ae-db backup` and `ae-db restore` as real subprocesses against test databases: the dump is
 * a valid gzip pg_dump, a restore brings the data back exactly, a failed restore changes
 * nothing (retention: test/backup-retention.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { aeDb } from './helpers/cli';
import { counts, fingerprint, seededDatabase, sql } from './helpers/ops';
import type { TestDatabase } from './helpers/db';
import { parseDatabaseUrl, withDatabase } from '../src/config';
import { dropHeaderSettings } from '../src/services/ops/restore-script';
import { incompatibility, parseToolVersion } from '../src/services/ops/pg-tools';

let db: TestDatabase;
let dir: string;
const password = () => parseDatabaseUrl(db.url).password ?? '\u0000';
const withDb = (name: string) => withDatabase(db.url, name);
const BACKUP_NAME = () => new RegExp(`^ae_backup_${db.name}_full_\\d{8}_\\d{6}(_\\d+)?\\.sql\\.gz$`);

beforeAll(async () => {
  db = await seededDatabase(1);
  dir = mkdtempSync(join(tmpdir(), 'ae-backup-test-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function backup(extra: string[] = [], into = dir): Promise<{ file: string; stdout: string }> {
  const before = new Set(readdirSync(into));
  const r = await aeDb(['backup', '--dir', into, ...extra], { AE_DATABASE_URL: db.url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const made = readdirSync(into).filter((f) => !before.has(f));
  expect(made).toHaveLength(1);
  return { file: join(into, made[0]), stdout: r.stdout };
}

describe('backup → change → restore', () => {
  it('writes a gzip pg_dump named ae_backup_<database>_full_YYYYMMDD_HHMMSS.sql.gz and reports file, size and duration', async () => {
    const { file, stdout } = await backup();
    expect(file.split('/').pop()).toMatch(BACKUP_NAME());
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text.startsWith('--\n-- PostgreSQL database dump\n')).toBe(true);
    expect(text).toContain('-- PostgreSQL database dump complete');
    expect(text).toMatch(/^COPY public\.movement_cycles \(/m);
    expect(stdout).toContain(`File:      ${file}`);
    expect(stdout).toMatch(new RegExp(`Size: +\\S+ \\S+ \\(${statSync(file).size} bytes, gzip\\)`));
    expect(stdout).toMatch(/Duration: +\d+\.\d\d s/);
    expect(stdout).toContain('Contents:  full, every table');
    expect(stdout + file).not.toContain(password());
    expect(statSync(file).mode & 0o077).toBe(0); // the dump holds every row: owner-only
  });

  it('brings every row and sequence back exactly after deletes, updates and inserts', async () => {
    const original = await fingerprint(db.url);
    const { file } = await backup();
    await sql(
      db.url,
      `delete from movement_cycles where id % 3 = 0;
       update audio_processing set notes = 'changed after the backup' where knee = 'left';
       delete from study where name = 'SMoCK';
       insert into study (name) values ('SMoCK');`,
    );
    const changed = await fingerprint(db.url);
    expect(changed).not.toEqual(original);

    const refused = await aeDb(['restore', file], { AE_DATABASE_URL: db.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^Error: Refusing to replace every table, function and type in the public schema of ".*" with the dump's .* without confirmation: not on a terminal, pass --yes\.\n$/,
    );
    expect(await fingerprint(db.url)).toEqual(changed);

    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await fingerprint(db.url)).toEqual(original);
    const n = original.tables;
    expect(r.stdout).toMatch(/Restored .*: \d+ rows in \d+\.\d\d s/);
    expect(r.stdout).toMatch(new RegExp(`Movement cycles +${n.movement_cycles.rows}\\n`));
    expect(r.stdout).toMatch(new RegExp(`Audio files +${n.audio_processing.rows}\\n`));
    expect(r.stdout).toContain('(head)');
    // The schema came back whole: keys, triggers, functions.
    const [cat] = await sql(
      db.url,
      `select (select count(*)::int from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace) as fks,
              (select count(*)::int from pg_trigger where not tgisinternal) as triggers,
              (select count(*)::int from pg_proc where pronamespace = 'public'::regnamespace) as functions`,
    );
    // Functions: the timestamp trigger's, ae_valid_segments and ae_json_float8_array.
    expect(cat).toEqual({ fks: 12, triggers: 4, functions: 3 });
    expect((await aeDb(['integrity'], { AE_DATABASE_URL: db.url })).code).toBe(0);
  });

  it('restores a data-only backup into an emptied schema (the circular audio ⟷ biomechanics pair included)', async () => {
    const original = await fingerprint(db.url);
    const { file, stdout } = await backup(['--data-only']);
    expect(stdout).toContain('Contents:  data-only, every table');
    expect(gunzipSync(readFileSync(file)).toString()).not.toContain('CREATE TABLE');
    expect((await aeDb(['truncate', '--yes'], { AE_DATABASE_URL: db.url })).code).toBe(0);
    expect((await counts(db.url)).movement_cycles).toBe(0);
    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(await fingerprint(db.url)).toEqual(original);
    const [{ fks }] = await sql(db.url, `select count(*)::int as fks from pg_constraint where contype = 'f'`);
    expect(fks).toBe(12);
  });

  it('restores a --table backup into those tables only, keeping the foreign keys other tables have onto them', async () => {
    const original = await fingerprint(db.url);
    const { file, stdout } = await backup(['--table', 'audio_processing', '--table', 'biomechanics_import']);
    expect(stdout).toContain('Contents:  full, tables audio_processing, biomechanics_import');
    const text = gunzipSync(readFileSync(file)).toString();
    expect(text).toContain('CREATE TABLE public.audio_processing');
    expect(text).not.toContain('CREATE TABLE public.movement_cycles');
    await sql(
      db.url,
      `update audio_processing set notes = 'edited'; update biomechanics_import set biomechanics_notes = 'edited'`,
    );
    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(await fingerprint(db.url)).toEqual(original);
    const fks = await sql(
      db.url,
      `select conname from pg_constraint where contype = 'f' and confrelid = 'audio_processing'::regclass order by 1`,
    );
    expect(fks.map((f) => f.conname)).toEqual([
      'biomechanics_import_audio_processing_id_foreign',
      'movement_cycles_audio_processing_id_foreign',
      'synchronization_audio_processing_id_foreign',
    ]);
  });

  it('restores a plain, uncompressed file made by the guide\'s own "pg_dump $AE_DATABASE_URL > backup.sql"', async () => {
    const original = await fingerprint(db.url);
    const u = new URL(db.url.replace('postgresql:', 'http:'));
    const file = join(dir, 'backup_20260202.sql');
    const dump = execFileSync('pg_dump', ['--dbname', `postgresql://${u.username}@${u.host}${u.pathname}`], {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
      maxBuffer: 1 << 28,
    });
    writeFileSync(file, dump);
    await sql(db.url, 'delete from participant');
    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await fingerprint(db.url)).toEqual(original);
  });

  it('rolls back a restore that fails half-way: nothing changes', async () => {
    const { file } = await backup(['--table', 'audio_processing']);
    await sql(db.url, `delete from participant where id = (select min(id) from participant)`);
    const before = await fingerprint(db.url);
    // The dumped audio rows of the deleted participant now violate audio_processing → participant.
    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: Restore failed (at line \d+ of \S+|in the checks after loading \(foreign keys re-added\)) and was rolled back, the database is unchanged: ERROR: .*foreign key constraint/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await fingerprint(db.url)).toEqual(before);
  });
});

/** Dump-shaped text that compresses poorly, so a cut gzip stream ends mid-way. */
function pseudoRandomDump(): Buffer {
  let x = 12345;
  const lines = ['--', '-- PostgreSQL database dump', '--', '', 'COPY public.study (id, name) FROM stdin;'];
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    lines.push(`${i}\t${x.toString(36)}${(x * 31).toString(16)}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

describe('restore refuses what is not a complete dump, in one sentence', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['plain text', () => Buffer.from('hello\nworld\n'), /is not a PostgreSQL SQL dump/],
    ['gzip-compressed text', () => gzipSync('SELECT 1;\n'), /is not a PostgreSQL SQL dump/],
    [
      'random bytes',
      () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      /is not a PostgreSQL SQL dump/,
    ],
    [
      'a gzip file cut short',
      () => gzipSync(pseudoRandomDump()).subarray(0, 2000),
      /is not a valid gzip file \(unexpected end of file\)/,
    ],
    [
      'a dump cut in the middle',
      () =>
        Buffer.from(
          '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCOPY public.study (id) FROM stdin;\n1\n',
        ),
      /is incomplete/,
    ],
    [
      'a custom-format archive',
      () => Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(100)]),
      /custom-format pg_dump archive .* pg_restore/,
    ],
  ];
  it.each(cases)('%s', async (_name, content, message) => {
    const file = join(dir, `not_a_dump_${_name.replace(/\W+/g, '_')}.sql`);
    writeFileSync(file, content());
    const before = await fingerprint(db.url);
    const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^Error: [^\n]+\n$/);
    expect(await fingerprint(db.url)).toEqual(before);
  });

  it('a missing file', async () => {
    const r = await aeDb(['restore', join(dir, 'nope.sql.gz'), '--yes'], { AE_DATABASE_URL: db.url });
    expect([r.code, r.stderr]).toEqual([1, `Error: Backup file ${join(dir, 'nope.sql.gz')} does not exist.\n`]);
  });
});

describe('connection failures', () => {
  it('backup, restore and copy explain a refused connection, a wrong password and a missing database in one sentence and what to check', async () => {
    const wrongPassword = (() => {
      const u = new URL(db.url.replace('postgresql:', 'http:'));
      u.password = 'wrongpw';
      return u.toString().replace('http:', 'postgresql:');
    })();
    const refused = 'postgresql://lab:secretpw@127.0.0.1:1/acoustic_emissions';
    const cases: [string[], string, RegExp][] = [
      [
        ['backup', '--dir', dir],
        refused,
        /^Error: cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(connection refused\)\.\nCheck: .*pg_isready/,
      ],
      [
        ['backup', '--dir', dir],
        wrongPassword,
        /^Error: password authentication failed for user "\w+"\. Check the user and password/,
      ],
      [
        ['restore', join(dir, 'whatever.sql')],
        withDb('no_such_lab_db'),
        /^Error: database "no_such_lab_db" does not exist\.\nFix: create it with "createdb/,
      ],
      [['copy', 'x_copy'], refused, /^Error: cannot connect to PostgreSQL/],
    ];
    for (const [args, url, message] of cases) {
      const before = readdirSync(dir);
      const r = await aeDb(args, { AE_DATABASE_URL: url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout + r.stderr).not.toMatch(/secretpw|wrongpw/);
      expect(readdirSync(dir)).toEqual(before);
    }
  });
});

describe('client tools', () => {
  it('says exactly that pg_dump is missing, how to install it, and exits non-zero', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ae-nopath-'));
    try {
      const r = await aeDb(['backup', '--dir', dir], { AE_DATABASE_URL: db.url, PATH: empty });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: pg_dump was not found on the PATH/);
      expect(r.stderr).toContain('brew install libpq');
      expect(r.stderr).toContain('apt-get install postgresql-client');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a pg_dump older than the server, naming both versions', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'ae-oldpgdump-'));
    try {
      // An executable that answers --version like pg_dump 14 would.
      writeFileSync(join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 14.11"\n');
      chmodSync(join(bin, 'pg_dump'), 0o755);
      const before = readdirSync(dir);
      const r = await aeDb(['backup', '--dir', dir], { AE_DATABASE_URL: db.url, PATH: `${bin}:${process.env.PATH}` });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^Error: pg_dump 14\.11 is older than the server \(PostgreSQL 15\.\d+\): pg_dump must be version 15 or newer/,
      );
      expect(r.stderr).toContain('postgresql-client-15');
      expect(readdirSync(dir)).toEqual(before);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("reads client versions and applies pg_dump's rule (major ≥ server major)", () => {
    const v15 = parseToolVersion('pg_dump', 'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n');
    expect([v15.major, v15.version]).toEqual([15, '15.18']);
    expect(parseToolVersion('pg_dump', 'pg_dump (PostgreSQL) 9.6.24').major).toBe(9.6);
    expect(incompatibility(v15, 150018, '15.18')).toBeUndefined();
    expect(incompatibility(parseToolVersion('pg_dump', 'pg_dump (PostgreSQL) 17.2'), 150018, '15.18')).toBeUndefined();
    expect(incompatibility(v15, 160004, '16.4')).toMatch(/older than the server/);
    expect(incompatibility(parseToolVersion('psql', 'psql (PostgreSQL) 14.1'), 150018, '15.18')).toBeUndefined();
  });

  it("drops pg_dump 17's SET transaction_timeout from the header for older servers (an empty line in its place), and nothing else", async () => {
    const dump =
      '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET transaction_timeout = 0;\nSET lock_timeout = 0;\n\nCREATE TABLE public.t (x text);\nSET transaction_timeout = 0;\nCOPY public.t (x) FROM stdin;\nä\n\\.\n';
    const bytes = Buffer.from(dump);
    // Chunk boundaries everywhere, including inside the two-byte "ä".
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      const parts: Buffer[] = [];
      for await (const part of dropHeaderSettings(chunks(), [/^SET transaction_timeout = /])) parts.push(part);
      // An empty line in its place keeps psql's line numbers those of the file.
      expect(Buffer.concat(parts).toString()).toBe(
        dump.replace('SET transaction_timeout = 0;\nSET lock', '\nSET lock'),
      );
    }
  });
});
