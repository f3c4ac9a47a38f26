/**
 * Configuration: the process environment first, then `.env.local`, then `.env`
 * (the predecessor's convention), so a value exported in the shell always wins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { parse as parseConnectionString } from 'pg-connection-string';

export interface DatabaseTarget {
  /** libpq-style URL (`postgresql://user:pass@host:port/db`), normalised from any accepted form. */
  url: string;
  /** Where it came from, for messages: `AE_DATABASE_URL`, `--url`, `embedded`, … */
  source: string;
}

export interface ParsedDatabaseUrl {
  user: string;
  password?: string;
  /** A host name or address, or the directory of a Unix socket (`?host=/var/run/postgresql`). */
  host: string;
  port: number;
  database: string;
}

/** Parse a `.env` file with dotenv's own parser (quotes, `# comments`, `export `, multi-line values). */
export function parseDotenv(text: string): Record<string, string> {
  return dotenv.parse(text);
}

/** The effective environment: process env over `.env.local` over `.env` in `dir`. */
export function loadEnv(dir = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  for (const file of ['.env', '.env.local']) {
    const path = resolve(dir, file);
    if (existsSync(path)) Object.assign(merged, parseDotenv(readFileSync(path, 'utf8')));
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}

const SCHEME = /^(postgres(?:ql)?)(\+[a-z0-9_]+)?:\/\//i;

/**
 * Accepts `postgresql://`, `postgres://` and SQLAlchemy's `postgresql+psycopg://` (or any
 * `+driver`) and returns the plain libpq form that `pg`, `pg_dump` and `psql` understand.
 */
export function normalizeDatabaseUrl(input: string): string {
  const trimmed = input.trim();
  const m = SCHEME.exec(trimmed);
  if (!m) {
    throw new ConfigError(
      `Database URL must start with postgresql://, postgres:// or postgresql+psycopg:// (got "${maskUrl(trimmed)}")`,
    );
  }
  const url = 'postgresql://' + trimmed.slice(m[0].length);
  const parsed = parseDatabaseUrl(url);
  if (!parsed.database) throw new ConfigError(`Database URL names no database: "${maskUrl(url)}"`);
  return url;
}

/** Read by pg-connection-string, the parser `pg` itself uses, so both agree on every libpq form. */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  let c: ReturnType<typeof parseConnectionString>;
  try {
    c = parseConnectionString(url.trim().replace(SCHEME, 'postgresql://'));
  } catch {
    throw new ConfigError(`Database URL is not a valid URL: "${maskUrl(url)}"`);
  }
  return {
    user: c.user || process.env.PGUSER || process.env.USER || 'postgres',
    password: c.password || undefined,
    host: c.host || 'localhost',
    port: c.port ? Number(c.port) : 5432,
    database: c.database ?? '',
  };
}

/**
 * The URL as a WHATWG URL of its own (non-special) scheme: unlike `http:`, that keeps an
 * empty host empty (`postgresql:///db?host=/socket/dir`) instead of reading the database as one.
 */
