/**
 * Per-file databases cloned from the migrated template the global setup made.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parseDatabaseUrl, withDatabase, withoutPassword } from '../../src/config';
import { initORM, type AppContext } from '../../src/context';
import { SAMPLE_PARTICIPANT_NUMBERS } from '../../src/services/seed/sample-data';
import type { SeedOptions, TableCounts } from '../../src/services/seed/seed';

export function serverUrl(): string {
  const url = process.env.AE_TEST_SERVER_URL;
  if (!url)
    throw new Error('AE_TEST_SERVER_URL is not set: run the tests through jest (global setup starts PostgreSQL).');
  return url;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A name no other test database of this run has. */
export const testDatabaseName = (): string => `ae_t_${process.env.AE_TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;

/** `url` as a careful user passes it on a command line: without its password, which PGPASSWORD holds. */
export function passwordInEnvironment(url: string): { url: string; env: Record<string, string> } {
  const password = parseDatabaseUrl(url).password;
  return { url: withoutPassword(url), env: password ? { PGPASSWORD: password } : {} };
}

/** A new database: a clone of the migrated template, or empty with `{ empty: true }`. */
export async function createTestDatabase(o: { empty?: boolean; name?: string } = {}): Promise<TestDatabase> {
  const name = o.name ?? testDatabaseName();
  await admin((c) => c.query(`create database ${name}${o.empty ? '' : ` template ${process.env.AE_TEST_TEMPLATE}`}`));
  return {
    name,
    url: withDatabase(serverUrl(), name),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** An AppContext on its own test database, which `close()` also drops. */
export type TestContext = AppContext & { db: TestDatabase };

/** An AppContext on a fresh clone; `close()` also drops the database. */
export async function openTestContext(o: { empty?: boolean } = {}): Promise<TestContext> {
  const db = await createTestDatabase(o);
  const ctx = await initORM({ url: db.url });
  return {
    ...ctx,
    db,
    async close() {
      await ctx.close();
      await db.drop();
    },
  };
}

/** A plain pg client on a database, for asserting against the catalog and raw rows. */
export async function sqlClient(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

/**
 * The statements of other sessions on this database now waiting for a lock. Statistics are
 * snapshotted per transaction, so the snapshot is cleared first: this works inside one.
 */
export async function lockWaiters(c: Client, applicationName?: string): Promise<string[]> {
  await c.query('select pg_stat_clear_snapshot()');
  const { rows } = await c.query(
    `select query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()
       and ($1::text is null or application_name = $1)`,
    [applicationName ?? null],
  );
  return rows.map((r) => r.query as string);
}

/** Polls until `lockWaiters` finds someone, and returns what they wait in; fails after `timeoutMs`. */
export async function waitForLockWaiter(c: Client, applicationName?: string, timeoutMs = 20_000): Promise<string> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const [waiting] = await lockWaiters(c, applicationName);
    if (waiting !== undefined) return waiting;
  }
  throw new Error(
    `no session${applicationName ? ` of ${applicationName}` : ''} started waiting for a lock within ${timeoutMs} ms`,
  );
}

/**
 * The sample data as if it were real participants' (the pipeline's data): seeded, then
 * moved out of the number range reserved for the sample (AOA 901001 → AOA 1001), so that
 * tests can read and write them as the lab's own records.
 */
export async function seedAsRealParticipants(ctx: AppContext, o: SeedOptions = {}): Promise<TableCounts> {
  const counts = await ctx.services.seed.seed(o);
  await ctx.orm.em
    .getConnection()
    .execute(
      'update participant set study_participant_id = study_participant_id - ? where study_participant_id between ? and ?',
      [SAMPLE_PARTICIPANT_NUMBERS.min, SAMPLE_PARTICIPANT_NUMBERS.min, SAMPLE_PARTICIPANT_NUMBERS.max],
    );
  return counts;
}
