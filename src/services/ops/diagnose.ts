/**
 * Turns a failure into one clear sentence plus what to check — the predecessor guide's
 * troubleshooting checklist — instead of a stack trace.
 */
import { DriverException, InvalidFieldNameException, TableNotFoundException } from '@mikro-orm/core';
import { PostgreSqlExceptionConverter } from '@mikro-orm/postgresql';
import { ConfigError } from '../../config';
import { EmbeddedLockedError } from '../../db/embedded';
import { SQLSTATE } from '../../db/sqlstate';
import { UserError } from '../errors';

export interface PgLikeError {
  name?: string;
  code?: string;
  message?: string;
  errno?: string;
  address?: string;
  port?: number;
  hostname?: string;
  /** Set by PostgreSQL on constraint violations. */
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
}

/** Finds the driver error under wrappers (MikroORM and knex wrap the pg error). */
export function rootCause(e: unknown): PgLikeError {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any wrapper (MikroORM, knex, pg): checked per step
  let cur: any = e;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur.code && typeof cur.code === 'string') return cur;
    if (cur instanceof AggregateError && cur.errors?.length) cur = cur.errors[0];
    else cur = cur.cause ?? cur.previous;
  }
  return (e ?? {}) as PgLikeError;
}

const converter = new PostgreSqlExceptionConverter();

/**
 * The database error under `e` as the exception MikroORM's PostgreSQL driver makes of it
 * (UniqueConstraintViolationException for unique_violation, …), so that callers test its class
 * rather than a code. The ORM's own calls (em.find, flush, em.execute) throw it converted
 * already; `em.getConnection().execute`, a transaction's commit and raw `pg` clients hand over
 * the driver's error as it is, which is converted here the same way. The conversion works on
 * a copy: the converter appends the error's detail and hint to the message it is given.
 * Undefined when `e` carries no error code. A DriverException keeps the driver error's fields
 * (constraint, table, column, detail), hence the type.
 */
export function asDriverException(e: unknown): (DriverException & PgLikeError) | undefined {
  const c = rootCause(e);
  if (c instanceof DriverException) return c as DriverException & PgLikeError;
  if (typeof c.code !== 'string') return undefined;
  const copy = Object.assign(new Error(String(c.message ?? '')), c);
  copy.stack = String((c as Error).stack ?? copy.stack);
  return converter.convertException(copy) as DriverException & PgLikeError;
}

/**
 * PostgreSQL's own message for a failed statement, without the SQL text (and inlined
 * values) that knex puts in front of it as `<sql> - <message>`: safe to show a client.
 */
export function serverMessage(e: unknown): string {
  const c = rootCause(e);
  const message = String(c.message ?? e).split('\n')[0];
  // Only driver errors carry a SQLSTATE of five characters; their text is "<sql> - <message>".
  if (!/^[0-9A-Z]{5}$/.test(c.code ?? '')) return message;
  const cut = message.lastIndexOf(' - ');
  return `${cut >= 0 ? message.slice(cut + 3) : message} (SQLSTATE ${c.code})`;
}

export function explainFailure(e: unknown): string {
  if (e instanceof UserError || e instanceof ConfigError || e instanceof EmbeddedLockedError)
    return `Error: ${e.message}`;
  const c = rootCause(e);
  const msg = String(c.message ?? e);
  const driverError = asDriverException(e);
  if (driverError instanceof TableNotFoundException || driverError instanceof InvalidFieldNameException) {
    return [
      `Error: ${msg}: the database schema is not current.`,
      'Fix: "npx ae-db status" shows pending migrations; "npx ae-db upgrade head" applies them.',
    ].join('\n');
  }
  switch (c.code) {
    case 'ECONNREFUSED':
      return [
        `Error: cannot connect to PostgreSQL${c.port ? ` at ${c.address ?? 'localhost'}:${c.port}` : ''} (connection refused).`,
        'Check: is the server running (pg_isready; brew services start postgresql@15 / systemctl start postgresql)?',
        'Check: is AE_DATABASE_URL (or --url) pointing at the right host and port? Unset it to use the embedded database.',
      ].join('\n');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Error: the database host "${c.hostname ?? '?'}" cannot be resolved. Check the host in AE_DATABASE_URL.`;
    case 'ETIMEDOUT':
      return 'Error: connecting to PostgreSQL timed out. Check the host, port and any firewall between here and the server.';
    case SQLSTATE.invalid_catalog_name:
      return [
        `Error: ${msg}.`,
        'Fix: create it with "createdb <name>" or "npx ae-db init" (which creates the database and applies migrations).',
      ].join('\n');
    case SQLSTATE.invalid_authorization_specification:
      return [
        `Error: ${msg}.`,
        'Fix: create the role ("createuser -s <name>") or connect as an existing user in AE_DATABASE_URL.',
      ].join('\n');
    case SQLSTATE.invalid_password:
      return `Error: ${msg}. Check the user and password in AE_DATABASE_URL (the password is never printed).`;
    case SQLSTATE.insufficient_privilege:
      return `Error: ${msg}. The database role lacks a privilege this operation needs.`;
    default:
      return [
        `Error: ${msg.split('\n')[0]}`,
        'Check: "npx ae-db doctor" runs the troubleshooting checklist (URL, server, role, database, schema, client tools).',
      ].join('\n');
  }
}

const UNAVAILABLE_CODES = new Set<string>([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  SQLSTATE.admin_shutdown,
  SQLSTATE.crash_shutdown,
  SQLSTATE.cannot_connect_now,
  SQLSTATE.connection_exception,
  SQLSTATE.sqlclient_unable_to_establish_sqlconnection,
  SQLSTATE.connection_does_not_exist,
  SQLSTATE.sqlserver_rejected_establishment_of_sqlconnection,
  SQLSTATE.connection_failure,
]);

/** True when the error means "the database cannot be reached right now", not "this request is wrong". */
export function isDatabaseUnavailable(e: unknown): boolean {
  const c = rootCause(e);
  if (c.code && UNAVAILABLE_CODES.has(c.code)) return true;
  const text = `${(e as Error)?.name ?? ''} ${(e as Error)?.message ?? ''} ${c.message ?? ''}`;
  // `timeout expired`: pg's own connect timeout (connectionTimeoutMillis) on a host that does not answer.
  return /KnexTimeoutError|Timeout acquiring a connection|Connection terminated|connection is closed|Client has encountered a connection error|\btimeout expired\b/i.test(
    text,
  );
}

/** True when PostgreSQL cancelled the statement (statement_timeout). */
export function isStatementTimeout(e: unknown): boolean {
  return rootCause(e).code === SQLSTATE.query_canceled;
}
