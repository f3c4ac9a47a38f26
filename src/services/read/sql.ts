/**
 * Small helpers for assembling SQL text. Identifiers come from fixed lists (the ORM's
 * metadata and the tables below), never from callers; every value is a bound parameter.
 */
import type { Knex, MikroORM } from '@mikro-orm/postgresql';

export const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

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

/** Runs one statement with bound parameters on the ORM's connection pool; returns its rows. */
export async function runQuery(orm: MikroORM, sql: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
  try {
    const result = await orm.em.getConnection().getKnex().raw(sql, values as readonly Knex.RawBinding[]);
    return result.rows;
  } catch (e) {
    // Errors leave as the ORM's own would: DriverExceptions carrying the PostgreSQL or socket
    // code. The pool can reject with a plain object (a refused connection): make it an Error first.
    throw orm.em.getDriver().convertException(e instanceof Error ? e : asError(e));
  }
}

function asError(value: unknown): Error {
  const v = (value ?? {}) as { message?: string; code?: string; syscall?: string; address?: string; port?: number };
  const message = v.message ?? [v.syscall, v.code, v.address && `${v.address}${v.port ? `:${v.port}` : ''}`].filter(Boolean).join(' ');
  return Object.assign(new Error(message || String(value)), value);
}
