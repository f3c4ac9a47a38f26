/**
 * Through PgBouncer (Debian's package) in transaction pooling mode, three server sessions
 * shared by every client: the schema is migrated and seeded through it, the time limits hold
 * per transaction and leave nothing behind in a session, and the real server process runs the
 * soak workload (bench/soak.ts, shortened) through it with 0 errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { seedAsRealParticipants } from './helpers/db';
import { initORM, type AppContext } from '../src/context';
import { rootCause } from '../src/services/ops/diagnose';
import { LAB_DATABASE as DB, startLabCluster, type LabCluster } from '../bench/lib/lab-cluster';
import type { PgBouncer } from '../bench/lib/pgbouncer';
import { startServerProcess, type ServerProcess } from '../bench/lib/server-process';
import { loadFixture, rowCounts, runLoad } from '../bench/soak';
import { TABLES } from '../src/entities';

jest.setTimeout(180_000);

const WRITE_TOKEN = 'pgbouncer-test-write-token-0123456789';
/** Not UTC, so a session left in UTC by the export would show. */
const SERVER_ZONE = 'America/New_York';
const CLUSTER = { settings: { timezone: SERVER_ZONE }, pgbouncer: { poolMode: 'transaction', poolSize: 3 } } as const;
let cluster: LabCluster<typeof CLUSTER>;
let bouncer: PgBouncer;
let dir: string;

beforeAll(async () => {
  cluster = await startLabCluster(CLUSTER);
  bouncer = cluster.bouncer;
  dir = mkdtempSync(join(tmpdir(), 'ae-pgbouncer-test-'));
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('without AE_TRANSACTION_POOLING the read time limit is a startup parameter, which PgBouncer refuses', async () => {
  const ctx = await initORM({ url: bouncer.url(DB), statementTimeoutMs: 5_000 });
  try {
    const failure = await ctx.orm.em
      .getConnection()
      .execute('select 1')
      .catch((e) => e);
    expect(String(rootCause(failure).message ?? failure)).toMatch(/unsupported startup parameter: statement_timeout/);
  } finally {
    await ctx.close();
  }
});

describe('with AE_TRANSACTION_POOLING=1', () => {
  let ctx: AppContext;
  beforeAll(async () => {
    ctx = await initORM({
      url: bouncer.url(DB),
      statementTimeoutMs: 300,
      transactionPooling: true,
      adminTimeoutMs: 600_000,
    });
  });
  afterAll(async () => ctx?.close());

  it('migrates and seeds through PgBouncer (each in one transaction, its lock transaction-level)', async () => {
    expect(await ctx.services.migrations.upgrade('head')).not.toEqual([]);
    // Seeded as the pipeline's data, so the soak below may re-send it (the sample's own numbers are refused to writes).
    await seedAsRealParticipants(ctx, { participantsPerStudy: 3, seed: 5 });
    expect((await ctx.services.migrations.status()).pending).toEqual([]);
    expect((await ctx.services.inspection.recordCounts()).movement_cycles).toBeGreaterThan(0);
  });

  it('a read over the time limit is cancelled, and the limit stays with its transaction', async () => {
    const slowRead = await ctx.reads.query('select pg_sleep(2)', []).catch((e) => e);
    expect(rootCause(slowRead).code).toBe('57014');
    const slowWrite = await ctx.orm.em
      .fork()
      .transactional((em) => em.getConnection().execute('select pg_sleep(2)', [], 'all', em.getTransactionContext()))
      .catch((e) => e);
    expect(rootCause(slowWrite).code).toBe('57014');
    // Statements outside those transactions, on whichever of the three server sessions they
    // land, see the server's default.
    const settings = await Promise.all(
      Array.from({ length: 12 }, () =>
        ctx.orm.em
          .getConnection()
          .execute(`select current_setting('statement_timeout') as t, current_setting('TimeZone') as z`),
      ),
    );
    expect(new Set(settings.map(([r]) => `${r.t} ${r.z}`))).toEqual(new Set([`0 ${SERVER_ZONE}`]));
  });

  it('the export sets its time zone for its own transaction only', async () => {
    const res = new PassThroughCollector();
    await ctx.services.export.stream('study', 'csv', new URLSearchParams(), res);
    expect(res.text()).toMatch(/^id,/);
    const zones = await Promise.all(
      Array.from({ length: 12 }, () => ctx.orm.em.getConnection().execute(`select current_setting('TimeZone') as z`)),
    );
    expect(new Set(zones.map(([r]) => r.z))).toEqual(new Set([SERVER_ZONE]));
  });

  it('the real server runs the soak workload through PgBouncer with 0 errors, row counts unchanged', async () => {
    let server: ServerProcess | undefined;
    const before = await rowCounts(cluster.primary.url(DB));
    const stats0 = await bouncer.admin('SHOW STATS');
    try {
      server = await startServerProcess(bouncer.url(DB), join(dir, 'server.log'), {
        AE_TRANSACTION_POOLING: '1',
        AE_WRITE_TOKEN: WRITE_TOKEN,
      });
      const graphqlUrl = `${server.baseUrl}/graphql`;
      const fx = await loadFixture(graphqlUrl);
      const { stats, warmupStats, firstErrors } = await runLoad(graphqlUrl, fx, {
        clients: 8,
        warmup: 1,
        seconds: 6,
        maxRequests: 20_000,
        writeToken: WRITE_TOKEN,
      });
      const all = [...stats.values(), ...warmupStats.values()];
      const requests = all.reduce((n, s) => n + s.requests, 0);
      expect(firstErrors).toEqual([]);
      expect(all.reduce((n, s) => n + s.errors, 0)).toBe(0);
      expect(requests).toBeGreaterThan(100);
      for (const [kind, s] of stats) expect([kind, s.requests > 0]).toEqual([kind, true]);
      expect(await server.stop()).toBe(0);
      server = undefined;
    } finally {
      await server?.stop();
    }
    expect(await rowCounts(cluster.primary.url(DB))).toEqual(before);
    // It all went through PgBouncer's three server sessions, in transaction mode.
    const pools = (await bouncer.admin('SHOW POOLS')).filter((p) => p.database === DB);
    expect(pools.map((p) => p.pool_mode)).toEqual(['transaction']);
    const xacts = (rows: Record<string, unknown>[]) =>
      Number(rows.find((r) => r.database === DB)?.total_xact_count ?? 0);
    expect(xacts(await bouncer.admin('SHOW STATS')) - xacts(stats0)).toBeGreaterThan(100);
    const servers = (await bouncer.admin('SHOW SERVERS')).filter((s) => s.database === DB);
    expect(servers.length).toBeLessThanOrEqual(3);
    expect(TABLES.every((t) => before[t] > 0)).toBe(true);
  });
});

/** A Writable that keeps what it is given. */
class PassThroughCollector extends Writable {
  private chunks: Buffer[] = [];
  _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.chunks.push(chunk);
    done();
  }
  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
