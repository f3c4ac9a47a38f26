/**
 * The front door of reads. Apollo still parses, validates and applies every limit and the
 * access check; then, before execution, `compiledReads` compiles the query into one SQL
 * statement (compile.ts), starts it, and learns from its first line how many rows the
 * response holds:
 *  - over AE_MAX_ROWS: refused with RESPONSE_TOO_LARGE, nothing sent;
 *  - over AE_HEAVY_ROWS: waits for one of AE_MAX_HEAVY_REQUESTS slots, at most
 *    AE_HEAVY_WAIT_MS, else 503 with Retry-After;
 *  - then `graphqlHandler` streams PostgreSQL's text to the client.
 * A query the compiler cannot answer runs on the resolvers as before (logged); its rows are
 * counted in the finished result, before it is sent.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import { getVariableValues, type GraphQLFormattedError } from 'graphql';
import type { ReadPool } from '../../db/read-pool';
import type { RequestLimits } from '../../config';
import type { Logger } from '../../logger';
import type { ReadService } from '../../services/read';
import { openCompiledRead, runPreparedRead } from '../../services/read/stream';
import { operationCost } from '../limits';
import { requestScope } from '../../db/request-scope';
import type { GraphQLContext } from '../context';
import { compileRead, fragmentsOf, type CompileResult } from './compile';
import { DocumentMemo } from '../document-memo';

/** A response PostgreSQL writes: set on the context by the plugin, sent by the handler. */
export interface StreamedResponse {
  /** The inside of `{"data":{…}}`: a stream, or (small responses) the text itself. */
  body: Readable | string;
  /** Called once the response is sent or abandoned. */
  done(): void;
}

type RowLimits = Pick<RequestLimits, 'maxRows' | 'heavyRows' | 'maxHeavyRequests' | 'heavyWaitMs'>;

/** At most `max` holders at once; the others queue, each for a bounded time. */
export class Slots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** A release function, or null when none freed up within `waitMs`. */
  acquire(waitMs: number): Promise<(() => void) | null> {
    const release = () => {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    };
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(once(release));
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(grant), 1);
        resolve(null);
      }, waitMs);
      this.queue.push(grant);
    });
  }
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (!called) {
      called = true;
      fn();
    }
  };
}

function refusal(
  code: string,
  message: string,
  status: number,
  extra: Record<string, unknown> = {},
  headers?: [string, string][],
): GraphQLResponse {
  return {
    http: { status, headers: new HeaderMap(headers ?? []) },
    body: { kind: 'single', singleResult: { errors: [{ message, extensions: { code, ...extra } }] } },
  };
}

export function tooLarge(rows: number, maxRows: number): GraphQLResponse {
  return refusal(
    'RESPONSE_TOO_LARGE',
    `The response would hold ${rows} rows, over the limit of ${maxRows} (AE_MAX_ROWS). Ask for fewer rows: page through a list with first/after, ` +
      'narrow the filter or nest fewer lists, or download whole tables from /export/{table}.csv.',
    400,
    { rows, maxRows },
  );
}

const RETRY_AFTER_S = 5;

/**
 * Up to this estimated cost (fields × rows, see limits.ts), a response is at most a few
 * hundred kilobytes: it runs as a prepared statement (planned once per connection) and is
 * sent whole. Above it, COPY streams it.
 */
const PREPARED_MAX_COST = 50_000;

/**
 * Compiled statements of requests already seen (document, operation and all coerced
 * variables): a repeated request skips the compiler, about a tenth of a small lookup's CPU.
 */
const STATEMENTS = new DocumentMemo<CompileResult>({ max: 1_000 });

export interface CompiledReadsOptions {
  /** Where the statement runs: a serving replica, else the primary. */
  reads: ReadPool;
  read: ReadService;
  logger: Logger;
  limits: RowLimits;
  /** Whether statements may be prepared by name per session (not behind a transaction pooler). */
  namedStatements: boolean;
  /** How a failure of the statement is reported (the server's formatError). */
  formatError(error: unknown): GraphQLFormattedError;
}

