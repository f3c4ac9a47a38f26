/** The results: one JSON document, a markdown table, and the same table on the console. */
import { SERVER_LABEL, type ServerId } from './servers';

export type WorkloadId = 'W1' | 'W2' | 'W3';

export interface Measurement {
  workload: WorkloadId;
  dataset: string;
  server: ServerId;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** Timed requests (W1: trees, W2: full pulls, W3: lookups). */
  samples?: number;
  medianMs?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** CPU time (user + system) the server process spent per timed request (W3), in ms: the load-independent cost. */
  cpuMsPerRequest?: number;
  /** CPU time PostgreSQL's backends spent per timed request (W3), in ms. */
  dbCpuMsPerRequest?: number;
  /** rows/s for W1 and W2, requests/s for W3. */
  rate?: number;
  rateUnit?: 'rows/s' | 'req/s';
  statementsPerRequest?: number;
  peakRssMb?: number;
  rowsPerRequest?: number;
  bytesPerRequest?: number;
  pagesPerRequest?: number;
  failures?: number;
}

export interface SeedFigures {
  dataset: string;
  rows: number;
  rowsPerTable: Record<string, number>;
  /** Seconds of each run, in the order run. */
  seedSeconds: number[];
  copySeconds: number[];
  generateSeconds: number;
  seedRowsPerSecond: number;
  copyRowsPerSecond?: number;
  /** seed rate ÷ COPY rate (the issue asks for at least 1/3). */
  seedToCopy?: number;
}

export interface BenchReport {
  meta: Record<string, unknown>;
  seed: SeedFigures[];
  measurements: Measurement[];
  notes: string[];
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number | undefined) => (n === undefined ? '–' : n >= 100 ? fmt(n) : fmt(n, 1));

/** this API's median latency ÷ another server's, for the same workload and dataset (above 1: this API is slower). */
export function ratio(all: Measurement[], m: Measurement, other: ServerId): number | undefined {
  if (m.server !== 'thisApi' || m.status !== 'ok') return undefined;
  const o = all.find(
    (x) => x.workload === m.workload && x.dataset === m.dataset && x.server === other && x.status === 'ok',
  );
  return o?.medianMs && m.medianMs ? m.medianMs / o.medianMs : undefined;
}

export function tableRows(r: BenchReport): string[][] {
  const header = [
    'Workload',
    'Data',
    'Server',
    'median ms',
    'p95 ms',
    'p99 ms',
    'rate',
    'server CPU ms/req',
    'PostgreSQL CPU ms/req',
    'SQL stmts/req',
    'peak RSS MB',
    'this/PostGraphile',
    'this/floor',
  ];
  const rows = [header];
  for (const m of r.measurements) {
    if (m.status !== 'ok') {
      rows.push([
        m.workload,
        m.dataset,
        SERVER_LABEL[m.server],
        m.status.toUpperCase(),
        ...header.slice(4).map(() => ''),
      ]);
      continue;
    }
    const pg = ratio(r.measurements, m, 'postgraphile');
    const floor = ratio(r.measurements, m, 'floor');
    rows.push([
      m.workload,
      m.dataset,
      SERVER_LABEL[m.server],
      ms(m.medianMs),
      ms(m.p95Ms),
      ms(m.p99Ms),
      `${fmt(m.rate)} ${m.rateUnit}`,
      m.cpuMsPerRequest === undefined ? '' : fmt(m.cpuMsPerRequest, 2),
      m.dbCpuMsPerRequest === undefined ? '' : fmt(m.dbCpuMsPerRequest, 2),
      fmt(m.statementsPerRequest, m.statementsPerRequest !== undefined && m.statementsPerRequest < 10 ? 1 : 0),
      fmt(m.peakRssMb),
      pg === undefined ? '' : `${fmt(pg, 2)}×`,
      floor === undefined ? '' : `${fmt(floor, 2)}×`,
    ]);
  }
  for (const s of r.seed) {
    rows.push([
      'W4 seed',
      s.dataset,
      'this API (SeedService)',
      fmt(Math.min(...s.seedSeconds) * 1000),
      '',
      '',
      `${fmt(s.seedRowsPerSecond)} rows/s`,
      '',
      '',
      '',
      '',
      '',
      s.seedToCopy === undefined ? '' : `${fmt(s.seedToCopy, 2)}× of COPY`,
    ]);
    if (s.copyRowsPerSecond !== undefined) {
      rows.push([
        'W4 seed',
        s.dataset,
        'COPY FROM STDIN',
        fmt(Math.min(...s.copySeconds) * 1000),
        '',
        '',
        `${fmt(s.copyRowsPerSecond)} rows/s`,
        '',
        '',
        '',
        '',
        '',
        '',
      ]);
    }
  }
  return rows;
}

