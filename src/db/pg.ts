/**
 * Short-lived plain `pg` connections for work that must not go through the ORM's pool:
 * server-level statements (CREATE DATABASE … TEMPLATE refuses while the pool holds a session
 * on the source), probing a server that may be down, and catalog reads of the operations tools.
 */
import { Client } from 'pg';
import { parseDatabaseUrl, withDatabase } from '../config';
import { SQLSTATE } from './sqlstate';

export interface ClientOptions {
  connectTimeoutMs?: number;
  applicationName?: string;
}

export async function connectClient(url: string, o: ClientOptions = {}): Promise<Client> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000,
    application_name: o.applicationName ?? 'ae-db',
  });
  // A server that goes away mid-session emits 'error' on the client; the failing query reports it.
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>, o: ClientOptions = {}): Promise<T> {
  const client = await connectClient(url, o);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `fn` connected to a maintenance database of the same server (`postgres`, else
 * `template1`), never to `avoid` itself: statements about a database must not hold a session on it.
 */
export async function withMaintenanceClient<T>(
  url: string,
  fn: (c: Client) => Promise<T>,
  avoid = parseDatabaseUrl(url).database,
  o: ClientOptions = {},
): Promise<T> {
  const candidates = ['postgres', 'template1'].filter((d) => d !== avoid);
  let client: Client | undefined;
  for (let i = 0; !client; i++) {
    try {
      client = await connectClient(withDatabase(url, candidates[i]), o);
    } catch (e) {
      // Only "that maintenance database does not exist" moves on to the next candidate.
      if ((e as { code?: string }).code !== SQLSTATE.invalid_catalog_name || i === candidates.length - 1) throw e;
    }
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** What the pool exposes: tarn's public acquire/release events. */
interface PoolEvents {
  on(event: 'acquireSuccess', fn: (eventId: number, resource: unknown) => void): void;
  on(event: 'release', fn: (resource: unknown) => void): void;
}

/**
 * Keeps the backend pids of the pool's connections that are checked out, so that closing
 * the pool after the shutdown grace period can cancel what is still running: knex's destroy
 * waits for every checked-out connection, and a statement blocked on a lock would otherwise
 * hold the process until the hard stop. A cancelled statement fails, its transaction rolls
 * back and the connection comes back, so a write in flight is never half-applied.
 */
export function trackCheckedOut(pool: PoolEvents | undefined): () => number[] {
  const inUse = new Set<{ processID?: number }>();
  pool?.on('acquireSuccess', (_id, resource) => inUse.add(resource as { processID?: number }));
  pool?.on('release', (resource) => inUse.delete(resource as { processID?: number }));
  return () => [...inUse].map((c) => c.processID).filter((pid): pid is number => typeof pid === 'number');
}

/** Cancels the current statement of each backend (our own sessions; no privileges needed). */
export async function cancelBackends(url: string, pids: number[]): Promise<void> {
  if (!pids.length) return;
  await withClient(url, (c) => c.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]), {
    connectTimeoutMs: 2_000,
    applicationName: 'ae-graphql shutdown',
  });
}
