/**
 * The `DateTime` scalar: ISO 8601 / RFC 3339 date-times (graphql-scalars' parsing and
 * ISO serialisation), limited to the years 0001–9999. RFC 3339 allows year 0000, which
 * JavaScript accepts but PostgreSQL has no such year; refusing it here gives the caller an
 * error naming the argument instead of a database error after validation.
 */
import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { inAcceptedYears } from '../../services/read/timestamps';

const base = GraphQLDateTimeISO.toConfig();

function storable(date: Date): Date {
  if (!inAcceptedYears(date)) {
    const year = String(date.getUTCFullYear()).padStart(4, '0');
    throw new GraphQLError(
      `DateTime must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (PostgreSQL has no year ${year}).`,
    );
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  ...base,
  name: 'DateTime',
  description:
    'A date-time in ISO 8601 (RFC 3339) form with a time zone offset, such as 2024-03-05T09:30:00Z; answered in UTC. Years 0001–9999.',
  serialize: base.serialize as (value: unknown) => string,
  parseValue: (value: unknown) => storable(base.parseValue!(value) as Date),
  parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) =>
    storable(base.parseLiteral!(ast, variables) as Date),
});
