/**
 * The cost of an operation depends on the document and on the few variables that reach it:
 * those inside a `first` argument (page sizes multiply) or a directive (@skip/@include drop
 * fields). Apollo hands over the same DocumentNode for a query it has seen, so the estimate
 * is kept per document and per the values of just those variables: a notebook's lookups,
 * differing only in ids, are estimated once.
 */
import { visit, type DocumentNode } from 'graphql';

const COSTS_PER_DOCUMENT = 64;

interface DocumentCosts {
  /** Variables the cost depends on. */
  variables: string[];
  byValues: Map<string, number>;
}

const cache = new WeakMap<DocumentNode, DocumentCosts>();

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

/** `estimate()` once per document, operation and relevant variable values. */
export function cachedCost(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  estimate: () => number,
): number {
  let entry = cache.get(document);
  if (!entry) cache.set(document, (entry = { variables: costVariables(document), byValues: new Map() }));
  const key = JSON.stringify([operationName ?? null, entry.variables.map((v) => variables[v] ?? null)]);
  let cost = entry.byValues.get(key);
  if (cost === undefined) {
    cost = estimate();
    if (entry.byValues.size >= COSTS_PER_DOCUMENT) entry.byValues.clear();
    entry.byValues.set(key, cost);
  }
  return cost;
}
