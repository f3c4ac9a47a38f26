/**
 * `npm run bench:parallel`: 8 clients ask the real server (`dist/src/server.js`, default
 * limits) for the whole W1 tree at the same moment, as in issue 12's scenario, and the
 * server's peak resident memory is read from /proc (VmHWM, reset before each round). Each
 * round reports how many trees were sent (HTTP 200), how many were told to come back later
 * (503 SERVER_BUSY with Retry-After, after AE_HEAVY_WAIT_MS), and the peak RSS next to the
 * RSS before the round and the peak of one tree alone.
 *
 *   npm run bench:parallel                    medium dataset (3 × 100 participants)
 *   npm run bench:parallel -- --size large    large dataset (3 × 1000 participants), AE_MAX_ROWS raised
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/config';
import { SAMPLE_SIZES } from '../src/services/seed/sample-data';
import { startBenchDatabase } from './lib/database';
import { procStatusMb, resetPeak, startServerProcess } from './lib/server-process';
import { agent, post } from './lib/http';
import { readOptions } from './lib/options';
import { runMain } from './lib/run-main';
import { W1_QUERY } from './workloads';

const log = (line: string) => process.stdout.write(`[parallel] ${line}\n`);

interface Round {
  clients: number;
  sent: number;
  busy: number;
  other: number[];
  rssBeforeMb: number;
  peakRssMb: number;
  seconds: number;
}

const OPTIONS = {
  size: { kind: 'choice', choices: ['medium', 'large'], default: 'medium', help: 'sample dataset' },
} as const;

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { size } = readOptions('npm run bench:parallel --', argv, OPTIONS);
  const db = await startBenchDatabase(log);
  try {
    const { url, counts } = await db.createSeeded('bench_parallel', SAMPLE_SIZES[size]);
    log(
      `seeded ${size}: ${Object.values(counts)
        .reduce((a, b) => a + b, 0)
        .toLocaleString()} rows`,
    );
    const outDir = join(projectRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    // The large tree holds about 800,000 rows: over the default AE_MAX_ROWS, and slower than the default read timeout.
    const env: Record<string, string> =
      size === 'large' ? { AE_MAX_ROWS: '2000000', AE_QUERY_TIMEOUT_MS: '600000' } : { AE_QUERY_TIMEOUT_MS: '600000' };
    mkdirSync(join(outDir, 'tmp'), { recursive: true });
    const server = await startServerProcess(url, join(outDir, 'tmp', `parallel-${size}-server.log`), env);
    try {
      const target = `${server.baseUrl}/graphql`;
      const body = { query: W1_QUERY.thisApi };
      const via = agent(16);
      await post(target, body, via); // warm-up
      const rounds: Round[] = [];
      for (const clients of [1, 8]) {
        const rssBeforeMb = procStatusMb(server.pid, 'VmRSS') ?? NaN;
        resetPeak(server.pid);
        const started = process.hrtime.bigint();
        const results = await Promise.all(Array.from({ length: clients }, () => post(target, body, via)));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const round: Round = {
          clients,
          sent: results.filter((r) => r.status === 200).length,
          busy: results.filter((r) => r.status === 503).length,
          other: results.filter((r) => r.status !== 200 && r.status !== 503).map((r) => r.status),
          rssBeforeMb,
          peakRssMb: procStatusMb(server.pid, 'VmHWM') ?? NaN,
          seconds,
        };
        rounds.push(round);
        log(
          `${clients} parallel trees: ${round.sent} sent, ${round.busy} × 503 SERVER_BUSY, peak RSS ${round.peakRssMb.toFixed(0)} MB (${round.rssBeforeMb.toFixed(0)} MB before), ${seconds.toFixed(1)} s`,
        );
      }
      via.destroy();
      const lines = [
        `# ${rounds[1].clients} parallel W1 trees (${size})`,
        '',
        `Run ${new Date().toISOString()}, command \`npm run bench:parallel${size === 'large' ? ' -- --size large' : ''}\`, the real server with the default AE_HEAVY_ROWS (10,000), AE_MAX_HEAVY_REQUESTS (2) and AE_HEAVY_WAIT_MS (10 s).`,
        '',
        '| parallel clients | sent (200) | 503 SERVER_BUSY | other | RSS before MB | peak RSS MB | added MB | wall s |',
        '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
        ...rounds.map(
          (r) =>
            `| ${r.clients} | ${r.sent} | ${r.busy} | ${r.other.join(', ') || '-'} | ${r.rssBeforeMb.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${(r.peakRssMb - r.rssBeforeMb).toFixed(0)} | ${r.seconds.toFixed(1)} |`,
        ),
        '',
      ];
      writeFileSync(join(outDir, `parallel-${size}-latest.md`), lines.join('\n'));
      log(`wrote bench/results/parallel-${size}-latest.md`);
    } finally {
      await server.stop();
    }
  } finally {
    await db.stop();
  }
}

if (require.main === module) runMain('bench:parallel', main);
