/**
 * Read replicas, measured: a primary and a pg_basebackup -R standby from Debian's PostgreSQL
 * 15 on this machine, and two real server processes, one reading from the primary only and
 * one with the standby as its replica. Reports, in the same run:
 *   - reads/s and latency of the same read mix through each server (alternated, medians),
 *     with the share of statements each PostgreSQL served (pg_stat_statements);
 *   - how long a write takes to be visible on the standby (from the mutation's answer);
 *   - failover: the standby stopped under load: failed requests, the slowest request around
 *     the stop, and how long until /health reports it down.
 * Both servers share the machine's CPUs, so the ratio shows what routing costs, not what a
 * second machine would add.
 *
 *   npm run bench:replicas                         8 clients, 3 × 2 rounds of 10 s, small dataset
 *   npm run bench:replicas -- --clients 16 --seconds 20 --size medium
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_SIZES } from '../src/services/seed/sample-data';
import { waitFor } from './lib/pg-cluster';
import { LAB_DATABASE as DB, queryOnce, startLabCluster } from './lib/lab-cluster';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { agent, post } from './lib/http';
import { median, percentile } from './lib/stats';
import { OUT_DIR, readOptions, type OptionValues } from './lib/options';
import { runMain } from './lib/run-main';

const log = (line: string) => process.stderr.write(`[replicas] ${line}\n`);
const WRITE_TOKEN = `replicas-${Date.now()}-write-token-0123456789`;

const OPTIONS = {
  clients: { kind: 'int', default: 8, max: 128, help: 'clients sending the read mix' },
  seconds: { kind: 'int', default: 10, max: 600, help: 'seconds of each round' },
  rounds: { kind: 'int', default: 3, max: 20, help: 'rounds through each server, alternated' },
  size: { kind: 'choice', choices: ['small', 'medium'], default: 'small', help: 'sample dataset' },
  out: OUT_DIR,
} as const;
type Options = OptionValues<typeof OPTIONS>;

/** The notebook and explorer reads: a page of cycles, a participant's tree, a lookup. */
const READS = [
  {
    query:
      'query($after: String) { movementCycles(first: 500, after: $after, filter: { isOutlier: false }) { pageInfo { endCursor } nodes { id knee speed cycleIndex durationS } } }',
  },
  {
    query:
      '{ participants(first: 5) { nodes { participantNumber audioProcessings { knee maneuver audioQcFail synchronizations { passNumber speed movementCycles { cycleIndex durationS } } } } } }',
  },
  {
    query:
      'query($id: Int!) { movementCycle(id: $id) { id durationS synchronization { syncMethod } participant { participantNumber } } }',
    variables: { id: 1 },
  },
];

interface LoadStats {
  requests: number;
  errors: number;
  perSecond: number;
  latencies: { at: number; ms: number }[];
  firstError?: string;
}

