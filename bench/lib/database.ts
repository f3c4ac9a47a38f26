/**
 * The benchmark's own PostgreSQL: an embedded server in a temporary directory, with
 * pg_stat_statements loaded so every server's SQL can be counted the same way, and a
 * migrated template database that each dataset is cloned from.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../src/config';
import { initORM } from '../../src/context';
import { startEmbedded, type EmbeddedServer } from '../../src/db/embedded';
import type { TableCounts } from '../../src/services/seed/seed';
import { STATEMENT_LOG_SETTINGS, StatementLog } from './statement-log';

export interface SeededDatabase {
  url: string;
  counts: TableCounts;
  seconds: number;
}

export interface BenchDatabase {
  server: EmbeddedServer;
  /** URL of the maintenance database (`postgres`), where pg_stat_statements is queried. */
  adminUrl: string;
  urlOf(database: string): string;
  /** A new database cloned from the migrated, empty template. */
  createFromTemplate(name: string): Promise<string>;
  /**
   * A new database cloned from the template, holding the sample dataset (seed 42) with
   * `participantsPerStudy`: its URL, the rows written per table and the seconds the seed took.
   */
  createSeeded(name: string, participantsPerStudy: number): Promise<SeededDatabase>;
  drop(name: string): Promise<void>;
  admin<T>(fn: (c: Client) => Promise<T>): Promise<T>;
  /** PostgreSQL's own log, to count statements as the server saw them. */
  statementLog: StatementLog;
  stop(): Promise<void>;
}

const TEMPLATE = 'bench_template';

/** `fn` on its own connection to `url`, closed after it. */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function startBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ae-bench-'));
  chmodSync(dir, 0o755); // the server runs as the `postgres` user when we are root
  log(`starting embedded PostgreSQL in ${dir}`);
  const statementLog = new StatementLog();
  const server = await startEmbedded({
    onServerLog: statementLog.onMessage,
    dataDir: join(dir, 'pg'),
    database: 'postgres',
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track': 'top',
      ...STATEMENT_LOG_SETTINGS,
    },
  });
  const adminUrl = server.url;
  const admin = <T>(fn: (c: Client) => Promise<T>): Promise<T> => withClient(adminUrl, fn);
  try {
    await admin(async (c) => {
      await c.query('create extension if not exists pg_stat_statements');
      await c.query(`create database ${TEMPLATE}`);
    });
    const ctx = await initORM({ url: withDatabase(adminUrl, TEMPLATE), applicationName: 'ae-bench' });
    try {
      await ctx.services.migrations.upgrade('head');
    } finally {
      await ctx.close();
    }
  } catch (e) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const createFromTemplate = async (name: string) => {
    await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    await admin((c) => c.query(`create database ${name} template ${TEMPLATE}`));
    return withDatabase(adminUrl, name);
  };
  return {
    server,
    adminUrl,
    urlOf: (database) => withDatabase(adminUrl, database),
    createFromTemplate,
    async createSeeded(name, participantsPerStudy) {
      const url = await createFromTemplate(name);
      log(`seeding ${name}: ${participantsPerStudy} participants per study …`);
      const ctx = await initORM({ url, applicationName: 'ae-bench seed' });
      try {
        const started = process.hrtime.bigint();
        const counts = await ctx.services.seed.seed({ participantsPerStudy, seed: 42 });
        return { url, counts, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
      } finally {
        await ctx.close();
      }
    },
    drop: (name) => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
    admin,
    statementLog,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
