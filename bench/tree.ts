/**
 * `npm run bench:tree -- [--participants 30] [--runs 20] [--url postgresql://…]`
 *
 * Seeds 3 studies × N participants into a throwaway database (a temporary embedded
 * PostgreSQL unless --url names a server; the database `ae_bench_tree` is created there
 * and dropped afterwards), serves the API on PORT (default 4101), and reports, for the
 * 5-level tree study → participants → audioProcessings → synchronizations →
 * movementCycles over HTTP: statements per request and latency (median, p90), plus the
 * time to page every movement cycle into memory 10,000 at a time.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, withDatabase } from '../src/config';
import { initORM } from '../src/context';
import { startApp } from '../src/app';
import { startEmbedded, ensureDatabase, type EmbeddedServer } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { readOptions } from './lib/options';
import { runMain } from './lib/run-main';

const TREE = `{ studies { name participants { participantNumber audioProcessings { knee maneuver
  synchronizations { passNumber speed movementCycles { cycleIndex isOutlier durationS } } } } } }`;

const PAGE = `query($after: String) { movementCycles(first: 10000, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id participantId synchronizationId knee maneuver speed passNumber cycleIndex isOutlier startTimeS durationS } } }`;

const OPTIONS = {
  participants: { kind: 'int', default: 30, max: 10_000, help: 'participants per study' },
  runs: { kind: 'int', default: 20, max: 10_000, help: 'requests of the tree' },
  url: { kind: 'string', value: 'URL', help: 'a PostgreSQL server to work on (default: a temporary embedded one)' },
} as const;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Statements PostgreSQL receives while `fn` runs (counted at the driver, like the tests do). */
async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const original = Client.prototype.query;
  let statements = 0;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    statements++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    return { result: await fn(), statements };
  } finally {
    Client.prototype.query = original;
  }
}

async function main(): Promise<void> {
  const { participants, runs, url: given } = readOptions('npm run bench:tree --', process.argv.slice(2), OPTIONS);
  const port = Number(process.env.PORT ?? 4101);
  const log = (line: string) => console.log(line);

  let embedded: EmbeddedServer | undefined;
  let tmp: string | undefined;
  let serverUrl = given ?? '';
  if (!serverUrl) {
    tmp = mkdtempSync(join(tmpdir(), 'ae-bench-'));
    chmodSync(tmp, 0o755); // the server runs as `postgres` when we are root
    embedded = await startEmbedded({ dataDir: join(tmp, 'pg'), database: 'postgres' });
    serverUrl = embedded.url;
  }
  const url = withDatabase(serverUrl, 'ae_bench_tree');
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query('drop database if exists ae_bench_tree with (force)');
  await ensureDatabase(url);

  const ctx = await initORM({ config: loadConfig(), url, applicationName: 'ae-graphql bench' });
  try {
    await ctx.services.migrations.upgrade('head');
    const seeded = await ctx.services.seed.seed({ participantsPerStudy: participants });
    log(
      `dataset: 3 studies × ${participants} participants = ${Object.entries(seeded)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')}`,
    );
    // Request logs would drown the figures; warnings and errors still show.
    const app = await startApp(ctx, port, '127.0.0.1', { logger: createLogger('warn') });
    try {
      const post = async (query: string, variables?: object) => {
        const res = await fetch(app.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        const text = await res.text();
        const body = JSON.parse(text);
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return { body, bytes: text.length };
      };

      for (let i = 0; i < 3; i++) await post(TREE); // warm up JIT, pool and caches
      const latencies: number[] = [];
      const statements = new Set<number>();
      let cycles = 0;
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const { result, statements: n } = await countStatements(() => post(TREE));
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statements.add(n);
        bytes = result.bytes;
        cycles = 0;
        for (const s of result.body.data.studies)
          for (const p of s.participants)
            for (const a of p.audioProcessings) for (const y of a.synchronizations) cycles += y.movementCycles.length;
      }
      latencies.sort((a, b) => a - b);
      log(
        `5-level tree over HTTP, ${runs} runs: ${cycles} cycles, ${(bytes / 1e6).toFixed(1)} MB of JSON per response`,
      );
      log(`  statements per request: ${[...statements].join(', ')}`);
      log(
        `  latency: median ${ms(percentile(latencies, 0.5))}, p90 ${ms(percentile(latencies, 0.9))}, min ${ms(latencies[0])}, max ${ms(latencies.at(-1)!)}`,
      );

      const started = process.hrtime.bigint();
      let after: string | null = null;
      let pages = 0;
      let rows = 0;
      const { statements: pageStatements } = await countStatements(async () => {
        for (;;) {
          const { body } = await post(PAGE, { after });
          pages++;
          rows += body.data.movementCycles.nodes.length;
          if (!body.data.movementCycles.pageInfo.hasNextPage) break;
          after = body.data.movementCycles.pageInfo.endCursor;
        }
      });
      const total = Number(process.hrtime.bigint() - started) / 1e6;
      log(
        `paging all movementCycles (11 fields) 10,000 per page: ${rows} rows in ${pages} pages, ${pageStatements} statements, ` +
          `${ms(total)} (${ms(total / pages)} per page)`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await ctx.close();
    await admin.query('drop database if exists ae_bench_tree with (force)');
    await admin.end();
    await embedded?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) runMain('bench:tree', main);
