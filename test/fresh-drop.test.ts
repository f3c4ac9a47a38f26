/**
 * `ae-db fresh` and `ae-db drop` are each one transaction: a migration that fails during
 * fresh, or a lock that is not granted, leaves the old schema and its rows as they were;
 * and fresh keeps the public schema's owner, grants and default privileges.
 */
import { randomBytes } from 'node:crypto';
import { sqlClient } from './helpers/db';
import { tableCounts } from './helpers/records';
import { aeDb } from './helpers/cli';
import { sqlMigration } from './helpers/migrations';
import { useTestDatabase } from './helpers/test-database';
import { initORM, type AppContext } from '../src/context';
import { MIGRATIONS } from '../migrations';

const { ctx: seeded, sql: c } = useTestDatabase({ seed: { participantsPerStudy: 1 }, sql: true });

/** Every relation and routine of the public schema, the migration history and the row counts. */
async function snapshot() {
  const objects = await c.query(
    `select relname as name from pg_class where relnamespace = 'public'::regnamespace
      union all select proname from pg_proc where pronamespace = 'public'::regnamespace order by 1`,
  );
  const history = await c.query('select name from mikro_orm_migrations order by id');
  return {
    objects: objects.rows.map((r) => r.name),
    history: history.rows.map((r) => r.name),
    rows: await tableCounts(c),
  };
}

it('fresh with a migration that fails leaves the old schema, its rows and its history intact', async () => {
  const before = await snapshot();
  expect(before.rows.movement_cycles).toBeGreaterThan(0);
  const failing = await initORM({
    url: seeded.target.url,
    migrations: [
      ...MIGRATIONS,
      sqlMigration('Migration20991231000003_fails_after_a_table', {
        up: ['create table ae_half_done (id int)', `select 'x'::int`],
        down: ['drop table if exists ae_half_done'],
      }),
    ],
  });
  try {
    await expect(failing.services.migrations.fresh()).rejects.toThrow(/invalid input syntax for type integer/);
  } finally {
    await failing.close();
  }
  expect(await snapshot()).toEqual(before);
});

it('drop is all or nothing: with one table locked by another session it gives up and every table, row and function stays', async () => {
  const before = await snapshot();
  const holder = await sqlClient(seeded.target.url);
  const ctx = await initORM({ url: seeded.target.url, lockTimeoutMs: 300 });
  try {
    await holder.query('begin');
    await holder.query('lock table movement_cycles in access share mode');
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error('drop still waiting for the lock after 15 s')), 15_000)),
    );
    await expect(
      Promise.race([ctx.services.migrations.dropAll(), hung]).finally(() => clearTimeout(timer)),
    ).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  } finally {
    await holder.query('rollback');
    await holder.end();
    await ctx.close();
  }
  expect(await snapshot()).toEqual(before);
});

describe('the schema fresh rebuilds keeps its owner, grants and default privileges', () => {
  const suffix = randomBytes(3).toString('hex');
  const owner = `ae_t_owner_${suffix}`;
  const reader = `ae_t_reader_${suffix}`;
  let ctx: AppContext;
  beforeAll(async () => {
    await c.query(`create role ${owner} nologin; create role ${reader} nologin`);
    await c.query(`grant ${owner} to current_user`);
    await c.query(`alter schema public owner to ${owner}`);
    await c.query(`grant usage on schema public to ${reader}`);
    await c.query(`alter default privileges in schema public grant select on tables to ${reader}`);
    await c.query(`comment on schema public is 'the lab''s schema'`);
    ctx = await initORM({ url: seeded.target.url });
  });
  afterAll(async () => {
    await ctx?.close();
    await c.query(`alter schema public owner to current_user`);
    for (const role of [reader, owner]) await c.query(`drop owned by ${role}; drop role ${role}`);
  });

  const schemaAcl = async () =>
    (
      await c.query(`select nspowner::regrole::text as owner, nspacl::text[] as acl, obj_description(oid, 'pg_namespace') as comment
                      from pg_namespace where nspname = 'public'`)
    ).rows[0];

  it('ae-db fresh --yes: same owner, same ACL and comment, and the read-only role can read the new tables', async () => {
    const before = await schemaAcl();
    expect(before.owner).toBe(owner);
    const r = await aeDb(['fresh', '--yes'], { AE_DATABASE_URL: seeded.target.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await schemaAcl()).toEqual(before);
    const { rows } = await c.query(`select has_table_privilege($1, 'public.participant', 'select') as can`, [reader]);
    expect(rows[0].can).toBe(true);
    expect((await ctx.services.migrations.status()).pending).toEqual([]);
    expect(Object.values(await tableCounts(c))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
