/**
 * How service errors reach GraphQL clients: a stable `extensions.code` and a message for
 * a person. Anything unexpected becomes INTERNAL_SERVER_ERROR without internals.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { UserError, ValidationFailedError } from '../services/errors';

export function formatError(formatted: GraphQLFormattedError, error: unknown, debug = false): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof ValidationFailedError) {
    return { ...formatted, message: original.message, extensions: { code: original.code, validationErrors: original.violations } };
  }
  if (original instanceof UserError) {
    return { ...formatted, message: original.message, extensions: { code: original.code } };
  }
  if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  if (debug) return formatted;
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
