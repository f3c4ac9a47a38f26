/**
 * `npm run bench`: this API side by side with PostGraphile 5 and with the floor (one SQL
 * statement per workload), on its own embedded PostgreSQL, over real HTTP on loopback.
 *
 *   npm run bench                      small + medium datasets (W1 on both; W2, W3, W4 on medium)
 *   npm run bench -- --size large      also the large dataset (10× medium) for W1 and its seed time
 *   npm run bench -- --quick           fewer samples and a 5 s W3: a smoke run, not figures to quote
 *   npm run bench -- --only GROUPS     the group-by workload alone (bench/groups.ts; also npm run bench:groups)
 *
 * Every answer is compared across the three servers before anything is timed; a difference
 * stops the run with the first differing path.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/config';
import {
  ALL_STUDIES,
  SAMPLE_SIZES,
  STUDY_NUMBER_BASE,
  generateParticipant,
  mulberry32,
} from '../src/services/seed/sample-data';
import type { StudyName } from '../src/entities/enums';
import { copyLoad } from './lib/copy-load';
import { groupsNote, measureGroups } from './groups';
import { startBenchDatabase, withClient, type BenchDatabase } from './lib/database';
import { agent, post, postJson } from './lib/http';
import { closedLoop } from './lib/load';
import { backendCpuMs, backendCpuSpent, resetStatements, statementsSince } from './lib/pgstat';
import {
  consoleTable,
  markdownReport,
  statusNotes,
  tableRows,
  type BenchReport,
  type Measurement,
  type SeedFigures,
  type WorkloadId,
} from './lib/report';
import { SERVER_LABEL, startServer, type RunningServer, type ServerId } from './lib/servers';
import { OUT_DIR, readOptions, UsageError } from './lib/options';
import { runMain } from './lib/run-main';
import { median, percentile } from './lib/stats';
import {
  POSTGRAPHILE_SETUP_SQL,
  REQUIRED_ROOT_FIELD,
  W1_QUERY,
  W1_TREE,
  W2_QUERY,
  W3_QUERY,
  canonical,
  countFields,
  countTreeRows,
  firstDifference,
} from './workloads';

// ---------------------------------------------------------------- options

interface Options {
  size: 'medium' | 'large';
  quick: boolean;
  w1Samples: Record<string, number>;
  w2Samples: number;
  w3Seconds: number;
  w3Connections: number;
  seedRuns: number;
  outDir: string;
  /** Workloads to run (all by default). */
  only: Set<string>;
}

const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'GROUPS'];

const OPTIONS = {
  size: {
    kind: 'choice',
    choices: ['medium', 'large'],
    default: 'medium',
    help: 'the largest dataset; small and medium always run',
  },
  quick: { kind: 'flag', help: 'fewer samples and a 5 s W3: a smoke run, not figures to quote' },
  w3Seconds: { kind: 'int', max: 120, help: 'seconds of W3 load: 20, or 5 with --quick' },
  only: { kind: 'string', value: 'LIST', default: WORKLOADS.join(','), help: 'the workloads to run, comma-separated' },
  out: OUT_DIR,
} as const;

function parseOptions(argv: string[]): Options {
  const { size, quick, w3Seconds = quick ? 5 : 20, only: list, out } = readOptions('npm run bench --', argv, OPTIONS);
  const only = new Set(
    list
      .toUpperCase()
      .split(',')
      .map((x) => x.trim()),
  );
  for (const w of only) {
    if (!WORKLOADS.includes(w)) throw new UsageError(`--only takes ${WORKLOADS.join(', ')}; got "${w}"`);
  }
  return {
    size,
    quick,
    w1Samples: quick ? { small: 5, medium: 2, large: 1 } : { small: 30, medium: 7, large: 2 },
    w2Samples: quick ? 2 : 7,
    w3Seconds,
    w3Connections: 32,
    seedRuns: quick ? 1 : 2,
    outDir: out,
    only,
  };
}

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

// ---------------------------------------------------------------- the three servers, as the harness talks to them

interface Target {
  server: RunningServer;
  /** Root query fields of its schema (the floor answers every workload). */
  rootFields?: Set<string>;
}

