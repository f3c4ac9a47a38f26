/**
 * Date-time text, wherever it comes in: the ISO-8601 bounds of read filters (GraphQL hands
 * over Dates, the CSV export text), the PostgreSQL text of cursor values, and the DateTime
 * scalar. One calendar decides which days exist (leap years: every 4th, not every 100th,
 * every 400th) and one year range (0001–9999) which a caller may name.
 */
import { buildWhere, SqlParams } from '../src/services/read';
import { isStorablePgTimestamp } from '../src/services/read/timestamps';
import { UserError } from '../src/services/errors';
import { DateTimeScalar } from '../src/graphql/types/date-time';

/** The bound value a `processingDate.from` of `text` becomes, or the UserError it raises. */
function bound(text: string): string {
  const p = new SqlParams();
  buildWhere('audioProcessing', { processingDate: { from: text } }, 't', p);
  return p.values[0] as string;
}
function refusal(text: string): string {
  try {
    bound(text);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error(`${text} was accepted`);
}

it.each([
  ['2024-03-01', '2024-03-01T00:00:00.000Z'],
  ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ['2000-02-29', '2000-02-29T00:00:00.000Z'],
  ['1600-02-29', '1600-02-29T00:00:00.000Z'],
  ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ['2024-03-01T09:30:00Z', '2024-03-01T09:30:00.000Z'],
  ['2024-03-01T09:30:00.123456789Z', '2024-03-01T09:30:00.123Z'],
  ['2024-03-01 09:30+01:00', '2024-03-01T08:30:00.000Z'],
  ['2024-03-01T09:30:00-0130', '2024-03-01T11:00:00.000Z'],
  ['2024-03-01t09:30:00z', '2024-03-01T09:30:00.000Z'],
  ['  2024-03-01  ', '2024-03-01T00:00:00.000Z'],
])('a filter bound %j is the instant %s', (text, iso) => {
  expect(bound(text)).toBe(iso);
});

it.each([
  ['2023-02-29', 'filter.processingDate.from: there is no such day as 2023-02-29 (got "2023-02-29").'],
  ['1900-02-29', 'filter.processingDate.from: there is no such day as 1900-02-29 (got "1900-02-29").'],
  [
    '2100-02-29T00:00:00Z',
    'filter.processingDate.from: there is no such day as 2100-02-29 (got "2100-02-29T00:00:00Z").',
  ],
  ['2024-02-30', 'filter.processingDate.from: there is no such day as 2024-02-30 (got "2024-02-30").'],
  ['2024-04-31', 'filter.processingDate.from: there is no such day as 2024-04-31 (got "2024-04-31").'],
  ['2024-13-01', 'filter.processingDate.from: there is no such day as 2024-13-01 (got "2024-13-01").'],
  ['2024-00-10', 'filter.processingDate.from: there is no such day as 2024-00-10 (got "2024-00-10").'],
  ['2024-01-00', 'filter.processingDate.from: there is no such day as 2024-01-00 (got "2024-01-00").'],
  ['0000-01-01', 'filter.processingDate.from: must lie in the years 0001-9999 (got "0000-01-01").'],
  [
    '2024-03-01T09:30:00',
    'filter.processingDate.from: a date-time needs its time zone offset, such as 2024-03-01T09:30:00Z or …+01:00 (got "2024-03-01T09:30:00").',
  ],
  ['2024-03-01T25:00:00Z', 'filter.processingDate.from: must be an ISO-8601 date-time (got "2024-03-01T25:00:00Z").'],
  [
    '2024/03/01',
    'filter.processingDate.from: must be an ISO-8601 date-time with a time zone offset (2024-03-01T09:30:00Z) or a date (2024-03-01, midnight UTC) (got "2024/03/01").',
  ],
  [
    '1',
    'filter.processingDate.from: must be an ISO-8601 date-time with a time zone offset (2024-03-01T09:30:00Z) or a date (2024-03-01, midnight UTC) (got "1").',
  ],
  [
    '+010000-01-01T00:00:00Z',
    'filter.processingDate.from: must be an ISO-8601 date-time with a time zone offset (2024-03-01T09:30:00Z) or a date (2024-03-01, midnight UTC) (got "+010000-01-01T00:00:00Z").',
  ],
])('a filter bound %j is refused', (text, message) => {
  expect(refusal(text)).toBe(message);
});

it('a Date bound outside the years 0001-9999 is refused as text bounds are', () => {
  const p = new SqlParams();
  const tooLate = new Date('+010000-01-01T00:00:00Z');
  expect(() => buildWhere('audioProcessing', { recordingDate: { to: tooLate } }, 't', p)).toThrow(
    `filter.recordingDate.to: must lie in the years 0001-9999 (got ${JSON.stringify(tooLate)}).`,
  );
});

it.each([
  ['2024-02-29 00:00:00', true],
  ['2000-02-29 12:00:00.123456+00', true],
  ['2023-02-29 00:00:00', false],
  ['1900-02-29 00:00:00', false],
  ['2024-04-31 00:00:00', false],
  ['2024-13-01 00:00:00', false],
  ['0000-01-01 00:00:00', false],
  ['294275-12-31 23:59:59', true],
  ['294276-01-01 00:00:00', false],
  ['2024-01-01 24:00:00', false],
  ['2024-01-01 00:00:00+16', false],
])('cursor value %j is a storable timestamp: %s', (text, storable) => {
  expect(isStorablePgTimestamp(text)).toBe(storable);
});

it.each([
  [
    '0000-06-01T00:00:00Z',
    'DateTime must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (PostgreSQL has no year 0000).',
  ],
  ['2024-02-30T00:00:00Z', /DateTime cannot represent an invalid date-time-string/],
])('the DateTime scalar refuses %j', (text, message) => {
  expect(() => DateTimeScalar.parseValue(text)).toThrow(message);
});

it('the DateTime scalar takes the first and last storable instants and a leap day', () => {
  for (const text of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2024-02-29T12:00:00+01:00']) {
    expect(DateTimeScalar.parseValue(text)).toEqual(new Date(text));
  }
});
