/**
 * Which database a command talks to: `--url`, then (with `--test`) AE_TEST_DATABASE_URL or
 * the main URL's name + `_test`, then AE_DATABASE_URL, then the embedded server.
 */
import { type AppConfig, deriveTestUrl, maskUrl, normalizeDatabaseUrl, withDatabase } from '../config';
import { EMBEDDED_DATABASE, type EmbeddedServer, ensureDatabase, startEmbedded, runningEmbedded } from './embedded';

export interface TargetOptions {
  url?: string;
  test?: boolean;
  /** Create the database on the server when it does not exist yet (embedded always does). */
  createDatabase?: boolean;
  /** Reuse an embedded server another process (a running `npm start`) already owns. */
  attachToRunning?: boolean;
  log?: (line: string) => void;
}

export interface ResolvedTarget {
  url: string;
  /** For messages: where the URL came from. */
  source: string;
  embedded?: EmbeddedServer;
  /** Stop what this resolution started (the embedded server), if anything. */
  release(): Promise<void>;
}

export async function resolveTarget(config: AppConfig, o: TargetOptions = {}): Promise<ResolvedTarget> {
  const done = async () => {};
  if (o.url) return { url: normalizeDatabaseUrl(o.url), source: '--url', release: done };
  if (o.test && config.testDatabaseUrl)
    return { url: config.testDatabaseUrl, source: 'AE_TEST_DATABASE_URL', release: done };
  if (o.test && config.databaseUrl) {
    return { url: deriveTestUrl(config.databaseUrl), source: 'AE_DATABASE_URL + _test', release: done };
  }
  if (config.databaseUrl) return { url: config.databaseUrl, source: 'AE_DATABASE_URL', release: done };

  const database = o.test ? `${EMBEDDED_DATABASE}_test` : EMBEDDED_DATABASE;
  const running = o.attachToRunning ? runningEmbedded(config.embeddedDataDir) : undefined;
  if (running) {
    const url = withDatabase(running, database);
    await ensureDatabase(url);
    return { url, source: `embedded (running, ${config.embeddedDataDir})`, release: done };
  }
  const embedded = await startEmbedded({
    dataDir: config.embeddedDataDir,
    port: config.embeddedPort,
    database,
    log: o.log,
  });
  return {
    url: embedded.url,
    source: `embedded (${config.embeddedDataDir})`,
    embedded,
    release: () => embedded.stop(),
  };
}

export function describeTarget(t: Pick<ResolvedTarget, 'url' | 'source'>): string {
  return `${maskUrl(t.url)} (${t.source})`;
}