function graphqlUrl(t: Target) {
  return `${t.server.baseUrl}/graphql`;
}

async function rootFieldsOf(t: Target): Promise<Set<string>> {
  const { json } = await postJson(graphqlUrl(t), { query: '{ __schema { queryType { fields { name } } } }' }, agent(1));
  return new Set(json.data.__schema.queryType.fields.map((f: { name: string }) => f.name));
}

/** Why `t` cannot run `w`, or undefined when it can. */
function unsupported(t: Target, w: WorkloadId): string | undefined {
  if (t.server.id === 'floor') return undefined;
  const field = REQUIRED_ROOT_FIELD[w][t.server.id as 'thisApi' | 'postgraphile'];
  return t.rootFields?.has(field) ? undefined : `schema has no Query.${field}`;
}

function w1Request(t: Target): { url: string; body: unknown } {
  if (t.server.id === 'floor') return { url: `${t.server.baseUrl}/w1`, body: {} };
  return { url: graphqlUrl(t), body: { query: W1_QUERY[t.server.id] } };
}

function w2Request(t: Target, study: string, after: string | null): { url: string; body: unknown } {
  if (t.server.id === 'floor') return { url: `${t.server.baseUrl}/w2`, body: { study, after } };
  return { url: graphqlUrl(t), body: { query: W2_QUERY[t.server.id], variables: { study, after } } };
}

function w3Request(t: Target, study: string, number: number): { url: string; body: unknown } {
  if (t.server.id === 'floor') return { url: `${t.server.baseUrl}/w3`, body: { study, number } };
  return { url: graphqlUrl(t), body: { query: W3_QUERY[t.server.id], variables: { study, number } } };
}

function w3Answer(t: Target, json: any): unknown {
  if (t.server.id === 'postgraphile') return json.data.study?.participants.nodes[0] ?? null;
  return json.data.participant;
}

/**
 * Canonical JSON with sorted keys, hashed as it is walked: compares big answers without holding
 * three of them or one huge string.
 */
function digest(value: unknown): string {
  const hash = createHash('sha256');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      hash.update('[');
      v.forEach((x, i) => {
        if (i) hash.update(',');
        walk(x);
      });
      hash.update(']');
    } else if (v && typeof v === 'object') {
      hash.update('{');
      Object.keys(v)
        .sort()
        .forEach((k, i) => {
          hash.update(`${i ? ',' : ''}${JSON.stringify(k)}:`);
          walk((v as Record<string, unknown>)[k]);
        });
      hash.update('}');
    } else hash.update(JSON.stringify(v) ?? 'undefined');
  };
  walk(value);
  return hash.digest('hex');
}

class MismatchError extends Error {}

/**
 * The targets that can run `w`, in order, each with its server's peak RSS and PostgreSQL's
 * statement counts reset just before it is measured; one whose schema cannot (see unsupported())
 * gets its SKIPPED row in `out`, logged, as the loop reaches it, so the rows keep the targets' order.
 */
async function* measurable(db: BenchDatabase, targets: Target[], w: WorkloadId, dataset: string, out: Measurement[]) {
  for (const t of targets) {
    const why = unsupported(t, w);
    if (!why) {
      t.server.resetPeak();
      await resetStatements(db);
      yield t;
      continue;
    }
    const note = w === 'W1' ? '' : ' (the read API of issue 3 is not merged into this branch)';
    log(`${w} ${dataset}: SKIPPED for ${SERVER_LABEL[t.server.id]}: ${why}${note}`);
    out.push({ workload: w, dataset, server: t.server.id, status: 'skipped', reason: why });
  }
}

/**
 * A W1 or W2 measurement: `samples` timed requests (trees or full pulls) one after another,
 * each returning `rows` rows, and the statements PostgreSQL ran for all of them.
 */
function sequentialMeasurement(
  t: Target,
  w: 'W1' | 'W2',
  dataset: string,
  latencies: number[],
  rows: number,
  statements: number,
): Measurement {
  const samples = latencies.length;
  return {
    workload: w,
    dataset,
    server: t.server.id,
    status: 'ok',
    samples,
    medianMs: median(latencies),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    rate: rows / (median(latencies) / 1000),
    rateUnit: 'rows/s',
    statementsPerRequest: statements / samples,
    peakRssMb: t.server.peakRssMb(),
    rowsPerRequest: rows,
  };
}

