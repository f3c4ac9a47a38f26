/**
 * Date-time text in one place: the ISO-8601 bounds callers send to read filters, and
 * timestamps as PostgreSQL writes them (`2024-01-08 09:00:00.123456+00`), which is how
 * MikroORM's connection hands them over and how cursors carry them exactly (a JS Date keeps
 * milliseconds only, the database microseconds). Both use one calendar check; the filters and
 * the DateTime scalar one year range.
 */
import { UserError } from '../errors';

/**
 * Whether `date` lies in the years 0001–9999, the ones a caller may name: PostgreSQL has no
 * year 0000, and past 9999 ISO text needs a signed six-digit year, which neither the DateTime
 * scalar nor the filters take.
 */
export function inAcceptedYears(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** Whether year-month-day is a day of the (proleptic Gregorian) calendar: 2024-02-29 is, 2023-02-29 is not. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * ISO-8601 text as the CSV export sends it: a date (`2024-03-01`, midnight UTC) or a
 * date-time with its offset (`2024-03-01T09:30:00Z`, `…+01:00`). `new Date` alone would also
 * take `1` (2001), `2024/03/01` or an offset-less time, the last two in the server's own time
 * zone, and roll 2024-02-30 over to March. Errors name `path`.
 */
export function parseIsoTime(text: string, path: string): Date {
  const m = ISO_TIME.exec(text.trim());
  if (!m) {
    throw new UserError(
      `${path}: must be an ISO-8601 date-time with a time zone offset (2024-03-01T09:30:00Z) or a date (2024-03-01, midnight UTC) (got ${JSON.stringify(text)}).`,
    );
  }
  const [, y, mo, d, hh, , , zone] = m;
  if (hh !== undefined && zone === undefined) {
    throw new UserError(
      `${path}: a date-time needs its time zone offset, such as 2024-03-01T09:30:00Z or …+01:00 (got ${JSON.stringify(text)}).`,
    );
  }
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) {
    throw new UserError(`${path}: there is no such day as ${y}-${mo}-${d} (got ${JSON.stringify(text)}).`);
  }
  return new Date(hh === undefined ? `${y}-${mo}-${d}T00:00:00Z` : text.trim());
}

export const PG_TIMESTAMP_TEXT =
  /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,6})?(?:([+-]\d\d)(?::?(\d\d))?(?::?\d\d)?)?$/;

/**
 * A PostgreSQL timestamp in text form as a Date. `timestamp` (without time zone) holds
 * UTC wall-clock time in this database, so a value without an offset is read as UTC.
 */
export function parsePgTimestamp(text: string): Date {
  const m = PG_TIMESTAMP_TEXT.exec(text);
  if (!m) return new Date(NaN); // 'infinity' and the like: an Invalid Date rather than a wrong one
  const [, date, time, fraction = '', offsetHours, offsetMinutes = '00'] = m;
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const zone = offsetHours ? `${offsetHours}:${offsetMinutes}` : 'Z';
  return new Date(`${date}T${time}${millis}${zone}`);
}

/**
 * Whether `text` (matching PG_TIMESTAMP_TEXT) names a real moment PostgreSQL accepts: a
 * calendar date that exists, times and offsets in range, a year PostgreSQL can store. The
 * pattern alone lets `2024-02-30` and `25:61:00` through, which PostgreSQL then refuses.
 */
export function isStorablePgTimestamp(text: string): boolean {
  const m = PG_TIMESTAMP_TEXT.exec(text);
  if (!m) return false;
  const [year, month, day] = m[1].split('-').map(Number);
  const [hour, minute, second] = m[2].split(':').map(Number);
  if (year < 1 || year > 294_275 || !isCalendarDate(year, month, day)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  return !m[4] || (Math.abs(Number(m[4])) <= 15 && Number(m[5] ?? '0') <= 59);
}
