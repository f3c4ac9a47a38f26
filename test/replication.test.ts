/**
 * Read replicas on real streaming replication: a primary and a standby made with
 * pg_basebackup -R from Debian's PostgreSQL 15, started by this test. The API runs with the
 * standby as its replica; the standby's own pg_stat_statements shows which reads it served.
 */
import { loadConfig } from '../src/config';
import { initORM, type AppContext } from '../src/context';
import { waitFor, type PgNode } from '../bench/lib/pg-cluster';
import { LAB_DATABASE as DB, queryOnce, startLabCluster, type LabCluster } from '../bench/lib/lab-cluster';
import { startTestServer, type TestServer } from './helpers/http';

jest.setTimeout(120_000);

const MAX_LAG_S = 2;
const WRITE_TOKEN = 'replication-test-write-token-0123';
const CYCLES = '{ movementCycles(first: 50, filter: { maneuver: walk }) { totalCount nodes { id durationS } } }';

const CLUSTER = { statementStats: true, seed: { participantsPerStudy: 2, seed: 3 }, standby: true } as const;
let cluster: LabCluster<typeof CLUSTER>;
let standby: PgNode;
let ctx: AppContext;
let server: TestServer;

/** Calls of statements reading movement_cycles in `url`'s own pg_stat_statements (compiled reads run as COPY). */
async function cycleReads(url: string): Promise<number> {
  const [row] = await queryOnce(
    url,
    `select coalesce(sum(calls), 0)::int as n from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and query like '%from "movement_cycles"%' and query not like '%pg_stat_statements%'`,
  );
  return row.n;
}

async function healthOf(): Promise<any> {
  const res = await fetch(server.url.replace(/\/graphql$/, '/health'));
  return { httpStatus: res.status, ...(await res.json()) };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
  }
}

const upsertParticipant = (number: number) =>
  server.post(
    {
      query: 'mutation($n: Int!) { upsertParticipant(study: AOA, number: $n) { id studyParticipantId } }',
      variables: { n: number },
    },
    { authorization: `Bearer ${WRITE_TOKEN}` },
  );
const readParticipant = (number: number) =>
  server.post({
    query: 'query($n: Int!) { participant(study: AOA, number: $n) { id studyParticipantId } }',
    variables: { n: number },
  });
const participantOn = (node: PgNode, number: number) =>
  queryOnce(
    node.url(DB),
    `select 1 from participant p join study s on s.id = p.study_id where s.name = 'AOA' and p.study_participant_id = $1`,
    [number],
  ).then((r) => r.length === 1);

beforeAll(async () => {
  cluster = await startLabCluster(CLUSTER);
  standby = cluster.standby;
  ctx = await initORM({
    url: cluster.primary.url(DB),
    config: loadConfig({ AE_WRITE_TOKEN: WRITE_TOKEN }),
    replicas: { urls: [standby.url(DB)], maxLagS: MAX_LAG_S, checkIntervalMs: 200 },
  });
  server = await startTestServer(ctx);
  await until('the standby serves reads', async () => ctx.reads.report()[0].servesReads);
});

afterAll(async () => {
  await server?.close();
  await ctx?.close();
  await cluster?.stop();
});

it('/health reports the standby, its state and its lag', async () => {
  const h = await healthOf();
  expect(h).toMatchObject({ httpStatus: 200, status: 'ok', database: 'up' });
  expect(h.replicas).toEqual([
    expect.objectContaining({
      name: 'replica 1',
      server: `127.0.0.1:${standby.port}/${DB}`,
      state: 'up',
      servesReads: true,
    }),
  ]);
  expect(h.replicas[0].lagS).toBeGreaterThanOrEqual(0);
  expect(h.replicas[0].lagS).toBeLessThanOrEqual(MAX_LAG_S);
  expect(JSON.stringify(h)).not.toContain('postgres:'); // no credentials
});

