/**
 * `initORM`: the one function that turns configuration into a connected ORM plus the
 * service layer. The server, the `ae-db` CLI and the tests all start here, so an override
 * (a URL, a migration list, debug logging) is made in exactly one place.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type AppConfig } from './config';
import { createOrm, type OrmOptions } from './db/orm';
import { resolveTarget, type ResolvedTarget, type TargetOptions } from './db/target';
import { MigrationService } from './services/migrations';
import { SeedService } from './services/seed';
import { InspectionService } from './services/inspection';
import { RecordService } from './services/records';
import { AdminService } from './services/admin';

export interface Services {
  migrations: MigrationService;
  seed: SeedService;
  inspection: InspectionService;
  records: RecordService;
  admin: AdminService;
}

export interface AppContext {
  config: AppConfig;
  orm: MikroORM;
  target: Pick<ResolvedTarget, 'url' | 'source' | 'embedded'>;
  services: Services;
  /** Close the pool and stop an embedded server this context started. */
  close(): Promise<void>;
}

export interface InitOptions extends TargetOptions, Partial<Omit<OrmOptions, 'url'>> {
  config?: AppConfig;
}

export function buildServices(orm: MikroORM): Services {
  const migrations = new MigrationService(orm);
  const seed = new SeedService(orm);
  const inspection = new InspectionService(orm);
  const records = new RecordService(orm, inspection);
  return { migrations, seed, inspection, records, admin: new AdminService(migrations, seed, records) };
}

export async function initORM(options: InitOptions = {}): Promise<AppContext> {
  const config = options.config ?? loadConfig();
  const target = await resolveTarget(config, options);
  let orm: MikroORM;
  try {
    orm = await createOrm({ ...options, url: target.url, debug: options.debug ?? config.debug });
  } catch (e) {
    await target.release();
    throw e;
  }
  let closed = false;
  return {
    config,
    orm,
    target,
    services: buildServices(orm),
    async close() {
      if (closed) return;
      closed = true;
      await orm.close(true);
      await target.release();
    },
  };
}
