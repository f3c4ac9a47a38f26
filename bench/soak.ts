/**
 * Soak: the real server (`dist/src/server.js`, logs and all) on its own embedded PostgreSQL,
 * under a bounded, loopback-only mixed load: 32 keep-alive clients for 60 s by default,
 * each sending its next request when the previous answer arrives. The mix is what the lab
 * does all day: nested trees and lookups from Sandbox, cursor pages and summaries from
 * notebooks, and the pipeline re-sending records it already wrote (idempotent upserts).
 *
 * The same load runs for a warm-up first (30 s by default: V8 grows its heap to the working
 * size meanwhile), then for the measured run. Reports requests, errors (the target is 0, warm-up
 * included), p50/p99 latency per kind over the measured run, the server's resident memory
 * sampled throughout (before any request, after warm-up, at the end, and the trend over the
 * measured run), and checks that the row counts are the same after the run as before it
 * (every write was a re-send).
 *
 *   npm run soak                                  32 clients, 30 s warm-up + 60 s, medium dataset
 *   npm run soak -- --clients 8 --seconds 20 --warmup 5 --size small --max-requests 50000
 *   npm run soak -- --pgbouncer                   the same through PgBouncer in transaction mode
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_PARTICIPANT_NUMBERS, SAMPLE_SIZES, mulberry32 } from '../src/services/seed/sample-data';
import { TABLES } from '../src/entities';
import { MOVEMENT_CYCLE_COLUMN_INPUTS } from '../src/services/write/record-inputs';
import { startBenchDatabase, withClient, type BenchDatabase } from './lib/database';
import { procStatusMb, startServerProcess, type ServerProcess } from './lib/server-process';
import { agent, post } from './lib/http';
import { startPgBouncer, type PgBouncer } from './lib/pgbouncer';
import { OUT_DIR, readOptions, type OptionValues } from './lib/options';
import { runMain } from './lib/run-main';
import { percentile } from './lib/stats';

// Bounded on purpose: this is a soak on one machine, not a load test of the network.
const OPTIONS = {
  clients: { kind: 'int', default: 32, max: 256, help: 'clients, each sending its next request on an answer' },
  seconds: { kind: 'int', default: 60, max: 3600, help: 'seconds measured' },
  warmup: { kind: 'int', default: 30, max: 3600, help: 'seconds of the same load before, not measured' },
  maxRequests: { kind: 'int', default: 2_000_000, max: 10_000_000, help: 'requests at the most' },
  size: { kind: 'choice', choices: ['small', 'medium'], default: 'medium', help: 'sample dataset' },
  out: OUT_DIR,
  pgbouncer: {
    kind: 'flag',
    help: 'serve through PgBouncer in transaction mode (3 server sessions), AE_TRANSACTION_POOLING=1',
  },
} as const;
type Options = OptionValues<typeof OPTIONS>;

const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const WRITE_TOKEN = `soak-${Date.now()}-write-token-0123456789`;

// ---------------------------------------------------------------------------------------
// The requests

const TREE = `query Tree($study: StudyName!, $participantNumber: Int!) {
  participant(study: $study, participantNumber: $participantNumber) {
    id participantNumber study { name }
    audioProcessings { id knee maneuver audioQcFail qcFailIntervals { start end }
      biomechanicsImport { id biomechanicsType biomechanicsQcFail }
      synchronizations { id passNumber speed syncMethod totalCyclesExtracted
        movementCycles { id cycleIndex isOutlier startTimeS durationS } } } } }`;
const LOOKUP = `query Lookup($study: StudyName!, $participantNumber: Int!, $cycle: Int!) {
  participant(study: $study, participantNumber: $participantNumber) { id audioProcessings { id audioQcFail audioQcFailCh1 audioQcFailCh2 audioQcFailCh3 audioQcFailCh4 } }
  movementCycle(id: $cycle) { id cycleIndex durationS synchronization { id syncMethod } } }`;
const PAGE = `query Page($after: String) {
  movementCycles(first: 1000, after: $after, filter: { maneuver: walk, isOutlier: false }) {
    pageInfo { hasNextPage endCursor } nodes { id participantId synchronizationId knee speed passNumber cycleIndex durationS } } }`;
const SUMMARY = `query Summary($study: StudyName!, $participantNumber: Int!) {
  participantOverview(study: $study, participantNumber: $participantNumber) { rows { knee maneuver audioRecordings cycles cleanCycles } }
  audioQcSummary(filter: { study: [$study] }) { totalFiles failedQc channels { channel failedQc } } }`;
const UPSERT_PARTICIPANT = `mutation P($study: StudyName!, $participantNumber: Int!) { upsertParticipant(study: $study, participantNumber: $participantNumber) { id } }`;
const UPSERT_CYCLES = `mutation C($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count inserted updated } }`;

export type Kind = 'tree' | 'lookup' | 'page' | 'summary' | 'write';
/** Share of requests per kind (sums to 1). */
const MIX: [Kind, number][] = [
  ['tree', 0.25],
  ['lookup', 0.25],
  ['page', 0.2],
  ['summary', 0.1],
  ['write', 0.2],
];

