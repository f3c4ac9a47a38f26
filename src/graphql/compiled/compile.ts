/**
 * Compiles a read operation into one SQL statement whose result is the response's JSON
 * text, built by PostgreSQL, in pieces the server streams without parsing:
 *  - the first row is the number of record rows the response holds (for AE_MAX_ROWS and
 *    the heavy-request cap, checked before anything is sent);
 *  - then the pieces of `{"data":{…}}`'s inside, in order. A root list (studies, a
 *    connection's nodes) is cut per element, and each element once more at its first
 *    relationship list, so no piece is a whole tree (W1: one piece per participant).
 *
 * Field selection follows graphql-js's own collectFields (aliases, fragments, @skip /
 * @include, variables), argument values its getArgumentValues, and every check the
 * resolvers make (filters, orders, cursors, page sizes) is the read layer's own, so a
 * query answers the same on either path. Anything this compiler does not know (summaries,
 * inspection, introspection, a value the resolvers would refuse) is returned as a reason,
 * and the caller falls back to the resolver path.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { getArgumentValues } from 'graphql/execution/values';
import { UserError } from '../../services/errors';
import {
  afterCondition,
  checkFilter,
  checkOrder,
  decodeCursor,
  LIST_NAME,
  orderByClause,
  quote,
  whereClause,
  type OrderKey,
  type ReadService,
  type RecordKind,
  type TableModel,
} from '../../services/read';
import { checkFirst, DEFAULT_PAGE_SIZE } from '../../services/read/read-service';
import { cursorSignature } from '../../services/read/ordering';
import {
  base64urlText,
  sqlConcat as concat,
  jsonDateTime,
  jsonEnum,
  jsonFloat,
  jsonFloatArray,
  jsonIntervals,
  jsonPlain,
  jsonText,
  NumberedParams,
  textLiteral,
} from '../../services/read/json-text';
import { AUDIO_INTERVAL_SOURCES } from '../types/interval';
import { RECORD_TYPES } from '../types/record-types';
import { compileGroups, groupsKindOf } from './groups';
import { participantNumberOf } from '../participant-number';

/** The record kind of each GraphQL record type (`AudioProcessing` → `audioProcessing`). */
const KIND_OF_TYPE: Record<string, RecordKind> = Object.fromEntries(
  Object.entries(RECORD_TYPES).map(([kind, type]) => [type.name, kind as RecordKind]),
);

const LOOKUP_BY_ID = new Set(['audioProcessing', 'biomechanicsImport', 'synchronization', 'movementCycle']);

/** A SELECT whose first row is the response's row count and the others its pieces; `$n` are `values`. */
export type CompileResult = { sql: string; values: unknown[] } | { fallback: string };

/** Thrown inside the compiler for anything the resolver path must answer. */
class Unsupported extends Error {}

type Fields = Map<string, readonly FieldNode[]>;

/** One response key of an object: its JSON value and the rows it holds. */
interface Entry {
  key: string;
  json: string;
  /** SQL of the number of record rows under this entry (null: none). */
  rows: string | null;
  /**
   * The LATERAL join the value reads (placed after the row's own FROM item), built on first
   * use: a list cut into pieces never uses its join, and must not bind its parameters.
   */
  join?: () => string;
  /** A relationship list that could be cut into pieces instead (see `listPieces`). */
  list?: ChildList;
}

interface ChildList {
  kind: RecordKind;
  fields: Fields;
  /** The child's link column and the table it reads. */
  link: string;
  keys: OrderKey[];
  where: (alias: string) => string;
}

interface ObjectSql {
  entries: Entry[];
}

const joinsOf = (entries: readonly Entry[]) =>
  entries
    .map((e) => e.join?.() ?? '')
    .filter(Boolean)
    .join(' ');

function once(build: () => string): () => string {
  let built: string | undefined;
  return () => (built ??= build());
}

/** `concat(...)` arguments for entries written after `{` (first = no leading comma). */
function entryArgs(entries: readonly Entry[], first: boolean): string[] {
  return entries.flatMap((e, i) => [textLiteral(`${i === 0 && first ? '' : ','}${JSON.stringify(e.key)}:`), e.json]);
}

const objectText = (entries: readonly Entry[]) => concat([`'{'`, ...entryArgs(entries, true), `'}'`]);
const rowsOf = (entries: readonly Entry[]) =>
  entries
    .map((e) => e.rows)
    .filter((r): r is string => r !== null)
    .join(' + ') || '0';
