/**
 * Statements about a database rather than inside it: is the server there, does the role and
 * the database exist, copy it (`createdb -T`). They run on the server's maintenance database
 * with a short-lived connection, never through the ORM's pool on the database itself.
 */
import { parseDatabaseUrl, withDatabase } from '../../config';
import { connectClient, withMaintenanceClient } from '../../db/pg';
import { SQLSTATE } from '../../db/sqlstate';
import { UserError } from '../errors';

export type ProbeOutcome =
  | { ok: true; serverVersion: string; serverVersionNum: number; user: string; database: string }
  | {
      ok: false;
      /** What failed: the server could not be reached, the login was refused, or the database is missing. */
      stage: 'unreachable' | 'login' | 'database';
      code?: string;
      message: string;
      /** Known when only the database is missing (read from the maintenance database). */
      serverVersion?: string;
      serverVersionNum?: number;
    };

export interface CopyResult {
  source: string;
  target: string;
  url: string;
  bytes: number;
  durationMs: number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

export class DatabaseAdminService {
  constructor(private readonly url: string) {}

  get databaseName(): string {
    return parseDatabaseUrl(this.url).database;
  }

  /**
   * `pg_isready` plus a login: connects to the database itself and sorts any failure into the
   * server being unreachable, the login being refused (role or password), or the database missing.
   */
  async probe(timeoutMs = 5_000): Promise<ProbeOutcome> {
    let client;
    try {
      client = await connectClient(this.url, { connectTimeoutMs: timeoutMs, applicationName: 'ae-db doctor' });
      const { rows } = await client.query(
        `select current_setting('server_version') as v, current_setting('server_version_num')::int as n, current_user as u, current_database() as d`,
      );
      return { ok: true, serverVersion: rows[0].v, serverVersionNum: rows[0].n, user: rows[0].u, database: rows[0].d };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const message = String(err.message ?? e);
      if (err.code === SQLSTATE.invalid_catalog_name) {
        const version = await withMaintenanceClient(this.url, (c) =>
          c.query(`select current_setting('server_version') as v, current_setting('server_version_num')::int as n`),
        ).then(
          (r) => r.rows[0] as { v: string; n: number },
          () => undefined,
        );
        return {
          ok: false,
          stage: 'database',
          code: err.code,
          message,
          serverVersion: version?.v,
          serverVersionNum: version?.n,
        };
      }
      if (err.code === SQLSTATE.invalid_authorization_specification || err.code === SQLSTATE.invalid_password)
        return { ok: false, stage: 'login', code: err.code, message };
      if ((err.code && NETWORK_CODES.has(err.code)) || /timeout|terminated unexpectedly/i.test(message)) {
        return { ok: false, stage: 'unreachable', code: err.code, message };
      }
      return { ok: false, stage: 'login', code: err.code, message };
    } finally {
      await client?.end().catch(() => {});
    }
  }

  /** `createdb -T <this database> newName`: a new database with the current one as its template. */
  async copyDatabase(newName: string): Promise<CopyResult> {
    const source = this.databaseName;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || Buffer.byteLength(newName) > 63) {
      throw new UserError(
        `"${newName}" is not a usable database name: use letters, digits and _ (at most 63), starting with a letter.`,
      );
    }
    if (newName === source)
      throw new UserError(`The copy needs a new name; "${newName}" is the database being copied.`);
    const started = Date.now();
    return withMaintenanceClient(
      this.url,
      async (c) => {
        const exists = await c.query('select 1 from pg_database where datname = $1', [newName]);
        if (exists.rowCount)
          throw new UserError(
            `A database named "${newName}" already exists on this server; choose another name or drop it first.`,
          );
        const busy = async () => {
          const { rows } = await c.query(
            `select pid, coalesce(nullif(application_name, ''), '?') as application, usename as user
             from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() order by pid`,
            [source],
          );
          return rows as { pid: number; application: string; user: string }[];
        };
        const refuse = (sessions: { pid: number; application: string; user: string }[]) =>
          new UserError(
            `Cannot copy "${source}" while ${sessions.length} other session(s) are connected to it ` +
              `(${sessions.map((s) => `pid ${s.pid} ${s.application} as ${s.user}`).join('; ')}): ` +
              'PostgreSQL copies a database only when nobody is connected. Stop the API server and other clients (psql, notebooks), then retry.',
          );
        const before = await busy();
        if (before.length) throw refuse(before);
        try {
          await c.query(`create database ${c.escapeIdentifier(newName)} template ${c.escapeIdentifier(source)}`);
        } catch (e) {
          // Someone connected between the check and the copy.
          if ((e as { code?: string }).code === SQLSTATE.object_in_use) throw refuse(await busy());
          throw e;
        }
        const { rows } = await c.query('select pg_database_size($1)::float8 as bytes', [newName]);
        return {
          source,
          target: newName,
          url: withDatabase(this.url, newName),
          bytes: rows[0].bytes,
          durationMs: Date.now() - started,
        };
      },
      source,
    );
  }
}
