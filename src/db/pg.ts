/**
 * Short-lived plain `pg` connections for work that must not go through the ORM's pool:
 * server-level statements (CREATE DATABASE … TEMPLATE refuses while the pool holds a session
 * on the source), probing a server that may be down, and catalog reads of the operations tools.
 */
import { Client } from 'pg';
import { parseDatabaseUrl, withDatabase } from '../config';

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
      if ((e as { code?: string }).code !== '3D000' || i === candidates.length - 1) throw e;
    }
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