const separator = (rn: string) => `case when ${rn} = 1 then '' else ',' end`;

class Compiler {
  readonly p = new NumberedParams();
  private aliases = 0;
  private readonly ctes: string[] = [];
  private readonly pieces: string[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly read: ReadService,
  ) {}

  private alias(prefix: string): string {
    return `${prefix}${++this.aliases}`;
  }

  private model(kind: RecordKind): TableModel {
    return this.read.model(kind);
  }

  private args(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    return getArgumentValues(field, node, this.variables);
  }

  private subfields(type: GraphQLObjectType, nodes: readonly FieldNode[]): Fields {
    return collectSubfields(this.schema, this.fragments, this.variables, type, nodes) as Fields;
  }

  compile(operation: OperationDefinitionNode): string {
    const queryType = this.schema.getQueryType()!;
    const roots = collectFields(
      this.schema,
      this.fragments,
      this.variables,
      queryType,
      operation.selectionSet,
    ) as Fields;
    let f = 0;
    for (const [key, nodes] of roots) this.rootField(f++, key, nodes, queryType);
    if (this.pieces.length === 0) throw new Unsupported('empty selection');
    if (this.pieces.length === 1 && this.ctes.length === 0) {
      // One piece (a lookup): its count and its text as two rows, without materialising anything.
      return `select v.t from (${this.pieces[0]}) x(f, a, b, c, d, n, piece) cross join lateral (values (0, x.n::text), (1, x.piece)) v(k, t) order by v.k`;
    }
    const withs = [...this.ctes, `pieces(f, a, b, c, d, n, piece) as (${this.pieces.join(' union all ')})`];
    // Row 1: the rows count (the pieces CTE is read twice, so PostgreSQL materialises it once).
    return (
      `with ${withs.join(', ')} select coalesce(sum(n), 0)::text from pieces ` +
      `union all (select piece from pieces order by f, a, b, c, d)`
    );
  }

  private piece(f: number, a: string, b: string, c: string, d: string, rows: string, text: string, from = ''): void {
    this.pieces.push(
      `select ${f}, ${a}, ${b}::bigint, ${c}, ${d}::bigint, (${rows})::bigint, ${text}${from ? ` from ${from}` : ''}`,
    );
  }

  private rootField(f: number, key: string, nodes: readonly FieldNode[], queryType: GraphQLObjectType): void {
    const name = nodes[0].name.value;
    const head = textLiteral(`${f === 0 ? '' : ','}${JSON.stringify(key)}:`);
    if (name === '__typename')
      return this.piece(f, '0', '0', '0', '0', '0', concat([head, textLiteral(JSON.stringify(queryType.name))]));
    const field = queryType.getFields()[name];
    if (!field) throw new Unsupported(`unknown root field ${name}`);
    const args = this.args(field, nodes[0]);
    const type = getNamedType(field.type);
    if (!isObjectType(type)) throw new Unsupported(`root field ${name}`);
    if (name === 'studies') {
      const keys = checkOrder(this.model('study'), [{ field: 'name' }]);
      const rowsCte = this.rowsCte('study', keys, 'true', DEFAULT_PAGE_SIZE);
      this.piece(f, '0', '0', '0', '0', '0', concat([head, `'['`]));
      this.listPieces(f, rowsCte, 'study', this.subfields(type, nodes), DEFAULT_PAGE_SIZE);
      this.piece(f, '2', '0', '0', '0', '0', `']'`);
      return;
    }
    const kind = KIND_OF_TYPE[type.name];
    if (kind) return this.lookup(f, head, kind, name, args, this.subfields(type, nodes));
    const nodeKind = type.name.endsWith('Connection')
      ? KIND_OF_TYPE[type.name.slice(0, -'Connection'.length)]
      : undefined;
    if (nodeKind && LIST_NAME[nodeKind] === name) return this.connection(f, head, nodeKind, type, args, nodes);
    if (groupsKindOf(name)) {
      const g = this.groups(name, type, args, nodes);
      return this.piece(f, '0', '0', '0', '0', g.rows, concat([head, g.json]), g.from);
    }
    throw new Unsupported(`root field ${name}`);
  }

