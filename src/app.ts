/**
 * The HTTP application: Apollo Server at /graphql (with the Sandbox landing page) and
 * GET /health. Built from an AppContext so tests can serve a throwaway database.
 */
import http from 'node:http';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { AppContext } from './context';
import { buildAppSchema } from './graphql/schema';
import { createGraphQLContext, type GraphQLContext } from './graphql/context';
import { formatError } from './graphql/errors';

export interface RunningApp {
  httpServer: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  url: string;
  close(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'up' | 'down';
  pendingMigrations: number | null;
}

export async function health(ctx: AppContext): Promise<HealthReport> {
  try {
    const { pending } = await ctx.services.migrations.status();
    return { status: pending.length ? 'degraded' : 'ok', database: 'up', pendingMigrations: pending.length };
  } catch {
    return { status: 'unavailable', database: 'down', pendingMigrations: null };
  }
}

export async function startApp(ctx: AppContext, port: number, host = '0.0.0.0'): Promise<RunningApp> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildAppSchema(),
    introspection: true,
    formatError: (formatted, error) => formatError(formatted, error, ctx.config.debug),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      // Installed by default, it hooks every field of every response (tens of thousands for a
      // tree) to compute HTTP cache hints this API never sets.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  app.get('/health', async (_req, res) => {
    const report = await health(ctx);
    res.status(report.database === 'up' ? 200 : 503).json(report);
  });
  app.use(
    '/graphql',
    express.json({ limit: '20mb' }),
    expressMiddleware(apollo, { context: async () => createGraphQLContext(ctx.orm.em, ctx.services) }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const actualPort = (httpServer.address() as { port: number }).port;
  return {
    httpServer,
    apollo,
    url: `http://localhost:${actualPort}/graphql`,
    async close() {
      await apollo.stop();
    },
  };
}
