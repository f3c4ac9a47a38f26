/**
 * Compiled statements of requests already seen. Apollo hands over the same DocumentNode for
 * a query text it has seen (its document store), and a statement with its parameters
 * depends on nothing but that document, the operation and the coerced variables (the
 * schema and the table models are fixed for the server's life). So a repeated request (the
 * explorer re-running a query, a notebook re-running a cell, a dashboard polling, a
 * pipeline looking up the same participants) skips the compiler, about a tenth of a small
 * lookup's CPU. Bounded: the least recently used statement goes first.
 */
import type { DocumentNode } from 'graphql';
import type { CompileResult } from './compile';

const MAX_STATEMENTS = 1_000;

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
const statements = new Map<string, CompileResult>();

export function cachedCompile(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  compile: () => CompileResult,
): CompileResult {
  let id = documentIds.get(document);
  if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
  const key = JSON.stringify([id, operationName ?? null, variables]);
  let compiled = statements.get(key);
  if (compiled) {
    // Most recently used last: Map keeps insertion order.
    statements.delete(key);
  } else {
    compiled = compile();
    if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
  }
  statements.set(key, compiled);
  return compiled;
}