  /** `study(name)`, `participant(study, number)`, `audioProcessing(id)`, …: one row or null. */
  private lookup(
    f: number,
    head: string,
    kind: RecordKind,
    name: string,
    args: Record<string, unknown>,
    fields: Fields,
  ): void {
    const T = this.alias('t');
    let where: string;
    if (name === 'study') where = whereClause(checkFilter('study', { study: args.name }), T, this.p);
    else if (name === 'participant') {
      const n = participantNumberOf(args).value;
      if (!Number.isInteger(n) || n < 0) throw new Unsupported('participant number the resolver refuses');
      where = whereClause(checkFilter('participant', { study: args.study, participantNumber: n }), T, this.p);
    } else if (LOOKUP_BY_ID.has(name)) {
      const id = args.id as number;
      if (!Number.isInteger(id) || id < 1) throw new Unsupported('id the resolver refuses');
      where = `${T}."id" = ${this.p.bind(id, 'int')}`;
    } else throw new Unsupported(`root field ${name}`);
    const o = this.object(kind, T, fields);
    const x = this.alias('x');
    const one =
      `(select ${objectText(o.entries)} as j, 1 + ${rowsOf(o.entries)} as n from ${quote(this.model(kind).table)} ${T} ${joinsOf(o.entries)} ` +
      `where ${where} order by ${T}."id" limit 1) ${x}`;
    this.piece(
      f,
      '0',
      '0',
      '0',
      '0',
      `coalesce(${x}.n, 0)`,
      concat([head, `coalesce(${x}.j, 'null')`]),
      `(select 1) ${this.alias('o')} left join lateral ${one} on true`,
    );
  }

  /**
   * A CTE of the rows of a root list in order, numbered `_rn`, at most `limit` of them
   * (a connection asks for first + 1 to learn whether another page follows).
   */
  private rowsCte(kind: RecordKind, keys: OrderKey[], where: string, limit: number, T = 't'): string {
    const name = this.alias('q');
    const order = orderByClause(keys, T);
    this.ctes.push(
      `${name} as (select ${T}.*, row_number() over (order by ${order}) as _rn from ${quote(this.model(kind).table)} ${T} ` +
        `where ${where} order by ${order} limit ${limit})`,
    );
    return name;
  }

  /** The elements of a root list as pieces (f, 1, rn, …), each element cut at its first relationship list. */
  private listPieces(f: number, rowsCte: string, kind: RecordKind, fields: Fields, first: number): void {
    const r = this.alias('e');
    const o = this.object(kind, r, fields);
    const within = `where ${r}._rn <= ${first}`;
    const cut = o.entries.findIndex((e) => e.list);
    if (cut < 0) {
      this.piece(
        f,
        '1',
        `${r}._rn`,
        '0',
        '0',
        `1 + ${rowsOf(o.entries)}`,
        concat([separator(`${r}._rn`), objectText(o.entries)]),
        `${rowsCte} ${r} ${joinsOf(o.entries)} ${within}`,
      );
      return;
    }
    const before = o.entries.slice(0, cut);
    const after = o.entries.slice(cut + 1);
    const list = o.entries[cut].list!;
    const opening = textLiteral(`${before.length ? ',' : ''}${JSON.stringify(o.entries[cut].key)}:[`);
    this.piece(
      f,
      '1',
      `${r}._rn`,
      '0',
      '0',
      `1 + ${rowsOf(before)}`,
      concat([separator(`${r}._rn`), `'{'`, ...entryArgs(before, true), opening]),
      `${rowsCte} ${r} ${joinsOf(before)} ${within}`,
    );
    this.piece(
      f,
      '1',
      `${r}._rn`,
      '2',
      '0',
      rowsOf(after),
      concat([`']'`, ...entryArgs(after, false), `'}'`]),
      `${rowsCte} ${r} ${joinsOf(after)} ${within}`,
    );
    // The cut list's elements: one piece each, numbered in the list's order.
    const p = this.alias('e');
    const c = this.alias('c');
    const childOrder = orderByClause(list.keys, c);
    const child = this.object(list.kind, p, list.fields);
    const children =
      `(select ${c}.*, row_number() over (order by ${childOrder}) as _rn from ${quote(this.model(list.kind).table)} ${c} ` +
      `where ${c}.${quote(list.link)} = ${r}."id" and ${list.where(c)}) ${p}`;
    this.piece(
      f,
      '1',
      `${r}._rn`,
      '1',
      `${p}._rn`,
      `1 + ${rowsOf(child.entries)}`,
      concat([separator(`${p}._rn`), objectText(child.entries)]),
      `${rowsCte} ${r} cross join lateral ${children} ${joinsOf(child.entries)} ${within}`,
    );
  }

