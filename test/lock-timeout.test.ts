/**
 * Admin transactions (migrate, seed, reset) give up waiting for a table lock after
 * AE_LOCK_TIMEOUT_MS instead of queueing every API read behind them for minutes, and say
 * so with the code LOCK_TIMEOUT; the database is left as it was.
 */
import type { Client } from 'pg';
import { sqlClient, waitForLockWaiter } from './helpers/db';
import { aeDb } from './helpers/cli';
import { tableCounts } from './helpers/records';
import { useTestDatabase } from './helpers/test-database';
import { loadConfig } from '../src/config';
import { MIGRATIONS } from '../migrations';

/** The session that holds the locks; `observer` watches from another. */
let holder: Client;
const {
  ctx,
  sql: observer,
  gql,
} = useTestDatabase({
  seed: { participantsPerStudy: 1 },
  init: { lockTimeoutMs: 400 },
  sql: true,
  graphql: true,
  prepare: async ({ ctx }) => {
    holder = await sqlClient(ctx.target.url);
    return async () => {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
    };
  },
});
afterEach(() => holder.query('rollback'));

/** `run` must settle on its own well before the test times out; a hang fails with a reason. */
function within<T>(ms: number, run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting for the lock after ${ms} ms: no lock timeout`)), ms);
  });
  return Promise.race([run, hung]).finally(() => clearTimeout(timer));
}

/** Another session (a notebook's open transaction, a long report) holds a lock on `table`. */
async function holdLock(table: string, mode: string): Promise<void> {
  await holder.query('begin');
  await holder.query(`lock table ${table} in ${mode} mode`);
}

it.each([
  [
    'resetDatabase',
    'mutation { resetDatabase(confirm: "DELETE ALL DATA") { study } }',
    'movement_cycles',
    'access share',
  ],
  [
    'seedSampleData',
    'mutation { seedSampleData(participantsPerStudy: 2, seed: 7) { participant } }',
    'participant',
    'exclusive',
  ],
])(
  '%s gives up after the lock timeout with LOCK_TIMEOUT, names the session holding the lock, and changes nothing',
  async (_name, mutation, table, mode) => {
    const before = await tableCounts(observer);
    await holdLock(table, mode);
    const {
      rows: [{ pid }],
    } = await holder.query('select pg_backend_pid() as pid');
    const res = await within(15_000, gql.query(mutation));
    expect(res.errors?.[0].extensions?.code).toBe('LOCK_TIMEOUT');
    expect(res.errors![0].message).toMatch(/400 ms \(AE_LOCK_TIMEOUT_MS\)/);
    expect(res.errors![0].message).toContain(`pid ${pid}`);
    await holder.query('rollback');
    expect(await tableCounts(observer)).toEqual(before);
  },
);

it('migrate gives up after the lock timeout with LOCK_TIMEOUT and the version stays where it was', async () => {
  // Back to the first migration: a later one changes audio_processing's CHECKs and so needs a lock
  // on it (the newest alone may touch no table: json_float_arrays only adds a function).
  await ctx.services.migrations.downgrade(MIGRATIONS[0].name);
  const { current } = await ctx.services.migrations.status();
  expect(current).toBe(MIGRATIONS[0].name);
  await holdLock('audio_processing', 'access share');
  const res = await within(15_000, gql.query('mutation { migrate(to: "head") { migrations } }'));
  expect(res.errors?.[0].extensions?.code).toBe('LOCK_TIMEOUT');
  await holder.query('rollback');
  expect((await ctx.services.migrations.status()).current).toBe(current);
  await ctx.services.migrations.upgrade('head');
});

it('ae-db truncate takes AE_LOCK_TIMEOUT_MS from the environment and fails in one sentence, exit 1', async () => {
  const before = await tableCounts(observer);
  await holdLock('study', 'access share');
  const run = aeDb(['truncate', '--yes'], { AE_DATABASE_URL: ctx.target.url, AE_LOCK_TIMEOUT_MS: '300' });
  // Without a lock timeout the command would wait here for ever: let it be seen waiting first.
  await waitForLockWaiter(observer, 'ae-db');
  const r = await within(20_000, run);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Error: Gave up after waiting 300 ms \(AE_LOCK_TIMEOUT_MS\) for a table lock/);
  expect(r.stderr).not.toMatch(/at \w+ \(|SQLSTATE|doctor/);
  await holder.query('rollback');
  expect(await tableCounts(observer)).toEqual(before);
});

it('AE_LOCK_TIMEOUT_MS defaults to 10 s and must be a positive whole number', () => {
  expect(loadConfig({}).limits.lockTimeoutMs).toBe(10_000);
  expect(loadConfig({ AE_LOCK_TIMEOUT_MS: '2500' }).limits.lockTimeoutMs).toBe(2500);
  expect(() => loadConfig({ AE_LOCK_TIMEOUT_MS: 'soon' })).toThrow(
    /AE_LOCK_TIMEOUT_MS must be a positive whole number/,
  );
});
