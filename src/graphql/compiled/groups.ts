/**
 * `<record>Groups` in the compiled statement: the GROUP BY (src/services/read/groups.ts)
 * in a subquery, each group written as JSON text by PostgreSQL and aggregated in key order.
 * Nested under a record it is a LATERAL subquery on the parent row, so every parent's
 * groups come from the same statement. Each group counts toward AE_MAX_ROWS as the objects
 * it holds (the group, its key, each statistics object), as the resolver path counts them.
 */
import type { FieldNode, GraphQLObjectType } from 'graphql';
import { getNamedType } from 'graphql';
import {
  aggregateColumn,
  checkGroupRequest,
  COUNT_COLUMN,
  GROUP_KINDS,
  GROUP_MODELS,
  groupedSelect,
  groupOrder,
  keyColumn,
  type GroupKind,
} from '../../services/read/groups';
import type { TableModel } from '../../services/read';
import type { SqlParams } from '../../services/read/sql';
import { quote } from '../../services/read/sql';
import { jsonEnum, jsonFloat, jsonObject, jsonPlain, textLiteral } from '../../services/read/json-text';
import { planGroups, type SelectionSource } from '../groups-plan';
import { groupsFieldName } from '../types/groups';

const KIND_OF_FIELD = new Map<string, GroupKind>(GROUP_KINDS.map((k) => [groupsFieldName(k), k]));

/** The list a `<record>Groups` field groups, or undefined for any other field. */
export const groupsKindOf = (fieldName: string) => KIND_OF_FIELD.get(fieldName);

export interface CompiledGroups {
  /** A FROM item (a subquery aliased `alias`) with `j`, the groups' JSON array inside, and `n`, their rows. */
  from: string;
  json: string;
  rows: string;
}

export function compileGroups(o: {
  kind: GroupKind;
  args: Record<string, unknown>;
  nodes: readonly FieldNode[];
  groupType: GraphQLObjectType;
  source: SelectionSource;
  model: TableModel;
  p: SqlParams;
  /** Alias of the subquery this returns; its inner aliases derive from it. */
  alias: string;
  /** Restricts the rows to one parent's: its link column equals this expression. */
  link?: { column: string; equals: string };
}): CompiledGroups {
  const plan = planGroups(o.source, getNamedType(o.groupType) as GraphQLObjectType, o.nodes);
  const request = checkGroupRequest(
    o.kind,
    o.args.groupBy as string[],
    o.args.filter as object | null | undefined,
    plan.aggregates,
  );
  const grouped = groupedSelect(request, o.model, o.p, `${o.alias}_t`, o.link);
  const g = `${o.alias}_g`;
  const fields = GROUP_MODELS[o.kind].groupFields;
  const keyValue = (field: string) => {
    if (!request.groupBy.includes(field)) return `'null'`;
    const f = fields.get(field)!;
    const c = `${g}.${quote(keyColumn(field))}`;
    return f.type === 'enum' ? jsonEnum(c, f.renamed) : jsonPlain(c);
  };
  const typename = (name: string) => textLiteral(JSON.stringify(name));
  const group = jsonObject(
    plan.entries.map((e): [string, string] => {
      switch (e.part) {
        case 'typename':
          return [e.key, typename(e.typeName)];
        case 'count':
          return [e.key, `${g}.${quote(COUNT_COLUMN)}::text`];
        case 'key':
          return [e.key, jsonObject(e.fields.map(([k, f]) => [k, f === null ? typename(e.typeName) : keyValue(f)]))];
        case 'statistics':
          return [
            e.key,
            jsonObject(
              e.fields.map(([k, a]) => [
                k,
                a === null ? typename(e.typeName) : jsonFloat(`${g}.${quote(aggregateColumn(a))}`),
              ]),
            ),
          ];
      }
    }),
  );
  const order = groupOrder(grouped.keyColumns, g);
  const l = o.alias;
  return {
    from:
      `(select coalesce(string_agg(${group}, ','${order ? ` order by ${order}` : ''}), '') as j, count(*) * ${plan.objectsPerGroup} as n ` +
      `from (${grouped.sql}) ${g}) ${l}`,
    json: `('[' || ${l}.j || ']')`,
    rows: `${l}.n`,
  };
}
