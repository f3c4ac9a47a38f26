/**
 * What a failure looks like to a person: one sentence and what to check, never a stack trace
 * or (for clients) the SQL that failed.
 */
import { PostgreSqlExceptionConverter } from '@mikro-orm/postgresql';
import { explainFailure, isDatabaseUnavailable, isStatementTimeout, serverMessage } from '../src/services/ops/diagnose';

/** A driver error as knex leaves it: its SQL put in front of PostgreSQL's message. */
function driverError(code: string, message: string, sql = 'select 1 / 0'): Error {
  return Object.assign(new Error(`${sql} - ${message}`), { code });
}

it('serverMessage keeps PostgreSQL words and the SQLSTATE, and drops the SQL knex prepends, under wrappers', () => {
  const wrapped = new Error('Migration X (up) failed: Original error: …', {
    cause: driverError('22012', 'division by zero', "insert into t values ('a - b')"),
  });
  expect(serverMessage(wrapped)).toBe('division by zero (SQLSTATE 22012)');
  expect(serverMessage(new Error('plain failure\nsecond line'))).toBe('plain failure');
});

it('explainFailure names the cause and the checks of the guide', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port: 5999,
  });
  expect(explainFailure(refused)).toMatch(
    /^Error: cannot connect to PostgreSQL at 127\.0\.0\.1:5999 \(connection refused\)\.\nCheck: is the server running/,
  );
  expect(explainFailure(Object.assign(new Error('database "nope" does not exist'), { code: '3D000' }))).toMatch(
    /createdb <name>.*npx ae-db init/,
  );
  const other = explainFailure(new Error('something unexpected\n    at stack (frame.js:1:1)'));
  expect(other).toBe(
    'Error: something unexpected\nCheck: "npx ae-db doctor" runs the troubleshooting checklist (URL, server, role, database, schema, client tools).',
  );
});

/**
 * The same error as MikroORM's PostgreSQL driver hands it over (TableNotFoundException,
 * …), under a migration's wrapper.
 */
const converted = (e: Error) =>
  new Error('Migration failed', { cause: new PostgreSqlExceptionConverter().convertException(e) });

it.each([
  [
    '42P01',
    'relation "study" does not exist',
    'Error: relation "study" does not exist: the database schema is not current.\nFix: "npx ae-db status" shows pending migrations; "npx ae-db upgrade head" applies them.',
  ],
  [
    '42703',
    'column "knee" does not exist',
    'Error: column "knee" does not exist: the database schema is not current.\nFix: "npx ae-db status" shows pending migrations; "npx ae-db upgrade head" applies them.',
  ],
  [
    '28000',
    'role "ghost" does not exist',
    'Error: role "ghost" does not exist.\nFix: create the role ("createuser -s <name>") or connect as an existing user in AE_DATABASE_URL.',
  ],
  [
    '28P01',
    'password authentication failed for user "ae"',
    'Error: password authentication failed for user "ae". Check the user and password in AE_DATABASE_URL (the password is never printed).',
  ],
  [
    '42501',
    'permission denied for table study',
    'Error: permission denied for table study. The database role lacks a privilege this operation needs.',
  ],
])('explainFailure of SQLSTATE %s, raw or converted by MikroORM', (code, message, explained) => {
  const raw = () => Object.assign(new Error(message), { code });
  expect(explainFailure(raw())).toBe(explained);
  expect(explainFailure(converted(raw()))).toBe(explained);
});

it.each([
  ['57014', 'statement timeout', false, true],
  ['57P01', 'terminating connection due to administrator command', true, false],
  ['57P02', 'crash shutdown', true, false],
  ['57P03', 'the database system is starting up', true, false],
  ['08000', 'connection exception', true, false],
  ['08001', 'unable to establish', true, false],
  ['08003', 'connection does not exist', true, false],
  ['08004', 'rejected', true, false],
  ['08006', 'connection failure', true, false],
  ['40001', 'could not serialize access', false, false],
  ['55P03', 'could not obtain lock', false, false],
])('SQLSTATE %s (%s): database unavailable %s, statement timeout %s', (code, message, unavailable, timeout) => {
  const raw = () => Object.assign(new Error(message), { code });
  for (const e of [raw(), converted(raw())]) {
    expect(isDatabaseUnavailable(e)).toBe(unavailable);
    expect(isStatementTimeout(e)).toBe(timeout);
  }
});
