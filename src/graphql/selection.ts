/**
 * Which fields a query selects on the objects a resolver returns, so loaders fetch only
 * those columns. graphql-js hands every item of a list the same `fieldNodes` array, so the
 * answer is computed once per field of the query, not once per parent row.
 */
import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

const cache = new WeakMap<object, string[]>();

function collect(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, out: Set<string>, seen: Set<string>): void {
  for (const s of set?.selections ?? []) {
    if (s.kind === 'Field') out.add(s.name.value);
    else if (s.kind === 'InlineFragment') collect(s.selectionSet, fragments, out, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      collect(fragments[s.name.value]?.selectionSet, fragments, out, seen);
    }
  }
}

/** Field names (not aliases) selected under the field being resolved. */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): string[] {
  let fields = cache.get(info.fieldNodes);
  if (!fields) {
    const out = new Set<string>();
    for (const node of info.fieldNodes) collect(node.selectionSet, info.fragments, out, new Set());
    fields = [...out].sort();
    cache.set(info.fieldNodes, fields);
  }
  return fields;
}
