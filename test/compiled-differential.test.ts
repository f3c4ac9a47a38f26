/**
 * Differential property test: random read queries over the schema (field subsets, nesting
 * both ways, filters, orderings, pages and cursors, aliases, fragments, directives,
 * variables) must get byte-identical answers from the compiled path (one SQL statement,
 * JSON written by PostgreSQL, over HTTP) and from the resolver path (graphql-js executing
 * the resolvers, as JSON.stringify writes it), on one seeded database. A difference prints
 * the query, its variables and both answers.
 */
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  GraphQLInt,
  GraphQLNonNull,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { postGraphQL } from './helpers/http';
import { useReadFixture } from './helpers/read-fixture';
import { buildAppSchema } from '../src/graphql/schema';

const RUNS = Number(process.env.AE_DIFFERENTIAL_RUNS ?? 1000);
const RECORD_TYPES = new Set([
  'Study',
  'Participant',
  'AudioProcessing',
  'BiomechanicsImport',
  'Synchronization',
  'MovementCycle',
]);

const { gql, server } = useReadFixture(async (sql) => {
  // Values the formats differ on: tiny and huge floats, microseconds, an empty segment list.
  await sql.query(
    `update movement_cycles set start_time_s = 1.5e-7, end_time_s = 0.00001, duration_s = 0.0000098 where id = 3`,
  );
  await sql.query(
    `update movement_cycles set start_time_s = 1e15 + 0.5, end_time_s = 1.25e21, duration_s = 1.25e21 where id = 4`,
  );
  await sql.query(`update audio_processing set qc_fail_segments = '{0.000012,1.5,1e-7,2}' where id = 2`);
  await sql.query(`update audio_processing set qc_fail_segments = '{}' where id = 3`);
  await sql.query(`update synchronization set processing_date = '2024-03-05 10:11:12.999999+00' where id = 2`);
});
let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await buildAppSchema();
});

// ------------------------------------------------------------------ query model

interface Field {
  name: string;
  alias?: boolean;
  args?: Record<string, Value>;
  directive?: 'skip' | 'include' | 'skipVar' | 'includeVar';
  sub?: Item[];
}
type Item = { field: Field } | { inline: Item[]; typed: boolean } | { spread: Item[] };
/** A GraphQL value: literal, or sent as a variable of the given type. */
interface Value {
  value: unknown;
  type: GraphQLInputType;
  asVariable: boolean;
}

interface RootQuery {
  field: Field;
  /** A connection to read from its second page: `after` comes from the first. */
  secondPage: boolean;
}

function fieldsOf(type: GraphQLObjectType) {
  const all = Object.values(type.getFields());
  return {
    scalars: all.filter((f) => !isObjectType(getNamedType(f.type))).map((f) => f.name),
    objects: all.filter((f) => isObjectType(getNamedType(f.type))),
  };
}

const PARTICIPANT_NUMBERS = [0, 1001, 1002, 2001, 2002, 3001, 3002, 9999];

function intsFor(name: string): fc.Arbitrary<number[]> {
  const from = (values: number[]) => fc.subarray(values, { minLength: 1, maxLength: 3 });
  if (name === 'participantNumber') return from(PARTICIPANT_NUMBERS);
  if (/Channel$/.test(name)) return from([1, 2, 3, 4]);
  if (name === 'passNumber') return from([1, 2, 3]);
  return fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 3 });
}

const FLOATS = [0.5, 1, 1.25, 2, 3.5, 60, 200];
const TIMES = [
  '2023-01-01T00:00:00.000Z',
  '2024-03-02T00:00:00.000Z',
  '2024-03-20T00:00:00.000Z',
  '2025-06-01T00:00:00.000Z',
];

function range<T>(pool: T[], lo: string, hi: string): fc.Arbitrary<Record<string, T>> {
  return fc.tuple(fc.option(fc.constantFrom(...pool)), fc.option(fc.constantFrom(...pool))).map(([a, b]) => {
    const [x, y] = a !== null && b !== null && pool.indexOf(a) > pool.indexOf(b) ? [b, a] : [a, b];
    return { ...(x === null ? {} : { [lo]: x }), ...(y === null ? {} : { [hi]: y }) };
  });
}

