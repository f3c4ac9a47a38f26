/**
 * PgBouncer (Debian's package) in front of a PostgreSQL server, in transaction pooling mode
 * with a small server pool, so that consecutive transactions of one client really do land on
 * different server sessions. As root it runs as the `postgres` user (PgBouncer refuses root).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parseDatabaseUrl } from '../../src/config';
import { freePort } from '../../src/db/embedded';

export const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

export interface PgBouncer {
  port: number;
  /** URL of `database` through PgBouncer, with the server's user and password. */
  url(database: string): string;
  /** A query on PgBouncer's admin console (SHOW POOLS, SHOW STATS, …). */
  admin(command: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** Starts PgBouncer for `serverUrl`'s server and user; every database of it is reachable by name. */
export async function startPgBouncer(
  serverUrl: string,
  o: { poolMode?: 'transaction' | 'session'; poolSize?: number } = {},
): Promise<PgBouncer> {
  if (!PGBOUNCER) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (.ci/run does).');
  const server = parseDatabaseUrl(serverUrl);
  const dir = mkdtempSync(join(tmpdir(), 'ae-pgbouncer-'));
  const port = await freePort();
  const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const files: Record<string, string> = {
    'userlist.txt': `${quoted(server.user)} ${quoted(server.password ?? '')}\n`,
    'pgbouncer.ini':
      [
        '[databases]',
        `* = host=${server.host} port=${server.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        `admin_users = ${server.user}`,
        `pool_mode = ${o.poolMode ?? 'transaction'}`,
        `default_pool_size = ${o.poolSize ?? 3}`,
        'max_client_conn = 500',
        // Only the session pooling reset matters to us; none of it in transaction mode.
        'server_reset_query =',
        'log_connections = 0',
        'log_disconnections = 0',
      ].join('\n') + '\n',
  };
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : {};
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    if (ids.uid !== undefined) chownSync(join(dir, name), ids.uid, ids.gid!);
  }
  const child = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const url = (database: string) =>
    `postgresql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password ?? '')}@127.0.0.1:${port}/${database}`;
  const admin = async (command: string) => {
    const c = new Client({ connectionString: url('pgbouncer') });
    await c.connect();
    try {
      return (await c.query(command)).rows;
    } finally {
      await c.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited with ${child.exitCode}:\n${output.join('')}`);
    }
    try {
      await admin('SHOW VERSION');
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not answer within 15 s (${(e as Error).message}):\n${output.join('')}`);
      }
    }
  }
  return { port, url, admin, stop };
}
