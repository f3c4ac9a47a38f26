/**
 * Faults: the database going away and coming back, shutdown with work in flight, and
 * processes killed in the middle of admin operations.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../src/config';
import { freePort } from '../src/db/embedded';
import { initORM, type AppContext } from '../src/context';
import { loadConfig } from '../src/config';
import { StudyName } from '../src/entities';
import { startTestServer, type TestServer } from './helpers/http';
import { startPgProcess, spawnUntil, exited } from './helpers/processes';
import { aeDb } from './helpers/cli';
import { createTestDatabase, lockWaiters, sqlClient, waitForLockWaiter, seedAsRealParticipants } from './helpers/db';
import { spawn } from 'node:child_process';
import { cycleBatch, findParents, type Parents } from './helpers/records';

jest.setTimeout(120_000);

describe('database outage', () => {
  let dir: string;
  let port: number;
  let pg: Awaited<ReturnType<typeof startPgProcess>>;
  let ctx: AppContext;
  let server: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ae-outage-'));
    chmodSync(dir, 0o755);
    port = await freePort();
    pg = await startPgProcess(join(dir, 'pg'), port);
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('create database outage');
    await admin.end();
    const config = loadConfig({});
    ctx = await initORM({ config, url: withDatabase(pg.url, 'outage'), statementTimeoutMs: 5000 });
    await ctx.services.migrations.upgrade('head');
    await ctx.services.seed.seed({ participantsPerStudy: 1, studies: [StudyName.AOA] });
    server = await startTestServer(ctx);
  });
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const studies = () => server.post({ query: '{ studies { name } }' });
  const health = async () => {
    const res = await fetch(server.url.replace('/graphql', '/health'));
    return { status: res.status, body: await res.json() };
  };

  it('fails fast with DATABASE_UNAVAILABLE while PostgreSQL is down, and recovers by itself', async () => {
    expect((await studies()).body.data.studies).toEqual([{ name: 'AOA' }]);
    await pg.stop();

    const down = await studies();
    expect(down.body.errors[0].extensions.code).toBe('DATABASE_UNAVAILABLE');
    expect(down.body.errors[0].message).toBe('The database is unavailable right now; try again in a few seconds.');
    expect(await health()).toEqual({
      status: 503,
      body: { status: 'unavailable', database: 'down', pendingMigrations: null, replicas: [] },
    });

    pg = await startPgProcess(join(dir, 'pg'), port);
    let recovered: any;
    for (let attempt = 0; attempt < 40 && !recovered?.data; attempt++) {
      recovered = (await studies()).body;
      if (!recovered.data) await new Promise((r) => setTimeout(r, 250));
    }
    expect(recovered.data.studies).toEqual([{ name: 'AOA' }]);
    expect((await health()).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish on SIGTERM, refuses new ones, and exits 0', async () => {
    const db = await createTestDatabase();
    const lock = await sqlClient(db.url);
    try {
      const port = await freePort();
      const env = { ...process.env, AE_DATABASE_URL: db.url, PORT: String(port), AE_LOG_FORMAT: 'json' };
      const { child } = await spawnUntil(
        [join(__dirname, '..', 'dist', 'src', 'server.js')],
        /ready in/,
        (l) => l,
        env,
      );
      const url = `http://127.0.0.1:${port}/graphql`;
      // Hold a lock so the request is provably in flight when the signal arrives.
      await lock.query('begin');
      await lock.query('lock table study in access exclusive mode');
      const inFlight = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ studies { name } }' }),
      });
      await waitForLockWaiter(lock);
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      await expect(
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ studies { name } }"}',
        }),
      ).rejects.toThrow();
      await lock.query('rollback');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).data).toEqual({ studies: [] });
      expect(await exited(child)).toBe(0);
    } finally {
      await lock.end();
      await db.drop();
    }
  });
});

describe('graceful shutdown of the embedded database', () => {
  it('SIGTERM stops the embedded PostgreSQL npm start started, and its data stays for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ae-embedded-stop-'));
    chmodSync(dir, 0o755);
    const dataDir = join(dir, 'pg');
    const start = async () => {
      const env = {
        ...process.env,
        AE_DATABASE_URL: '',
        AE_EMBEDDED_DATA_DIR: dataDir,
        PORT: String(await freePort()),
        AE_LOG_FORMAT: 'json',
        AE_ADMIN_TOKEN: 'embedded-admin-token-0123456789',
      };
      const { child, value, output } = await spawnUntil(
        [join(__dirname, '..', 'dist', 'src', 'server.js')],
        /ready in/,
        (l) => JSON.parse(l).msg as string,
        env,
      );
      const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
      return {
        child,
        ready: value,
        seeded: output.some((l) => l.includes('seeded sample data')),
        postgres: { pid: Number(pid[0]), port: Number(pid[3]) },
      };
    };
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      const first = await start();
      expect(first.ready).toMatch(/^ready in/);
      expect(first.seeded).toBe(true);
      expect(alive(first.postgres.pid)).toBe(true);
      first.child.kill('SIGTERM');
      expect(await exited(first.child)).toBe(0);
      // Stopped cleanly: no postmaster left, its lock file removed, its port closed.
      expect(alive(first.postgres.pid)).toBe(false);
      expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
      const refused = new Client({
        host: '127.0.0.1',
        port: first.postgres.port,
        user: 'postgres',
        connectionTimeoutMillis: 2000,
      });
      await expect(refused.connect()).rejects.toThrow(/ECONNREFUSED/);
      // The seeded data survives for the next start, which does not seed again.
      const second = await start();
      expect(second.seeded).toBe(false);
      const res = await fetch(second.ready.replace(/^.*?(http:\S+\/graphql).*$/, '$1'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ databaseSummary { tables { table rows } } }' }),
      });
      const tables = ((await res.json()) as any).data.databaseSummary.tables as { table: string; rows: number }[];
      expect(tables.find((t) => t.table === 'participant')?.rows).toBeGreaterThan(0);
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('graceful shutdown with a large write in flight', () => {
  const WRITE_TOKEN = 'shutdown-write-token-0123456789abcdef';
  const BATCH = 5_000;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: Client;
  let parents: Parents;

  beforeAll(async () => {
    db = await createTestDatabase();
    const ctx = await initORM({ url: db.url });
    await seedAsRealParticipants(ctx, { participantsPerStudy: 1, studies: [StudyName.AOA, StudyName.preOA] });
    await ctx.close();
    c = await sqlClient(db.url);
    parents = await findParents(c);
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  /** A server on the test database, a lock that holds the batch's INSERT, and the batch sent. */
  async function batchInFlight(graceMs: number, from: number) {
    const port = await freePort();
    const env = {
      ...process.env,
      AE_DATABASE_URL: db.url,
      PORT: String(port),
      AE_LOG_FORMAT: 'json',
      AE_WRITE_TOKEN: WRITE_TOKEN,
      AE_SHUTDOWN_GRACE_MS: String(graceMs),
      // Longer than the test: only the shutdown may end the blocked statement.
      AE_QUERY_TIMEOUT_MS: '120000',
    };
    const { child } = await spawnUntil([join(__dirname, '..', 'dist', 'src', 'server.js')], /ready in/, (l) => l, env);
    const lock = await sqlClient(db.url);
    await lock.query('begin');
    await lock.query('lock table movement_cycles in share mode');
    const response = fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_TOKEN}` },
      body: JSON.stringify({
        query: 'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count inserted } }',
        variables: { inputs: cycleBatch(parents, BATCH, from) },
      }),
    }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
      (e: Error) => ({ status: 0, body: { error: e.message } as any }),
    );
    // In flight = the INSERT is waiting for our lock.
    await waitForLockWaiter(c);
    expect(await lockWaiters(c)).toHaveLength(1);
    return { child, lock, response };
  }
  const written = async (from: number) =>
    Number(
      (
        await c.query(
          'select count(*) n from movement_cycles where synchronization_id = $1 and cycle_index >= $2 and cycle_index < $3',
          [parents.slowSyncId, from, from + BATCH],
        )
      ).rows[0].n,
    );

  it('commits a batch that finishes within the grace period, in full', async () => {
    const { child, lock, response } = await batchInFlight(30_000, 10_000);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await lock.query('rollback');
    await lock.end();
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.body.data.upsertMovementCycles).toEqual({ count: BATCH, inserted: BATCH });
    expect(await exited(child)).toBe(0);
    expect(await written(10_000)).toBe(BATCH);
  });

  it('rolls back a batch still blocked when the grace period ends, in full, and exits promptly', async () => {
    const { child, lock, response } = await batchInFlight(1_000, 20_000);
    child.kill('SIGTERM');
    // The lock is held until the process is gone: the batch cannot have committed.
    const code = await exited(child);
    await lock.query('rollback');
    await lock.end();
    expect(code).toBe(0);
    expect((await response).body.data?.upsertMovementCycles).toBeUndefined();
    expect(await written(20_000)).toBe(0);
    // Nothing of the cancelled session is left holding a lock or a transaction.
    const { rows } = await c.query(
      `select count(*)::int n from pg_stat_activity where datname = current_database() and application_name like 'ae-graphql%'`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('killed in the middle of an admin operation', () => {
  /**
   * Run `ae-db args`, wait until it is blocked on a lock we hold, then SIGKILL it; returns
   * the statement it was blocked in.
   */
  async function killWhileBlocked(url: string, args: string[], lockSql: string, c: Client): Promise<string> {
    await c.query('begin');
    await c.query(lockSql);
    const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'ae-db.js'), ...args], {
      stdio: 'ignore',
      env: { ...process.env, AE_DATABASE_URL: url },
    });
    try {
      const blockedIn = await waitForLockWaiter(c, 'ae-db');
      child.kill('SIGKILL');
      await exited(child);
      return blockedIn;
    } finally {
      await c.query('rollback');
    }
  }

  it('a killed seed leaves no partial study', async () => {
    const db = await createTestDatabase();
    const c = await sqlClient(db.url);
    try {
      await killWhileBlocked(
        db.url,
        ['seed', '--participants', '5'],
        'lock table movement_cycles in access exclusive mode',
        c,
      );
      const { rows } = await c.query(
        `select (select count(*) from study) s, (select count(*) from participant) p, (select count(*) from audio_processing) a`,
      );
      expect(rows[0]).toEqual({ s: '0', p: '0', a: '0' });
      expect((await aeDb(['seed', '--participants', '1', '--study', 'AOA'], { AE_DATABASE_URL: db.url })).code).toBe(0);
    } finally {
      await c.end();
      await db.drop();
    }
  });

  it('a killed migration leaves the database at the version it had', async () => {
    const db = await createTestDatabase({ empty: true });
    const c = await sqlClient(db.url);
    try {
      await c.query(
        `create table mikro_orm_migrations (id serial primary key, name varchar(255), executed_at timestamptz default current_timestamp)`,
      );
      // EXCLUSIVE lets the migrator read its table but not record the migration: the process is
      // killed after the migration's DDL has run in its transaction, just before the commit.
      const blockedIn = await killWhileBlocked(
        db.url,
        ['upgrade', 'head'],
        'lock table mikro_orm_migrations in exclusive mode',
        c,
      );
      expect(blockedIn).toMatch(/^insert into "?mikro_orm_migrations"?/i);
      const { rows } = await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`);
      expect(rows.map((r) => r.tablename)).toEqual(['mikro_orm_migrations']);
      expect((await c.query('select count(*) n from mikro_orm_migrations')).rows[0].n).toBe('0');
      const up = await aeDb(['upgrade', 'head'], { AE_DATABASE_URL: db.url });
      expect(up.code).toBe(0);
      expect((await aeDb(['check'], { AE_DATABASE_URL: db.url })).code).toBe(0);
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
