/**
 * `ae-db` as real subprocesses against a test database.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aeDb } from './helpers/cli';
import { createTestDatabase, sqlClient, serverUrl, type TestDatabase } from './helpers/db';
import { withDatabase } from '../src/config';
import { MIGRATIONS } from '../migrations';

const NAMES = MIGRATIONS.map((m) => m.name);
const HEAD = NAMES.at(-1)!;
let db: TestDatabase;
const tables = async (url: string) => {
  const c = await sqlClient(url);
  try {
    return (await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map(
      (r) => r.tablename,
    );
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

it('status shows the connection, server version, current migration and record counts', async () => {
  const r = await aeDb(['status'], { AE_DATABASE_URL: db.url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Server: +PostgreSQL 15\./);
  expect(r.stdout).toContain(`Migration: ${HEAD} (head)`);
  expect(r.stdout).toMatch(/Pending: +none/);
  expect(r.stdout).toMatch(/Studies +0/);
  expect(r.stdout).toMatch(/Movement cycles +0/);
  expect(r.stdout).not.toContain(new URL(db.url.replace('postgresql:', 'http:')).password || '\u0000');
});

it('seed writes the sample data and status counts it', async () => {
  const seed = await aeDb(['seed', '--participants', '1', '--study', 'AOA'], { AE_DATABASE_URL: db.url });
  expect(seed.code).toBe(0);
  expect(seed.stdout).toMatch(/participant +1/);
  const status = await aeDb(['status'], { AE_DATABASE_URL: db.url });
  expect(status.stdout).toMatch(/Studies +1/);
  expect(status.stdout).toMatch(/Audio files +6/);
});

it("psql runs the guide's psql commands on the target: -c, -f (a legacy SQL migration), and passes psql's exit code on", async () => {
  const count = await aeDb(
    [
      'psql',
      '--',
      '-At',
      '-c',
      "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'",
    ],
    { AE_DATABASE_URL: db.url },
  );
  expect(count).toMatchObject({ code: 0, stdout: `${(await tables(db.url)).join(',')}\n` });
  expect(count.stderr).toContain('psql on postgresql://');
  expect(count.stderr).not.toContain(new URL(db.url.replace('postgresql:', 'http:')).password || '\u0000');
  const dir = mkdtempSync(join(tmpdir(), 'ae-legacy-'));
  try {
    const file = join(dir, '002_add_note.sql');
    writeFileSync(file, 'alter table study add column legacy_note text;\n');
    expect((await aeDb(['psql', '--', '-v', 'ON_ERROR_STOP=1', '-f', file], { AE_DATABASE_URL: db.url })).code).toBe(0);
    const described = await aeDb(['psql', '--', '-c', '\\d study'], { AE_DATABASE_URL: db.url });
    expect(described.stdout).toMatch(/legacy_note +\| text/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await aeDb(['psql', '--', '-c', 'alter table study drop column legacy_note'], { AE_DATABASE_URL: db.url });
  }
  const failing = await aeDb(['psql', '--', '-v', 'ON_ERROR_STOP=1', '-c', 'select 1 / 0'], {
    AE_DATABASE_URL: db.url,
  });
  expect(failing.code).not.toBe(0);
  expect(failing.stderr).toMatch(/division by zero/);
});

it('url prints the target URL, the password masked unless --show-password', async () => {
  const password = new URL(db.url.replace('postgresql:', 'http:')).password;
  const masked = await aeDb(['url'], { AE_DATABASE_URL: db.url });
  expect(masked.code).toBe(0);
  expect(masked.stdout).toBe(`${password ? db.url.replace(`:${password}@`, ':****@') : db.url}\n`);
  expect((await aeDb(['url', '--show-password'], { AE_DATABASE_URL: db.url })).stdout).toBe(`${db.url}\n`);
});

it('check is clean on a migrated database and exits 1 with the difference after a manual change', async () => {
  const ok = await aeDb(['check'], { AE_DATABASE_URL: db.url });
  expect([ok.code, ok.stdout.trim()]).toEqual([0, 'OK: the database is at head and matches the entities.']);
  const c = await sqlClient(db.url);
  await c.query('alter table audio_processing drop column notes');
  const drift = await aeDb(['check'], { AE_DATABASE_URL: db.url });
  await c.query('alter table audio_processing add column notes text null');
  await c.end();
  expect(drift.code).toBe(1);
  expect(drift.stdout).toMatch(/add column "notes" text null/);
});

it('revision --autogenerate finds nothing to do and creates no file', async () => {
  const dir = join(__dirname, '..', 'migrations');
  const before = readdirSync(dir);
  const r = await aeDb(['revision', '-m', 'nothing_changed', '--autogenerate'], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('No changes');
  expect(readdirSync(dir)).toEqual(before);
});

it('history lists the migrations and marks the current one', async () => {
  const r = await aeDb(['history', '--verbose'], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`→ +${HEAD} +applied \\d{4}-`));
  expect(r.stdout).toContain('create table "movement_cycles"');
  expect(r.stdout).toContain('drop table if exists "study" cascade');
});

it('stamp moves the recorded version without touching tables', async () => {
  const base = await aeDb(['stamp', 'base'], { AE_DATABASE_URL: db.url });
  expect(base.stdout).toContain(`current migration is now (base); ${NAMES.length} pending`);
  expect(await tables(db.url)).toContain('movement_cycles');
  expect((await aeDb(['status'], { AE_DATABASE_URL: db.url })).stdout).toContain(
    `Pending:   ${NAMES.length}: ${NAMES.join(', ')}`,
  );
  const head = await aeDb(['stamp', 'head'], { AE_DATABASE_URL: db.url });
  expect(head.stdout).toContain(`current migration is now ${HEAD}`);
});

it('refuses destructive commands without --yes when not on a terminal, and changes nothing', async () => {
  // `-N` over every applied migration reaches base as surely as `base` does.
  for (const args of [['downgrade', 'base'], ['downgrade', `-${NAMES.length}`], ['fresh'], ['drop']]) {
    const r = await aeDb([...args], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Refusing to .* without confirmation: not on a terminal, pass --yes\.\n$/);
  }
  expect(await tables(db.url)).toHaveLength(7);
});

it('downgrade base --yes drops everything; upgrade head rebuilds it', async () => {
  const down = await aeDb(['downgrade', 'base', '--yes'], { AE_DATABASE_URL: db.url });
  expect(down.code).toBe(0);
  expect(down.stdout).toContain(`Reverted ${NAMES.length}: ${[...NAMES].reverse().join(', ')}`);
  expect(await tables(db.url)).toEqual(['mikro_orm_migrations']);
  const up = await aeDb(['upgrade', 'head'], { AE_DATABASE_URL: db.url });
  expect(up.stdout).toContain(`Applied ${NAMES.length}: ${NAMES.join(', ')}`);
  expect(await tables(db.url)).toHaveLength(7);
  expect((await aeDb(['upgrade'], { AE_DATABASE_URL: db.url })).stdout).toContain('Nothing to apply');
});

it('drop --yes removes every table; fresh --yes rebuilds the schema', async () => {
  expect((await aeDb(['drop', '--yes'], { AE_DATABASE_URL: db.url })).code).toBe(0);
  expect(await tables(db.url)).toEqual([]);
  const fresh = await aeDb(['fresh', '--yes'], { AE_DATABASE_URL: db.url });
  expect(fresh.stdout).toContain(`Schema rebuilt: applied ${NAMES.length} migration(s).`);
  expect(await tables(db.url)).toHaveLength(7);
});

it('init creates a missing database and migrates it; running it again changes nothing', async () => {
  const name = `${db.name}_init`;
  const url = withDatabase(serverUrl(), name);
  try {
    const first = await aeDb(['init'], { AE_DATABASE_URL: url });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Created database');
    expect(first.stdout).toContain(`Applied ${NAMES.length} migration(s): ${NAMES.join(', ')}`);
    const again = await aeDb(['init'], { AE_DATABASE_URL: url });
    expect(again.stdout).toContain('Schema already current.');
  } finally {
    const c = await sqlClient(serverUrl());
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
});

it('unknown migration targets and bad arguments fail with a clear message, not a stack trace', async () => {
  const r = await aeDb(['upgrade', 'no_such_migration'], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Error: Unknown migration "no_such_migration"/);
  const bad = await aeDb(['seed', '--size', 'huge'], { AE_DATABASE_URL: db.url });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/Allowed choices are small, medium, large/);
});

it('explains a refused connection and a missing database with what to check', async () => {
  const refused = await aeDb(['status', '--url', 'postgresql://nobody:secretpw@127.0.0.1:1/acoustic_emissions']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('cannot connect to PostgreSQL');
  expect(refused.stderr).toContain('pg_isready');
  expect(refused.stderr + refused.stdout).not.toContain('secretpw');
  expect(refused.stderr).not.toMatch(/^\s+at /m);
  const missing = await aeDb(['status'], { AE_DATABASE_URL: withDatabase(serverUrl(), 'no_such_database_here') });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('database "no_such_database_here" does not exist');
  expect(missing.stderr).toContain('createdb');
});

it('accepts the predecessor URL form postgresql+psycopg://', async () => {
  const r = await aeDb(['status'], { AE_DATABASE_URL: db.url.replace('postgresql://', 'postgresql+psycopg://') });
  expect(r.code).toBe(0);
});

it('uses AE_DATABASE_URL from the environment (an external server) and derives --test from it', async () => {
  const env = { AE_DATABASE_URL: db.url };
  const status = await aeDb(['status'], env);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain('(AE_DATABASE_URL)');
  expect((await aeDb(['check'], env)).code).toBe(0);
  const test = await aeDb(['status', '--test'], env);
  expect(test.code).toBe(1);
  expect(test.stderr).toContain(`database "${db.name}_test" does not exist`);
});
