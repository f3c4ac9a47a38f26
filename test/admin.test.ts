/**
 * Admin mutations change migrationStatus and the row counts exactly as they claim, refuse
 * destructive steps without their confirmation, and a failing migration leaves the
 * database at the version it had.
 */
import type { Client } from 'pg';
import { openTestContext, sqlClient } from './helpers/db';
import { aeDb } from './helpers/cli';
import { sqlMigration, withExtraMigrations } from './helpers/migrations';
import { tableCounts } from './helpers/records';
import { useTestDatabase } from './helpers/test-database';
import { MIGRATIONS } from '../migrations';
import { TABLES, StudyName } from '../src/entities';

const NAMES = MIGRATIONS.map((m) => m.name);
const HEAD = NAMES.at(-1)!;
const STATUS =
  'migrationStatus { current head pending unknown executed { name executedAt } schemaCheck { ok differences } }';
const COUNTS = '{ study participant audioProcessing biomechanicsImport synchronization movementCycles }';

const dataTables = async (c: Client) =>
  (
    await c.query(`select tablename from pg_tables where schemaname = 'public' and tablename = any($1) order by 1`, [
      [...TABLES],
    ])
  ).rows.map((r) => r.tablename);

describe('migrationStatus, migrate and rollback', () => {
  const db = useTestDatabase({ sql: true, graphql: true });

  it('migrationStatus reports head, what ran when, nothing pending, and entities matching the schema', async () => {
    const res = await db.gql.query(`{ ${STATUS} }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.migrationStatus).toEqual({
      current: HEAD,
      head: HEAD,
      pending: [],
      unknown: [],
      executed: NAMES.map((name) => ({ name, executedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })),
      schemaCheck: { ok: true, differences: [] },
    });
  });

  it.each([
    [`steps: ${NAMES.length} (all of them)`, `rollback(steps: ${NAMES.length})`],
    ['to: "base"', 'rollback(to: "base")'],
    ['a wrong confirmation', 'rollback(to: "base", confirm: "yes")'],
  ])('rollback reaching base is refused without confirm: "YES" (%s), and nothing changes', async (_what, call) => {
    const res = await db.gql.query(`mutation { ${call} { migrations } }`);
    expect(res.errors![0].extensions?.code).toBe('CONFIRMATION_REQUIRED');
    expect(res.errors![0].message).toMatch(/confirm: "YES"/);
    expect((await db.gql.query(`{ migrationStatus { current pending } }`)).data.migrationStatus).toEqual({
      current: HEAD,
      pending: [],
    });
    expect(await dataTables(db.sql)).toHaveLength(TABLES.length);
  });

  it('rollback of one step that does not reach base needs no confirmation; migrate re-applies it', async () => {
    const down = await db.gql.query(`mutation { rollback { migrations status { current pending } } }`);
    expect(down.errors).toBeUndefined();
    expect(down.data.rollback).toEqual({ migrations: [HEAD], status: { current: NAMES.at(-2), pending: [HEAD] } });
    const up = await db.gql.query(`mutation { migrate { migrations status { current pending } } }`);
    expect(up.data.migrate).toEqual({ migrations: [HEAD], status: { current: HEAD, pending: [] } });
  });

  it('rollback to base with confirm: "YES" reverts every migration and drops the tables', async () => {
    const res = await db.gql.query(
      `mutation { rollback(to: "base", confirm: "YES") { migrations status { current pending } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.rollback).toEqual({ migrations: [...NAMES].reverse(), status: { current: null, pending: NAMES } });
    expect(await dataTables(db.sql)).toEqual([]);
    const status = await db.gql.query(`{ migrationStatus { schemaCheck { ok } } }`);
    expect(status.data.migrationStatus.schemaCheck.ok).toBe(false);
  });

  it('seedSampleData refuses to write into a schema that is not current', async () => {
    const res = await db.gql.query(`mutation { seedSampleData ${COUNTS} }`);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/not current/);
  });

  it('migrate applies what is pending and reports the new status', async () => {
    const res = await db.gql.query(`mutation { migrate { migrations status { current head pending } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.migrate).toEqual({ migrations: NAMES, status: { current: HEAD, head: HEAD, pending: [] } });
    expect(await dataTables(db.sql)).toHaveLength(TABLES.length);
    expect((await db.gql.query(`mutation { migrate { migrations } }`)).data.migrate.migrations).toEqual([]);
  });
});

describe('seedSampleData and resetDatabase', () => {
  const db = useTestDatabase({ sql: true, graphql: true });

  it('seedSampleData writes the counts it reports, and running it again duplicates nothing', async () => {
    const first = await db.gql.query(
      `mutation { seedSampleData(participantsPerStudy: 2, studies: [preOA, SMoCK], seed: 7) ${COUNTS} }`,
    );
    expect(first.errors).toBeUndefined();
    const counts = await tableCounts(db.sql);
    expect(first.data.seedSampleData).toEqual({
      study: 2,
      participant: 4,
      audioProcessing: 24,
      biomechanicsImport: 24,
      synchronization: counts.synchronization,
      movementCycles: counts.movement_cycles,
    });
    expect(counts).toMatchObject({ study: 2, participant: 4, audio_processing: 24, biomechanics_import: 24 });
    const again = await db.gql.query(
      `mutation { seedSampleData(participantsPerStudy: 2, studies: [preOA, SMoCK], seed: 7) ${COUNTS} }`,
    );
    expect(again.data.seedSampleData).toEqual(first.data.seedSampleData);
    expect(await tableCounts(db.sql)).toEqual(counts);
  });

  it('seedSampleData uses the same generator as ae-db seed (same seed → same rows)', async () => {
    const viaCli = await openTestContext();
    const c2 = await sqlClient(viaCli.target.url);
    try {
      const cli = await aeDb(['seed', '--participants', '2', '--study', 'preOA', 'SMoCK', '--seed', '7'], {
        AE_DATABASE_URL: viaCli.target.url,
      });
      expect(cli.code).toBe(0);
      const digest = (client: Client) =>
        client
          .query(
            `select md5(string_agg(cycle_file_path || start_time_s, ',' order by cycle_file_path)) h from movement_cycles`,
          )
          .then((r) => r.rows[0].h);
      expect(await digest(c2)).toBe(await digest(db.sql));
    } finally {
      await c2.end();
      await viaCli.close();
    }
  });

  it.each([
    ['no confirmation', 'resetDatabase(confirm: "")'],
    ['a wrong one', 'resetDatabase(confirm: "delete all data")'],
  ])('resetDatabase with %s is refused and deletes nothing', async (_what, call) => {
    const before = await tableCounts(db.sql);
    const res = await db.gql.query(`mutation { ${call} ${COUNTS} }`);
    expect(res.errors![0].extensions?.code).toBe('CONFIRMATION_REQUIRED');
    expect(res.errors![0].message).toMatch(/DELETE ALL DATA/);
    expect(await tableCounts(db.sql)).toEqual(before);
  });

  it('resetDatabase(confirm: "DELETE ALL DATA") empties every table, returns what it removed, keeps the schema', async () => {
    const before = await tableCounts(db.sql);
    expect(before.movement_cycles).toBeGreaterThan(0);
    const res = await db.gql.query(`mutation { resetDatabase(confirm: "DELETE ALL DATA") ${COUNTS} }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.resetDatabase).toEqual({
      study: before.study,
      participant: before.participant,
      audioProcessing: before.audio_processing,
      biomechanicsImport: before.biomechanics_import,
      synchronization: before.synchronization,
      movementCycles: before.movement_cycles,
    });
    expect(Object.values(await tableCounts(db.sql))).toEqual([0, 0, 0, 0, 0, 0]);
    expect((await db.gql.query(`{ migrationStatus { current pending } }`)).data.migrationStatus).toEqual({
      current: HEAD,
      pending: [],
    });
  });

  it('its CLI twin, ae-db reset, refuses without --yes off a terminal and empties the tables with it', async () => {
    await db.ctx.services.seed.seed({ participantsPerStudy: 1, studies: [StudyName.AOA] });
    const before = await tableCounts(db.sql);
    const refused = await aeDb(['reset'], { AE_DATABASE_URL: db.ctx.target.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await tableCounts(db.sql)).toEqual(before);
    const done = await aeDb(['reset', '--yes'], { AE_DATABASE_URL: db.ctx.target.url });
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`movement_cycles\\s+${before.movement_cycles}`));
    expect(Object.values(await tableCounts(db.sql))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

// A test-only migration list: one migration that works and one that fails half-way.
const PROBE = 'Migration20991231000001_probe_table';
const BROKEN = 'Migration20991231000002_broken';

describe('a failing migration', () => {
  const db = withExtraMigrations([
    sqlMigration(PROBE, { up: ['create table ae_probe (id int primary key)'], down: ['drop table ae_probe'] }),
    sqlMigration(BROKEN, {
      up: ['create table ae_probe_broken (id int)', 'select 1 / 0'],
      down: ['drop table if exists ae_probe_broken'],
    }),
  ]);
  const tableExists = async (t: string) =>
    (await db.sql.query('select to_regclass($1) is not null as e', [t])).rows[0].e;

  it('migrate to head fails as a whole: MIGRATION_FAILED, the version unchanged, no table of either migration left', async () => {
    expect((await db.gql.query(`{ migrationStatus { current pending } }`)).data.migrationStatus).toEqual({
      current: HEAD,
      pending: [PROBE, BROKEN],
    });
    const res = await db.gql.query(`mutation { migrate { migrations } }`);
    expect(res.errors![0].extensions?.code).toBe('MIGRATION_FAILED');
    expect(res.errors![0].message).toMatch(new RegExp(`stays at ${HEAD}`));
    // PostgreSQL's words and the migration that failed, but never the SQL it ran.
    expect(res.errors![0].message).toMatch(new RegExp(`${BROKEN}: division by zero \\(SQLSTATE 22012\\)$`));
    expect(res.errors![0].message).not.toMatch(/select|1 \/ 0/i);
    expect((await db.gql.query(`{ migrationStatus { current pending } }`)).data.migrationStatus).toEqual({
      current: HEAD,
      pending: [PROBE, BROKEN],
    });
    expect(await tableExists('ae_probe')).toBe(false);
    expect(await tableExists('ae_probe_broken')).toBe(false);
  });

  it('migrate to a named migration applies up to it; rollback of one step (not reaching base) needs no confirmation', async () => {
    const up = await db.gql.query(`mutation { migrate(to: "${PROBE}") { migrations status { current pending } } }`);
    expect(up.data.migrate).toEqual({ migrations: [PROBE], status: { current: PROBE, pending: [BROKEN] } });
    expect(await tableExists('ae_probe')).toBe(true);
    const down = await db.gql.query(`mutation { rollback(steps: 1) { migrations status { current } } }`);
    expect(down.data.rollback).toEqual({ migrations: [PROBE], status: { current: HEAD } });
    expect(await tableExists('ae_probe')).toBe(false);
  });

  it('rollback takes steps or to, not both, and steps ≥ 1', async () => {
    const both = await db.gql.query(`mutation { rollback(steps: 1, to: "base", confirm: "YES") { migrations } }`);
    expect(both.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      validationErrors: [{ field: 'to', rule: 'exclusiveWithSteps' }],
    });
    const zero = await db.gql.query(`mutation { rollback(steps: 0) { migrations } }`);
    expect(zero.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      validationErrors: [{ field: 'steps', rule: 'min' }],
    });
    expect((await db.gql.query(`{ migrationStatus { current } }`)).data.migrationStatus.current).toBe(HEAD);
  });
});
