/**
 * Group-by workload: movement cycles grouped by study × knee × maneuver × speed, with
 * avg/stddev/median of durationS, through `movementCycleGroups` over HTTP from the real server
 * (its own process), next to the same GROUP BY run through psql: the floor, PostgreSQL's
 * answer with nothing in between but psql itself. Both answers are compared before timing.
 * Rounds alternate the two clients after one warm-up; the table shows medians.
 *
 *   npm run bench:groups                  the medium dataset, 15 rounds (npm run bench runs it too)
 *   npm run bench:groups -- --runs 5
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SAMPLE_SIZES } from '../src/services/seed/sample-data';
import { toolConnection } from '../src/services/ops/pg-tools';
import { startBenchDatabase, withClient, type BenchDatabase } from './lib/database';
import { startServerProcess, type ServerProcess } from './lib/server-process';
import { OUT_DIR, PSQL, readOptions } from './lib/options';
import { runMain } from './lib/run-main';
import { median } from './lib/stats';

export const GROUPS_WORKLOAD =
  'movement cycles grouped by study × knee × maneuver × speed, with avg/stddev/median of durationS';

export const GROUPS_QUERY = `{ movementCycleGroups(groupBy: [study, knee, maneuver, speed]) {
  key { study knee maneuver speed } count avg { durationS } stddev { durationS } median: percentile(p: 0.5) { durationS } } }`;

export const GROUPS_SQL =
  'select s.name, t.knee, t.maneuver, t.speed, count(*), avg(t.duration_s), stddev_samp(t.duration_s), ' +
  'percentile_cont(0.5) within group (order by t.duration_s) ' +
  'from movement_cycles t join participant p on p.id = t.participant_id join study s on s.id = p.study_id ' +
  'group by 1, 2, 3, 4 order by 1, 2, 3, 4';

type Row = [
  study: string,
  knee: string,
  maneuver: string,
  speed: string | null,
  count: number,
  avg: number | null,
  stddev: number | null,
  median: number | null,
];

async function apiRun(baseUrl: string): Promise<{ ms: number; rows: Row[] }> {
  const started = process.hrtime.bigint();
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: GROUPS_QUERY }),
  });
  const body = (await res.json()) as { data?: { movementCycleGroups: any[] }; errors?: unknown };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!body.data) throw new Error(`movementCycleGroups failed: ${JSON.stringify(body.errors)}`);
  return {
    ms,
    rows: body.data.movementCycleGroups.map((g) => [
      g.key.study,
      g.key.knee,
      g.key.maneuver,
      g.key.speed,
      g.count,
      g.avg.durationS,
      g.stddev.durationS,
      g.median.durationS,
    ]),
  };
}

function psqlRun(psql: string, databaseUrl: string): Promise<{ ms: number; rows: Row[] }> {
  const { dbname, env } = toolConnection(databaseUrl);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(psql, ['-X', '-q', '-A', '-t', '-F', '\t', '--dbname', dbname, '-c', GROUPS_SQL], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`psql exited with ${code}: ${err.trim()}`));
      const num = (v: string) => (v === '' ? null : Number(v));
      const rows = out
        .trim()
        .split('\n')
        .map((line) => {
          const [study, knee, maneuver, speed, count, avg, stddev, med] = line.split('\t');
          return [
            study,
            knee,
            maneuver,
            speed === '' ? null : speed,
            Number(count),
            num(avg),
            num(stddev),
            num(med),
          ] as Row;
        });
      resolve({ ms, rows });
    });
  });
}

/** The first difference between the two answers (floats to 1e-9 relative), or undefined. */
function difference(api: Row[], floor: Row[]): string | undefined {
  if (api.length !== floor.length) return `${api.length} groups from the API, ${floor.length} from psql`;
  for (let i = 0; i < api.length; i++) {
    for (let j = 0; j < api[i].length; j++) {
      const [a, b] = [api[i][j], floor[i][j]];
      const same =
        typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) : a === b;
      if (!same) return `group ${i} column ${j}: API ${JSON.stringify(a)}, psql ${JSON.stringify(b)}`;
    }
  }
  return undefined;
}

export interface GroupsFigures {
  workload: string;
  groups: number;
  cycles: number;
  runs: number;
  apiMs: number;
  psqlMs: number;
  ratio: number;
  /** The statement alone on an open node-postgres connection: no process start, no HTTP, no JSON. */
  statementMs: number;
}

