/**
 * Shape and cost limits, checked after parsing and before any resolver (and so any SQL)
 * runs. Depth, aliases, directives and tokens come from graphql-armor; the cost estimate
 * comes from graphql-query-complexity with one rule of our own: a list multiplies the cost
 * of what is selected under it by how many items it can return.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  getVariableValues,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  visit,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { RequestLimits } from '../config';
import { DocumentMemo } from './document-memo';
// The read layer's page sizes: a connection without `first` returns DEFAULT_PAGE_SIZE rows,
// and no estimate assumes more than MAX_PAGE_SIZE, the largest `first` the API accepts.
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/read/read-service';
import { inspectionCost } from './inspections';

/**
 * Expected number of children per parent for relationship lists without `first`, from the
 * realistic shape in docs/data-model.md (per participant: 6 audio, 6 biomechanics, ≈ 16 syncs,
 * ≈ 250 cycles; per sync ≈ 25 cycles). Unknown object lists count as 100.
 */
const FANOUT: Record<string, number> = {
  'Query.studies': 3,
  'Study.participants': 100,
  'Participant.audioProcessings': 6,
  'Participant.biomechanicsImports': 6,
  'Participant.synchronizations': 16,
  'Participant.movementCycles': 250,
  'AudioProcessing.synchronizations': 6,
  'AudioProcessing.movementCycles': 60,
  'BiomechanicsImport.synchronizations': 6,
  'BiomechanicsImport.movementCycles': 60,
  'Synchronization.movementCycles': 25,
};

/**
 * Introspection lists hold the schema, not rows: each counts as its average length in this
 * schema (types, fields per type, arguments per field, …), so the estimate of an explorer's
 * introspection query comes out near the real size of its answer, while a query nesting
 * introspection inside itself still multiplies and is refused.
 */
function introspectionFanout(schema: GraphQLSchema): Record<string, number> {
  const types = Object.values(schema.getTypeMap());
  const average = (lists: readonly unknown[][]) =>
    Math.max(1, Math.ceil(lists.reduce((n, l) => n + l.length, 0) / Math.max(lists.length, 1)));
  const withFields = types.filter((t) => isObjectType(t) || isInterfaceType(t)) as {
    getFields(): Record<string, GraphQLField<unknown, unknown>>;
  }[];
  const fields = withFields.flatMap((t) => Object.values(t.getFields()));
  return {
    '__Schema.types': types.length,
    '__Schema.directives': schema.getDirectives().length,
    '__Type.fields': average(withFields.map((t) => Object.values(t.getFields()))),
    '__Type.inputFields': average(types.filter(isInputObjectType).map((t) => Object.values(t.getFields()))),
    '__Type.enumValues': average(types.filter(isEnumType).map((t) => [...t.getValues()])),
    '__Type.interfaces': average(types.filter(isObjectType).map((t) => [...t.getInterfaces()])),
    '__Type.possibleTypes': average(types.filter(isUnionType).map((t) => [...t.getTypes()])),
    '__Field.args': average(fields.map((f) => [...f.args])),
    '__Directive.args': average(schema.getDirectives().map((d) => [...d.args])),
  };
}

/** How many items a field can return: `first` (bounded), the expected fan-out, or 1 for a single object. */
function multiplier(
  parent: string,
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  introspection: Record<string, number>,
): number {
  // A connection's rows are counted once, by the `first` of the field returning it.
  if (parent.endsWith('Connection') && field.name === 'nodes') return 1;
  if (field.args.some((a) => a.name === 'first')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    return Math.min(Math.max(first, 0), MAX_PAGE_SIZE);
  }
  const type = getNullableType(field.type);
  if (isListType(type) && isObjectType(getNamedType(type))) {
    const key = `${parent}.${field.name}`;
    return (parent.startsWith('__') ? introspection[key] : FANOUT[key]) ?? DEFAULT_PAGE_SIZE;
  }
  return 1;
}

const fanoutBySchema = new WeakMap<GraphQLSchema, Record<string, number>>();

/** Every selected field costs 1; lists (and connections) multiply what they contain. */
export function listMultiplierEstimator(schema: GraphQLSchema): ComplexityEstimator {
  let introspection = fanoutBySchema.get(schema);
  if (!introspection) fanoutBySchema.set(schema, (introspection = introspectionFanout(schema)));
  const fanout = introspection;
  // An inspection also counts the statements it runs over whole tables (src/graphql/inspections.ts).
  return ({ type, field, args, childComplexity }) =>
    multiplier(type.name, field, args, fanout) * Math.max(childComplexity, 0) + 1 + inspectionCost(field);
}

