/**
 * Any downgrade whose `down` drops a table or a column that holds data asks first, not only
 * a downgrade to base: the GraphQL rollback needs confirm: "YES" and ae-db downgrade a
 * terminal's YES or --yes, and both name the tables and columns with their row counts.
 */
import { aeDb } from './helpers/cli';
import { sqlMigration, withExtraMigrations } from './helpers/migrations';
import { tableCounts } from './helpers/records';
import { MIGRATIONS } from '../migrations';

const NOTES = 'Migration20991231000011_participant_notes';
const VISITS = 'Migration20991231000012_visit_log';
const HEAD = MIGRATIONS.at(-1)!.name;

const db = withExtraMigrations(
  [
    sqlMigration(NOTES, {
      up: ['alter table "participant" add column "notes" text'],
      down: ['alter table "participant" drop column "notes"'],
    }),
    sqlMigration(VISITS, {
      up: ['create table "visit_log" ("id" serial primary key, "note" text)'],
      down: ['drop table if exists "visit_log" cascade'],
    }),
  ],
  { seedParticipants: 1 },
);

const current = async () => (await db.ctx.services.migrations.status()).current;

describe('rollback of migrations whose down drops a column and a table', () => {
  beforeEach(async () => {
    await db.ctx.services.migrations.upgrade('head');
  });

  it('is refused without confirm: "YES" while they hold data, naming them with their row counts; nothing is reverted', async () => {
    await db.sql.query(
      `update participant set notes = 'left knee pain' where id in (select id from participant order by id limit 2)`,
    );
    await db.sql.query(`insert into visit_log (note) values ('a'), ('b'), ('c')`);
    for (const call of [
      'rollback(steps: 2)',
      `rollback(to: "${HEAD}")`,
      'rollback(steps: 1)',
      'rollback(steps: 2, confirm: "yes")',
    ]) {
      const res = await db.gql.query(`mutation { ${call} { migrations } }`);
      expect(res.errors?.[0].extensions?.code).toBe('CONFIRMATION_REQUIRED');
      expect(res.errors![0].message).toMatch(/Repeat with confirm: "YES"\.$/);
      expect(res.errors![0].message).toContain('table visit_log (3 rows)');
      if (call !== 'rollback(steps: 1)')
        expect(res.errors![0].message).toContain('column participant.notes (2 rows with a value)');
    }
    expect(await current()).toBe(VISITS);
    expect((await db.sql.query('select count(*)::int as n from visit_log')).rows[0].n).toBe(3);
    expect((await db.sql.query('select count(notes)::int as n from participant')).rows[0].n).toBe(2);

    const res = await db.gql.query('mutation { rollback(steps: 2, confirm: "YES") { migrations status { current } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.rollback).toEqual({ migrations: [VISITS, NOTES], status: { current: HEAD } });
    expect((await db.sql.query(`select to_regclass('visit_log') is null as gone`)).rows[0].gone).toBe(true);
  });

  it('needs no confirmation while they hold no data (an empty table, a column with no value)', async () => {
    const res = await db.gql.query('mutation { rollback(steps: 2) { migrations status { current } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.rollback.status.current).toBe(HEAD);
  });

  it('the service refuses an unconfirmed downgrade in its own transaction, so rows written after a preview are not lost unasked', async () => {
    const preview = await db.ctx.services.migrations.describeDowngrade('-1');
    expect(preview.dataLoss).toEqual([]);
    await db.sql.query(`insert into visit_log (note) values ('written meanwhile')`);
    await expect(db.ctx.services.migrations.downgrade('-1')).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      loss: [{ table: 'visit_log', rows: 1 }],
    });
    expect(await current()).toBe(VISITS);
    expect(await db.ctx.services.migrations.downgrade('-1', { allowDataLoss: true })).toEqual([VISITS]);
  });
});

it('ae-db downgrade to base names every table it drops with its rows, off a terminal refuses without --yes and changes nothing', async () => {
  await db.ctx.services.migrations.downgrade(HEAD, { allowDataLoss: true });
  const counts = await tableCounts(db.sql);
  const r = await aeDb(['downgrade', 'base'], { AE_DATABASE_URL: db.ctx.target.url });
  expect(r.code).toBe(1);
  const line = r.stderr.split('\n')[0];
  expect(line).toMatch(/^Error: Refusing to revert every migration \(drops every table and its data: /);
  for (const [table, rows] of Object.entries(counts))
    expect(line).toContain(`table ${table} (${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'})`);
  expect(await tableCounts(db.sql)).toEqual(counts);
  expect(await current()).toBe(HEAD);
});