function filterArb(type: GraphQLInputObjectType): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.values(type.getFields());
  const valueOf = (name: string, t: GraphQLInputType): fc.Arbitrary<unknown> => {
    const named = getNamedType(t);
    if (isEnumType(named))
      return fc.subarray(
        named.getValues().map((v) => v.name),
        { minLength: 1, maxLength: 2 },
      );
    if (isInputObjectType(named))
      return named.name === 'FloatRange' ? range(FLOATS, 'min', 'max') : range(TIMES, 'from', 'to');
    if (named.name === 'Boolean') return fc.boolean();
    return intsFor(name);
  };
  return fc
    .subarray(fields, { maxLength: 2 })
    .chain((chosen) => fc.tuple(...chosen.map((f) => valueOf(f.name, f.type).map((v) => [f.name, v] as const))))
    .map((entries) => Object.fromEntries(entries));
}

function orderArb(orderType: GraphQLInputObjectType): fc.Arbitrary<unknown[]> {
  const fieldEnum = getNamedType(orderType.getFields().field.type);
  const names = isEnumType(fieldEnum) ? fieldEnum.getValues().map((v) => v.name) : [];
  return fc
    .subarray(names, { maxLength: 2 })
    .chain((fields) =>
      fc.tuple(...fields.map((f) => fc.constantFrom('ASC', 'DESC').map((d) => ({ field: f, direction: d })))),
    );
}

function argsArb(
  field: ReturnType<typeof fieldsOf>['objects'][number],
  withPage: boolean,
): fc.Arbitrary<Record<string, Value>> {
  const byName = Object.fromEntries(field.args.map((a) => [a.name, a.type]));
  const parts: fc.Arbitrary<[string, Value] | null>[] = [];
  const value = (name: string, arb: fc.Arbitrary<unknown>) =>
    fc.option(
      fc
        .tuple(arb, fc.boolean())
        .map(([v, asVariable]) => [name, { value: v, type: byName[name], asVariable }] as [string, Value]),
      { freq: 2 },
    );
  if (byName.filter) parts.push(value('filter', filterArb(getNamedType(byName.filter) as GraphQLInputObjectType)));
  if (byName.orderBy) parts.push(value('orderBy', orderArb(getNamedType(byName.orderBy) as GraphQLInputObjectType)));
  if (withPage && byName.first) parts.push(value('first', fc.constantFrom(0, 1, 2, 5, 30)));
  return fc
    .tuple(...parts)
    .map((entries) => Object.fromEntries(entries.filter((e): e is [string, Value] => e !== null)));
}

const directiveArb: fc.Arbitrary<Field['directive']> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('skip', 'include', 'skipVar', 'includeVar') as fc.Arbitrary<Field['directive']>,
  },
);

/** A selection set on `type`, nesting up to `depth` more object levels. */
function itemsArb(type: GraphQLObjectType, depth: number): fc.Arbitrary<Item[]> {
  const { scalars, objects } = fieldsOf(type);
  const nested =
    depth > 0
      ? objects.filter((f) => RECORD_TYPES.has(getNamedType(f.type).name) || getNamedType(f.type).name === 'Interval')
      : [];
  const scalarItems = fc
    .subarray(scalars, { minLength: 1, maxLength: Math.min(5, scalars.length) })
    .chain((names) =>
      fc.tuple(
        ...names.map((name) =>
          fc.record({ alias: fc.boolean(), directive: directiveArb }).map((o) => ({ field: { name, ...o } }) as Item),
        ),
      ),
    );
  const objectItems = fc
    .subarray(nested, {
      minLength: depth > 1 && nested.length ? 1 : 0,
      maxLength: Math.min(nested.length, depth > 1 ? 2 : 1),
    })
    .chain((fields) =>
      fc.tuple(
        ...fields.map((f) =>
          fc
            .record({
              alias: fc.boolean(),
              args: argsArb(f, false),
              sub: itemsArb(
                getNamedType(f.type) as GraphQLObjectType,
                RECORD_TYPES.has(getNamedType(f.type).name) ? depth - 1 : 0,
              ),
              directive: directiveArb,
            })
            .map((o) => ({ field: { name: f.name, ...o } }) as Item),
        ),
      ),
    );
  return fc
    .tuple(scalarItems, objectItems, fc.boolean(), fc.constantFrom('plain', 'plain', 'inline', 'spread'), fc.nat(8))
    .map(([s, o, typename, wrap, cut]) => {
      const items: Item[] = [...s, ...o];
      if (typename) items.splice(cut % (items.length + 1), 0, { field: { name: '__typename' } });
      if (wrap === 'plain' || items.length < 2) return items;
      // Part of the set moves into a fragment (kept in place, so the field order stays the same).
      const at = cut % items.length;
      const moved = items.splice(at, Math.max(1, Math.floor(items.length / 2)));
      items.splice(at, 0, wrap === 'inline' ? { inline: moved, typed: cut % 2 === 0 } : { spread: moved });
      return items;
    });
}

