/**
 * `initORM`: the one function that turns configuration into a connected ORM plus the
 * service layer. The server, the `ae-db` CLI and the tests all start here, so an override
 * (a URL, a migration list, debug logging) is made in exactly one place.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type AppConfig } from './config';
import { createOrm, type OrmOptions } from './db/orm';
import { resolveTarget, type ResolvedTarget, type TargetOptions } from './db/target';
import { MigrationService } from './services/schema/migrations';
import { SeedService } from './services/seed/seed';
import { InspectionService } from './services/ops/inspection';
import { IntegrityService } from './services/ops/integrity';
import { MaintenanceService } from './services/schema/maintenance';
import { BackupService } from './services/ops/backup';
import { DatabaseAdminService } from './services/ops/server-admin';
import { ExportService, type ExportLimits } from './services/read/export';
import { ReadService, SummaryService } from './services/read';
import { GroupService } from './services/read/groups';
import { countStatement } from './db/request-scope';
import { cancelBackends, trackCheckedOut } from './db/pg';
import { RecordService } from './services/write/records';
import { ReadPool, type ReplicaSettings } from './db/read-pool';
import { AdminService } from './services/ops/admin';
import { LegacyImportService } from './services/legacy/import';
import { IngestService } from './services/write/ingest';

/** Services that work on a database from outside (client tools, the maintenance database): they need only its URL. */
export interface ServerServices {
  backup: BackupService;
  databaseAdmin: DatabaseAdminService;
  export: ExportService;
}

export interface Services extends ServerServices {
  migrations: MigrationService;
  seed: SeedService;
  inspection: InspectionService;
  integrity: IntegrityService;
  maintenance: MaintenanceService;
  read: ReadService;
  summaries: SummaryService;
  groups: GroupService;
  records: RecordService;
  admin: AdminService;
  legacyImport: LegacyImportService;
  ingest: IngestService;
}

export interface AppContext {
  config: AppConfig;
  orm: MikroORM;
  target: Pick<ResolvedTarget, 'url' | 'source' | 'embedded'>;
  services: Services;
  /** Where reads go: the replicas that serve now, else the primary (and their state, for /health). */
  reads: ReadPool;
  /** Close the pool and stop an embedded server this context started. */
  close(): Promise<void>;
}

export interface InitOptions extends TargetOptions, Partial<Omit<OrmOptions, 'url'>>, ServiceOptions {
  config?: AppConfig;
  /** Replicas of the target; by default the configured ones, which belong to AE_DATABASE_URL only. */
  replicas?: ReplicaSettings;
}

export interface ServiceOptions {
  /** Statement time limit inside admin transactions (migrations, seeding, reset), in ms; 0 = none. */
  adminTimeoutMs?: number;
  /**
   * How long an admin transaction waits for a table lock, in ms;
   * 0 = no limit. initORM defaults it to AE_LOCK_TIMEOUT_MS.
   */
  lockTimeoutMs?: number;
  /** Bounds of /export (concurrency, stalled clients, duration); initORM takes them from the configuration. */
  exportLimits?: ExportLimits;
}

export function buildServerServices(url: string): ServerServices {
  return {
    backup: new BackupService(url),
    databaseAdmin: new DatabaseAdminService(url),
    export: new ExportService(url),
  };
}

export function buildServices(orm: MikroORM, reads: ReadPool, o: ServiceOptions = {}): Services {
  const adminLimits = { statementTimeoutMs: o.adminTimeoutMs ?? 0, lockTimeoutMs: o.lockTimeoutMs ?? 0 };
  const migrations = new MigrationService(orm, adminLimits);
  const seed = new SeedService(orm, adminLimits);
  const inspection = new InspectionService(orm);
  const records = new RecordService(orm, inspection);
  const maintenance = new MaintenanceService(orm, adminLimits);
  const read = new ReadService(orm, reads);
  return {
    ...buildServerServices(orm.config.get('clientUrl')!),
    export: new ExportService(orm.config.get('clientUrl')!, reads, o.exportLimits),
    migrations,
    seed,
    inspection,
    integrity: new IntegrityService(orm),
    maintenance,
    read,
    summaries: new SummaryService(orm, reads),
    groups: new GroupService(orm, reads, read),
    records,
    admin: new AdminService(migrations, seed, maintenance),
    legacyImport: new LegacyImportService(orm.config.get('clientUrl')!, o.adminTimeoutMs ?? 0),
    ingest: new IngestService(orm),
  };
}

export interface ServerContext {
  config: AppConfig;
  target: Pick<ResolvedTarget, 'url' | 'source' | 'embedded'>;
  services: ServerServices;
  /** Stop an embedded server this context started. */
  close(): Promise<void>;
}

/**
 * The target database's server-level services without an ORM, so no pooled session sits on
 * the database: `CREATE DATABASE … TEMPLATE` (ae-db copy) refuses while one does.
 */
export async function initServerContext(options: InitOptions = {}): Promise<ServerContext> {
  const config = options.config ?? loadConfig();
  const target = await resolveTarget(config, options);
  return { config, target, services: buildServerServices(target.url), close: () => target.release() };
}

export async function initORM(options: InitOptions = {}): Promise<AppContext> {
  const config = options.config ?? loadConfig();
  const target = await resolveTarget(config, options);
  const transactionPooling = options.transactionPooling ?? config.transactionPooling;
  let orm: MikroORM;
  try {
    orm = await createOrm({ ...options, url: target.url, debug: options.debug ?? config.debug, transactionPooling });
  } catch (e) {
    await target.release();
    throw e;
  }
  // Count statements per request (for logs and the statement-count tests).
  const knex = orm.em.getConnection().getKnex();
  knex.on('query', countStatement);
  const checkedOut = trackCheckedOut((knex.client as { pool?: Parameters<typeof trackCheckedOut>[0] }).pool);
  const replicas =
    options.replicas ??
    (target.source === 'AE_DATABASE_URL' ? config.replicas : { urls: [], maxLagS: config.replicas.maxLagS });
  const reads = new ReadPool(orm, {
    ...replicas,
    perTransactionTimeoutMs: transactionPooling ? options.statementTimeoutMs : undefined,
    onQuery: countStatement,
  }).start();
  let closed = false;
  return {
    config,
    orm,
    target,
    services: buildServices(orm, reads, {
      ...options,
      lockTimeoutMs: options.lockTimeoutMs ?? config.limits.lockTimeoutMs,
      exportLimits: config.limits,
    }),
    reads,
    async close() {
      if (closed) return;
      closed = true;
      await reads.close();
      // Whatever still runs when we close has outlived its request (the server closes after
      // the shutdown grace period): cancel it so its transaction rolls back and the pool can close.
      await cancelBackends(target.url, checkedOut()).catch(() => undefined);
      await orm.close(true);
      await target.release();
    },
  };
}
