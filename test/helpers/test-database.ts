/**
 * `useTestDatabase()`: the set-up most test files share, as the beforeAll/afterAll of the
 * block it is called in. A fresh clone of the migrated template (or an empty database),
 * optionally seeded, an AppContext on it, and the clients the tests ask for; afterAll closes
 * them all and drops the database.
 *
 * The objects it returns are filled in by that beforeAll (the SQL client connects there), so
 * `const { ctx, sql } = useTestDatabase(…)` at the top of a file reads like the `let`s it
 * replaces: use them in hooks and tests, not while the file is being loaded.
 */
import { Client } from 'pg';
import { withDatabase } from '../../src/config';
import { initORM, type InitOptions } from '../../src/context';
import type { SeedOptions } from '../../src/services/seed/seed';
import {
  createTestDatabase,
  seedAsRealParticipants,
  serverUrl,
  testDatabaseName,
  type TestContext,
  type TestDatabase,
} from './db';
import { graphqlClient, type GraphQLTestClient } from './graphql';
import { startTestServer, type TestServer } from './http';

export interface TestDatabaseOptions {
  /** An empty database (no schema) instead of a clone of the migrated template. */
  empty?: boolean;
  /** The sample data, written before the tests. */
  seed?: SeedOptions;
  /** ... then moved out of the sample's number range, as the lab's own participants (seedAsRealParticipants). */
  asRealParticipants?: boolean;
  /**
   * initORM's options for the context (a configuration, time limits, migrations). With them the
   * seeding goes through a plain context, closed before this one opens, so that they do not apply to it.
   */
  init?: Omit<InitOptions, 'url'>;
  /** A pg client on the database, for asserting against the catalog and raw rows. */
  sql?: boolean;
  /** An in-process GraphQL client on the context (graphqlClient). */
  graphql?: boolean;
  /** The app on an ephemeral port with its logs captured (startTestServer). */
  server?: boolean;
  /**
   * More set-up, after the seeding and before the GraphQL client and the server start. What it
   * returns undoes it: afterAll runs that first, while the database and its clients are still up.
   */
  prepare?: (db: { ctx: TestContext; sql?: Client }) => Promise<void | (() => Promise<void>)>;
  /** beforeAll's time limit, in ms; jest's default when not given. */
  timeoutMs?: number;
}

/** The context, and the clients `O` asks for. */
export type UsedTestDatabase<O extends TestDatabaseOptions> = { ctx: TestContext } & (O extends { sql: true }
  ? { sql: Client }
  : unknown) &
  (O extends { graphql: true } ? { gql: GraphQLTestClient } : unknown) &
  (O extends { server: true } ? { server: TestServer } : unknown);

export function useTestDatabase<const O extends TestDatabaseOptions = Record<never, never>>(
  o: O & TestDatabaseOptions = {} as O,
): UsedTestDatabase<O> {
  const name = testDatabaseName();
  const ctx = {} as TestContext;
  const gql = {} as GraphQLTestClient;
  const server = {} as TestServer;
  // Made now, so that it can be handed out now; it connects once the database exists.
  const sql = o.sql ? new Client({ connectionString: withDatabase(serverUrl(), name) }) : undefined;
  let db: TestDatabase | undefined;
  let undoPrepare: (() => Promise<void>) | undefined;
  let sqlConnected = false;
  let gqlStarted = false;
  let serverStarted = false;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: o.empty, name });
    const seed = async (into: TestContext) => {
      if (!o.seed) return;
      if (o.asRealParticipants) await seedAsRealParticipants(into, o.seed);
      else await into.services.seed.seed(o.seed);
    };
    if (o.init && o.seed) {
      const seeding = await initORM({ url: db.url });
      try {
        await seed({ ...seeding, db });
      } finally {
        await seeding.close();
      }
    }
    const opened = await initORM({ ...o.init, url: db.url });
    const dropping = db;
    // As openTestContext's: closing the context also drops its database.
    Object.assign(ctx, opened, { db, close: () => opened.close().then(() => dropping.drop()) });
    if (!o.init) await seed(ctx);
    if (sql) {
      await sql.connect();
      sqlConnected = true;
    }
    undoPrepare = (await o.prepare?.({ ctx, sql })) ?? undefined;
    if (o.graphql) {
      Object.assign(gql, await graphqlClient(ctx));
      gqlStarted = true;
    }
    if (o.server) {
      Object.assign(server, await startTestServer(ctx));
      serverStarted = true;
    }
  }, o.timeoutMs);

  afterAll(async () => {
    await undoPrepare?.();
    if (serverStarted) await server.close();
    if (gqlStarted) await gql.stop();
    if (sqlConnected) await sql!.end();
    if (ctx.close) await ctx.close();
    else await db?.drop();
  });

  return { ctx, ...(sql && { sql }), ...(o.graphql && { gql }), ...(o.server && { server }) } as UsedTestDatabase<O>;
}