export interface Fixture {
  participants: { study: string; participantNumber: number }[];
  cycleIds: number[];
  cursors: (string | null)[];
  /** Existing cycles as inputs, 50 per synchronization: re-sending one changes nothing. */
  cycleBatches: Record<string, unknown>[][];
}

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const via = agent(1);
  try {
    const r = await post(url, { query, variables }, via, 120_000, headers);
    const json = JSON.parse(r.body);
    if (r.status !== 200 || json.errors) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 400)}`);
    return json.data;
  } finally {
    via.destroy();
  }
}

/** What the requests pick from, read through the API itself. */
export async function loadFixture(url: string): Promise<Fixture> {
  const data = await gql(url, '{ participants(first: 10000) { nodes { participantNumber study { name } } } }');
  const participants = data.participants.nodes.map((n: any) => ({
    study: n.study.name,
    participantNumber: n.participantNumber,
  }));
  const cycles = await gql(url, '{ movementCycles(first: 10000) { nodes { id } } }');
  const cycleIds = cycles.movementCycles.nodes.map((n: any) => n.id);
  const cursors: (string | null)[] = [null];
  for (let i = 0; i < 30; i++) {
    const page = await gql(url, PAGE, { after: cursors.at(-1) });
    if (!page.movementCycles.pageInfo.hasNextPage) break;
    cursors.push(page.movementCycles.pageInfo.endCursor);
  }
  const syncs = await gql(url, '{ synchronizations(first: 20, filter: { maneuver: walk }) { nodes { id } } }');
  const cycleBatches: Record<string, unknown>[][] = [];
  for (const { id } of syncs.synchronizations.nodes) {
    const got = await gql(
      url,
      `query($id: Int!) { synchronization(id: $id) { movementCycles(orderBy: [{ field: cycleIndex }]) {
      ${MOVEMENT_CYCLE_COLUMN_INPUTS.join(' ')} participant { participantNumber study { name } } } } }`,
      { id },
    );
    const batch = got.synchronization.movementCycles.slice(0, 50).map(({ participant, ...fields }: any) => ({
      study: participant.study.name,
      participantNumber: participant.participantNumber,
      ...fields,
    }));
    if (batch.length) cycleBatches.push(batch);
  }
  if (!participants.length || !cycleIds.length || !cycleBatches.length) throw new Error('the soak dataset is empty');
  return { participants, cycleIds, cursors, cycleBatches };
}

// ---------------------------------------------------------------------------------------
// The run

export interface KindStats {
  requests: number;
  errors: number;
  latenciesMs: number[];
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

export function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = Number((await c.query(`select count(*) n from ${t}`)).rows[0].n);
    return out;
  });
}

export interface LoadOptions {
  clients: number;
  /** Seconds of the same load before the measured run (its requests go to `warmupStats`). */
  warmup: number;
  seconds: number;
  maxRequests: number;
  writeToken: string;
  /** When the load starts (Date.now()); defaults to the call. */
  started?: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  stats: Map<Kind, KindStats>;
  warmupStats: Map<Kind, KindStats>;
  firstErrors: string[];
}

/**
 * The soak's mixed load against `graphqlUrl`: `o.clients` clients, each sending its next request
 * when the previous answer arrives.
 */
export async function runLoad(graphqlUrl: string, fx: Fixture, o: LoadOptions): Promise<LoadResult> {
  const random = mulberry32(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const kindOf = () => {
    let r = random();
    for (const [k, share] of MIX) if ((r -= share) < 0) return k;
    return MIX[0][0];
  };
  const auth = { authorization: `Bearer ${o.writeToken}` };
  const request = (
    kind: Kind,
  ): { body: unknown; headers?: Record<string, string>; check?: (data: any) => string | undefined } => {
    const p = pick(fx.participants);
    switch (kind) {
      case 'tree':
        return {
          body: { query: TREE, variables: p },
          check: (d) => (d.participant ? undefined : 'participant not found'),
        };
      case 'lookup':
        return {
          body: { query: LOOKUP, variables: { ...p, cycle: pick(fx.cycleIds) } },
          check: (d) => (d.movementCycle ? undefined : 'cycle not found'),
        };
      case 'page':
        return {
          body: { query: PAGE, variables: { after: pick(fx.cursors) } },
          check: (d) => (d.movementCycles.nodes.length ? undefined : 'empty page'),
        };
      case 'summary':
        return { body: { query: SUMMARY, variables: p } };
      case 'write':
        if (random() < 0.5) return { body: { query: UPSERT_PARTICIPANT, variables: p }, headers: auth };
        return {
          body: { query: UPSERT_CYCLES, variables: { inputs: pick(fx.cycleBatches) } },
          headers: auth,
          check: (d) =>
            d.upsertMovementCycles.inserted === 0
              ? undefined
              : `a re-send inserted ${d.upsertMovementCycles.inserted} rows`,
        };
    }
  };

  const newStats = () => new Map<Kind, KindStats>(MIX.map(([k]) => [k, { requests: 0, errors: 0, latenciesMs: [] }]));
  const warmupStats = newStats();
  const stats = newStats();
  const firstErrors: string[] = [];
  const started = o.started ?? Date.now();
  const measureFrom = started + o.warmup * 1000;
  const deadline = measureFrom + o.seconds * 1000;
  let issued = 0;
  const via = agent(o.clients);
  o.log?.(
    `${o.clients} clients: ${o.warmup} s warm-up, then ${o.seconds} s measured (at most ${o.maxRequests} requests) …`,
  );
  const client = async () => {
    while (Date.now() < deadline && issued < o.maxRequests) {
      issued++;
      const kind = kindOf();
      const { body, headers, check } = request(kind);
      const s = (Date.now() < measureFrom ? warmupStats : stats).get(kind)!;
      s.requests++;
      try {
        const r = await post(graphqlUrl, body, via, 30_000, headers);
        const json = JSON.parse(r.body);
        const problem =
          r.status !== 200
            ? `HTTP ${r.status}: ${r.body.slice(0, 300)}`
            : json.errors
              ? JSON.stringify(json.errors).slice(0, 300)
              : check?.(json.data);
        if (problem) {
          s.errors++;
          if (firstErrors.length < 5) firstErrors.push(`${kind}: ${problem.trim()}`);
        } else s.latenciesMs.push(r.ms);
      } catch (e) {
        s.errors++;
        if (firstErrors.length < 5) firstErrors.push(`${kind}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));
  via.destroy();
  return { stats, warmupStats, firstErrors };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const o: Options = readOptions('npm run soak --', argv, OPTIONS);
  let db: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  let bouncer: PgBouncer | undefined;
  try {
    db = await startBenchDatabase(log);
    const { url } = await db.createSeeded('soak', SAMPLE_SIZES[o.size]);
    // The soak re-sends records as the pipeline does, which may not name the sample's reserved
    // participant numbers: give the sample the numbers real participants have (901001 → 1001).
    const renumber = 'update participant set study_participant_id = study_participant_id - $1';
    await withClient(url, (c) => c.query(renumber, [SAMPLE_PARTICIPANT_NUMBERS.min]));
    const before = await rowCounts(url);

    mkdirSync(o.out, { recursive: true });
    const logFile = join(db.server.dataDir, '..', 'server.log');
    if (o.pgbouncer) bouncer = await startPgBouncer(db.server.url, { poolMode: 'transaction', poolSize: 3 });
    server = bouncer
      ? await startServerProcess(bouncer.url('soak'), logFile, {
          AE_WRITE_TOKEN: WRITE_TOKEN,
          AE_TRANSACTION_POOLING: '1',
        })
      : await startServerProcess(url, logFile, { AE_WRITE_TOKEN: WRITE_TOKEN });
    const pid = server.pid;
    const graphqlUrl = `${server.baseUrl}/graphql`;
    const rssAtStart = procStatusMb(pid, 'VmRSS')!;
    log(`server pid ${pid} up, RSS ${rssAtStart.toFixed(0)} MB; reading the fixture …`);
    const fx = await loadFixture(graphqlUrl);

    const started = Date.now();
    const rss: [number, number][] = [[0, rssAtStart]];
    const sampler = setInterval(() => {
      const mb = procStatusMb(pid, 'VmRSS');
      if (mb !== undefined) rss.push([(Date.now() - started) / 1000, mb]);
    }, 2_000);
    const { stats, warmupStats, firstErrors } = await runLoad(graphqlUrl, fx, {
      ...o,
      writeToken: WRITE_TOKEN,
      started,
      log,
    });
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;
    const seconds = Math.max(0.001, elapsed - o.warmup);
    const rssAtEnd = procStatusMb(pid, 'VmRSS')!;
    rss.push([elapsed, rssAtEnd]);
    const after = await rowCounts(url);
    const exitCode = await server.stop();
    server = undefined;

    // The server's own account of the run: one log line per request.
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"msg":"graphql request"'));
    const outcomes: Record<string, number> = {};
    for (const l of lines) {
      const m = /"outcome":"(\w+)"/.exec(l);
      outcomes[m?.[1] ?? '?'] = (outcomes[m?.[1] ?? '?'] ?? 0) + 1;
    }

    const all = [...stats.values()];
    const total = {
      requests: all.reduce((a, s) => a + s.requests, 0),
      errors: all.reduce((a, s) => a + s.errors, 0),
      latenciesMs: all.flatMap((s) => s.latenciesMs),
    };
    const warmup = [...warmupStats.values()].reduce(
      (a, s) => ({ requests: a.requests + s.requests, errors: a.errors + s.errors }),
      { requests: 0, errors: 0 },
    );
    const warm = rss.filter(([t]) => t >= o.warmup);
    const rssSlope = slope(warm) * 60;
    // Thirds of the run after warm-up: a leak shows as means that keep climbing; a heap
    // settling into its working size rises once and then stays.
    const third = Math.max(1, Math.floor(warm.length / 3));
    const rssThirds = [warm.slice(0, third), warm.slice(third, 2 * third), warm.slice(2 * third)].map(
      (part) => part.reduce((acc, [, y]) => acc + y, 0) / part.length,
    );
    const row = (name: string, s: KindStats) =>
      `| ${name} | ${s.requests.toLocaleString('en')} | ${s.errors} | ${(s.requests / seconds).toFixed(0)} | ${percentile(s.latenciesMs, 50).toFixed(1)} | ${percentile(s.latenciesMs, 99).toFixed(1)} |`;
    const unchanged = TABLES.every((t) => before[t] === after[t]);
    const md = [
      `# Soak: ${o.clients} clients, ${seconds.toFixed(0)} s measured after ${o.warmup} s of warm-up, ${o.size} dataset${o.pgbouncer ? ', through PgBouncer (transaction mode, 3 server sessions)' : ''}`,
      '',
      `${new Date().toISOString()} · Node ${process.version} · ${(await import('node:os')).cpus().length} CPUs · command: \`npm run soak -- ${argv.join(' ')}\``,
      '',
      '| kind | requests | errors | req/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|',
      ...MIX.map(([k]) => row(k, stats.get(k)!)),
      row('**all**', total),
      '',
      `Warm-up (same load, not in the table): ${warmup.requests.toLocaleString('en')} requests, ${warmup.errors} errors.`,
      '',
      `Server RSS: ${rssAtStart.toFixed(0)} MB at start (before any request), ${warm[0]?.[1].toFixed(0)} MB after warm-up (${warm[0]?.[0].toFixed(0)} s), ${rssAtEnd.toFixed(0)} MB at the end; mean of each third of the measured run ${rssThirds.map((m) => m.toFixed(0)).join(' → ')} MB; least-squares slope ${rssSlope >= 0 ? '+' : ''}${rssSlope.toFixed(1)} MB/min over ${warm.length} samples (min ${Math.min(...warm.map(([, y]) => y)).toFixed(0)}, max ${Math.max(...warm.map(([, y]) => y)).toFixed(0)} MB).`,
      '',
      `Server log: ${lines.length.toLocaleString('en')} request lines, outcomes ${JSON.stringify(outcomes)}. Server exit code after SIGTERM: ${exitCode}.`,
      `Row counts ${unchanged ? 'unchanged' : 'CHANGED'} by the run (every write re-sent existing records): ${JSON.stringify(after)}.`,
      ...(firstErrors.length ? ['', 'First errors:', ...firstErrors.map((e) => `- ${e}`)] : []),
    ].join('\n');
    process.stdout.write(`${md}\n`);
    const name = o.pgbouncer ? 'soak-pgbouncer-latest' : 'soak-latest';
    writeFileSync(join(o.out, `${name}.md`), `${md}\n`);
    writeFileSync(
      join(o.out, `${name}.json`),
      `${JSON.stringify({ options: o, seconds, warmup, stats: Object.fromEntries([...stats].map(([k, s]) => [k, { requests: s.requests, errors: s.errors, p50: percentile(s.latenciesMs, 50), p99: percentile(s.latenciesMs, 99) }])), rss, rssThirdsMb: rssThirds, rssSlopeMbPerMin: rssSlope, outcomes, before, after, exitCode, firstErrors }, null, 2)}\n`,
    );
    log(`wrote ${join(o.out, `${name}.md`)}`);
    return total.errors === 0 && warmup.errors === 0 && unchanged && exitCode === 0 ? 0 : 1;
  } finally {
    await server?.stop().catch(() => undefined);
    await bouncer?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
  }
}

if (require.main === module) runMain('soak', main);
