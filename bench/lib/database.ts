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
import { STATEMENT_LOG_SETTINGS, StatementLog } from './statement-log';

export interface BenchDatabase {
  server: EmbeddedServer;
  /** URL of the maintenance database (`postgres`), where pg_stat_statements is queried. */
  adminUrl: string;
  urlOf(database: string): string;
  /** A new database cloned from the migrated, empty template. */
  createFromTemplate(name: string): Promise<string>;
  drop(name: string): Promise<void>;
  admin<T>(fn: (c: Client) => Promise<T>): Promise<T>;
  /** PostgreSQL's own log, to count statements as the server saw them. */
  statementLog: StatementLog;
  stop(): Promise<void>;
}

const TEMPLATE = 'bench_template';

export async function startBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ae-bench-'));
  chmodSync(dir, 0o755); // the server runs as the `postgres` user when we are root
  log(`starting embedded PostgreSQL in ${dir}`);
  const statementLog = new StatementLog();
  const server = await startEmbedded({
    onServerLog: statementLog.onMessage,
    dataDir: join(dir, 'pg'),
    database: 'postgres',
    settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top', ...STATEMENT_LOG_SETTINGS },
  });
  const adminUrl = server.url;
  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
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
  return {
    server,
    adminUrl,
    urlOf: (database) => withDatabase(adminUrl, database),
    async createFromTemplate(name) {
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
      await admin((c) => c.query(`create database ${name} template ${TEMPLATE}`));
      return withDatabase(adminUrl, name);
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