/** `clients` clients sending the read mix to `graphqlUrl` for `seconds` (until `stop()` when given). */
async function readLoad(graphqlUrl: string, clients: number, seconds: number): Promise<LoadStats> {
  const via = agent(clients);
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const stats: LoadStats = { requests: 0, errors: 0, perSecond: 0, latencies: [] };
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const body = READS[n++ % READS.length];
        const sentAt = Date.now();
        stats.requests++;
        try {
          const r = await post(graphqlUrl, body, via, 30_000);
          if (r.status !== 200 || r.body.includes('"errors"')) {
            stats.errors++;
            stats.firstError ??= `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
          } else stats.latencies.push({ at: sentAt - started, ms: r.ms });
        } catch (e) {
          stats.errors++;
          stats.firstError ??= (e as Error).message;
        }
      }
    }),
  );
  via.destroy();
  stats.perSecond = stats.latencies.length / ((Date.now() - started) / 1000);
  return stats;
}

/** Statements of the API (application_name ae-graphql…) in `url`'s pg_stat_statements: a user-table read. */
const statementCalls = (url: string) =>
  queryOnce(
    url,
    `select coalesce(sum(calls), 0)::float8 as n from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query ~* '"(movement_cycles|participant)"' and query !~ 'pg_stat_statements'`,
  ).then((r) => Number(r[0].n));

async function health(server: ServerProcess): Promise<any> {
  return (await fetch(`${server.baseUrl}/health`)).json();
}

/** A primary seeded with the dataset and a standby of it, both with pg_stat_statements. */
const startReplicaCluster = (size: Options['size']) =>
  startLabCluster({
    statementStats: true,
    seed: { participantsPerStudy: SAMPLE_SIZES[size], seed: 42, applicationName: 'ae-bench seed' },
    standby: true,
  });

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const o = readOptions('npm run bench:replicas --', argv, OPTIONS);
  let cluster: Awaited<ReturnType<typeof startReplicaCluster>> | undefined;
  const servers: ServerProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ae-bench-replicas-'));
  try {
    log(`seeding the ${o.size} dataset (${SAMPLE_SIZES[o.size]} participants per study) …`);
    cluster = await startReplicaCluster(o.size);
    const { standby } = cluster;
    const primaryUrl = cluster.primary.url(DB);
    const standbyUrl = standby.url(DB);

    const onPrimary = await startServerProcess(primaryUrl, join(dir, 'primary-only.log'), {
      AE_WRITE_TOKEN: WRITE_TOKEN,
    });
    servers.push(onPrimary);
    const withReplica = await startServerProcess(primaryUrl, join(dir, 'with-replica.log'), {
      AE_WRITE_TOKEN: WRITE_TOKEN,
      AE_DATABASE_REPLICA_URLS: standbyUrl,
      AE_MAX_REPLICA_LAG_S: '5',
    });
    servers.push(withReplica);
    for (let i = 0; !(await health(withReplica)).replicas[0]?.servesReads; i++) {
      if (i > 100) throw new Error('the standby never served reads');
      await new Promise((r) => setTimeout(r, 100));
    }

    // 1. The same read mix through each server, alternated so that neither gets the warmer machine.
    log(`reads: ${o.clients} clients, ${o.rounds} rounds of ${o.seconds} s through each server …`);
    await readLoad(`${onPrimary.baseUrl}/graphql`, o.clients, 3);
    await readLoad(`${withReplica.baseUrl}/graphql`, o.clients, 3);
    const runs: Record<'primary' | 'replica', LoadStats[]> = { primary: [], replica: [] };
    const served = { primary: 0, standby: 0 };
    for (let round = 0; round < o.rounds; round++) {
      runs.primary.push(await readLoad(`${onPrimary.baseUrl}/graphql`, o.clients, o.seconds));
      const [p0, s0] = [await statementCalls(primaryUrl), await statementCalls(standbyUrl)];
      runs.replica.push(await readLoad(`${withReplica.baseUrl}/graphql`, o.clients, o.seconds));
      served.primary += (await statementCalls(primaryUrl)) - p0;
      served.standby += (await statementCalls(standbyUrl)) - s0;
    }
    const summary = (xs: LoadStats[]) => ({
      readsPerSecond: median(xs.map((x) => x.perSecond)),
      p50: median(xs.flatMap((x) => x.latencies.map((l) => l.ms))),
      p99: percentile(
        xs.flatMap((x) => x.latencies.map((l) => l.ms)),
        99,
      ),
      errors: xs.reduce((n, x) => n + x.errors, 0),
      requests: xs.reduce((n, x) => n + x.requests, 0),
    });
    const reads = { primary: summary(runs.primary), replica: summary(runs.replica) };

    // 2. Write → visible on the standby.
    log('replication delay: 50 writes …');
    const via = agent(1);
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      const participantNumber = 90_000 + i;
      const r = await post(
        `${withReplica.baseUrl}/graphql`,
        { query: `mutation { upsertParticipant(study: AOA, participantNumber: ${participantNumber}) { id } }` },
        via,
        30_000,
        { authorization: `Bearer ${WRITE_TOKEN}` },
      );
      if (r.status !== 200 || r.body.includes('"errors"')) throw new Error(`write failed: ${r.body.slice(0, 300)}`);
      delays.push(
        await waitFor(
          standbyUrl,
          `select exists (select 1 from participant where study_participant_id = $1)`,
          [participantNumber],
          30_000,
        ),
      );
    }
    via.destroy();

    // 3. Failover: stop the standby in the middle of a read load.
    log('failover: stopping the standby under load …');
    const loadSeconds = Math.max(6, o.seconds);
    const stopAfterMs = (loadSeconds * 1000) / 2;
    const load = readLoad(`${withReplica.baseUrl}/graphql`, o.clients, loadSeconds);
    await new Promise((r) => setTimeout(r, stopAfterMs));
    const stoppedAt = Date.now();
    await standby.stop();
    const stopMs = Date.now() - stoppedAt;
    let downAfterMs = NaN;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      if ((await health(withReplica)).replicas[0].state === 'down') {
        downAfterMs = Date.now() - stoppedAt;
        break;
      }
    }
    const failover = await load;
    const around = failover.latencies
      .filter((l) => l.at >= stopAfterMs - 1000 && l.at <= stopAfterMs + 1000)
      .map((l) => l.ms);
    const before = failover.latencies.filter((l) => l.at < stopAfterMs - 1000).map((l) => l.ms);

    const ratio = reads.replica.readsPerSecond / reads.primary.readsPerSecond;
    const share = served.standby / Math.max(1, served.standby + served.primary);
    const md = [
      `# Read replicas: ${o.clients} clients, ${o.rounds} rounds of ${o.seconds} s per server, ${o.size} dataset`,
      '',
      `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} CPUs · PostgreSQL 15 (Debian) primary + pg_basebackup -R standby on this machine · command: \`npm run bench:replicas -- ${argv.join(' ')}\``,
      '',
      '| server | reads/s (median of rounds) | p50 ms | p99 ms | requests | errors |',
      '|---|---:|---:|---:|---:|---:|',
      `| reads on the primary | ${reads.primary.readsPerSecond.toFixed(0)} | ${reads.primary.p50.toFixed(1)} | ${reads.primary.p99.toFixed(1)} | ${reads.primary.requests} | ${reads.primary.errors} |`,
      `| reads on the standby (AE_DATABASE_REPLICA_URLS) | ${reads.replica.readsPerSecond.toFixed(0)} | ${reads.replica.p50.toFixed(1)} | ${reads.replica.p99.toFixed(1)} | ${reads.replica.requests} | ${reads.replica.errors} |`,
      '',
      `Standby / primary reads/s: ${ratio.toFixed(2)} (both servers, both PostgreSQL and the load share ${cpus().length} CPUs). Statements of the replica server's rounds served by the standby (pg_stat_statements of each): ${(share * 100).toFixed(1)} % (${served.standby} of ${served.standby + served.primary}).`,
      '',
      `Write → visible on the standby (from the mutation's answer, polled every 20 ms): median ${median(delays).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms over ${delays.length} writes.`,
      '',
      `Failover: the standby stopped (fast shutdown, ${stopMs} ms) ${(stopAfterMs / 1000).toFixed(0)} s into ${loadSeconds} s of reads: ${failover.errors} failed requests of ${failover.requests}; slowest request within ±1 s of the stop ${Math.max(...around).toFixed(0)} ms (p50 before it ${median(before).toFixed(1)} ms); /health reported the standby down ${downAfterMs.toFixed(0)} ms after the stop began.`,
      ...(failover.firstError || reads.replica.errors || reads.primary.errors
        ? [
            '',
            `First error: ${failover.firstError ?? runs.replica.find((r) => r.firstError)?.firstError ?? runs.primary.find((r) => r.firstError)?.firstError}`,
          ]
        : []),
    ].join('\n');
    process.stdout.write(`${md}\n`);
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, 'replicas-latest.md'), `${md}\n`);
    writeFileSync(
      join(o.out, 'replicas-latest.json'),
      `${JSON.stringify({ options: o, reads, ratio, served, delaysMs: delays, failover: { errors: failover.errors, requests: failover.requests, stopMs, downAfterMs, slowestAroundMs: Math.max(...around) } }, null, 2)}\n`,
    );
    log(`wrote ${join(o.out, 'replicas-latest.md')}`);
    return failover.errors + reads.primary.errors + reads.replica.errors === 0 ? 0 : 1;
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runMain('bench:replicas', main);
