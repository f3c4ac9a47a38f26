/**
 * Inspection queries (integrityReport, databaseStats, databaseSummary, audioQcSummary,
 * synchronizationStats) read whole tables whatever their arguments: one of them runs up to
 * dozens of statements. So each declares the statements it runs, and the cost estimate counts
 * each as a full page of rows; a request may hold at most one of them, and never under an
 * alias (the way to ask for the same field many times). Both are checked after parsing,
 * before any resolver, so a refused request runs no SQL.
 */
import { Extensions } from 'type-graphql';
import { GraphQLError, type GraphQLField, type GraphQLObjectType } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { MAX_PAGE_SIZE } from '../services/read/read-service';
import { namedFragments, rootSelections } from './access';

/** Marks a root query as an inspection running `statements` SQL statements over whole tables. */
export const Inspection = (statements: number) => Extensions({ inspection: { statements } });

/** What one statement over whole tables counts in the cost estimate: as much as the largest page of rows. */
export const INSPECTION_STATEMENT_COST = MAX_PAGE_SIZE;

/** The statements an inspection field runs (0 for any other field). */
export function inspectionStatements(field: GraphQLField<unknown, unknown>): number {
  return (field.extensions?.inspection as { statements?: number } | undefined)?.statements ?? 0;
}

/** The cost an inspection field adds to the estimate. */
export const inspectionCost = (field: GraphQLField<unknown, unknown>) =>
  inspectionStatements(field) * INSPECTION_STATEMENT_COST;

const refuse = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: 'TOO_MANY_INSPECTIONS', limitCode: 'TOO_MANY_INSPECTIONS', http: { status: 400 } },
  });

/** Apollo plugin: at most one inspection per request, and none aliased. */
export function inspectionLimitPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (operation?.operation !== 'query') return;
          const fragments = namedFragments(document);
          const fields = (schema.getQueryType() as GraphQLObjectType).getFields();
          const inspections = rootSelections(operation.selectionSet, fragments).filter(
            (s) => fields[s.name] && inspectionStatements(fields[s.name]) > 0,
          );
          const aliased = inspections.find((s) => s.alias !== undefined && s.alias !== s.name);
          if (aliased) {
            throw refuse(
              `${aliased.name} cannot be aliased ("${aliased.alias}: ${aliased.name}"): it runs ${inspectionStatements(fields[aliased.name])} statements over whole tables. Ask for it once, under its own name.`,
            );
          }
          const names = [...new Set(inspections.map((s) => s.name))];
          if (names.length > 1) {
            throw refuse(
              `At most one inspection query per request (got ${names.join(', ')}): each reads whole tables. Send them as separate requests.`,
            );
          }
        },
      };
    },
  };
}
