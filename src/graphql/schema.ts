import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { printSchema, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { RELATION_RESOLVERS } from './resolvers/relations';
import { QUERY_RESOLVERS } from './resolvers/queries';
import { INTERVAL_RESOLVERS } from './resolvers/intervals';
import { SummaryQueries } from './resolvers/summaries';
import { OperationsQueries } from './resolvers/operations';
import { RecordMutations } from './resolvers/records';
import { AdminResolver } from './resolvers/admin';
import { GROUP_RESOLVERS } from './resolvers/groups';
import { DateTimeScalar } from './types/date-time';
import { ParticipantNumberField, participantNumberRequired } from './participant-number';

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema (built once per process: type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    // A class first: type-graphql wants a non-empty tuple. Fields keep the order their resolvers were declared in.
    resolvers: [
      SummaryQueries,
      OperationsQueries,
      RecordMutations,
      AdminResolver,
      ...QUERY_RESOLVERS,
      ...RELATION_RESOLVERS,
      ParticipantNumberField,
      ...INTERVAL_RESOLVERS,
      ...GROUP_RESOLVERS,
    ],
    validate: false, // inputs are validated explicitly by the services, with field-named errors
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  });
  return cached;
}

/** Validation rules the schema needs beside graphql-js's own: every server executing it adds them. */
export const SCHEMA_VALIDATION_RULES = [participantNumberRequired];

/** The SDL written to schema.graphql: sorted, so diffs show real changes only. */
export async function printAppSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildAppSchema())) + '\n';
}
