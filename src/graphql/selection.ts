/**
 * Which fields a query selects, so the read layer fetches only those columns. A field
 * the table does not hold (a relationship list, __typename) needs no column; a link
 * (`participant`) needs its id; an `…Intervals` field needs its segment array.
 */
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { ReadService, RecordKind } from '../services/read';
import { AUDIO_INTERVAL_SOURCES } from './types/interval';

/** Names of the fields selected under the resolved field, following `path` (e.g. ['nodes']). */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[] = []): Set<string> {
  let level: readonly FieldNode[] = info.fieldNodes;
  for (const step of path) {
    const next: FieldNode[] = [];
    for (const node of level) collect(info, node.selectionSet, (f) => f.name.value === step && next.push(f));
    level = next;
  }
  const names = new Set<string>();
  for (const node of level) collect(info, node.selectionSet, (f) => names.add(f.name.value));
  return names;
}

/** Visits the fields of a selection set, through inline fragments and fragment spreads. */
function collect(
  info: GraphQLResolveInfo,
  set: SelectionSetNode | undefined,
  visit: (f: FieldNode) => void,
  seen = new Set<string>(),
): void {
  for (const s of set?.selections ?? []) {
    if (s.kind === 'Field') visit(s);
    else if (s.kind === 'InlineFragment') collect(info, s.selectionSet, visit, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      collect(info, info.fragments[s.name.value]?.selectionSet, visit, seen);
    }
  }
}

/** The read-layer fields (sorted) that the selection under the resolved field needs. */
export function fieldsToRead(
  read: ReadService,
  kind: RecordKind,
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
): string[] {
  const model = read.model(kind);
  const out = new Set<string>();
  for (const name of selectedFieldNames(info, path)) {
    if (model.fields.has(name)) out.add(name);
    else if (model.relations.has(name)) out.add(model.relations.get(name)!);
    else if (kind === 'audioProcessing' && AUDIO_INTERVAL_SOURCES[name]) out.add(AUDIO_INTERVAL_SOURCES[name]);
  }
  return [...out].sort();
}