function rootArb(s: GraphQLSchema): fc.Arbitrary<RootQuery> {
  const query = s.getQueryType()!;
  const f = query.getFields();
  const node = (name: string, depth: number) => itemsArb(getNamedType(f[name].type) as GraphQLObjectType, depth);
  const connections = ['participants', 'audioProcessings', 'biomechanicsImports', 'synchronizations', 'movementCycles'];
  const lit = (value: unknown, name: string, fieldName: string) => ({
    value,
    type: f[fieldName].args.find((a) => a.name === name)!.type,
    asVariable: false,
  });
  return fc.oneof(
    node('studies', 3).map((sub) => ({ field: { name: 'studies', sub }, secondPage: false })),
    fc.tuple(fc.constantFrom('AOA', 'preOA', 'SMoCK'), node('study', 3)).map(([name, sub]) => ({
      field: { name: 'study', alias: true, args: { name: lit(name, 'name', 'study') }, sub },
      secondPage: false,
    })),
    fc
      .tuple(
        fc.constantFrom('AOA', 'preOA', 'SMoCK'),
        fc.constantFrom(...PARTICIPANT_NUMBERS),
        fc.subarray(['participantNumber', 'number'], { minLength: 1 }),
        fc.boolean(),
        node('participant', 2),
      )
      .map(([study, number, names, asVariable, sub]) => {
        // The number under its name, its deprecated one or both; a variable is declared Int!, as the one given must be.
        const numbers = names.map((n) => [n, { value: number, type: new GraphQLNonNull(GraphQLInt), asVariable }]);
        const args = { study: lit(study, 'study', 'participant'), ...Object.fromEntries(numbers) };
        return { field: { name: 'participant', args, sub }, secondPage: false };
      }),
    fc
      .tuple(
        fc.constantFrom('audioProcessing', 'biomechanicsImport', 'synchronization', 'movementCycle'),
        fc.integer({ min: 1, max: 40 }),
      )
      .chain(([name, id]) =>
        node(name, 2).map((sub) => ({ field: { name, args: { id: lit(id, 'id', name) }, sub }, secondPage: false })),
      ),
    fc.constantFrom(...connections).chain((name) => {
      const conn = getNamedType(f[name].type) as GraphQLObjectType;
      const nodeType = getNamedType(conn.getFields().nodes.type) as GraphQLObjectType;
      return fc
        .record({
          args: argsArb(f[name], true),
          nodes: itemsArb(nodeType, 2),
          total: fc.boolean(),
          info: fc.subarray(['hasNextPage', 'endCursor', '__typename'], { minLength: 1 }),
          withInfo: fc.boolean(),
          secondPage: fc.boolean(),
          nodesLast: fc.boolean(),
        })
        .map((o) => {
          const sub: Item[] = [];
          if (o.total) sub.push({ field: { name: 'totalCount' } });
          if (o.withInfo) sub.push({ field: { name: 'pageInfo', sub: o.info.map((n) => ({ field: { name: n } })) } });
          sub.splice(o.nodesLast ? sub.length : 0, 0, { field: { name: 'nodes', sub: o.nodes } });
          return { field: { name, alias: o.total, args: o.args, sub }, secondPage: o.secondPage };
        });
    }),
  );
}

// ------------------------------------------------------------------ rendering

function literal(value: unknown, type: GraphQLInputType): string {
  const t = getNullableType(type);
  if (value === null || value === undefined) return 'null';
  if (isListType(t)) return `[${(value as unknown[]).map((v) => literal(v, t.ofType)).join(', ')}]`;
  if (isEnumType(t)) return String(value);
  if (isInputObjectType(t)) {
    const fields = t.getFields();
    return `{ ${Object.entries(value as object)
      .map(([k, v]) => `${k}: ${literal(v, fields[k].type)}`)
      .join(', ')} }`;
  }
  if (isScalarType(t) && (t.name === 'String' || t.name === 'DateTime')) return JSON.stringify(value);
  return String(value);
}

