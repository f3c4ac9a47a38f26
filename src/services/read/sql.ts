/**
 * The one way this code base composes SQL text: identifiers through `quote`, values as
 * `?` placeholders collected by SqlParams (knex turns them into $n), or, where PostgreSQL
 * takes no parameters (COPY), inlined by `inlineParams` as quoted literals. Identifiers
 * come from fixed lists (the ORM's metadata, the table list), never from callers.
 *
 * Why not pg-sql2 (in node_modules through postgraphile, a dev dependency): its tagged
 * templates emit $n placeholders for node-postgres, while every statement here runs through
 * knex's `?` bindings (and the same fragments feed COPY); adopting it would mean a second
 * runtime dependency and rewriting every read statement for no gain in safety, since the
 * whole attack surface is one identifier-quoting rule and bound values.
 */
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadPool } from '../../db/read-pool';

/** A double-quoted SQL identifier (node-postgres's escapeIdentifier: libpq's rule, `"` doubled). */
export const quote: (identifier: string) => string = escapeIdentifier;

/**
 * One statement counting the rows of each of `tables` exactly (in `schema` when given, else on the search path):
 * one row `{ t, n }` a table, `n` a number.
 */
export function rowCountsSql(tables: readonly string[], schema?: string): string {
  const prefix = schema ? `${quote(schema)}.` : '';
  return tables
    .map((t) => `select ${escapeLiteral(t)} as t, count(*)::float8 as n from ${prefix}${quote(t)}`)
    .join(' union all ');
}

/** Replaces each `?` placeholder by its value as a quoted literal: COPY takes no bind parameters. */
export function inlineParams(sql: string, values: readonly unknown[]): string {
  let i = 0;
  const out = sql.replace(/\?/g, () => {
    const v = values[i++];
    if (v === null || v === undefined) return 'null';
    return escapeLiteral(v instanceof Date ? v.toISOString() : String(v));
  });
  if (i !== values.length) throw new Error('placeholder count does not match the bound values');
  return out;
}

/** Bound values in placeholder order; `bind` returns the placeholder to write. */
export class SqlParams {
  readonly values: unknown[] = [];
  private aliasCount = 0;

  bind(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `?::${cast}` : '?';
  }

  /** A PostgreSQL array literal bound as one parameter (knex would expand a JS array into a list). */
  bindArray(values: readonly (string | number)[], elementType: 'int' | 'text'): string {
    const items = values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, '\\$&')}"`));
    return this.bind(`{${items.join(',')}}`, `${elementType}[]`);
  }

  /** A fresh table alias for a subquery. */
  alias(): string {
    return `r${++this.aliasCount}`;
  }
}

/**
 * Runs one read statement with bound parameters where `reads` sends it (a replica or the primary); returns its rows.
 */
export async function runQuery(
  orm: MikroORM,
  reads: ReadPool,
  sql: string,
  values: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  try {
    return await reads.query(sql, values);
  } catch (e) {
    // Errors leave as the ORM's own would: DriverExceptions carrying the PostgreSQL or socket
    // code. The pool can reject with a plain object (a refused connection): make it an Error first.
    throw orm.em.getDriver().convertException(e instanceof Error ? e : asError(e));
  }
}

function asError(value: unknown): Error {
  const v = (value ?? {}) as { message?: string; code?: string; syscall?: string; address?: string; port?: number };
  const message =
    v.message ??
    [v.syscall, v.code, v.address && `${v.address}${v.port ? `:${v.port}` : ''}`].filter(Boolean).join(' ');
  return Object.assign(new Error(message || String(value)), value);
}
