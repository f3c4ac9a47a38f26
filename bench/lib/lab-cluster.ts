/**
 * The lab's database on a real cluster, as the replication and PgBouncer tests and the
 * replica benchmark need it: a primary from Debian's PostgreSQL 15 holding the database
 * `acoustic_emissions` (migrated and seeded when asked), then a pg_basebackup -R standby that
 * starts with that data and PgBouncer in front of the primary, each when asked.
 */
import { Client } from 'pg';
import { initORM } from '../../src/context';
import type { SeedOptions } from '../../src/services/seed/seed';
import { startCluster, waitFor, type PgCluster, type PgNode } from './pg-cluster';
import { startPgBouncer, type PgBouncer } from './pgbouncer';

export const LAB_DATABASE = 'acoustic_emissions';

export interface LabClusterOptions {
  /** Server settings of the primary and its standby (timezone, …). */
  settings?: Record<string, string>;
  /** pg_stat_statements in the database, so each server's own statistics show what it ran. */
  statementStats?: boolean;
  /** Migrated to head and seeded on the primary, through a context with this application_name. */
  seed?: SeedOptions & { applicationName?: string };
  /** A streaming standby, made after the seeding, with the seeded rows visible on it. */
  standby?: boolean;
  /** PgBouncer in front of the primary's server (every database of it, by name). */
  pgbouncer?: Parameters<typeof startPgBouncer>[1];
}

export type LabCluster<O extends LabClusterOptions> = {
  cluster: PgCluster;
  primary: PgNode;
  /** Stops PgBouncer and every server and removes their directories. */
  stop(): Promise<void>;
} & (O extends { standby: true } ? { standby: PgNode } : unknown) &
  (O extends { pgbouncer: object } ? { bouncer: PgBouncer } : unknown);

/** One statement on a connection of its own; its rows. */
export async function queryOnce<T = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export async function startLabCluster<const O extends LabClusterOptions>(
  o: O & LabClusterOptions,
): Promise<LabCluster<O>> {
  const cluster = await startCluster({ settings: o.settings });
  let bouncer: PgBouncer | undefined;
  const stop = async () => {
    await bouncer?.stop();
    await cluster.destroy();
  };
  try {
    const url = cluster.primary.url(LAB_DATABASE);
    await queryOnce(cluster.primary.url(), `create database ${LAB_DATABASE}`);
    if (o.statementStats) await queryOnce(url, 'create extension pg_stat_statements');
    if (o.seed) {
      const { applicationName, ...seed } = o.seed;
      const setup = await initORM({ url, applicationName });
      try {
        await setup.services.migrations.upgrade('head');
        await setup.services.seed.seed(seed);
      } finally {
        await setup.close();
      }
    }
    let standby: PgNode | undefined;
    if (o.standby) {
      standby = await cluster.addStandby();
      if (o.seed) await waitFor(standby.url(LAB_DATABASE), 'select count(*) > 0 from movement_cycles');
    }
    if (o.pgbouncer) bouncer = await startPgBouncer(cluster.primary.url(), o.pgbouncer);
    return {
      cluster,
      primary: cluster.primary,
      stop,
      ...(standby && { standby }),
      ...(bouncer && { bouncer }),
    } as LabCluster<O>;
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