class Renderer {
  variables: Record<string, unknown> = {};
  private declarations: string[] = [];
  private fragments: string[] = [];
  private n = 0;

  private variable(name: string, type: string, value: unknown): string {
    const v = `${name}${++this.n}`;
    this.declarations.push(`$${v}: ${type}`);
    this.variables[v] = value;
    return `$${v}`;
  }

  private args(args: Record<string, Value> | undefined): string {
    const entries = Object.entries(args ?? {});
    if (!entries.length) return '';
    return `(${entries.map(([k, v]) => `${k}: ${v.asVariable ? this.variable(k, String(v.type), v.value) : literal(v.value, v.type)}`).join(', ')})`;
  }

  private directive(d: Field['directive']): string {
    if (!d) return '';
    if (d === 'skip') return ' @skip(if: false)';
    if (d === 'include') return ' @include(if: false)';
    return d === 'skipVar'
      ? ` @skip(if: ${this.variable('skip', 'Boolean!', true)})`
      : ` @include(if: ${this.variable('inc', 'Boolean!', true)})`;
  }

  field(f: Field, typeName: string): string {
    const alias = f.alias ? `${f.name}_${++this.n}: ` : '';
    const sub = f.sub ? ` { ${this.items(f.sub, this.childType(typeName, f.name))} }` : '';
    return `${alias}${f.name}${this.args(f.args)}${this.directive(f.directive)}${sub}`;
  }

  private childType(typeName: string, field: string): string {
    return getNamedType((schema.getType(typeName) as GraphQLObjectType).getFields()[field].type).name;
  }

  items(items: Item[], typeName: string): string {
    return items
      .map((item) => {
        if ('field' in item) return this.field(item.field, typeName);
        if ('inline' in item)
          return `... ${item.typed ? `on ${typeName} ` : ''}{ ${this.items(item.inline, typeName)} }`;
        const name = `F${++this.n}`;
        this.fragments.push(`fragment ${name} on ${typeName} { ${this.items(item.spread, typeName)} }`);
        return `...${name}`;
      })
      .join(' ');
  }

  document(root: string): string {
    return `query Q${this.declarations.length ? `(${this.declarations.join(', ')})` : ''} { ${root} } ${this.fragments.join(' ')}`;
  }
}

function render(root: RootQuery, after?: string | null): { query: string; variables: Record<string, unknown> } {
  const r = new Renderer();
  const field: Field =
    after === undefined
      ? root.field
      : {
          ...root.field,
          args: {
            ...root.field.args,
            after: {
              value: after,
              type: schema
                .getQueryType()!
                .getFields()
                [root.field.name].args.find((a) => a.name === 'after')!.type,
              asVariable: true,
            },
          },
        };
  const text = r.field(field, 'Query');
  return { query: r.document(text), variables: r.variables };
}

it(`gives identical answers on both paths for ${RUNS} random read queries`, async () => {
  let compiledCount = 0;
  await fc.assert(
    fc.asyncProperty(rootArb(schema), async (root) => {
      let after: string | null | undefined;
      if (root.secondPage) {
        const probe = render({
          ...root,
          field: {
            ...root.field,
            alias: false,
            sub: [{ field: { name: 'pageInfo', sub: [{ field: { name: 'endCursor' } }] } }],
          },
        });
        const first = await gql.query(probe.query, probe.variables);
        after = first.data?.[root.field.name]?.pageInfo?.endCursor ?? null;
      }
      const { query, variables } = render(root, after);
      if (process.env.AE_DIFFERENTIAL_PRINT) console.log(query, JSON.stringify(variables));
      const { text: compiled, logs } = await postGraphQL(server, query, variables);
      const reference = JSON.stringify(await gql.query(query, variables)) + '\n';
      if (!logs.some((l) => l.msg === 'read answered by the resolvers')) compiledCount++;
      if (compiled !== reference) {
        const failures = logs.filter((l) => l.msg === 'unexpected error').map((l) => l.err?.message);
        throw new Error(
          `Answers differ.\nquery: ${query}\nvariables: ${JSON.stringify(variables)}\ncompiled:  ${compiled}\nresolvers: ${reference}${failures.length ? `\nserver errors: ${failures.join('; ')}` : ''}`,
        );
      }
    }),
    { numRuns: RUNS },
  );
  // The comparison means something only if the compiled path answered (almost) all of them.
  expect(compiledCount).toBeGreaterThan(RUNS * 0.9);
}, 600_000);
