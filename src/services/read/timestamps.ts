/**
 * Timestamps as PostgreSQL writes them in text (`2024-01-08 09:00:00.123456+00`), which is
 * how MikroORM's connection hands them over and how cursors carry them exactly (a JS Date
 * keeps milliseconds only, the database microseconds).
 */
export const PG_TIMESTAMP_TEXT = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,6})?(?:([+-]\d\d)(?::?(\d\d))?(?::?\d\d)?)?$/;

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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

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
  if (year < 1 || year > 294_275 || month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  return !m[4] || (Math.abs(Number(m[4])) <= 15 && Number(m[5] ?? '0') <= 59);
}
