/**
 * How errors reach GraphQL clients: a stable `extensions.code` and a message for a person.
 * Anything unexpected becomes INTERNAL_SERVER_ERROR with an `errorId` that also appears in
 * the server log beside the real cause; stack traces, SQL and internal messages are shown
 * only with AE_DEBUG=1.
 */
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  parse,
  type ASTNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type Location,
  type ValueNode,
} from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { UserError, ValidationFailedError, type FieldViolation } from '../services/errors';
import { isDatabaseUnavailable, isStatementTimeout } from '../services/ops/diagnose';
import type { Logger } from '../logger';
import { requestScope } from '../db/request-scope';
import { TOO_MANY_TOKENS } from './limits';

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

/** How graphql-js's reasons for refusing a variable value begin (after "; "). */
const REASON_START =
  /; (?=Field "|Expected |Int cannot|Float cannot|String cannot|Boolean cannot|ID cannot|Value "|Enum "|DateTime)/;

/**
 * graphql-js refuses a variable of the wrong type before any resolver runs
 * (`Variable "$input" got invalid value "middle" at "input.knee"; Value "middle" does not
 * exist in "Knee" enum.`). Reads the field, batch index and rule out of that message, so
 * clients get the same `validationErrors` shape as from the service's own rules.
 */
export function variableViolation(message: string): FieldViolation | undefined {
  const head = /^Variable "\$(\w+)" got invalid value /.exec(message);
  if (!head) return undefined;
  // The message quotes the value sent, and it may itself contain "; ": the path and the
  // reason are found by patterns with unescaped quotes or graphql-js's own wording, which a
  // quoted string value cannot imitate by accident.
  const at = new RegExp(` at "${head[1]}((?:\\.\\w+|\\[\\d+\\])*)"; `).exec(message);
  const path = at?.[1] ?? '';
  const bare = at ? null : REASON_START.exec(message.slice(head[0].length));
  const start = at ? at.index + at[0].length : bare ? head[0].length + bare.index + 2 : message.indexOf('; ') + 2;
  const reason = message.slice(start);
  const index = /^\[(\d+)\]/.exec(path)?.[1];
  // The field's path inside the variable (`synchronizations[2].movementCycles[17].durationS`); a
  // leading batch index is reported as `index`, as the service's own rules do.
  const missing = /^Field "(\w+)"/.exec(reason)?.[1];
  // An element of a list of scalars (`stompDetectionMethods[1]`) is reported as the list's field.
  const inside = path
    .replace(/^\[\d+\]/, '')
    .replace(/^\./, '')
    .replace(missing ? /$^/ : /\[\d+\]$/, '');
  const field = [inside, missing].filter(Boolean).join('.') || head[1];
  const rule = TYPE_RULES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'graphqlType';
  return { field, rule, message: `${field}: ${reason}`, ...(index === undefined ? {} : { index: Number(index) }) };
}

export interface ErrorFormatOptions {
  debug?: boolean;
  logger?: Logger;
  queryTimeoutMs?: number;
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  o: ErrorFormatOptions = {},
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  const limitCode = formatted.extensions?.limitCode;
  if (typeof limitCode === 'string') return { ...base, extensions: { code: limitCode } };
  const tooManyTokens = TOO_MANY_TOKENS.exec(formatted.message);
  if (tooManyTokens) {
    return {
      ...base,
      message: `Query has more than ${tooManyTokens[1]} tokens, the limit (AE_MAX_TOKENS).`,
      extensions: { code: 'QUERY_TOO_LARGE' },
    };
  }
  if (original instanceof ValidationFailedError) {
    return {
      ...base,
      message: original.message,
      extensions: { code: original.code, validationErrors: original.violations },
    };
  }
  if (original instanceof UserError) {
    return { ...base, message: original.message, extensions: { code: original.code } };
  }
  const typeViolation =
    formatted.extensions?.code === 'BAD_USER_INPUT' ? variableViolation(formatted.message) : undefined;
  if (typeViolation)
    return {
      ...base,
      message: formatted.message,
      extensions: { code: 'BAD_USER_INPUT', validationErrors: [typeViolation] },
    };
  if (original instanceof GraphQLError && formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') {
    const argument = badArgumentValue(original);
    if (argument)
      return {
        ...base,
        message: `Argument ${argument}: ${formatted.message}`,
        extensions: { code: 'BAD_USER_INPUT', argument },
      };
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
  o.logger?.error(
    { errorId, requestId: requestScope.getStore()?.requestId, path: formatted.path, err: original },
    'unexpected error',
  );
  if (o.debug) return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR', errorId } };
  return {
    ...base,
    message: `Internal server error (error id ${errorId})`,
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
  };
}

/**
 * For a validation error about a value written in the query (an unknown enum value, a
 * string where an Int belongs, an unknown filter field), the argument it sits in, as a
 * path: `filter.maneuver[0]`. Such an error is bad user input, not a malformed query.
 * Values passed as variables are already reported that way by Apollo.
 */
function badArgumentValue(error: GraphQLError): string | undefined {
  const loc = error.nodes?.[0]?.loc;
  if (
    !loc ||
    !error.nodes?.[0] ||
    ![
      'ObjectField',
      'ListValue',
      'ObjectValue',
      'EnumValue',
      'IntValue',
      'FloatValue',
      'StringValue',
      'BooleanValue',
      'NullValue',
    ].includes(error.nodes[0].kind)
  ) {
    return undefined;
  }
  let document: DocumentNode;
  try {
    document = parse(loc.source);
  } catch {
    return undefined;
  }
  return findArgument(document, loc);
}

const within = (outer: Location | undefined, inner: Location) =>
  !!outer && outer.start <= inner.start && inner.end <= outer.end;

function findArgument(node: ASTNode, target: Location): string | undefined {
  if (node.kind === 'Argument')
    return within(node.loc, target) ? `${node.name.value}${valuePath(node.value, target)}` : undefined;
  for (const child of Object.values(node)) {
    const candidates = Array.isArray(child) ? child : [child];
    for (const c of candidates) {
      if (c && typeof c === 'object' && typeof c.kind === 'string' && within(c.loc, target)) {
        const found = findArgument(c as ASTNode, target);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function valuePath(value: ValueNode, target: Location): string {
  if (value.kind === 'ObjectValue') {
    const field = value.fields.find((f) => within(f.loc, target));
    return field ? `.${field.name.value}${valuePath(field.value, target)}` : '';
  }
  if (value.kind === 'ListValue') {
    const i = value.values.findIndex((v) => within(v.loc, target));
    return i >= 0 ? `[${i}]${valuePath(value.values[i], target)}` : '';
  }
  return '';
}
