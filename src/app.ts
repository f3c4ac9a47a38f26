/**
 * The HTTP application: Apollo Server at /graphql, the explorer pages for browsers
 * (src/graphql/explorer.ts) and GET /health. Built from an AppContext so tests can serve a throwaway database.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { AppContext } from './context';
import type { ReplicaReport } from './db/read-pool';
import { buildAppSchema, SCHEMA_VALIDATION_RULES } from './graphql/schema';
import { createGraphQLContext, type GraphQLContext } from './graphql/context';
import { formatError } from './graphql/errors';
import { exampleDocument, explorerRoutes } from './graphql/explorer';
import { costLimitPlugin, shapeLimits } from './graphql/limits';
import { inspectionLimitPlugin } from './graphql/inspections';
import { compiledReads, graphqlHandler } from './graphql/compiled/front-door';
import { requestScope } from './db/request-scope';
import { createLogger, type Logger } from './logger';
import { accessControl } from './graphql/access';
import {
  EXPORT_CONTENT_TYPE,
  ExportParameterError,
  ExportsBusyError,
  exportStatement,
  type ExportFormat,
} from './services/read/export';
import { isDatabaseUnavailable, isStatementTimeout } from './services/ops/diagnose';
import { TABLES, type TableName } from './entities';
import { ConfigError } from './config';
import { allowedHosts, exposureRefusal, hostCheck } from './http/exposure';
import { bodyParser, bodyTooLargeMessage } from './http/body-limit';
import { callerIdentification, callerOf } from './http/caller';

export interface RunningApp {
  httpServer: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  url: string;
  /** Stop accepting requests, let in-flight ones finish (bounded by the grace period), then close. */
  close(): Promise<void>;
}

export interface HealthReport {
  /** `degraded`: migrations pending, or a replica serves no reads (they fall back to the primary). */
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'up' | 'down';
  pendingMigrations: number | null;
  /** Each of AE_DATABASE_REPLICA_URLS, checked now: state, lag in seconds, whether it serves reads. */
  replicas: ReplicaReport[];
}

export async function health(ctx: AppContext): Promise<HealthReport> {
  const replicas = await ctx.reads.check();
  const replicasOk = replicas.every((r) => r.servesReads);
  try {
    const { pending } = await ctx.services.migrations.status();
    return {
      status: pending.length || !replicasOk ? 'degraded' : 'ok',
      database: 'up',
      pendingMigrations: pending.length,
      replicas,
    };
  } catch {
    return { status: 'unavailable', database: 'down', pendingMigrations: null, replicas };
  }
}

/** The status body-parser (through http-errors) puts on the errors it passes to the error handler. */
interface HttpError {
  status?: number;
  statusCode?: number;
}

