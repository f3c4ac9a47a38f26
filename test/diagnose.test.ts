/**
 * What a failure looks like to a person: one sentence and what to check, never a stack trace
 * or (for clients) the SQL that failed.
 */
import { explainFailure, serverMessage } from '../src/services/ops/diagnose';

/** A driver error as knex leaves it: its SQL put in front of PostgreSQL's message. */
function driverError(code: string, message: string, sql = 'select 1 / 0'): Error {
  return Object.assign(new Error(`${sql} - ${message}`), { code });
}

it('serverMessage keeps PostgreSQL words and the SQLSTATE, and drops the SQL knex prepends, under wrappers', () => {
  const wrapped = new Error('Migration X (up) failed: Original error: …', { cause: driverError('22012', 'division by zero', "insert into t values ('a - b')") });
  expect(serverMessage(wrapped)).toBe('division by zero (SQLSTATE 22012)');
  expect(serverMessage(new Error('plain failure\nsecond line'))).toBe('plain failure');
});

it('explainFailure names the cause and the checks of the guide', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5999 });
  expect(explainFailure(refused)).toMatch(/^Error: cannot connect to PostgreSQL at 127\.0\.0\.1:5999 \(connection refused\)\.\nCheck: is the server running/);
  expect(explainFailure(Object.assign(new Error('database "nope" does not exist'), { code: '3D000' }))).toMatch(/createdb <name>.*npx ae-db init/);
  const other = explainFailure(new Error('something unexpected\n    at stack (frame.js:1:1)'));
  expect(other).toBe('Error: something unexpected\nCheck: "npx ae-db doctor" runs the troubleshooting checklist (URL, server, role, database, schema, client tools).');
});