  /** A top-level connection: totalCount, pageInfo and nodes; the first `nodes` is cut into pieces. */
  private connection(
    f: number,
    head: string,
    kind: RecordKind,
    type: GraphQLObjectType,
    args: Record<string, unknown>,
    nodes: readonly FieldNode[],
  ): void {
    const model = this.model(kind);
    const first = checkFirst(args.first as number | null | undefined);
    const filter = checkFilter(kind, args.filter as object | null | undefined);
    const keys = checkOrder(model, args.orderBy as never);
    const after =
      args.after === null || args.after === undefined ? undefined : decodeCursor(kind, keys, args.after as string);
    const T = 't';
    const conditions = [whereClause(filter, T, this.p)];
    if (after) conditions.push(afterCondition(keys, after, T, this.p));
    const rowsCte = this.rowsCte(kind, keys, conditions.join(' and '), first + 1, T);
    const fields = this.subfields(type, nodes);
    const entries: Entry[] = [];
    let cut = -1;
    for (const [key, group] of fields) {
      const name = group[0].name.value;
      if (name === '__typename') entries.push({ key, json: textLiteral(JSON.stringify(type.name)), rows: null });
      else if (name === 'totalCount') {
        const c = this.alias('t');
        entries.push({
          key,
          json: `(select count(*) from ${quote(model.table)} ${c} where ${whereClause(filter, c, this.p)})::text`,
          rows: null,
        });
      } else if (name === 'pageInfo') {
        const pageInfoType = getNamedType(type.getFields().pageInfo.type) as GraphQLObjectType;
        const info: Entry[] = [];
        for (const [k, g] of this.subfields(pageInfoType, group)) {
          const n = g[0].name.value;
          if (n === '__typename')
            info.push({ key: k, json: textLiteral(JSON.stringify(pageInfoType.name)), rows: null });
          else if (n === 'hasNextPage')
            info.push({
              key: k,
              json: `case when (select count(*) from ${rowsCte}) > ${first} then 'true' else 'false' end`,
              rows: null,
            });
          else if (n === 'endCursor')
            info.push({
              key: k,
              json: this.endCursor(kind, keys, rowsCte, first, args.after as string | null | undefined),
              rows: null,
            });
          else throw new Unsupported(`PageInfo.${n}`);
        }
        entries.push({ key, json: objectText(info), rows: null });
      } else if (name === 'nodes') {
        const nodeType = getNamedType(type.getFields().nodes.type) as GraphQLObjectType;
        const nodeFields = this.subfields(nodeType, group);
        if (cut < 0) {
          cut = entries.length;
          entries.push({
            key,
            json: '',
            rows: null,
            list: { kind, fields: nodeFields, link: '', keys, where: () => 'true' },
          });
        } else {
          // A second `nodes` under another alias: written inline.
          const e = this.alias('e');
          const o = this.object(kind, e, nodeFields);
          const x = this.alias('x');
          this.ctes.push(
            `${x} as (select coalesce(string_agg(${objectText(o.entries)}, ',' order by ${e}._rn), '') as j, count(*) + coalesce(sum(${rowsOf(o.entries)}), 0) as n ` +
              `from ${rowsCte} ${e} ${joinsOf(o.entries)} where ${e}._rn <= ${first})`,
          );
          entries.push({ key, json: `('[' || (select j from ${x}) || ']')`, rows: `(select n from ${x})` });
        }
      } else throw new Unsupported(`${type.name}.${name}`);
    }
    if (cut < 0) {
      this.piece(f, '0', '0', '0', '0', rowsOf(entries), concat([head, objectText(entries)]));
      return;
    }
    const before = entries.slice(0, cut);
    const rest = entries.slice(cut + 1);
    const opening = textLiteral(`${before.length ? ',' : ''}${JSON.stringify(entries[cut].key)}:[`);
    this.piece(f, '0', '0', '0', '0', rowsOf(before), concat([head, `'{'`, ...entryArgs(before, true), opening]));
    this.listPieces(f, rowsCte, kind, entries[cut].list!.fields, first);
    this.piece(f, '2', '0', '0', '0', rowsOf(rest), concat([`']'`, ...entryArgs(rest, false), `'}'`]));
  }

