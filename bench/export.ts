/**
 * Export benchmark: every movement_cycles row as CSV over HTTP from the real server
 * (`dist/src/server.js` in its own process, on its own embedded PostgreSQL), next to psql's
 * `\copy movement_cycles to stdout with csv header` of the same rows: the floor, PostgreSQL's
 * COPY straight to a client with nothing in between. NDJSON over HTTP is measured too.
 *
 * Per run: wall time (request sent → last byte), time to first byte, rows, bytes, and for
 * the server its peak resident memory during the run (VmHWM from /proc, reset before each
 * run by writing 5 to /proc/PID/clear_refs). A warm-up round is not counted; the rounds
 * after it alternate the clients, and the table shows medians.
 *
 *   npm run bench:export                          medium dataset (3 studies × 100 participants), 5 rounds
 *   npm run bench:export -- --size small --runs 3
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SAMPLE_SIZES } from '../src/services/seed/sample-data';
import { toolConnection } from '../src/services/ops/pg-tools';
import { startBenchDatabase, type BenchDatabase } from './lib/database';
import { procStatusMb, resetPeak, startServerProcess, type ServerProcess } from './lib/server-process';
import { OUT_DIR, PSQL, readOptions } from './lib/options';
import { runMain } from './lib/run-main';
import { median } from './lib/stats';

const OPTIONS = {
  size: { kind: 'choice', choices: ['small', 'medium'], default: 'medium', help: 'sample dataset' },
  runs: { kind: 'int', default: 5, max: 50, help: 'timed rounds after the warm-up round' },
  psql: PSQL,
  out: OUT_DIR,
} as const;

const log = (line: string) => process.stderr.write(`[bench:export] ${line}\n`);

// ---------------------------------------------------------------------------------------
// The server, in its own process so its memory is its own

// ---------------------------------------------------------------------------------------
// One run: bytes, rows (lines after the header) and a digest of everything received

interface Run {
  ms: number;
  firstByteMs: number;
  bytes: number;
  rows: number;
  sha256: string;
  /** The server's resident memory just before the run, and its peak during it (HTTP runs only). */
  rssBeforeMb?: number;
  peakRssMb?: number;
  /** Everything received, when asked for (the warm-up round, to compare contents). */
  body?: Buffer;
}

class Tally {
  bytes = 0;
  newlines = 0;
  firstByteAt: bigint | undefined;
  private readonly hash = createHash('sha256');
  private readonly chunks: Buffer[] | undefined;
  /** `headerLines`: 1 for CSV, 0 for NDJSON. */
  constructor(
    private readonly headerLines: number,
    keep: boolean,
  ) {
    this.chunks = keep ? [] : undefined;
  }
  add(chunk: Buffer) {
    this.firstByteAt ??= process.hrtime.bigint();
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.newlines++;
    this.hash.update(chunk);
    this.chunks?.push(chunk);
  }
  finish(started: bigint, extra: Partial<Run> = {}): Run {
    const ms = (t: bigint) => Number(t - started) / 1e6;
    const now = process.hrtime.bigint();
    return {
      ms: ms(now),
      firstByteMs: ms(this.firstByteAt ?? now),
      bytes: this.bytes,
      rows: this.newlines - this.headerLines,
      sha256: this.hash.digest('hex'),
      body: this.chunks && Buffer.concat(this.chunks),
      ...extra,
    };
  }
}

/** GET the export; the server's peak RSS is taken from a window reset just before the request. */
function httpRun(url: string, pid: number, keep: boolean): Promise<Run> {
  const rssBeforeMb = procStatusMb(pid, 'VmRSS');
  resetPeak(pid);
  return new Promise((resolve, reject) => {
    const tally = new Tally(url.endsWith('.csv') ? 1 : 0, keep);
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      res.on('data', (chunk: Buffer) => tally.add(chunk));
      res.once('error', reject);
      res.once('end', () => {
        // A response cut short by the server ends without `complete`.
        if (!res.complete) reject(new Error(`GET ${url}: the response was cut short`));
        else resolve(tally.finish(started, { rssBeforeMb, peakRssMb: procStatusMb(pid, 'VmHWM') }));
      });
    });
    req.setTimeout(600_000, () => req.destroy(new Error(`GET ${url}: no answer within 600 s`)));
    req.once('error', reject);
  });
}