/** Why rows say SKIPPED or FAILED, one line each. */
export function statusNotes(r: BenchReport): string[] {
  return r.measurements
    .filter((m) => m.status !== 'ok')
    .map((m) => `${m.workload} ${m.dataset} ${SERVER_LABEL[m.server]} ${m.status}: ${m.reason ?? ''}`);
}

export function markdownTable(rows: string[][]): string {
  const [header, ...body] = rows;
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i >= 3 ? '---:' : '---'))), ...body.map(line)].join('\n');
}

export function consoleTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/**
 * This API before and after the read-path work of issue 5, from a saved run of the same
 * harness (bench/results/before-optimization.json): W1 rows present in both.
 */
export function beforeAfter(before: BenchReport, after: BenchReport): string[] {
  const lines: string[] = [];
  for (const a of after.measurements) {
    if (a.server !== 'thisApi' || a.status !== 'ok') continue;
    const b = before.measurements.find(
      (x) => x.server === 'thisApi' && x.status === 'ok' && x.workload === a.workload && x.dataset === a.dataset,
    );
    if (!b?.medianMs || !a.medianMs) continue;
    const pgBefore = ratio(before.measurements, b, 'postgraphile');
    const pgAfter = ratio(after.measurements, a, 'postgraphile');
    lines.push(
      `| ${a.workload} | ${a.dataset} | ${ms(b.medianMs)} | ${ms(a.medianMs)} | ${fmt(b.medianMs / a.medianMs, 1)}× | ${fmt(b.peakRssMb)} | ${fmt(a.peakRssMb)} | ` +
        `${pgBefore === undefined ? '–' : `${fmt(pgBefore, 2)}×`} | ${pgAfter === undefined ? '–' : `${fmt(pgAfter, 2)}×`} |`,
    );
  }
  if (lines.length === 0) return [];
  return [
    `## This API before and after the read-path optimisation`,
    '',
    `Before: commit ${before.meta.commit}, ${before.meta.date} (bench/results/before-optimization.md); after: this run. Both runs measured all three servers, so the ratios are within-run.`,
    '',
    '| Workload | Data | median ms before | median ms after | speed-up | peak RSS MB before | after | this/PostGraphile before | after |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    '',
  ];
}

export function markdownReport(r: BenchReport, before?: BenchReport): string {
  const m = r.meta;
  return [
    '# Benchmark results',
    '',
    `Run ${m.date} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, PostgreSQL ${m.postgres}, commit ${m.commit}.`,
    `Command: \`${m.command}\`. Datasets: ${m.datasets}.`,
    '',
    markdownTable(tableRows(r)),
    '',
    '- **median / p95 / p99**: per request (W1: the whole tree; W2: a full pull through every page; W3: one lookup under load). p95 and p99 are nearest-rank over the timed samples.',
    '- **rate**: rows returned per second of median latency (W1, W2; every level of the tree counts), or requests per second completed (W3).',
    "- **server CPU ms/req** (W3): user + system CPU time of the server's process (/proc/PID/stat) over the timed run, divided by the requests it answered: what one lookup costs the server, whatever else the machine is doing. **PostgreSQL CPU ms/req**: the same for the database backends serving that server (pg_stat_activity's pids, /proc).",
    '- **SQL stmts/req**: statements PostgreSQL executed (pg_stat_statements, BEGIN/COMMIT included) divided by timed requests.',
    "- **peak RSS**: the server process's peak resident memory during that workload (VmHWM, reset before each workload).",
    "- **this/PostGraphile, this/floor**: this API's median latency divided by the other's; above 1 means this API is slower. For W4: seed rate as a fraction of COPY's.",
    '',
    ...statusNotes(r).map((n) => `- **${n}**`),
    ...r.notes.map((n) => `- ${n}`),
    '',
    ...(before ? beforeAfter(before, r) : []),
  ].join('\n');
}