it('serves reads from the standby, as the standby’s own statistics show, and none from the primary', async () => {
  const onStandby = await cycleReads(standby.url(DB));
  const onPrimary = await cycleReads(cluster.primary.url(DB));
  for (let i = 0; i < 20; i++) {
    const r = await server.post({ query: CYCLES });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.movementCycles.nodes.length).toBeGreaterThan(0);
  }
  // Each request is one statement (the compiled read), or two on the resolver path (page and count).
  const served = {
    standby: (await cycleReads(standby.url(DB))) - onStandby,
    primary: (await cycleReads(cluster.primary.url(DB))) - onPrimary,
  };
  expect(served.standby).toBeGreaterThanOrEqual(20);
  expect(served.primary).toBe(0);
});

it('puts a write on the primary at once (the mutation’s read-back included) and on the standby within the lag bound', async () => {
  const written = await upsertParticipant(701);
  expect(written.body.errors).toBeUndefined();
  expect(written.body.data.upsertParticipant.studyParticipantId).toBe(701);
  expect(await participantOn(cluster.primary, 701)).toBe(true);
  const ms = await waitFor(
    standby.url(DB),
    `select exists (select 1 from participant p join study s on s.id = p.study_id where s.name = 'AOA' and p.study_participant_id = 701)`,
  );
  expect(ms).toBeLessThanOrEqual(MAX_LAG_S * 1000);
  const read = await until(
    'the API reads the new participant',
    async () => (await readParticipant(701)).body.data?.participant,
  );
  expect(read.studyParticipantId).toBe(701);
});

it('skips a standby that lags more than AE_MAX_REPLICA_LAG_S: reads go to the primary and see the newest writes', async () => {
  await queryOnce(standby.url(), 'select pg_wal_replay_pause()');
  try {
    const written = await upsertParticipant(702);
    // The read-back of the mutation comes from the primary: the standby cannot have the row.
    expect(written.body.data.upsertParticipant.studyParticipantId).toBe(702);
    expect(await participantOn(standby, 702)).toBe(false);
    const lagging = await until('/health reports the standby lagging', async () => {
      const h = await healthOf();
      return h.replicas[0].state === 'lagging' && h;
    });
    expect(lagging).toMatchObject({ httpStatus: 200, status: 'degraded' });
    expect(lagging.replicas[0].lagS).toBeGreaterThan(MAX_LAG_S);
    expect(lagging.replicas[0].servesReads).toBe(false);
    const onPrimary = await cycleReads(cluster.primary.url(DB));
    const read = await readParticipant(702);
    expect(read.body.data.participant.studyParticipantId).toBe(702);
    await server.post({ query: CYCLES });
    expect((await cycleReads(cluster.primary.url(DB))) - onPrimary).toBeGreaterThanOrEqual(1);
  } finally {
    await queryOnce(standby.url(), 'select pg_wal_replay_resume()');
  }
  await until('the standby serves reads again', async () => (await healthOf()).replicas[0].servesReads);
  expect(await participantOn(standby, 702)).toBe(true);
});

it('keeps answering reads when the standby stops, from the primary, and /health reports the standby down', async () => {
  expect(ctx.reads.report()[0].servesReads).toBe(true);
  await standby.stop();
  const results = [];
  for (let i = 0; i < 10; i++) results.push(await server.post({ query: CYCLES }));
  for (const r of results) {
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.movementCycles.nodes.length).toBeGreaterThan(0);
  }
  const h = await healthOf();
  expect(h).toMatchObject({ httpStatus: 200, status: 'degraded', database: 'up' });
  expect(h.replicas[0]).toMatchObject({ state: 'down', servesReads: false, lagS: null });
  expect(h.replicas[0].error).toEqual(expect.any(String));
  // The export streams from the primary too.
  const csv = await fetch(server.url.replace(/\/graphql$/, '/export/study.csv'));
  expect(csv.status).toBe(200);
  expect(await csv.text()).toMatch(/^id,/);
});