  /** pageInfo.endCursor: the read layer's cursor of the page's last row, written by PostgreSQL. */
  private endCursor(
    kind: RecordKind,
    keys: OrderKey[],
    rowsCte: string,
    first: number,
    after: string | null | undefined,
  ): string {
    const e = this.alias('e');
    const values = keys.map((k) => {
      const c = `${e}.${quote(k.column)}`;
      if (k.value !== 'plain') return jsonText(`${c}::text`);
      return k.type === 'number' && !k.integer ? jsonFloat(c) : k.type === 'string' ? jsonText(c) : jsonPlain(c);
    });
    const payload = concat([
      textLiteral(
        `{"list":${JSON.stringify(LIST_NAME[kind])},"order":${JSON.stringify(cursorSignature(keys))},"values":[`,
      ),
      ...values.flatMap((v, i) => (i === 0 ? [v] : [`','`, v])),
      `']}'`,
    ]);
    const last = `(select '"' || ${base64urlText(payload)} || '"' from ${rowsCte} ${e} where ${e}._rn <= ${first} order by ${e}._rn desc limit 1)`;
    return `coalesce(${last}, ${textLiteral(after === null || after === undefined ? 'null' : JSON.stringify(after))})`;
  }

  /** The JSON of a record row under `alias`, with the LATERAL joins its relationship fields need. */
  private object(kind: RecordKind, alias: string, fields: Fields): ObjectSql {
    const model = this.model(kind);
    const type = this.schema.getType(RECORD_TYPES[kind].name) as GraphQLObjectType;
    const entries: Entry[] = [];
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      if (name === '__typename') {
        entries.push({ key, json: textLiteral(JSON.stringify(type.name)), rows: null });
        continue;
      }
      const field = type.getFields()[name];
      if (!field) throw new Unsupported(`${type.name}.${name}`);
      const column = model.fields.get(name);
      const target = getNamedType(field.type);
      if (column && !isObjectType(target)) {
        entries.push({
          key,
          json: this.scalar(field, `${alias}.${quote(column.column)}`, column.value === 'timestamptz'),
          rows: null,
        });
      } else if (model.relations.has(name) && isObjectType(target) && KIND_OF_TYPE[target.name]) {
        // Many-to-one: the parent row (or null for an unset link).
        const parentKind = KIND_OF_TYPE[target.name];
        const link = model.fields.get(model.relations.get(name)!)!;
        const x = this.alias('p');
        const o = this.object(parentKind, x, this.subfields(target, nodes));
        const l = this.alias('l');
        const join = once(
          () =>
            `left join lateral (select ${objectText(o.entries)} as j, 1 + ${rowsOf(o.entries)} as n from ${quote(this.model(parentKind).table)} ${x} ` +
            `${joinsOf(o.entries)} where ${x}."id" = ${alias}.${quote(link.column)}) ${l} on true`,
        );
        entries.push({ key, json: `coalesce(${l}.j, 'null')`, rows: `coalesce(${l}.n, 0)`, join });
      } else if (isListType(getNullableType(field.type)) && isObjectType(target) && KIND_OF_TYPE[target.name]) {
        entries.push(this.children(kind, alias, key, field, nodes, target));
      } else if (kind === 'audioProcessing' && AUDIO_INTERVAL_SOURCES[name] && isObjectType(target)) {
        const source = model.fields.get(AUDIO_INTERVAL_SOURCES[name])!;
        const parts: [string, 'start' | 'end' | 'duration' | 'typename'][] = [];
        for (const [k, g] of this.subfields(target, nodes)) {
          const n = g[0].name.value;
          if (n === '__typename') parts.push([k, 'typename']);
          else if (n === 'start' || n === 'end' || n === 'duration') parts.push([k, n]);
          else throw new Unsupported(`Interval.${n}`);
        }
        entries.push({ key, json: jsonIntervals(`${alias}.${quote(source.column)}`, parts), rows: null });
      } else if (groupsKindOf(name) && isObjectType(target)) {
        const g = this.groups(name, target, this.args(field, nodes[0]), nodes, { parentKind: kind, alias });
        // Built now (never cut into pieces, so always placed): a bad p falls back before any SQL.
        entries.push({ key, json: g.json, rows: g.rows, join: () => `cross join lateral ${g.from}` });
      } else throw new Unsupported(`${type.name}.${name}`);
    }
    return { entries };
  }

  /** One-to-many: the rows linking to this one, filtered and ordered, aggregated in a LATERAL subquery. */
  private children(
    parentKind: RecordKind,
    alias: string,
    key: string,
    field: GraphQLField<unknown, unknown>,
    nodes: readonly FieldNode[],
    target: GraphQLObjectType,
  ): Entry {
    const kind = KIND_OF_TYPE[target.name];
    const model = this.model(kind);
    const linkField = model.relations.get(parentKind);
    if (!linkField) throw new Unsupported(`${target.name} has no link to ${parentKind}`);
    const link = model.fields.get(linkField)!.column;
    const args = this.args(field, nodes[0]);
    const filter = checkFilter(kind, args.filter as object | null | undefined);
    const keys = checkOrder(model, args.orderBy as never);
    const fields = this.subfields(target, nodes);
    const c = this.alias('c');
    const l = this.alias('l');
    const join = once(() => {
      const o = this.object(kind, c, fields);
      return (
        `cross join lateral (select coalesce(string_agg(${objectText(o.entries)}, ',' order by ${orderByClause(keys, c)}), '') as j, ` +
        `count(*) + coalesce(sum(${rowsOf(o.entries)}), 0) as n from ${quote(model.table)} ${c} ${joinsOf(o.entries)} ` +
        `where ${c}.${quote(link)} = ${alias}."id" and ${whereClause(filter, c, this.p)}) ${l}`
      );
    });
    return {
      key,
      json: `('[' || ${l}.j || ']')`,
      rows: `${l}.n`,
      join,
      list: { kind, fields, link, keys, where: (a) => whereClause(filter, a, this.p) },
    };
  }

  /** `<record>Groups` (compiled/groups.ts), at the root or on the `parent` row. */
  private groups(
    name: string,
    groupType: GraphQLObjectType,
    args: Record<string, unknown>,
    nodes: readonly FieldNode[],
    parent?: { parentKind: RecordKind; alias: string },
  ) {
    const kind = groupsKindOf(name)!;
    const model = this.model(kind);
    let link: { column: string; equals: string } | undefined;
    if (parent) {
      const linkField = model.relations.get(parent.parentKind);
      if (!linkField) throw new Unsupported(`${name} under ${parent.parentKind}`);
      link = { column: model.fields.get(linkField)!.column, equals: `${parent.alias}."id"` };
    }
    const source = { schema: this.schema, fragments: this.fragments, variables: this.variables };
    return compileGroups({ kind, args, nodes, groupType, source, model, p: this.p, alias: this.alias('g'), link });
  }

  /** A column's value as the GraphQL type of the field serialises it. */
  private scalar(field: GraphQLField<unknown, unknown>, column: string, withTimeZone: boolean): string {
    const nullable = getNullableType(field.type);
    const list = isListType(nullable);
    if (list && isListType(getNullableType(nullable.ofType))) throw new Unsupported(`nested list ${field.name}`);
    const type = getNamedType(field.type);
    if (isEnumType(type)) {
      const renamed = new Map(
        type
          .getValues()
          .filter((v) => v.value !== v.name)
          .map((v) => [String(v.value), v.name]),
      );
      if (!list) return jsonEnum(column, renamed);
      if (renamed.size) throw new Unsupported(`enum list ${field.name} with renamed values`);
      return `coalesce(array_to_json(${column})::text, 'null')`;
    }
    switch (`${type.name}${list ? '[]' : ''}`) {
      case 'Int':
      case 'Boolean':
        return jsonPlain(column);
      case 'Float':
        return jsonFloat(column);
      case 'Float[]':
        return jsonFloatArray(column);
      case 'String':
        return jsonText(column);
      case 'DateTime':
        return jsonDateTime(column, withTimeZone);
      default:
        throw new Unsupported(`${field.name}: ${String(field.type)}`);
    }
  }
}

/**
 * The statement for `operation` with these (already coerced) variables, or why the resolver
 * path must answer it. The statement is a SELECT; the caller runs it (as COPY) and streams it.
 */
export function compileRead(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  read: ReadService,
): CompileResult {
  if (operation.operation !== 'query') return { fallback: operation.operation };
  try {
    const compiler = new Compiler(schema, fragments, variables, read);
    const sql = compiler.compile(operation);
    return { sql, values: compiler.p.values };
  } catch (e) {
    // A value the read layer refuses: the resolvers report it with its path and locations.
    if (e instanceof Unsupported || e instanceof UserError) return { fallback: e.message };
    throw e;
  }
}

/** The fragment definitions of a document by name. */
export function fragmentsOf(definitions: readonly { kind: string }[]): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const d of definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION)
      out[(d as FragmentDefinitionNode).name.value] = d as FragmentDefinitionNode;
  return out;
}