// ---------------------------------------------------------------- workloads

async function w1(
  db: BenchDatabase,
  dbName: string,
  dataset: string,
  targets: Target[],
  samples: number,
): Promise<Measurement[]> {
  const usable = targets.filter((t) => !unsupported(t, 'W1'));
  // Same data first: every server's tree, canonicalised, hashed; on a mismatch fetch two again to say where.
  const digests = new Map<ServerId, { digest: string; rows: number; bytes: number }>();
  for (const t of usable) {
    const r = w1Request(t);
    const { json, bytes } = await postJson(r.url, r.body, agent(1));
    const studies = canonical(json.data.studies) as any[];
    digests.set(t.server.id, { digest: digest(studies), rows: countTreeRows(studies), bytes });
  }
  const reference = digests.get('floor')!;
  for (const t of usable) {
    const d = digests.get(t.server.id)!;
    if (d.digest === reference.digest) continue;
    const floor = targets.find((x) => x.server.id === 'floor')!;
    const [a, b] = await Promise.all(
      [t, floor].map(async (x) => {
        const r = w1Request(x);
        return canonical((await postJson(r.url, r.body, agent(1))).json.data.studies);
      }),
    );
    throw new MismatchError(
      `W1 ${dataset}: ${SERVER_LABEL[t.server.id]} differs from the floor at ${firstDifference(a, b)}`,
    );
  }
  log(
    `W1 ${dataset}: ${usable.map((t) => SERVER_LABEL[t.server.id]).join(', ')} return the same tree (${reference.rows.toLocaleString()} rows, ${countFields(W1_TREE)} fields, ${(reference.bytes / 1e6).toFixed(1)} MB from the floor)`,
  );

  const out: Measurement[] = [];
  for await (const t of measurable(db, targets, 'W1', dataset, out)) {
    const r = w1Request(t);
    const via = agent(1);
    const latencies: number[] = [];
    let bytes = 0;
    for (let i = 0; i < samples; i++) {
      const res = await post(r.url, r.body, via);
      if (res.status !== 200 || res.body.startsWith('{"errors"'))
        throw new Error(`W1 ${dataset} ${SERVER_LABEL[t.server.id]}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      latencies.push(res.ms);
      bytes = res.body.length;
    }
    via.destroy();
    const statements = await statementsSince(db, dbName);
    const rows = digests.get(t.server.id)!.rows;
    const m: Measurement = {
      ...sequentialMeasurement(t, 'W1', dataset, latencies, rows, statements),
      bytesPerRequest: bytes,
    };
    log(
      `W1 ${dataset} ${SERVER_LABEL[t.server.id]}: median ${m.medianMs!.toFixed(1)} ms, p95 ${m.p95Ms!.toFixed(1)} ms, ${m.statementsPerRequest!.toFixed(1)} statements, peak RSS ${m.peakRssMb?.toFixed(0)} MB`,
    );
    out.push(m);
  }
  return out;
}

/** Page through every clean walk cycle of `study`; bounded at 1,000 pages. */
async function pull(t: Target, study: string, via: ReturnType<typeof agent>) {
  const nodes: unknown[] = [];
  const pageMs: number[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const r = w2Request(t, study, after);
    const { json, ms } = await postJson(r.url, r.body, via);
    pageMs.push(ms);
    const conn = json.data.movementCycles;
    nodes.push(...conn.nodes);
    if (!conn.pageInfo.hasNextPage) return { nodes, pageMs };
    after = conn.pageInfo.endCursor;
  }
  throw new Error(`W2 ${SERVER_LABEL[t.server.id]}: more than 1,000 pages; is hasNextPage ever false?`);
}

async function w2(
  db: BenchDatabase,
  dbName: string,
  dataset: string,
  targets: Target[],
  samples: number,
  study: string,
): Promise<Measurement[]> {
  const usable = targets.filter((t) => !unsupported(t, 'W2'));
  const answers = new Map<ServerId, { nodes: unknown; pages: number }>();
  for (const t of usable) {
    const p = await pull(t, study, agent(1));
    answers.set(t.server.id, { nodes: canonical(p.nodes), pages: p.pageMs.length });
  }
  const reference = answers.get('floor')!;
  for (const t of usable) {
    const a = answers.get(t.server.id)!;
    const d =
      firstDifference(a.nodes, reference.nodes) ??
      (a.pages !== reference.pages ? `${a.pages} pages vs ${reference.pages}` : undefined);
    if (d) throw new MismatchError(`W2 ${dataset}: ${SERVER_LABEL[t.server.id]} differs from the floor at ${d}`);
  }
  const rows = (reference.nodes as unknown[]).length;
  log(
    `W2 ${dataset}: ${usable.map((t) => SERVER_LABEL[t.server.id]).join(', ')} return the same ${rows.toLocaleString()} clean walk cycles of ${study} in ${reference.pages} pages`,
  );

  const out: Measurement[] = [];
  for await (const t of measurable(db, targets, 'W2', dataset, out)) {
    const via = agent(1);
    const latencies: number[] = [];
    let pages = 0;
    for (let i = 0; i < samples; i++) {
      const started = process.hrtime.bigint();
      const p = await pull(t, study, via);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      pages = p.pageMs.length;
    }
    via.destroy();
    const statements = await statementsSince(db, dbName);
    const m: Measurement = {
      ...sequentialMeasurement(t, 'W2', dataset, latencies, rows, statements),
      pagesPerRequest: pages,
    };
    log(
      `W2 ${dataset} ${SERVER_LABEL[t.server.id]}: median pull ${m.medianMs!.toFixed(0)} ms (${pages} pages), ${m.statementsPerRequest} statements per pull`,
    );
    out.push(m);
  }
  return out;
}

async function w3(
  db: BenchDatabase,
  dbName: string,
  dataset: string,
  targets: Target[],
  o: Options,
  perStudy: number,
): Promise<Measurement[]> {
  const rng = mulberry32(20_261_124);
  const pick = () => {
    const study = ALL_STUDIES[Math.floor(rng() * ALL_STUDIES.length)];
    return { study: study as string, number: STUDY_NUMBER_BASE[study as StudyName] + 1 + Math.floor(rng() * perStudy) };
  };
  const usable = targets.filter((t) => !unsupported(t, 'W3'));
  // Same answers first: 30 random participants and one that does not exist (null everywhere).
  const checks = [...Array.from({ length: 30 }, pick), { study: 'AOA', number: 999_999 }];
  for (const c of checks) {
    const answers = await Promise.all(
      usable.map(async (t) => {
        const r = w3Request(t, c.study, c.number);
        return canonical(w3Answer(t, (await postJson(r.url, r.body, agent(1))).json));
      }),
    );
    const floorIndex = usable.findIndex((t) => t.server.id === 'floor');
    usable.forEach((t, i) => {
      const d = firstDifference(answers[i], answers[floorIndex]);
      if (d)
        throw new MismatchError(
          `W3 ${dataset} ${c.study} ${c.number}: ${SERVER_LABEL[t.server.id]} differs from the floor at ${d}`,
        );
    });
    if (c.number < 999_999 && (answers[floorIndex] as any)?.audioProcessings?.length !== 6)
      throw new Error(`W3: participant ${c.study} ${c.number} should have 6 audio records`);
  }
  log(
    `W3 ${dataset}: ${usable.map((t) => SERVER_LABEL[t.server.id]).join(', ')} agree on ${checks.length} lookups (one absent)`,
  );

  const payloads = Array.from({ length: 50_000 }, pick);
  const out: Measurement[] = [];
  for await (const t of measurable(db, targets, 'W3', dataset, out)) {
    const first = w3Request(t, 'AOA', 1);
    const cpuBefore = t.server.cpuMs();
    const dbCpuBefore = await backendCpuMs(db, dbName);
    const r = await closedLoop({
      url: first.url,
      connections: o.w3Connections,
      durationMs: o.w3Seconds * 1000,
      maxRequests: 2_000_000,
      payload: (i) => w3Request(t, payloads[i % payloads.length].study, payloads[i % payloads.length].number).body,
    });
    const cpuAfter = t.server.cpuMs();
    const dbCpu = backendCpuSpent(dbCpuBefore, await backendCpuMs(db, dbName));
    const statements = await statementsSince(db, dbName);
    const ok = r.latenciesMs.length;
    const m: Measurement = {
      workload: 'W3',
      dataset,
      server: t.server.id,
      status: r.failures ? 'failed' : 'ok',
      samples: ok,
      reason: r.failures ? `${r.failures} failed requests; first: ${r.firstFailure}` : undefined,
      medianMs: median(r.latenciesMs),
      p95Ms: percentile(r.latenciesMs, 95),
      p99Ms: percentile(r.latenciesMs, 99),
      rate: ok / r.seconds,
      rateUnit: 'req/s',
      cpuMsPerRequest:
        cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / Math.max(1, ok) : undefined,
      dbCpuMsPerRequest: dbCpu / Math.max(1, ok),
      statementsPerRequest: statements / Math.max(1, ok),
      peakRssMb: t.server.peakRssMb(),
      failures: r.failures,
    };
    log(
      `W3 ${dataset} ${SERVER_LABEL[t.server.id]}: ${m.rate!.toFixed(0)} req/s, median ${m.medianMs!.toFixed(1)} ms, p95 ${m.p95Ms!.toFixed(1)} ms, p99 ${m.p99Ms!.toFixed(1)} ms, ${m.cpuMsPerRequest?.toFixed(2)} server + ${m.dbCpuMsPerRequest?.toFixed(2)} PostgreSQL CPU ms/req, ${m.statementsPerRequest!.toFixed(1)} statements/req${r.failures ? `, ${r.failures} FAILED` : ''}`,
    );
    out.push(m);
  }
  return out;
}

// ---------------------------------------------------------------- W4 and the datasets

const sumRows = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** W4: the seed against COPY of the same generated rows, alternating runs; the last seed is kept as the dataset. */
async function w4(
  db: BenchDatabase,
  o: Options,
  dataset: string,
  perStudy: number,
  keepAs: string,
): Promise<SeedFigures> {
  const seedSeconds: number[] = [];
  const copySeconds: number[] = [];
  let counts: Record<string, number> = {};
  for (let run = 1; run <= o.seedRuns; run++) {
    const copyUrl = await db.createFromTemplate('w4_copy');
    const started = process.hrtime.bigint();
    const copied = await copyLoad(copyUrl, { studies: ALL_STUDIES, participantsPerStudy: perStudy, seed: 42 });
    copySeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    await db.drop('w4_copy');
    const last = run === o.seedRuns;
    const s = await db.createSeeded(last ? keepAs : 'w4_seed', perStudy);
    if (!last) await db.drop('w4_seed');
    seedSeconds.push(s.seconds);
    counts = s.counts;
    if (sumRows(copied) !== sumRows(s.counts))
      throw new Error(`W4: COPY wrote ${sumRows(copied)} rows but the seed ${sumRows(s.counts)}`);
    log(
      `W4 ${dataset} run ${run}: seed ${s.seconds.toFixed(2)} s, COPY ${copySeconds.at(-1)!.toFixed(2)} s for ${sumRows(counts).toLocaleString()} rows`,
    );
  }
  const started = process.hrtime.bigint();
  for (const study of ALL_STUDIES) for (let i = 1; i <= perStudy; i++) generateParticipant(study, i, 42);
  const generateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = sumRows(counts);
  const seedRowsPerSecond = rows / Math.min(...seedSeconds);
  const copyRowsPerSecond = rows / Math.min(...copySeconds);
  return {
    dataset,
    rows,
    rowsPerTable: counts,
    seedSeconds,
    copySeconds,
    generateSeconds,
    seedRowsPerSecond,
    copyRowsPerSecond,
    seedToCopy: seedRowsPerSecond / copyRowsPerSecond,
  };
}

async function onDatabase(url: string, statements: string[]): Promise<void> {
  await withClient(url, async (c) => {
    for (const s of statements) await c.query(s);
  });
}

/**
 * This API's statements per request as PostgreSQL logged them (log_statement = 'all' on the
 * medium database for this check only): one W1 tree, one W2 pull (one request per page), 50 W3 lookups.
 */
async function loggedStatements(db: BenchDatabase, dbName: string, servers: RunningServer[]): Promise<string> {
  await db.admin((c) => c.query(`alter database ${dbName} set log_statement = 'all'`));
  const server = await startServer('thisApi', db.urlOf(dbName));
  servers.push(server);
  try {
    const t: Target = { server };
    const via = agent(1);
    const app = 'bench this-api';
    await post(w3Request(t, 'AOA', 1).url, w3Request(t, 'AOA', 1).body, via); // opens the pool's connection
    const w1Count = await db.statementLog.count(app, async () => {
      const r = w1Request(t);
      await post(r.url, r.body, via);
    });
    let pages = 0;
    const w2Count = await db.statementLog.count(app, async () => {
      pages = (await pull(t, 'AOA', via)).pageMs.length;
    });
    const w3Count = await db.statementLog.count(app, async () => {
      for (let i = 1; i <= 50; i++) {
        const r = w3Request(t, 'AOA', 1 + (i % 20));
        await post(r.url, r.body, via);
      }
    });
    via.destroy();
    const line = `PostgreSQL's own log (log_statement = 'all', medium): this API sent ${w1Count.statements} statement(s) for one W1 tree, ${w2Count.statements} for one W2 pull of ${pages} pages, ${w3Count.statements} for 50 W3 lookups. First W1 line: \`${w1Count.sample[0] ?? '-'}…\``;
    log(line);
    return line;
  } finally {
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    await db.admin((c) => c.query(`alter database ${dbName} reset log_statement`));
  }
}

// ---------------------------------------------------------------- main

function meta(o: Options, argv: string[]): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot() }).toString().trim();
    if (
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot() }).toString().trim()
    )
      commit += '+changes';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    commit,
    options: o,
  };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const o = parseOptions(argv);
  const report: BenchReport = { meta: meta(o, argv), seed: [], measurements: [], notes: [] };
  const servers: RunningServer[] = [];
  let db: BenchDatabase | undefined;
  let stopping = false;
  let succeeded = false;
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => undefined)));
    await db?.stop().catch(() => undefined);
  };
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the servers and the database …`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    db = await startBenchDatabase(log);
    report.meta.postgres = await db.admin(async (c) => (await c.query('show server_version')).rows[0].server_version);
    const datasets: { name: string; db: string; perStudy: number }[] = [
      { name: 'small', db: 'bench_small', perStudy: SAMPLE_SIZES.small },
      { name: 'medium', db: 'bench_medium', perStudy: SAMPLE_SIZES.medium },
      ...(o.size === 'large' ? [{ name: 'large', db: 'bench_large', perStudy: SAMPLE_SIZES.large }] : []),
    ];
    report.meta.datasets = datasets.map((d) => `${d.name} = 3 studies × ${d.perStudy} participants`).join(', ');

    const medium = datasets.find((d) => d.name === 'medium')!;
    if (o.only.has('W4')) {
      log(`W4: seeding medium ${o.seedRuns}× through SeedService and ${o.seedRuns}× with COPY into an empty clone …`);
      report.seed.push(await w4(db, o, 'medium', medium.perStudy, medium.db));
    }
    for (const d of datasets.filter((x) => x !== medium || !o.only.has('W4'))) {
      const s = await db.createSeeded(d.db, d.perStudy);
      log(`seeded ${d.name}: ${sumRows(s.counts).toLocaleString()} rows in ${s.seconds.toFixed(1)} s`);
      if (d.name === 'large') {
        report.seed.push({
          dataset: d.name,
          rows: sumRows(s.counts),
          rowsPerTable: s.counts,
          seedSeconds: [s.seconds],
          copySeconds: [],
          generateSeconds: NaN,
          seedRowsPerSecond: sumRows(s.counts) / s.seconds,
        });
      }
    }
    for (const d of datasets) await onDatabase(db.urlOf(d.db), ['vacuum analyze', ...POSTGRAPHILE_SETUP_SQL]);

    for (const d of datasets) {
      const workloads = (['W1', 'W2', 'W3'] as const).filter(
        (w) => o.only.has(w) && (w === 'W1' || d.name === 'medium'),
      );
      if (workloads.length === 0) continue;
      // Fresh processes for every workload, so each one's peak RSS is its own and not what
      // the previous workload left in the heap.
      for (const w of workloads) {
        log(`${w} ${d.name}: starting this API, PostGraphile 5 and the floor, each in its own process …`);
        const targets: Target[] = [];
        for (const id of ['thisApi', 'postgraphile', 'floor'] as ServerId[]) {
          const server = await startServer(id, db.urlOf(d.db));
          servers.push(server);
          targets.push({ server });
        }
        for (const t of targets) if (t.server.id !== 'floor') t.rootFields = await rootFieldsOf(t);
        if (w === 'W1') report.measurements.push(...(await w1(db, d.db, d.name, targets, o.w1Samples[d.name])));
        if (w === 'W2') report.measurements.push(...(await w2(db, d.db, d.name, targets, o.w2Samples, 'AOA')));
        if (w === 'W3') report.measurements.push(...(await w3(db, d.db, d.name, targets, o, d.perStudy)));
        await Promise.all(servers.splice(0).map((s) => s.stop()));
      }
    }
    if (o.only.has('GROUPS')) {
      // bench/groups.ts: this API's movementCycleGroups against the same GROUP BY through psql.
      const server = await startServer('thisApi', db.urlOf(medium.db));
      servers.push(server);
      const figures = await measureGroups(server.baseUrl, db.urlOf(medium.db), {
        runs: o.quick ? 3 : 15,
        psql: '/usr/bin/psql',
        log,
      });
      report.notes.push(groupsNote(figures));
      await Promise.all(servers.splice(0).map((s) => s.stop()));
    }
    if (o.only.has('W1') && o.only.has('W2') && o.only.has('W3'))
      report.notes.push(await loggedStatements(db, medium.db, servers));
    if (o.size !== 'large')
      report.notes.push('W1 on the large dataset (10× medium) runs with `--size large`; it was not part of this run.');
    report.notes.push(
      "W2 and W3 need the read API of issue 3 (`movementCycles(filter, first, after)`, `participant(study, number)`); where this API's schema lacks the field the row says SKIPPED.",
      'PostGraphile filters cycles by study through a computed column (`movement_cycles_study_name`, `@behavior +filterBy`) the harness adds to the bench database only, and runs with `PgIndexBehaviorsPlugin` disabled so `isOutlier` (unindexed) can be a condition; W3 reaches the participant through `studyByName`.',
      'All three servers share one embedded PostgreSQL 15 on the same 2-core machine as the load generator; run-to-run noise of ±10 % is normal here.',
    );
    succeeded = true;
    return 0;
  } catch (e) {
    if (e instanceof MismatchError) {
      log(`FAILED: the servers do not return the same data; nothing was timed further.\n  ${e.message}`);
      report.notes.push(`RUN FAILED: ${e.message}`);
    } else {
      log(`FAILED: ${(e as Error).stack ?? e}`);
      report.notes.push(`RUN FAILED: ${(e as Error).message}`);
    }
    return 1;
  } finally {
    await cleanup();
    if (report.measurements.length || report.seed.length) {
      const rows = tableRows(report);
      process.stdout.write(
        `\n${consoleTable(rows)}\n${statusNotes(report)
          .map((n) => `  ${n}\n`)
          .join('')}\n`,
      );
      // A failed run never replaces the last good figures.
      const base = succeeded ? 'latest' : 'failed';
      mkdirSync(o.outDir, { recursive: true });
      writeFileSync(join(o.outDir, `${base}.json`), JSON.stringify(report, null, 2) + '\n');
      const beforeFile = join(projectRoot(), 'bench', 'results', 'before-optimization.json');
      const before = existsSync(beforeFile) ? (JSON.parse(readFileSync(beforeFile, 'utf8')) as BenchReport) : undefined;
      writeFileSync(join(o.outDir, `${base}.md`), markdownReport(report, before));
      log(`wrote ${join(o.outDir, `${base}.json`)} and ${base}.md`);
    }
  }
}

if (require.main === module) runMain('bench', main);
