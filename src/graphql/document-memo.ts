/**
 * Results computed from a GraphQL request, kept for the next request like it. Apollo hands
 * over the same DocumentNode for a query text it has seen (its document store), and what is
 * kept here depends on nothing but that document, the operation and some of the coerced
 * variables (the schema and the table models are fixed for the server's life). So a repeated
 * request (the explorer re-running a query, a notebook re-running a cell, a dashboard
 * polling, a pipeline looking up the same participants) skips the work.
 *
 * Bounded: at most `max` results, the least recently used dropped first. A document is
 * known by a number held in a WeakMap, so the memo never keeps a document alive.
 */
import type { DocumentNode } from 'graphql';

interface MemoOptions {
  /** How many results are kept, over all documents. */
  max: number;
  /**
   * The variables the result depends on, found once per document; every variable when left
   * out. A cost estimate, for one, depends only on page sizes and directives.
   */
  relevantVariables?: (document: DocumentNode) => string[];
}

interface KnownDocument {
  id: number;
  variables?: string[];
}

export class DocumentMemo<T> {
  private readonly documents = new WeakMap<DocumentNode, KnownDocument>();
  private nextDocumentId = 0;
  /** Insertion order is recency order: a hit is moved to the end. */
  private readonly results = new Map<string, T>();

  constructor(private readonly options: MemoOptions) {}

  /** The kept result for this request, or `compute()`'s, kept. */
  get(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
    compute: () => T,
  ): T {
    let known = this.documents.get(document);
    if (!known) {
      known = { id: this.nextDocumentId++, variables: this.options.relevantVariables?.(document) };
      this.documents.set(document, known);
    }
    const values = known.variables ? known.variables.map((v) => variables[v] ?? null) : variables;
    const key = JSON.stringify([known.id, operationName ?? null, values]);
    if (this.results.has(key)) {
      const kept = this.results.get(key) as T;
      this.results.delete(key);
      this.results.set(key, kept);
      return kept;
    }
    const result = compute();
    if (this.results.size >= this.options.max) this.results.delete(this.results.keys().next().value!);
    this.results.set(key, result);
    return result;
  }

  get size(): number {
    return this.results.size;
  }
}