function asUrl(url: string): URL {
  try {
    return new URL(url.trim().replace(SCHEME, 'postgresql://'));
  } catch {
    throw new ConfigError(`Database URL is not a valid URL: "${maskUrl(url)}"`);
  }
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = asUrl(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

/** The same URL with no password anywhere in it (neither `user:pass@` nor `?password=`). */
export function withoutPassword(url: string): string {
  const u = asUrl(url);
  u.password = '';
  u.searchParams.delete('password');
  return u.toString();
}

/** The guide's rule for the test database: the main database's name plus `_test`. */
export function deriveTestUrl(url: string): string {
  return withDatabase(url, parseDatabaseUrl(url).database + '_test');
}

/**
 * A URL safe to print: the password replaced by `****`. Written for malformed input too (it
 * runs on error messages): the user part ends at the last `@`, so a raw `@` in the password
 * hides the rest of it, and a `password=` parameter is masked up to the next `&`.
 */
export function maskUrl(url: string): string {
  const masked = url.replace(/^([a-z0-9+.-]+:\/\/[^:/?#@]*:)(.*)@/is, (_all, user: string) => `${user}****@`);
  return masked.replace(/([?&]password=)[^&#\s]*/gi, '$1****');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface AppConfig {
  /** Normalised AE_DATABASE_URL, or undefined to use the embedded server. */
  databaseUrl?: string;
  /** Normalised AE_TEST_DATABASE_URL, or undefined. */
  testDatabaseUrl?: string;
  port: number;
  /** Interface the API listens on (AE_HOST): `127.0.0.1` (this machine only) by default. */
  host: string;
  /** AE_ALLOW_OPEN_READS=1: listening beyond loopback without AE_READ_TOKEN is meant (src/http/exposure.ts). */
  allowOpenReads: boolean;
  /** AE_ALLOWED_HOSTS: more names a request's Host header may carry besides the bind address and localhost. */
  allowedHosts: string[];
  autoMigrate: boolean;
  embeddedDataDir: string;
  embeddedPort?: number;
  debug: boolean;
  /** Bearer tokens (AE_READ_TOKEN, AE_WRITE_TOKEN, AE_ADMIN_TOKEN); unset = that level has no token. */
  tokens: AccessTokens;
  /** Where `npm start` writes the admin token it generates when stderr is not a terminal (AE_ADMIN_TOKEN_FILE). */
  adminTokenFile: string;
  limits: RequestLimits;
  logLevel: string;
  /** Streaming standbys of AE_DATABASE_URL that serve reads (AE_DATABASE_REPLICA_URLS, AE_MAX_REPLICA_LAG_S). */
  replicas: ReplicaConfig;
  /**
   * AE_TRANSACTION_POOLING: the URLs go through a pooler in
   * transaction mode (PgBouncer), so no setting may live in a session.
   */
  transactionPooling: boolean;
}

export interface ReplicaConfig {
  urls: string[];
  maxLagS: number;
}

/** Protection of the shared server against accidental or hostile requests (see README, Production notes). */
export interface RequestLimits {
  /** Per-statement time limit for API reads, in ms (AE_QUERY_TIMEOUT_MS). */
  queryTimeoutMs: number;
  /** Per-statement time limit for admin operations (migrations, seeding, reset), in ms. */
  adminQueryTimeoutMs: number;
  /**
   * How long an admin transaction (migrate, seed, reset, fresh,
   * drop) waits for a table lock, in ms (AE_LOCK_TIMEOUT_MS).
   */
  lockTimeoutMs: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Estimated cost: every field counts 1, multiplied by the page size of the lists around it. */
  maxCost: number;
  /** Largest accepted request body with a write or admin token, in bytes (AE_MAX_BODY_MB). */
  maxBodyBytes: number;
  /** Largest accepted request body from anyone else (anonymous, read token), in bytes (AE_MAX_READ_BODY_KB). */
  maxReadBodyBytes: number;
  /** Time in-flight requests get to finish on shutdown, in ms. */
  shutdownGraceMs: number;
  /** Exports running at once (AE_MAX_EXPORTS); the next gets 503 with Retry-After. */
  maxExports: number;
  /** An export whose client reads nothing for this long is cut, in ms (AE_EXPORT_STALL_MS). */
  exportStallMs: number;
  /** Longest an export (its COPY, and so its snapshot) may run, in ms (AE_EXPORT_TIMEOUT_MS). */
  exportTimeoutMs: number;
  /** Most record rows one GraphQL response may hold (AE_MAX_ROWS); more is refused with RESPONSE_TOO_LARGE. */
  maxRows: number;
  /** A response of more rows than this is heavy (AE_HEAVY_ROWS)… */
  heavyRows: number;
  /** …and at most this many heavy ones run at once (AE_MAX_HEAVY_REQUESTS)… */
  maxHeavyRequests: number;
  /** …the next waits this long for a turn, then gets 503 with Retry-After (AE_HEAVY_WAIT_MS). */
  heavyWaitMs: number;
}

export interface AccessTokens {
  /** When set, reads need it (or a write/admin token); when unset, reads are open. */
  read?: string;
  /** Record mutations (upserts, links). */
  write?: string;
  /** Admin mutations and deletes; also grants everything else. */
  admin?: string;
}

/** Long enough that guessing is hopeless; `npm start` generates 32 characters when none is set. */
export const MIN_TOKEN_LENGTH = 16;

function tokenFrom(env: Record<string, string | undefined>, key: string): string | undefined {
  const raw = env[key]?.trim();
  if (!raw) return undefined;
  if (raw.length < MIN_TOKEN_LENGTH || /\s/.test(raw)) {
    throw new ConfigError(
      `${key} must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 24).`,
    );
  }
  return raw;
}

function intFrom(env: Record<string, string | undefined>, key: string, fallback?: number): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${key} must be a port number (0–65535), got "${raw}"`);
  return n;
}

function positiveInt(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${key} must be a positive whole number, got "${raw}"`);
  return n;
}

/** `1`/`true` on, unset/`0`/`false` off; anything else is refused rather than guessed. */
function flag(env: Record<string, string | undefined>, key: string): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${key} must be 1 (on) or 0 (off), got "${env[key]}"`);
}

/** A comma-separated list of host names or addresses (a `:port` is dropped: the port is not checked). */
function hostList(env: Record<string, string | undefined>, key: string): string[] {
  const names = (env[key] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!/^(\[[0-9a-f:.]+\](:\d+)?|[a-z0-9.:_-]+)$/i.test(name))
      throw new ConfigError(
        `${key}: "${name}" is not a host name or address (a comma-separated list, e.g. aedb.lab.example,192.168.1.20)`,
      );
  }
  // `name:port` or `[v6]:port`; a bare IPv6 address has more than one colon and no port.
  return names.map((h) => (/^\[.*\]:\d+$/.test(h) || /^[^:]+:\d+$/.test(h) ? h.replace(/:\d+$/, '') : h));
}

export function loadLimits(env: Record<string, string | undefined>): RequestLimits {
  return {
    queryTimeoutMs: positiveInt(env, 'AE_QUERY_TIMEOUT_MS', 5_000),
    adminQueryTimeoutMs: positiveInt(env, 'AE_ADMIN_QUERY_TIMEOUT_MS', 600_000),
    lockTimeoutMs: positiveInt(env, 'AE_LOCK_TIMEOUT_MS', 10_000),
    maxDepth: positiveInt(env, 'AE_MAX_DEPTH', 12),
    maxAliases: positiveInt(env, 'AE_MAX_ALIASES', 30),
    maxTokens: positiveInt(env, 'AE_MAX_TOKENS', 5_000),
    maxDirectives: positiveInt(env, 'AE_MAX_DIRECTIVES', 20),
    maxCost: positiveInt(env, 'AE_MAX_COST', 5_000_000),
    maxBodyBytes: positiveInt(env, 'AE_MAX_BODY_MB', 32) * 1024 * 1024,
    maxReadBodyBytes: positiveInt(env, 'AE_MAX_READ_BODY_KB', 1024) * 1024,
    shutdownGraceMs: positiveInt(env, 'AE_SHUTDOWN_GRACE_MS', 10_000),
    maxExports: positiveInt(env, 'AE_MAX_EXPORTS', 4),
    exportStallMs: positiveInt(env, 'AE_EXPORT_STALL_MS', 60_000),
    exportTimeoutMs: positiveInt(env, 'AE_EXPORT_TIMEOUT_MS', 600_000),
    maxRows: positiveInt(env, 'AE_MAX_ROWS', 250_000),
    heavyRows: positiveInt(env, 'AE_HEAVY_ROWS', 10_000),
    maxHeavyRequests: positiveInt(env, 'AE_MAX_HEAVY_REQUESTS', 2),
    heavyWaitMs: positiveInt(env, 'AE_HEAVY_WAIT_MS', 10_000),
  };
}

export function loadConfig(env = loadEnv()): AppConfig {
  return {
    databaseUrl: env.AE_DATABASE_URL ? normalizeDatabaseUrl(env.AE_DATABASE_URL) : undefined,
    testDatabaseUrl: env.AE_TEST_DATABASE_URL ? normalizeDatabaseUrl(env.AE_TEST_DATABASE_URL) : undefined,
    port: intFrom(env, 'PORT', 4000)!,
    host: env.AE_HOST || '127.0.0.1',
    allowOpenReads: flag(env, 'AE_ALLOW_OPEN_READS'),
    allowedHosts: hostList(env, 'AE_ALLOWED_HOSTS'),
    autoMigrate: env.AE_AUTO_MIGRATE === '1' || env.AE_AUTO_MIGRATE === 'true',
    embeddedDataDir: resolve(env.AE_EMBEDDED_DATA_DIR ?? '.data/postgres'),
    embeddedPort: intFrom(env, 'AE_EMBEDDED_PORT'),
    debug: env.AE_DEBUG === '1',
    limits: loadLimits(env),
    logLevel: env.AE_LOG_LEVEL ?? 'info',
    adminTokenFile: resolve(env.AE_ADMIN_TOKEN_FILE ?? '.data/admin-token'),
    tokens: {
      read: tokenFrom(env, 'AE_READ_TOKEN'),
      write: tokenFrom(env, 'AE_WRITE_TOKEN'),
      admin: tokenFrom(env, 'AE_ADMIN_TOKEN'),
    },
    replicas: loadReplicas(env),
    transactionPooling: flagFrom(env, 'AE_TRANSACTION_POOLING'),
  };
}

function flagFrom(env: Record<string, string | undefined>, key: string): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (!raw || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${key} must be 1 or 0, got "${env[key]}"`);
}

export const DEFAULT_MAX_REPLICA_LAG_S = 5;

/** AE_DATABASE_REPLICA_URLS (comma-separated, standbys of AE_DATABASE_URL) and AE_MAX_REPLICA_LAG_S. */
export function loadReplicas(env: Record<string, string | undefined>): ReplicaConfig {
  const list = (env.AE_DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (list.length && !env.AE_DATABASE_URL) {
    throw new ConfigError(
      'AE_DATABASE_REPLICA_URLS needs AE_DATABASE_URL: the replicas are standbys of that primary, which takes the writes.',
    );
  }
  const urls = list.map((u, i) => {
    try {
      return normalizeDatabaseUrl(u);
    } catch (e) {
      throw new ConfigError(`AE_DATABASE_REPLICA_URLS, URL ${i + 1}: ${(e as Error).message}`);
    }
  });
  const rawLag = env.AE_MAX_REPLICA_LAG_S;
  const maxLagS = rawLag === undefined || rawLag === '' ? DEFAULT_MAX_REPLICA_LAG_S : Number(rawLag);
  if (!Number.isFinite(maxLagS) || maxLagS <= 0)
    throw new ConfigError(`AE_MAX_REPLICA_LAG_S must be a positive number of seconds, got "${rawLag}"`);
  return { urls, maxLagS };
}

/** The repository root (the folder holding package.json), from source or from dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}
