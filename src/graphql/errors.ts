/**
 * How service errors reach GraphQL clients: a stable `extensions.code` and a message for
 * a person. Anything unexpected becomes INTERNAL_SERVER_ERROR without internals.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { UserError, ValidationFailedError, type FieldViolation } from '../services/errors';

const TYPE_RULES: [RegExp, string][] = [
  [/does not exist in ".*" enum/, 'isEnum'],
  [/was not provided|non-nullable/, 'isDefined'],
  [/is not defined by type/, 'unknownField'],
  [/^Int cannot/, 'isInt'],
  [/^Float cannot/, 'isNumber'],
  [/^String cannot/, 'isString'],
  [/^Boolean cannot/, 'isBoolean'],
  [/^DateTime/, 'isDate'],
];

/**
 * graphql-js refuses a variable of the wrong type before any resolver runs
 * (`Variable "$input" got invalid value "middle" at "input.knee"; Value "middle" does not
 * exist in "Knee" enum.`). Reads the field, batch index and rule out of that message, so
 * clients get the same `validationErrors` shape as from the service's own rules.
 */
export function variableViolation(message: string): FieldViolation | undefined {
  const head = /^Variable "\$(\w+)" got invalid value /.exec(message);
  if (!head) return undefined;
  const at = new RegExp(` at "${head[1]}((?:\\.\\w+|\\[\\d+\\])*)"; `).exec(message);
  const path = at?.[1] ?? '';
  const reason = at ? message.slice(at.index + at[0].length) : message.slice(message.indexOf('; ') + 2);
  const field = /^Field "(\w+)"/.exec(reason)?.[1] ?? [...path.matchAll(/\.(\w+)/g)].at(-1)?.[1] ?? head[1];
  const index = /^\[(\d+)\]/.exec(path)?.[1];
  const rule = TYPE_RULES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'graphqlType';
  return { field, rule, message: `${field}: ${reason}`, ...(index === undefined ? {} : { index: Number(index) }) };
}

export function formatError(formatted: GraphQLFormattedError, error: unknown, debug = false): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof ValidationFailedError) {
    return { ...formatted, message: original.message, extensions: { code: original.code, validationErrors: original.violations } };
  }
  if (original instanceof UserError) {
    return { ...formatted, message: original.message, extensions: { code: original.code } };
  }
  const typeViolation = formatted.extensions?.code === 'BAD_USER_INPUT' ? variableViolation(formatted.message) : undefined;
  if (typeViolation) return { ...formatted, extensions: { ...formatted.extensions, validationErrors: [typeViolation] } };
  if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  if (debug) return formatted;
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