/**
 * The variables a cost depends on: those inside a `first` argument (page sizes multiply) or a
 * directive (@skip/@include drop fields).
 */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  let depth = 0;
  visit(document, {
    Argument: {
      enter(node) {
        if (node.name.value === 'first') depth++;
      },
      leave(node) {
        if (node.name.value === 'first') depth--;
      },
    },
    Directive: { enter: () => void depth++, leave: () => void depth-- },
    Variable(node) {
      if (depth > 0) names.add(node.name.value);
    },
  });
  return [...names].sort();
}

/** Estimates by document and its cost variables: lookups differing only in ids are estimated once. */
const COSTS = new DocumentMemo<number>({ max: 1_000, relevantVariables: costVariables });

/** The estimated cost of an operation (kept per document and the variables that change it). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  return COSTS.get(document, operationName, variables, () =>
    getComplexity({
      schema,
      query: document,
      variables,
      operationName: operationName ?? undefined,
      estimators: [listMultiplierEstimator(schema)],
    }),
  );
}

/**
 * Apollo re-labels every validation-rule error GRAPHQL_VALIDATION_FAILED but keeps its other
 * extensions, so the stable code also travels as `limitCode` and formatError restores it.
 */
function limitError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, limitCode: code, http: { status: 400 } } });
}

/** Apollo plugin computing the cost of each operation; over the limit → QUERY_TOO_COMPLEX. */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          // Variables that do not fit their types: execution refuses them before any resolver
          // (or SQL) runs, one error per bad value, each turned into validationErrors by
          // formatError. Estimating here would report only the last one, without field names.
          const { errors } = getVariableValues(schema, operation?.variableDefinitions ?? [], request.variables ?? {});
          if (errors?.length) return;
          let cost: number;
          try {
            cost = operationCost(schema, document, request.operationName, request.variables ?? {});
          } catch (e) {
            // The estimate coerces the variables first, so a bad variable value surfaces here:
            // it is the caller's input, reported as such (it would fail execution the same way).
            if (e instanceof GraphQLError) throw limitError('BAD_USER_INPUT', e.message);
            throw e;
          }
          if (cost > maxCost) {
            throw limitError(
              'QUERY_TOO_COMPLEX',
              `Query cost ${cost} exceeds the limit of ${maxCost} (AE_MAX_COST). Ask for fewer rows per page (first) or fewer nested lists, and page with the cursor.`,
            );
          }
        },
      };
    },
  };
}

/**
 * graphql-armor's depth, alias and directive limits, re-raised with stable codes. Tokens are
 * limited by graphql-js's own parser option (see `parseOptions` in app.ts): armor's token
 * plugin turns every syntax error into an HTTP 500, which the GraphQL-over-HTTP spec forbids.
 */
export function shapeLimits(limits: RequestLimits) {
  const reject =
    (code: string, variable: string, what: string) =>
    (ctx: { reportError(e: GraphQLError): void } | null, error: GraphQLError) => {
      const found = /found (\d+)/i.exec(error.message)?.[1] ?? '?';
      const limit = /(?:limit of|than) (\d+)/i.exec(error.message)?.[1] ?? '?';
      const coded = limitError(code, `${what}: ${found} is over the limit of ${limit} (${variable}).`);
      if (ctx) ctx.reportError(coded);
      else throw coded;
    };
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false }, // suggestions help researchers in Sandbox; the schema is public anyway
    costLimit: { enabled: false }, // replaced by costLimitPlugin, which understands page sizes
    maxDepth: {
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [reject('QUERY_TOO_DEEP', 'AE_MAX_DEPTH', 'Query depth')],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [reject('TOO_MANY_ALIASES', 'AE_MAX_ALIASES', 'Aliases')],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [reject('TOO_MANY_DIRECTIVES', 'AE_MAX_DIRECTIVES', 'Directives')],
    },
    maxTokens: { enabled: false },
  });
  return armor.protect();
}

/** graphql-js's message when `parseOptions.maxTokens` stops the parser. */
export const TOO_MANY_TOKENS = /Document contains more tha[nt] (\d+) tokens/;