/** Measures the workload on a seeded database with this API's server already running on it. */
export async function measureGroups(
  baseUrl: string,
  databaseUrl: string,
  o: { runs: number; psql: string; log(line: string): void },
): Promise<GroupsFigures> {
  const [api, floor] = [await apiRun(baseUrl), await psqlRun(o.psql, databaseUrl)];
  const diff = difference(api.rows, floor.rows);
  if (diff) throw new Error(`groups: the API and psql disagree: ${diff}`);
  const apiMs: number[] = [];
  const psqlMs: number[] = [];
  const statementMs: number[] = [];
  const direct = new Client({ connectionString: databaseUrl });
  await direct.connect();
  await direct.query(GROUPS_SQL);
  for (let i = 0; i < o.runs; i++) {
    const started = process.hrtime.bigint();
    await direct.query(GROUPS_SQL);
    statementMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    // Alternate which goes first, so neither always meets a warmer cache.
    if (i % 2 === 0) {
      apiMs.push((await apiRun(baseUrl)).ms);
      psqlMs.push((await psqlRun(o.psql, databaseUrl)).ms);
    } else {
      psqlMs.push((await psqlRun(o.psql, databaseUrl)).ms);
      apiMs.push((await apiRun(baseUrl)).ms);
    }
  }
  await direct.end();
  const figures: GroupsFigures = {
    workload: GROUPS_WORKLOAD,
    groups: api.rows.length,
    cycles: api.rows.reduce((n, r) => n + r[4], 0),
    runs: o.runs,
    apiMs: median(apiMs),
    psqlMs: median(psqlMs),
    ratio: median(apiMs) / median(psqlMs),
    statementMs: median(statementMs),
  };
  o.log(
    `groups: ${figures.groups} groups over ${figures.cycles} cycles; API ${figures.apiMs.toFixed(1)} ms, psql ${figures.psqlMs.toFixed(1)} ms (median of ${o.runs}), ratio ${figures.ratio.toFixed(2)}×; the statement alone ${figures.statementMs.toFixed(1)} ms`,
  );
  return figures;
}

/** One line for `npm run bench`'s notes. */
export function groupsNote(f: GroupsFigures): string {
  return (
    `Groups, ${f.workload} (medium, ${f.groups} groups, medians of ${f.runs}): this API ${f.apiMs.toFixed(1)} ms, ` +
    `the same GROUP BY through psql ${f.psqlMs.toFixed(1)} ms (ratio ${f.ratio.toFixed(2)}×), the bare statement ${f.statementMs.toFixed(1)} ms (bench/groups.ts).`
  );
}

export function groupsMarkdown(f: GroupsFigures): string {
  return [
    `### ${f.workload}`,
    '',
    `${f.groups} groups over ${f.cycles.toLocaleString('en')} cycles, medians of ${f.runs} alternating runs, answers compared before timing.`,
    '',
    '| Client | Median ms | Ratio |',
    '|---|---:|---:|',
    `| HTTP \`movementCycleGroups\` (this API) | ${f.apiMs.toFixed(1)} | ${f.ratio.toFixed(2)}× |`,
    `| psql, the same GROUP BY | ${f.psqlMs.toFixed(1)} | 1.00× |`,
    `| the same GROUP BY alone, on an open node-postgres connection | ${f.statementMs.toFixed(1)} | ${(f.statementMs / f.psqlMs).toFixed(2)}× |`,
    '',
  ].join('\n');
}

const log = (line: string) => process.stderr.write(`[bench:groups] ${line}\n`);

const OPTIONS = {
  runs: { kind: 'int', default: 15, max: 100, help: 'timed rounds of each client after the warm-up' },
  psql: PSQL,
  out: OUT_DIR,
} as const;

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { runs, psql, out } = readOptions('npm run bench:groups --', argv, OPTIONS);
  let db: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  try {
    db = await startBenchDatabase(log);
    const { url } = await db.createSeeded('bench_groups', SAMPLE_SIZES.medium);
    await withClient(url, (c) => c.query('vacuum analyze'));
    server = await startServerProcess(url, join(db.server.dataDir, '..', 'groups-server.log'));
    const figures = await measureGroups(server.baseUrl, url, { runs, psql, log });
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'groups-latest.json'),
      JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, ...figures }, null, 2) + '\n',
    );
    writeFileSync(
      join(out, 'groups-latest.md'),
      `# Group-by benchmark\n\n${new Date().toISOString()}, ${cpus().length} CPUs, \`npm run bench:groups\` (medium dataset, seed 42).\n\n${groupsMarkdown(figures)}\n` +
        "Both clients run on the same machine as the server and its embedded PostgreSQL 15; psql's time includes its own start and connection, " +
        "the API's an HTTP request on a kept-alive pool, its compile and the same GROUP BY in one statement that also writes the JSON.\n",
    );
    log(`wrote ${join(out, 'groups-latest.md')}`);
    return 0;
  } finally {
    await server?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
  }
}

if (require.main === module) runMain('bench:groups', main);
