/**
 * Test-only migration lists: a cloned database and an AppContext whose migrations are the
 * real ones plus `extra` (not applied yet), with SQL and GraphQL clients, for one block.
 */
import type { MigrationObject } from '@mikro-orm/core';
import type { Client } from 'pg';
import { openTestContext, sqlClient } from './db';
import { graphqlClient } from './graphql';
import { initORM, type AppContext } from '../../src/context';
import { MIGRATIONS } from '../../migrations';

export interface ExtraMigrationsDb {
  ctx: AppContext;
  c: Client;
  gql: Awaited<ReturnType<typeof graphqlClient>>;
}

/** Registers beforeAll/afterAll; the returned object is filled before the first test. */
export function withExtraMigrations(extra: MigrationObject[], o: { seedParticipants?: number } = {}): ExtraMigrationsDb {
  const db = {} as ExtraMigrationsDb & { base: AppContext };
  beforeAll(async () => {
    db.base = await openTestContext();
    if (o.seedParticipants) await db.base.services.seed.seed({ participantsPerStudy: o.seedParticipants });
    db.ctx = await initORM({ url: db.base.target.url, migrations: [...MIGRATIONS, ...extra] });
    db.c = await sqlClient(db.base.target.url);
    db.gql = await graphqlClient(db.ctx);
  });
  afterAll(async () => {
    await db.gql?.stop();
    await db.c?.end();
    await db.ctx?.close();
    await db.base?.close();
  });
  return db;
}