/** One structured log line per GraphQL request: id, operation, duration, SQL statements, outcome. */
function requestLogPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, errors, operationName }) {
          const scope = requestScope.getStore();
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = [
            ...new Set((single?.errors ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'ERROR'))),
          ];
          logger.info(
            {
              requestId: scope?.requestId,
              operationName: operationName ?? request.operationName ?? null,
              durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
              sqlStatements: scope?.sqlStatements ?? 0,
              outcome: codes.length ? 'error' : 'ok',
              errorCodes: codes.length ? codes : undefined,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

export interface AppOptions {
  logger?: Logger;
}

export async function startApp(
  ctx: AppContext,
  port: number,
  host = '127.0.0.1',
  o: AppOptions = {},
): Promise<RunningApp> {
  const { limits } = ctx.config;
  const refusal = exposureRefusal({ ...ctx.config, host });
  if (refusal) throw new ConfigError(refusal);
  const logger = o.logger ?? createLogger(ctx.config.logLevel);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const armor = shapeLimits(limits);
  const errorOptions = { debug: ctx.config.debug, logger, queryTimeoutMs: limits.queryTimeoutMs };
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildAppSchema(),
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: ctx.config.debug,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    validationRules: [...armor.validationRules, ...SCHEMA_VALIDATION_RULES],
    formatError: (formatted, error) => formatError(formatted, error, errorOptions),
    plugins: [
      ...armor.plugins,
      // Before the cost estimate: repeating an inspection gets the message that says so.
      inspectionLimitPlugin(),
      costLimitPlugin(limits.maxCost),
      requestLogPlugin(logger),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: limits.shutdownGraceMs }),
      accessControl(ctx.config.tokens),
      // Last: runs only once every check above has passed.
      compiledReads({
        reads: ctx.reads,
        read: ctx.services.read,
        logger,
        limits,
        namedStatements: !ctx.config.transactionPooling,
        formatError: (e) =>
          formatError(
            { message: String((e as Error)?.message ?? e), extensions: { code: 'INTERNAL_SERVER_ERROR' } },
            e,
            errorOptions,
          ),
      }),
      // Browsers get the explorer pages of src/graphql/explorer.ts instead of Apollo's CDN-only landing page.
      ApolloServerPluginLandingPageDisabled(),
      // Installed by default, it hooks every field of every response (tens of thousands for a
      // tree) to compute HTTP cache hints this API never sets.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  // The configured tokens are digested here, once; each request's token once, by the routes that need it.
  const identify = callerIdentification(ctx.config.tokens);
  // First of all: a request naming a host this server is not (DNS rebinding) gets nothing.
  app.use(hostCheck(allowedHosts(host, ctx.config.allowedHosts)));
  // Every request runs in its own scope: its id (echoed as x-request-id) and its SQL statement count.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    requestScope.run({ requestId, sqlStatements: 0 }, next);
  });

  app.get('/health', async (_req, res) => {
    const report = await health(ctx);
    res.status(report.database === 'up' ? 200 : 503).json(report);
  });
  // Streaming CSV / NDJSON export of a table, filtered like the GraphQL lists.
  app.get('/export/:file', identify, async (req: Request, res: Response) => {
    const caller = callerOf(res);
    if (caller.presented && caller.level === 'none') {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'The token is not valid for this server.' } });
      return;
    }
    if (ctx.config.tokens.read && caller.level === 'none') {
      res.status(401).json({
        error: {
          code: 'UNAUTHENTICATED',
          message: 'Reads need a token: send Authorization: Bearer <AE_READ_TOKEN>.',
        },
      });
      return;
    }
    const m = /^(\w+)\.(csv|ndjson)$/.exec(String(req.params.file));
    if (!m || !(TABLES as readonly string[]).includes(m[1])) {
      res.status(404).json({
        error: {
          code: 'NOT_FOUND',
          parameter: 'table',
          message: `Export one of ${TABLES.map((t) => `/export/${t}.csv`).join(', ')} (or .ndjson).`,
        },
      });
      return;
    }
    const [, table, format] = m as unknown as [string, TableName, ExportFormat];
    const params = new URL(req.originalUrl, 'http://localhost').searchParams;
    try {
      exportStatement(table, format, params); // validate before anything is sent
      res.status(200).setHeader('content-type', EXPORT_CONTENT_TYPE[format]);
      res.setHeader('content-disposition', `inline; filename="${table}.${format}"`);
      await ctx.services.export.stream(table, format, params, res);
    } catch (e) {
      if (res.headersSent) {
        // Mid-stream failure (or the client went away): all we can do is cut the response.
        if (!(e as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_STREAM'))
          logger.warn({ err: e, table }, 'export interrupted');
        res.destroy();
        return;
      }
      res.removeHeader('content-disposition'); // an error, not the file
      if (e instanceof ExportParameterError) {
        res.status(400).json({ error: { code: 'BAD_USER_INPUT', parameter: e.parameter, message: e.message } });
      } else if (e instanceof ExportsBusyError) {
        res.status(503).setHeader('retry-after', String(e.retryAfterS));
        res.json({ error: { code: 'EXPORTS_BUSY', maxExports: e.maxExports, message: e.message } });
      } else if (isStatementTimeout(e)) {
        res.status(503).json({
          error: {
            code: 'EXPORT_TIMEOUT',
            message: `The export did not finish within ${limits.exportTimeoutMs} ms (AE_EXPORT_TIMEOUT_MS); narrow it with filters.`,
          },
        });
      } else if (isDatabaseUnavailable(e)) {
        res.status(503).json({
          error: {
            code: 'DATABASE_UNAVAILABLE',
            message: 'The database is unavailable right now; try again in a few seconds.',
          },
        });
      } else {
        const errorId = randomUUID();
        logger.error({ err: e, errorId, table }, 'export failed');
        res.status(500).json({
          error: { code: 'INTERNAL_SERVER_ERROR', errorId, message: `Internal server error (error id ${errorId})` },
        });
      }
    }
  });
  app.use(explorerRoutes({ endpoint: '/graphql', document: exampleDocument() }));
  app.use('/graphql', identify, bodyParser(limits), (req: Request, res: Response, next: NextFunction) =>
    // A handler per request: its context function is not given the request, whose caller it carries.
    graphqlHandler(apollo, async () => createGraphQLContext(ctx.orm.em, ctx.services, callerOf(res)))(req, res, next),
  );
  // Body-parser failures (too large, malformed JSON) answered as GraphQL-over-HTTP errors, not HTML.
  app.use((err: HttpError | undefined, _req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const status = Number(err.status ?? err.statusCode) || 500;
    const code = status === 413 ? 'REQUEST_TOO_LARGE' : status === 400 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message =
      status === 413
        ? bodyTooLargeMessage(res, limits)
        : status === 400
          ? 'Request body is not valid JSON.'
          : 'Internal server error';
    if (status >= 500) logger.error({ err, requestId: requestScope.getStore()?.requestId }, 'http error');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

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
