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
