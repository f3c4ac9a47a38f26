/**
 * Builds the MikroORM instance. `initORM` in `src/context.ts` is the one place where the
 * CLI, the server and the tests turn a database URL into a working ORM plus services.
 */
import 'reflect-metadata';
import { defineConfig, type EventSubscriber, type MigrationObject, type TransactionEventArgs } from '@mikro-orm/core';
import { PostgreSqlDriver, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { join } from 'node:path';
import { projectRoot } from '../config';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../../migrations';

/** The migrations table, the counterpart of Alembic's `alembic_version`. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';
/** Where `revision` writes new migration files: the repository's `migrations/` folder. */
export const MIGRATIONS_DIR = join(projectRoot(), 'migrations');

export interface OrmOptions {
  url: string;
  debug?: boolean;
  poolMax?: number;
  /** Overrides the migration list (tests use a deliberately failing one). */
  migrations?: MigrationObject[];
  applicationName?: string;
  /** Per-statement limit on every pooled connection (the server's read timeout); 0 or unset = none. */
  statementTimeoutMs?: number;
  /**
   * The URL goes through a pooler in transaction mode (PgBouncer): the time limit cannot be a
   * connection setting (PgBouncer refuses the startup parameter, and a SET would stay on a server
   * connection other clients get next), so every ORM transaction starts with SET LOCAL instead.
   */
  transactionPooling?: boolean;
  /**
   * Where the driver's own warnings go (e.g. "Connection Error" while the database is down); default: dropped, as the
   * failing call reports the error itself.
   */
  onDriverWarning?: (message: string) => void;
}

/**
 * How long to wait for a new connection: fail when the database host does not answer instead of
 * hanging (a refused connection fails at once). 3 s was too short on a loaded machine, where a
 * new backend can take that long to start, and answered good reads DATABASE_UNAVAILABLE.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * How long a query may wait for a free pooled connection. A failed connect fails the waiters at
 * once (knex propagates it), so this bounds only a busy pool: under load, a deep tree's batched
 * reads queue behind each other, and a 4 s wait answered them DATABASE_UNAVAILABLE.
 */
const POOL_WAIT_MS = 30_000;

/** Sets the statement time limit first thing in every ORM transaction, for this transaction only. */
class TransactionTimeout implements EventSubscriber {
  constructor(private readonly timeoutMs: number) {}

  async afterTransactionStart(args: TransactionEventArgs): Promise<void> {
    await args.em
      .getConnection()
      .execute(`set local statement_timeout = ${Math.floor(this.timeoutMs)}`, [], 'run', args.transaction);
  }
}

export function ormConfig(o: OrmOptions): Options {
  const perTransaction = !!o.transactionPooling && !!o.statementTimeoutMs;
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: o.url,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    // `timestamp` columns hold device wall-clock times: read and write them as UTC, never local time.
    forceUtcTimezone: true,
    debug: !!o.debug,
    allowGlobalContext: false,
    // Never create a missing database behind the user's back: `ae-db init` does that on purpose.
    ensureDatabase: false,
    pool: { min: 0, max: o.poolMax ?? 10 },
    driverOptions: {
      connection: {
        // pg reads the URL itself: MikroORM's own reading of clientUrl ignores libpq's
        // query parameters (`?host=/var/run/postgresql`, `?password=`, `sslmode`).
        connectionString: o.url,
        application_name: o.applicationName ?? 'ae-graphql',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        ...(o.statementTimeoutMs && !o.transactionPooling ? { statement_timeout: o.statementTimeoutMs } : {}),
      },
      acquireConnectionTimeout: POOL_WAIT_MS,
      log: {
        warn: (m: string) => o.onDriverWarning?.(String(m)),
        error: (m: string) => o.onDriverWarning?.(String(m)),
        deprecate: () => undefined,
        debug: () => undefined,
      },
    },
    subscribers: perTransaction ? [new TransactionTimeout(o.statementTimeoutMs!)] : [],
    extensions: [Migrator],
    migrations: {
      tableName: MIGRATIONS_TABLE,
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      migrationsList: o.migrations ?? MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      // Diff entities against the real database, not a JSON snapshot that can drift.
      snapshot: false,
      emit: 'ts',
      // `session_replication_role` needs superuser; the lab's role may not have it.
      disableForeignKeys: false,
      silent: true,
    },
    schemaGenerator: { disableForeignKeys: false, createForeignKeyConstraints: true },
  });
}

export async function createOrm(o: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(o));
}
