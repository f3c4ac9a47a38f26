/**
 * Runs GraphQL operations in-process against a test AppContext, exactly as the HTTP
 * server would (same schema, same per-request context, same error formatting).
 */
import { ApolloServer } from '@apollo/server';
import type { AppContext } from '../../src/context';
import { buildAppSchema, SCHEMA_VALIDATION_RULES } from '../../src/graphql/schema';
import { createGraphQLContext, type GraphQLContext } from '../../src/graphql/context';
import { formatError } from '../../src/graphql/errors';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export async function graphqlClient(ctx: AppContext) {
  const server = new ApolloServer<GraphQLContext>({
    schema: await buildAppSchema(),
    validationRules: SCHEMA_VALIDATION_RULES,
    formatError: (f, e) => formatError(f, e),
  });
  await server.start();
  return {
    async query<T = any>(
      query: string,
      variables?: Record<string, unknown>,
      operationName?: string,
    ): Promise<GqlResult<T>> {
      const res = await server.executeOperation(
        { query, variables, operationName },
        { contextValue: createGraphQLContext(ctx.orm.em, ctx.services) },
      );
      if (res.body.kind !== 'single') throw new Error('unexpected incremental response');
      return res.body.singleResult as GqlResult<T>;
    },
    stop: () => server.stop(),
  };
}

export type GraphQLTestClient = Awaited<ReturnType<typeof graphqlClient>>;

/** Counts the SQL statements the ORM sends while `fn` runs. */
export async function countStatements<T>(
  ctx: AppContext,
  fn: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const knex = ctx.orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const listener = (q: { sql: string }) => statements.push(q.sql);
  knex.on('query', listener);
  try {
    return { result: await fn(), statements };
  } finally {
    knex.removeListener('query', listener);
  }
}
