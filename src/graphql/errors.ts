/**
 * How service errors reach GraphQL clients: a stable `extensions.code` and a message for
 * a person. Anything unexpected becomes INTERNAL_SERVER_ERROR without internals.
 */
import { GraphQLError, parse, type ASTNode, type DocumentNode, type GraphQLFormattedError, type Location, type ValueNode } from 'graphql';
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
  if (original instanceof GraphQLError && formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') {
    const argument = badArgumentValue(original);
    if (argument) return { ...formatted, message: `Argument ${argument}: ${formatted.message}`, extensions: { code: 'BAD_USER_INPUT', argument } };
  }
  if (debug) return formatted;
  if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return withoutStacktrace(formatted);
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Apollo adds stack traces outside production (NODE_ENV); only AE_DEBUG should show them. */
function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _omitted, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * For a validation error about a value written in the query (an unknown enum value, a
 * string where an Int belongs, an unknown filter field), the argument it sits in, as a
 * path: `filter.maneuver[0]`. Such an error is bad user input, not a malformed query.
 * Values passed as variables are already reported that way by Apollo.
 */
function badArgumentValue(error: GraphQLError): string | undefined {
  const loc = error.nodes?.[0]?.loc;
  if (!loc || !error.nodes?.[0] || !['ObjectField', 'ListValue', 'ObjectValue', 'EnumValue', 'IntValue', 'FloatValue', 'StringValue', 'BooleanValue', 'NullValue'].includes(error.nodes[0].kind)) {
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

const within = (outer: Location | undefined, inner: Location) => !!outer && outer.start <= inner.start && inner.end <= outer.end;

function findArgument(node: ASTNode, target: Location): string | undefined {
  if (node.kind === 'Argument') return within(node.loc, target) ? `${node.name.value}${valuePath(node.value, target)}` : undefined;
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