/** Records in a finished result: every object below `data` (resolver path only). */
function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countObjects(v), 0);
  if (value && typeof value === 'object') {
    let n = 1;
    for (const v of Object.values(value)) if (v && typeof v === 'object') n += countObjects(v);
    return n;
  }
  return 0;
}

export function compiledReads(o: CompiledReadsOptions): ApolloServerPlugin<GraphQLContext> {
  const heavy = new Slots(o.limits.maxHeavyRequests);
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ request, document, operation, schema, contextValue }) {
          if (!operation || operation.operation !== 'query') return null;
          const { coerced, errors } = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          // Bad variables: execution reports them, field by field.
          if (errors?.length || !coerced) return null;
          const compiled = STATEMENTS.get(document, request.operationName, coerced, () =>
            compileRead(schema, fragmentsOf(document.definitions), operation, coerced, o.read),
          );
          if ('fallback' in compiled) {
            o.logger.info(
              { requestId: requestScope.getStore()?.requestId, reason: compiled.fallback },
              'read answered by the resolvers',
            );
            return null;
          }
          let stream: { rows: number; body: Readable | string; abort(): void };
          try {
            if (operationCost(schema, document, request.operationName, request.variables ?? {}) <= PREPARED_MAX_COST) {
              const small = await runPreparedRead(o.reads, compiled.sql, compiled.values, { named: o.namedStatements });
              stream = { ...small, abort: () => {} };
            } else {
              stream = await openCompiledRead(o.reads, compiled.sql, compiled.values);
            }
          } catch (e) {
            return {
              http: { status: 200, headers: new HeaderMap() },
              body: { kind: 'single', singleResult: { errors: [o.formatError(e)] } },
            };
          }
          if (stream.rows > o.limits.maxRows) {
            stream.abort();
            return tooLarge(stream.rows, o.limits.maxRows);
          }
          let release = () => {};
          if (stream.rows > o.limits.heavyRows) {
            const granted = await heavy.acquire(o.limits.heavyWaitMs);
            if (!granted) {
              stream.abort();
              return refusal(
                'SERVER_BUSY',
                `${o.limits.maxHeavyRequests} requests of over ${o.limits.heavyRows} rows are already running (AE_MAX_HEAVY_REQUESTS); try again in a few seconds, or ask for smaller pages.`,
                503,
                {},
                [['retry-after', String(RETRY_AFTER_S)]],
              );
            }
            release = granted;
          }
          contextValue.reply.streamed = { body: stream.body, done: release };
          return {
            http: { status: 200, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { data: {} } },
          };
        },
        async willSendResponse({ response, contextValue }) {
          if (contextValue.reply.streamed || response.body.kind !== 'single') return;
          const { data } = response.body.singleResult;
          if (!data) return;
          const rows = countObjects(data) - 1;
          if (rows > o.limits.maxRows) {
            const refused = tooLarge(rows, o.limits.maxRows);
            response.body = refused.body;
            response.http.status = 400;
          }
        },
      };
    },
  };
}

/**
 * Express handler for /graphql (in place of @as-integrations/express5's): Apollo's response
 * as it is, unless the plugin left a streamed one on the context.
 */
export function graphqlHandler(apollo: ApolloServer<GraphQLContext>, context: () => Promise<GraphQLContext>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let ctx: GraphQLContext | undefined;
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method.toUpperCase(),
          headers,
          search: new URL(req.url, 'http://localhost').search,
          body: req.body,
        },
        context: async () => (ctx = await context()),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      const streamed = ctx?.reply.streamed;
      if (streamed && typeof streamed.body === 'string') {
        res.statusCode = 200;
        res.end(`{"data":{${streamed.body}}}\n`);
        streamed.done();
        return;
      }
      if (streamed) {
        res.statusCode = 200;
        const source = streamed.body as Readable;
        try {
          await pipeline(
            source,
            async function* (pieces: AsyncIterable<Buffer>) {
              yield '{"data":{';
              yield* pieces;
              yield '}}\n';
            },
            res,
          );
        } finally {
          streamed.done();
        }
        return;
      }
      res.statusCode = response.status || 200;
      if (response.body.kind === 'complete') {
        res.send(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (e) {
      if (res.headersSent) res.destroy();
      else next(e);
    }
  };
}
