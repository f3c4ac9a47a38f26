/**
 * What a `<record>Groups` selection asks for: the statistics to compute (each once) and,
 * for the compiled path, the layout of each group's JSON in response-key order. Both read
 * paths read the selection through this one function, so they compute the same aggregates.
 */
import {
  getNamedType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';
import { getArgumentValues } from 'graphql/execution/values';
import { checkPercentile, STATISTICS, type Aggregate, type Statistic } from '../services/read/groups';

export type PlanEntry =
  | { key: string; part: 'typename'; typeName: string }
  | { key: string; part: 'count' }
  | { key: string; part: 'key'; typeName: string; fields: [key: string, field: string | null][] }
  | { key: string; part: 'statistics'; typeName: string; fields: [key: string, aggregate: number | null][] };

export interface GroupPlan {
  aggregates: Aggregate[];
  entries: PlanEntry[];
  /** Objects in one group's JSON (the group, its key, each statistics object): what AE_MAX_ROWS counts. */
  objectsPerGroup: number;
}

export interface SelectionSource {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function planGroups(s: SelectionSource, groupType: GraphQLObjectType, nodes: readonly FieldNode[]): GroupPlan {
  const aggregates: Aggregate[] = [];
  const indexOf = (a: Aggregate) => {
    let i = aggregates.findIndex((b) => b.statistic === a.statistic && b.field === a.field && b.p === a.p);
    if (i < 0) i = aggregates.push(a) - 1;
    return i;
  };
  const sub = (type: GraphQLObjectType, of: readonly FieldNode[]) =>
    collectSubfields(s.schema, s.fragments, s.variables, type, of) as Map<string, readonly FieldNode[]>;
  const entries: PlanEntry[] = [];
  let objectsPerGroup = 1;
  for (const [key, group] of sub(groupType, nodes)) {
    const name = group[0].name.value;
    if (name === '__typename') {
      entries.push({ key, part: 'typename', typeName: groupType.name });
      continue;
    }
    if (name === 'count') {
      entries.push({ key, part: 'count' });
      continue;
    }
    const def = groupType.getFields()[name];
    const type = getNamedType(def.type) as GraphQLObjectType;
    objectsPerGroup++;
    const names = [...sub(type, group)].map(([k, g]) => [k, g[0].name.value] as const);
    const typename = (k: string) => [k, null] as [string, null];
    if (name === 'key') {
      entries.push({
        key,
        part: 'key',
        typeName: type.name,
        fields: names.map(([k, f]) => (f === '__typename' ? typename(k) : [k, f])),
      });
      continue;
    }
    if (!STATISTICS.includes(name as Statistic)) throw new Error(`unknown group field ${name}`);
    const p =
      name === 'percentile' ? checkPercentile(getArgumentValues(def, group[0], s.variables).p, `${key}(p)`) : undefined;
    entries.push({
      key,
      part: 'statistics',
      typeName: type.name,
      fields: names.map(([k, f]) =>
        f === '__typename' ? typename(k) : [k, indexOf({ statistic: name as Statistic, field: f, p })],
      ),
    });
  }
  return { aggregates, entries, objectsPerGroup };
}
