/**
 * `ae-db copy`, `integrity`, `stats`, `doctor`, `truncate` and the guide's test-database
 * workflow, each as a real subprocess against its own test database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aeDb } from './helpers/cli';
import { createTestDatabase, serverUrl, sqlClient, type TestDatabase } from './helpers/db';
import { counts, fingerprint, sql, useSeededDatabase } from './helpers/ops';
import { parseDatabaseUrl, withDatabase } from '../src/config';
import { MIGRATIONS } from '../migrations';

const NAMES = MIGRATIONS.map((m) => m.name);
const HEAD = NAMES.at(-1)!;

describe('copy', () => {
  const db = useSeededDatabase(1);
  const copyName = () => `${db.name}_copy`;
  afterAll(async () => {
    await sql(serverUrl(), `drop database if exists ${copyName()} with (force)`);
  });

  it('refuses while another session is connected to the source, and creates nothing', async () => {
    const other = await sqlClient(db.url);
    try {
      const r = await aeDb(['copy', copyName()], { AE_DATABASE_URL: db.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^Error: Cannot copy "${db.name}" while 1 other session\\(s\\) are connected to it \\(pid \\d+ .*\\): .*Stop the API server`,
        ),
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await other.end();
    }
    expect(await sql(serverUrl(), 'select 1 from pg_database where datname = $1', [copyName()])).toEqual([]);
  });

  it('makes an equal database (createdb -T) and refuses to overwrite an existing one', async () => {
    const r = await aeDb(['copy', copyName()], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Copied "${db.name}" to "${copyName()}" \\(.+\\) in \\d+\\.\\d\\d s\\.`));
    expect(r.stdout).not.toContain(parseDatabaseUrl(db.url).password!);
    const copyUrl = withDatabase(db.url, copyName());
    expect(await fingerprint(copyUrl)).toEqual(await fingerprint(db.url));
    const schemaOf = (url: string) =>
      sql(
        url,
        `select conrelid::regclass::text as t, conname, pg_get_constraintdef(oid) as d from pg_constraint
                 where connamespace = 'public'::regnamespace order by 1, 2`,
      );
    expect(await schemaOf(copyUrl)).toEqual(await schemaOf(db.url));
    const again = await aeDb(['copy', copyName()], { AE_DATABASE_URL: db.url });
    expect([again.code, again.stderr]).toEqual([
      1,
      `Error: A database named "${copyName()}" already exists on this server; choose another name or drop it first.\n`,
    ]);
    const bad = await aeDb(['copy', 'no-such; drop'], { AE_DATABASE_URL: db.url });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a usable database name/);
  });
});

describe('integrity', () => {
  const db = useSeededDatabase(1);

  const line = (stdout: string, key: string) =>
    new RegExp(`^  ${key.replace('.', '\\.')} +(\\d+)  `, 'm').exec(stdout)?.[1];

  it('passes every check on consistent data', async () => {
    const r = await aeDb(['integrity'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK: all 26 checks pass.');
    expect(line(r.stdout, 'audio_processing.participant_id')).toBe('0');
    expect(line(r.stdout, 'synchronization.total_cycles')).toBe('0');
  });

  it('finds the orphans planted behind dropped foreign keys, and --fix removes exactly those', async () => {
    // The guide's situation: rows whose parent is gone, possible once a foreign key is missing.
    const [sync] = await sql(db.url, `select id, total_cycles_extracted as n from synchronization order by id limit 1`);
    const orphanCycles = (
      await sql(db.url, 'select id from movement_cycles where synchronization_id = $1 order by id', [sync.id])
    ).map((r) => r.id);
    expect(orphanCycles.length).toBe(sync.n);
    expect(orphanCycles.length).toBeGreaterThan(0);
    const [{ id: unlinkedCycle }] = await sql(
      db.url,
      'select min(id) as id from movement_cycles where synchronization_id <> $1',
      [sync.id],
    );
    await sql(
      db.url,
      `alter table movement_cycles drop constraint movement_cycles_synchronization_id_foreign;
       alter table movement_cycles drop constraint movement_cycles_biomechanics_import_id_foreign;
       alter table audio_processing drop constraint audio_processing_participant_id_foreign;
       delete from synchronization where id = ${sync.id};
       update movement_cycles set biomechanics_import_id = 999999 where id = ${unlinkedCycle};
       insert into audio_processing (participant_id, audio_file_name, device_serial, firmware_version, file_time, file_size_mb,
              recording_date, recording_time, knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position)
         select 999999, 'orphan.bin', device_serial, firmware_version, file_time, file_size_mb, recording_date, recording_time,
                knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position
           from audio_processing order by id limit 1;`,
    );
    const [{ id: orphanAudio }] = await sql(db.url, `select id from audio_processing where participant_id = 999999`);
    const before = await counts(db.url);
    const cyclesBefore = (await sql(db.url, 'select id from movement_cycles order by id')).map((r) => r.id);

    const report = await aeDb(['integrity'], { AE_DATABASE_URL: db.url });
    expect(report.code).toBe(1);
    expect(line(report.stdout, 'movement_cycles.synchronization_id')).toBe(String(orphanCycles.length));
    expect(line(report.stdout, 'audio_processing.participant_id')).toBe('1');
    expect(line(report.stdout, 'movement_cycles.biomechanics_import_id')).toBe('1');
    expect(report.stdout).toContain(
      `movement cycles without their synchronization (ids ${orphanCycles.slice(0, 5).join(', ')}`,
    );
    expect(report.stdout).toContain(`audio records without their participant (ids ${orphanAudio})`);
    const nonZero = [...report.stdout.matchAll(/^ {2}(\S+) +(\d+) {2}/gm)].filter((m) => m[2] !== '0').map((m) => m[1]);
    expect(nonZero.sort()).toEqual([
      'audio_processing.participant_id',
      'movement_cycles.biomechanics_import_id',
      'movement_cycles.synchronization_id',
    ]);
    expect(report.stdout).toContain(`Found ${orphanCycles.length + 2} row(s) breaking 3 check(s).`);
    expect(report.stdout).toContain('npx ae-db integrity --fix --yes');

    const refused = await aeDb(['integrity', '--fix'], { AE_DATABASE_URL: db.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^Error: Refusing to remove \d+ orphaned row\(s\) or link\(s\) .* without confirmation: not on a terminal, pass --yes\.\n$/,
    );
    expect(await counts(db.url)).toEqual(before);

    const fixed = await aeDb(['integrity', '--fix', '--yes'], { AE_DATABASE_URL: db.url });
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(
      new RegExp(`^  movement_cycles\\.synchronization_id +${orphanCycles.length}  deleted`, 'm'),
    );
    expect(fixed.stdout).toMatch(/^ {2}audio_processing\.participant_id +1 {2}deleted/m);
    expect(fixed.stdout).toMatch(/^ {2}movement_cycles\.biomechanics_import_id +1 {2}unlinked/m);
    expect(fixed.stdout).toMatch(new RegExp(`^  movement_cycles +${orphanCycles.length}$`, 'm'));
    expect(fixed.stdout).toMatch(/^ {2}audio_processing +1$/m);
    expect(fixed.stdout).toContain('OK: all 26 checks pass now.');

    // Exactly those rows are gone; the unlinked cycle stays, without its dangling link.
    expect(await counts(db.url)).toEqual({
      ...before,
      movement_cycles: before.movement_cycles - orphanCycles.length,
      audio_processing: before.audio_processing - 1,
    });
    const cyclesAfter = (await sql(db.url, 'select id from movement_cycles order by id')).map((r) => r.id);
    expect(cyclesAfter).toEqual(cyclesBefore.filter((id) => !orphanCycles.includes(id)));
    expect(
      await sql(db.url, 'select biomechanics_import_id from movement_cycles where id = $1', [unlinkedCycle]),
    ).toEqual([{ biomechanics_import_id: null }]);
    // The foreign keys can be put back: nothing violates them any more.
    await sql(
      db.url,
      `alter table movement_cycles add constraint movement_cycles_synchronization_id_foreign foreign key (synchronization_id) references synchronization (id) on update cascade on delete cascade;
       alter table movement_cycles add constraint movement_cycles_biomechanics_import_id_foreign foreign key (biomechanics_import_id) references biomechanics_import (id) on update cascade on delete set null;
       alter table audio_processing add constraint audio_processing_participant_id_foreign foreign key (participant_id) references participant (id) on update cascade on delete cascade;`,
    );
  });

  it('reports the cross-record rules of docs/data-model.md; --fix leaves them (they are not orphans) and still exits 1', async () => {
    const [s] = await sql(
      db.url,
      `select id, audio_processing_id as audio from synchronization where maneuver = 'fe' order by id limit 1`,
    );
    const other = (
      await sql(db.url, `select id from audio_processing where id <> $1 and maneuver <> 'fe' order by id limit 1`, [
        s.audio,
      ])
    )[0].id;
    await sql(
      db.url,
      `update synchronization set total_cycles_extracted = total_cycles_extracted + 1, audio_processing_id = ${other} where id = ${s.id}`,
    );
    const r = await aeDb(['integrity'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(line(r.stdout, 'synchronization.total_cycles')).toBe('1');
    expect(line(r.stdout, 'synchronization.audio_knee_maneuver')).toBe('1');
    expect(line(r.stdout, 'synchronization.outlier_cycles')).toBe('0');
    expect(line(r.stdout, 'movement_cycles.synchronization_match')).toBe('0');
    expect(line(r.stdout, 'movement_cycles.audio_match')).toBe('0');
    const fix = await aeDb(['integrity', '--fix', '--yes'], { AE_DATABASE_URL: db.url });
    expect(fix.code).toBe(1);
    expect(fix.stdout).toContain('No orphaned rows: nothing to fix.');
  });
});

describe('stats', () => {
  const db = useSeededDatabase(1);

  it('prints the database size, every table with its exact rows and sizes, and the indexes', async () => {
    const r = await aeDb(['stats'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    const [size] = await sql(db.url, `select pg_database_size(current_database())::float8 as bytes`);
    const printed = Number(new RegExp(`^Database "${db.name}": .+ \\((\\d+) bytes\\)`).exec(r.stdout)?.[1]);
    expect(Math.abs(printed - size.bytes)).toBeLessThan(size.bytes * 0.05);
    const n = await counts(db.url);
    for (const [table, rows] of Object.entries({ ...n, mikro_orm_migrations: NAMES.length })) {
      expect(r.stdout).toMatch(new RegExp(`^${table} +${rows}  +\\d+ (bytes|kB|MB)  `, 'm'));
    }
    // Largest table first, as the guide's size query orders them.
    expect(/^Table .*\n-+.*\n(\S+)/m.exec(r.stdout)?.[1]).toBe('movement_cycles');
    const indexes = await sql(db.url, `select tablename, indexname from pg_indexes where schemaname = 'public'`);
    expect(indexes.length).toBeGreaterThan(20);
    for (const i of indexes) expect(r.stdout).toMatch(new RegExp(`^${i.tablename} +${i.indexname} `, 'm'));
    expect(r.stdout).toMatch(/^audio_processing +audio_processing_pkey +\S+ \S+ +\d+ {2}primary key$/m);
    expect(r.stdout).toContain('Every foreign key column has an index.');
  });

  it('names a foreign key that lost its index', async () => {
    await sql(db.url, 'drop index movement_cycles_synchronization_id_index');
    const r = await aeDb(['stats'], { AE_DATABASE_URL: db.url });
    expect(r.stdout).toContain(
      'Foreign keys without an index (slow joins and cascades): movement_cycles.synchronization_id',
    );
  });

  it('counts the rows of a table whose name needs quoting as an identifier and as a literal', async () => {
    const name = `odd "name" o'k \\ x`;
    const ident = `"${name.replace(/"/g, '""')}"`;
    await sql(db.url, `create table ${ident} (id int); insert into ${ident} values (1), (2), (3)`);
    const r = await aeDb(['stats'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${name.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} +3  +\\d+ (bytes|kB|MB)  `, 'm'),
    );
  });
});

describe('doctor', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const status = (stdout: string, name: string) =>
    new RegExp(`^(PASS|FAIL|SKIP|WARN)  ${name.replace(/[()]/g, '\\$&')} `, 'm').exec(stdout)?.[1];

  it('passes every check on a migrated database', async () => {
    const r = await aeDb(['doctor'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of [
      'Database URL configured',
      'Server reachable (pg_isready)',
      'Role exists and can log in',
      'Database exists',
      'Schema current (migrations)',
      'Schema matches the code (check)',
      'pg_dump available and compatible',
      'psql available',
    ]) {
      expect(`${name}: ${status(r.stdout, name)}`).toBe(`${name}: PASS`);
    }
    expect(r.stdout).toMatch(
      /Server reachable \(pg_isready\) +127\.0\.0\.1:\d+ accepts connections \(PostgreSQL 15\.\d+\)/,
    );
    expect(r.stdout).toContain(`at head (${HEAD})`);
    expect(r.stdout).toMatch(/pg_dump available and compatible +pg_dump \(PostgreSQL\) \d+/);
    expect(r.stdout).toContain('All 8 checks passed.');
    expect(r.stdout).not.toContain(parseDatabaseUrl(db.url).password!);
  });

  it('fails on an unreachable port with the pg_isready hint, and skips what depends on it', async () => {
    const r = await aeDb(['doctor', '--url', 'postgresql://lab:secretpw@127.0.0.1:1/acoustic_emissions']);
    expect(r.code).toBe(1);
    expect(status(r.stdout, 'Server reachable (pg_isready)')).toBe('FAIL');
    expect(r.stdout).toContain('cannot connect to 127.0.0.1:1');
    expect(r.stdout).toContain('pg_isready -h 127.0.0.1 -p 1');
    expect(r.stdout).toContain('brew services start postgresql@15');
    expect(status(r.stdout, 'Database exists')).toBe('SKIP');
    expect(r.stdout + r.stderr).not.toContain('secretpw');
    expect(r.stdout).toContain('1 of 8 checks failed.');
  });

  it('fails on a missing database and offers the createdb command', async () => {
    const u = parseDatabaseUrl(db.url);
    const r = await aeDb(['doctor'], { AE_DATABASE_URL: withDatabase(db.url, 'no_such_lab_database') });
    expect(r.code).toBe(1);
    expect(status(r.stdout, 'Server reachable (pg_isready)')).toBe('PASS');
    expect(status(r.stdout, 'Role exists and can log in')).toBe('PASS');
    expect(status(r.stdout, 'Database exists')).toBe('FAIL');
    expect(r.stdout).toContain(`fix: Create it: createdb -h ${u.host} -p ${u.port} -U ${u.user} no_such_lab_database`);
    expect(status(r.stdout, 'Schema current (migrations)')).toBe('SKIP');
    expect(status(r.stdout, 'pg_dump available and compatible')).toBe('PASS');
  });

  it('fails on a wrong password or unknown role, with the createuser hint', async () => {
    const u = new URL(db.url.replace('postgresql:', 'http:'));
    u.username = 'no_such_role';
    u.password = 'wrongpw';
    const r = await aeDb(['doctor'], { AE_DATABASE_URL: u.toString().replace('http:', 'postgresql:') });
    expect(r.code).toBe(1);
    expect(status(r.stdout, 'Role exists and can log in')).toBe('FAIL');
    expect(r.stdout).toContain('createuser');
    expect(r.stdout).not.toContain('wrongpw');
  });

  it('fails on pending migrations and on drift between the entities and the tables', async () => {
    await aeDb(['stamp', 'base'], { AE_DATABASE_URL: db.url });
    const pending = await aeDb(['doctor'], { AE_DATABASE_URL: db.url });
    expect(pending.code).toBe(1);
    expect(status(pending.stdout, 'Schema current (migrations)')).toBe('FAIL');
    expect(pending.stdout).toContain(`${NAMES.length} pending migration(s): ${NAMES.join(', ')}`);
    expect(pending.stdout).toContain('fix: Apply them: npx ae-db upgrade head');
    await aeDb(['stamp', 'head'], { AE_DATABASE_URL: db.url });
    await sql(db.url, 'alter table audio_processing drop column notes');
    try {
      const drift = await aeDb(['doctor'], { AE_DATABASE_URL: db.url });
      expect(drift.code).toBe(1);
      expect(status(drift.stdout, 'Schema current (migrations)')).toBe('PASS');
      expect(status(drift.stdout, 'Schema matches the code (check)')).toBe('FAIL');
      expect(drift.stdout).toContain('add column "notes" text null');
    } finally {
      await sql(db.url, 'alter table audio_processing add column notes text null');
    }
  });

  it('fails when pg_dump is not installed, with install hints', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ae-nopath-'));
    try {
      const r = await aeDb(['doctor'], { AE_DATABASE_URL: db.url, PATH: empty });
      expect(r.code).toBe(1);
      expect(status(r.stdout, 'pg_dump available and compatible')).toBe('FAIL');
      expect(status(r.stdout, 'psql available')).toBe('FAIL');
      expect(r.stdout).toContain('brew install libpq');
      expect(r.stdout).toContain('apt-get install postgresql-client');
      expect(status(r.stdout, 'Schema current (migrations)')).toBe('PASS');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('truncate and the test-database workflow', () => {
  const db = useSeededDatabase(1);

  it('truncate refuses without --yes off a terminal', async () => {
    const before = await counts(db.url);
    const r = await aeDb(['truncate'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: Refusing to empty the tables study, participant, .* without confirmation: not on a terminal, pass --yes\.\n$/,
    );
    expect(await counts(db.url)).toEqual(before);
  });

  it('truncate --yes empties every data table, keeps the schema and migration history, and restarts the ids', async () => {
    const before = await counts(db.url);
    expect(before.movement_cycles).toBeGreaterThan(0);
    const r = await aeDb(['truncate', '--yes'], { AE_DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^  movement_cycles +${before.movement_cycles}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  study +${before.study}$`, 'm'));
    expect(Object.values(await counts(db.url))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await sql(db.url, 'select name from mikro_orm_migrations order by id')).toEqual(
      NAMES.map((name) => ({ name })),
    );
    expect(await sql(db.url, `insert into study (name) values ('AOA') returning id`)).toEqual([{ id: 1 }]);
    expect((await aeDb(['check'], { AE_DATABASE_URL: db.url })).code).toBe(0);
  });

  it("fresh --test --yes and seed --test work on AE_TEST_DATABASE_URL, as the guide's test workflow", async () => {
    const env = { AE_TEST_DATABASE_URL: db.url };
    const fresh = await aeDb(['fresh', '--test', '--yes'], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`Schema rebuilt: applied ${NAMES.length} migration(s).`);
    const seed = await aeDb(['seed', '--test', '--participants', '1', '--study', 'preOA'], env);
    expect(seed.code).toBe(0);
    const status = await aeDb(['status', '--test'], env);
    expect(status.stdout).toContain('(AE_TEST_DATABASE_URL)');
    expect(status.stdout).toMatch(/Participants +1\n/);
    expect((await counts(db.url)).audio_processing).toBe(6);
    const truncate = await aeDb(['truncate', '--test', '--yes'], env);
    expect(truncate.code).toBe(0);
    expect((await counts(db.url)).participant).toBe(0);
  });
});