function psqlRun(psql: string, databaseUrl: string, keep: boolean): Promise<Run> {
  const { dbname, env } = toolConnection(databaseUrl);
  return new Promise((resolve, reject) => {
    const tally = new Tally(1, keep);
    const started = process.hrtime.bigint();
    // PGTZ=UTC: the export's session is in UTC too, so timestamptz columns print the same.
    const child = spawn(
      psql,
      ['-X', '-q', '--dbname', dbname, '-c', '\\copy movement_cycles to stdout with csv header'],
      {
        env: { ...env, PGTZ: 'UTC' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => tally.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(tally.finish(started)) : reject(new Error(`psql exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

// ---------------------------------------------------------------------------------------

/** How the HTTP CSV compares with psql's: the same bytes, or the same lines in another order. */
function compareCsv(http: Buffer, psql: Buffer): string {
  if (http.equals(psql))
    return `is byte-for-byte identical to psql's output (sha256 ${createHash('sha256').update(http).digest('hex').slice(0, 16)}…)`;
  const lines = (b: Buffer) => b.toString('utf8').split('\n');
  const [a, b] = [lines(http), lines(psql)];
  const sameHeader = a[0] === b[0];
  const sorted = (xs: string[]) => xs.slice(1).sort().join('\n');
  if (sameHeader && sorted(a) === sorted(b)) {
    return "has the same header and the same lines as psql's output, in id order (psql's `\\copy` of the table sends them in storage order)";
  }
  return `DIFFERS from psql's output (${a.length - 1} vs ${b.length - 1} lines, header ${sameHeader ? 'same' : 'different'})`;
}

type ClientId = 'csv' | 'ndjson' | 'psql';
const LABEL: Record<ClientId, string> = {
  csv: 'HTTP `GET /export/movement_cycles.csv`',
  ndjson: 'HTTP `GET /export/movement_cycles.ndjson`',
  psql: 'psql `\\copy movement_cycles to stdout with csv header`',
};

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const o = readOptions('npm run bench:export --', argv, OPTIONS);
  let db: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  try {
    db = await startBenchDatabase(log);
    const { url, counts: seeded } = await db.createSeeded('bench_export', SAMPLE_SIZES[o.size]);
    const sql = new Client({ connectionString: url });
    await sql.connect();
    const expectedRows = Number((await sql.query('select count(*) n from movement_cycles')).rows[0].n);
    const tableMb =
      Number((await sql.query(`select pg_total_relation_size('movement_cycles') b`)).rows[0].b) / 1024 / 1024;
    const pgVersion = (await sql.query('show server_version')).rows[0].server_version;
    await sql.query('vacuum analyze movement_cycles');
    await sql.end();
    log(
      `${expectedRows.toLocaleString('en')} cycles (${seeded.movement_cycles.toLocaleString('en')} written by the seed), table ${tableMb.toFixed(0)} MB`,
    );

    mkdirSync(o.out, { recursive: true });
    const logFile = join(db.server.dataDir, '..', 'server.log');
    server = await startServerProcess(url, logFile);
    const pid = server.pid;
    const rssAtStartMb = procStatusMb(pid, 'VmRSS')!;
    const peakResettable = resetPeak(pid);
    log(
      `server pid ${pid} up, RSS ${rssAtStartMb.toFixed(0)} MB${peakResettable ? '' : ' (VmHWM cannot be reset here: peaks are since start)'}`,
    );

    const run: Record<ClientId, (keep?: boolean) => Promise<Run>> = {
      csv: (keep = false) => httpRun(`${server!.baseUrl}/export/movement_cycles.csv`, pid, keep),
      ndjson: (keep = false) => httpRun(`${server!.baseUrl}/export/movement_cycles.ndjson`, pid, keep),
      psql: (keep = false) => psqlRun(o.psql, url, keep),
    };
    const clients: ClientId[] = ['csv', 'ndjson', 'psql'];
    const runs: Record<ClientId, Run[]> = { csv: [], ndjson: [], psql: [] };
    log('warm-up round …');
    const warm: Partial<Record<ClientId, Run>> = {};
    for (const id of clients) warm[id] = await run[id](id !== 'ndjson');
    const sameContent = compareCsv(warm.csv!.body!, warm.psql!.body!);
    delete warm.csv!.body;
    delete warm.psql!.body;
    for (let r = 0; r < o.runs; r++) {
      // Alternate who goes first, so no client always runs right after another's cache effects.
      const order = r % 2 === 0 ? clients : [...clients].reverse();
      for (const id of order) runs[id].push(await run[id]());
      log(`round ${r + 1}/${o.runs}: ${clients.map((id) => `${id} ${runs[id].at(-1)!.ms.toFixed(0)} ms`).join(', ')}`);
    }
    const rssAtEndMb = procStatusMb(pid, 'VmRSS')!;
    const peakSinceStartMb = peakResettable ? undefined : procStatusMb(pid, 'VmHWM');
    const exitCode = await server.stop();
    server = undefined;

    // Every run of a client must have returned every row, and the same bytes each time.
    const problems: string[] = [];
    for (const id of clients) {
      for (const x of [warm[id]!, ...runs[id]])
        if (x.rows !== expectedRows) problems.push(`${id}: ${x.rows} rows, expected ${expectedRows}`);
      if (new Set([warm[id]!, ...runs[id]].map((x) => x.sha256)).size !== 1)
        problems.push(`${id}: runs differ in content`);
    }

    const row = (id: ClientId) => {
      const xs = runs[id];
      const ms = median(xs.map((x) => x.ms));
      const bytes = xs[0].bytes;
      const server = (f: (x: Run) => number | undefined, agg: (v: number[]) => number) =>
        id === 'psql' ? '' : fmt(agg(xs.map((x) => f(x) ?? NaN)));
      const before = server((x) => x.rssBeforeMb, median);
      const peak = server((x) => x.peakRssMb, median);
      const peakMax = server(
        (x) => x.peakRssMb,
        (v) => Math.max(...v),
      );
      return `| ${LABEL[id]} | ${xs.length} | ${fmt(ms)} | ${fmt(Math.min(...xs.map((x) => x.ms)))}–${fmt(Math.max(...xs.map((x) => x.ms)))} | ${fmt(median(xs.map((x) => x.firstByteMs)), 1)} | ${fmt(xs[0].rows)} | ${fmt(bytes / 1024 / 1024, 1)} | ${fmt(bytes / 1024 / 1024 / (ms / 1000), 0)} | ${fmt(xs[0].rows / (ms / 1000))} | ${before} | ${peak} | ${peakMax} | ${id === 'psql' ? '1.00×' : `${(ms / median(runs.psql.map((x) => x.ms))).toFixed(2)}×`} |`;
    };
    const md = [
      `# Export benchmark: every movement_cycles row, ${o.size} dataset`,
      '',
      `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB · Node ${process.version} · PostgreSQL ${pgVersion} (embedded, same machine) · command: \`npm run bench:export${argv.length ? ` -- ${argv.join(' ')}` : ''}\``,
      '',
      `Dataset: ${o.size} = 3 studies × ${SAMPLE_SIZES[o.size]} participants, ${fmt(expectedRows)} movement cycles (table ${tableMb.toFixed(0)} MB with indexes and TOAST). ${o.runs} timed rounds after one warm-up round; medians.`,
      '',
      '| client | runs | median ms | min–max ms | first byte ms | rows | MB | MB/s | rows/s | server RSS before MB | server peak RSS MB (median) | (max) | time vs psql |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...clients.map(row),
      '',
      `- **server RSS**: the server process's VmRSS just before each run, and its VmHWM during the run, ${peakResettable ? 'reset to the current RSS before each run (5 → /proc/PID/clear_refs)' : `NOT resettable here (peak since start: ${fmt(peakSinceStartMb ?? NaN)} MB)`}; a peak at the RSS before means the export grew nothing. Server RSS at start (after "ready", before any request): ${rssAtStartMb.toFixed(0)} MB; at the end: ${rssAtEndMb.toFixed(0)} MB. psql runs outside the server.`,
      "- **wall time**: request sent (or psql started) to last byte read, on loopback; the client process counts, hashes and discards the bytes. psql's time includes starting psql and connecting; the HTTP export's includes its own PostgreSQL connection.",
      `- **same rows**: every run returned ${fmt(expectedRows)} rows (\`count(*)\`)${problems.length ? ' — NOT: see below' : ''}; the HTTP CSV ${sameContent}.`,
      `- Server exit code after SIGTERM: ${exitCode}.`,
      ...(problems.length ? ['', 'Problems:', ...problems.map((p) => `- ${p}`)] : []),
    ].join('\n');
    process.stdout.write(`${md}\n`);
    writeFileSync(join(o.out, 'export-latest.md'), `${md}\n`);
    log(`wrote ${join(o.out, 'export-latest.md')}`);
    return problems.length === 0 && exitCode === 0 ? 0 : 1;
  } finally {
    await server?.stop().catch(() => undefined);
    await db?.stop().catch(() => undefined);
  }
}

if (require.main === module) runMain('bench:export', main);
