/**
 * Counts the statements PostgreSQL receives, at the driver: every query any pooled `pg`
 * client sends while `fn` runs (the ORM's and the read layer's alike), not what one
 * layer thinks it sent. Do not use another client inside `fn`.
 */
import { Client } from 'pg';

export async function countWireStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const original = Client.prototype.query;
  const statements: string[] = [];
  Client.prototype.query = function (this: Client, config: unknown, ...rest: unknown[]) {
    statements.push(typeof config === 'string' ? config : String((config as { text?: string })?.text));
    return (original as (...a: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof Client.prototype.query;
  try {
    return { result: await fn(), statements };
  } finally {
    Client.prototype.query = original;
  }
}
