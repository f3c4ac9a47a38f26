/**
 * Test-only migrations: one made of SQL statements, and a cloned database whose context's
 * migrations are the real ones plus some not applied yet, with SQL and GraphQL clients.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { useTestDatabase } from './test-database';
import { MIGRATIONS } from '../../migrations';

/** A migration named `name` whose up and down run these statements, in order. */
export function sqlMigration(name: string, statements: { up: string[]; down: string[] }): MigrationObject {
  class SqlMigration extends Migration {
    async up(): Promise<void> {
      for (const sql of statements.up) this.addSql(sql);
    }
    async down(): Promise<void> {
      for (const sql of statements.down) this.addSql(sql);
    }
  }
  return { name, class: SqlMigration };
}

/** useTestDatabase with `extra` after the real migrations (not applied yet), for one block. */
export function withExtraMigrations(extra: MigrationObject[], o: { seedParticipants?: number } = {}) {
  return useTestDatabase({
    seed: o.seedParticipants ? { participantsPerStudy: o.seedParticipants } : undefined,
    init: { migrations: [...MIGRATIONS, ...extra] },
    sql: true,
    graphql: true,
  });
}
