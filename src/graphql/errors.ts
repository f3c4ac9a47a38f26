/**
 * How errors reach GraphQL clients: a stable `extensions.code` and a message for a person.
 * Anything unexpected becomes INTERNAL_SERVER_ERROR with an `errorId` that also appears in
 * the server log beside the real cause; stack traces, SQL and internal messages are shown
 * only with AE_DEBUG=1.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { UserError, ValidationFailedError } from '../services/errors';
import { isDatabaseUnavailable, isStatementTimeout } from '../services/diagnose';
import type { Logger } from '../logger';
import { requestScope } from '../db/request-scope';
import { TOO_MANY_TOKENS } from './limits';

export interface ErrorFormatOptions {
  debug?: boolean;
  logger?: Logger;
  queryTimeoutMs?: number;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown, o: ErrorFormatOptions = {}): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  const limitCode = formatted.extensions?.limitCode;
  if (typeof limitCode === 'string') return { ...base, extensions: { code: limitCode } };
  const tooManyTokens = TOO_MANY_TOKENS.exec(formatted.message);
  if (tooManyTokens) {
    return { ...base, message: `Query has more than ${tooManyTokens[1]} tokens, the limit (AE_MAX_TOKENS).`, extensions: { code: 'QUERY_TOO_LARGE' } };
  }
  if (original instanceof ValidationFailedError) {
    return { ...base, message: original.message, extensions: { code: original.code, validationErrors: original.violations } };
  }
  if (original instanceof UserError) {
    return { ...base, message: original.message, extensions: { code: original.code } };
  }
  if (isDatabaseUnavailable(original)) {
    o.logger?.warn({ requestId: requestScope.getStore()?.requestId, err: original }, 'database unavailable');
    return {
      ...base,
      message: 'The database is unavailable right now; try again in a few seconds.',
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    };
  }
  if (isStatementTimeout(original)) {
    return {
      ...base,
      message: `The query was cancelled after ${o.queryTimeoutMs ?? '?'} ms (AE_QUERY_TIMEOUT_MS): ask for fewer rows per page, or narrow the filter.`,
      extensions: { code: 'QUERY_TIMEOUT' },
    };
  }
  // Parse/validation errors and our own coded GraphQLErrors are meant for the client as they are.
  if (original instanceof GraphQLError && formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const errorId = randomUUID();
  o.logger?.error({ errorId, requestId: requestScope.getStore()?.requestId, path: formatted.path, err: original }, 'unexpected error');
  if (o.debug) return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR', errorId } };
  return { ...base, message: `Internal server error (error id ${errorId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', errorId } };
}
