/**
 * Where reads go: the one seam between the read layer and the servers. Without replicas every
 * read runs on the primary's pool. With AE_DATABASE_REPLICA_URLS, each read goes to the next
 * streaming standby in turn that is up and at most AE_MAX_REPLICA_LAG_S behind, else to the
 * primary; a standby that fails to answer is marked down and the read is run again on the
 * primary, so a replica going away costs no failed request. Writes, and the read-back of what a
 * mutation wrote, never come here: they use the ORM's own connection, the primary.
 *
 * The replicas are MikroORM connections (the class MikroORM's own `replicas` option builds)
 * held here rather than in the ORM's `replicas` list: the driver picks one of those at random
 * for every query, knows neither lag nor a dead server, and with `preferReadReplicas` it would
 * also send the mutation read-backs to a standby that may not have the row yet.
 */
import { PostgreSqlConnection, type MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { Client } from 'pg';
import { parseDatabaseUrl } from '../config';
import { isDatabaseUnavailable, rootCause } from '../services/ops/diagnose';
import { cancelBackends, trackCheckedOut } from './pg';
import { SQLSTATE } from './sqlstate';

export interface ReplicaSettings {
  /** Normalised replica URLs, in the order given. */
  urls: readonly string[];
  /** A replica further behind than this (seconds) serves no reads until it catches up. */
  maxLagS: number;
  /** How often each replica's state and lag are checked, in ms. */
  checkIntervalMs?: number;
}

export interface ReadPoolOptions extends ReplicaSettings {
  /**
   * The read time limit when it cannot travel as a connection setting (AE_TRANSACTION_POOLING:
   * PgBouncer refuses a `statement_timeout` startup parameter): each read then runs in its own
   * read-only transaction that starts with SET LOCAL statement_timeout.
   */
  perTransactionTimeoutMs?: number;
  /** Called for each statement a replica runs (the per-request statement count). */
  onQuery?: () => void;
}

export type ReplicaState = 'unchecked' | 'up' | 'lagging' | 'down' | 'not a standby';

/** What /health reports for one replica. */
export interface ReplicaReport {
  name: string;
  /** host:port/database, without credentials. */
  server: string;
  state: ReplicaState;
  /** True when reads go to it now (up and within the lag bound). */
  servesReads: boolean;
  /**
   * Seconds of committed data it does not have yet; 0 when it
   * has replayed all the primary had written; null when unknown.
   */
  lagS: number | null;
  checkedAt: string | null;
  error?: string;
}

/** One read's server: its pool (or the read's transaction on it) and its name for logs. */
export interface ReadTarget {
  /** `primary` or the replica's name (`replica 1`, …). */
  name: string;
  db: Knex;
}

export interface StreamTarget extends ReadTarget {
  /** Runs first on the read's connection when the time limit is per transaction; then COMMIT at the end. */
  begin?: string;
}

interface Replica {
  name: string;
  url: string;
  server: string;
  connection: PostgreSqlConnection;
  checkedOut: () => number[];
  state: ReplicaState;
  lagS: number | null;
  checkedAt: Date | null;
  error?: string;
}

export const DEFAULT_REPLICA_CHECK_INTERVAL_MS = 1_000;
/** A probe that takes longer than this counts as the replica being down. */
const PROBE_TIMEOUT_MS = 2_000;

/** Errors after which a read is worth running again on the primary (they are the replica's fault, not the read's). */
function isReplicaFailure(e: unknown): boolean {
  // 40001 on a standby: the statement was cancelled by a conflict with WAL replay.
  return isDatabaseUnavailable(e) || rootCause(e).code === SQLSTATE.serialization_failure;
}

function describeServer(url: string): string {
  const u = parseDatabaseUrl(url);
  return `${u.host}:${u.port}/${u.database}`;
}

function briefError(e: unknown): string {
  const c = rootCause(e);
  return [c.code, String(c.message ?? e).split('\n')[0]].filter(Boolean).join(' ');
}

export class ReadPool {
  private readonly replicas: Replica[];
  private turn = 0;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<ReplicaReport[]>;
  private closed = false;
  /** The primary's flushed WAL position at recent checks, oldest first. */
  private samples: { at: number; lsn: string }[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly o: ReadPoolOptions,
  ) {
    this.replicas = o.urls.map((url, i) => {
      const name = `replica ${i + 1}`;
      // Same pool size, time limits and type parsing as the primary's; only the server differs.
      const connection = new PostgreSqlConnection(
        orm.config,
        { clientUrl: url, name, driverOptions: { connection: { connectionString: url } } },
        'read',
      );
      connection.setPlatform(orm.em.getPlatform());
      connection.setMetadata(orm.getMetadata());
      const knex = connection.getKnex();
      if (o.onQuery) knex.on('query', o.onQuery);
      const checkedOut = trackCheckedOut((knex.client as { pool?: Parameters<typeof trackCheckedOut>[0] }).pool);
      return {
        name,
        url,
        server: describeServer(url),
        connection,
        checkedOut,
        state: 'unchecked' as ReplicaState,
        lagS: null,
        checkedAt: null,
      };
    });
  }

  get hasReplicas(): boolean {
    return this.replicas.length > 0;
  }

  /** Starts checking the replicas in the background (nothing to do without replicas). */
  start(): this {
    if (this.replicas.length && !this.timer && !this.closed) {
      void this.check();
      this.timer = setInterval(() => void this.check(), this.o.checkIntervalMs ?? DEFAULT_REPLICA_CHECK_INTERVAL_MS);
      this.timer.unref();
    }
    return this;
  }

  /**
   * Runs `fn` (reads only: it may run twice) on a serving replica, or on the primary when none
   * serves or the replica fails to answer. `fn` receives the pool, or its own read-only
   * transaction when the time limit must be set per transaction.
   */
  async run<T>(fn: (target: ReadTarget) => Promise<T>): Promise<T> {
    const replica = this.pick();
    if (replica) {
      try {
        return await this.on(replica.name, replica.connection.getKnex(), fn);
      } catch (e) {
        if (!isReplicaFailure(e)) throw e;
        this.markDown(replica, e);
      }
    }
    return this.on('primary', this.orm.em.getConnection().getKnex(), fn);
  }

  /**
   * Like `run`, for a read that outlives `fn` (a COPY streamed to the client): `fn` gets the
   * pool itself and, when the time limit is set per transaction, the statement that opens the
   * read's transaction (`begin`), which it runs on its connection and ends with COMMIT.
   */
  async stream<T>(fn: (target: StreamTarget) => Promise<T>): Promise<T> {
    const timeoutMs = this.o.perTransactionTimeoutMs;
    const begin = timeoutMs ? `begin read only; set local statement_timeout = ${Math.floor(timeoutMs)}` : undefined;
    const replica = this.pick();
    if (replica) {
      try {
        return await fn({ name: replica.name, db: replica.connection.getKnex(), begin });
      } catch (e) {
        if (!isReplicaFailure(e)) throw e;
        this.markDown(replica, e);
      }
    }
    return fn({ name: 'primary', db: this.orm.em.getConnection().getKnex(), begin });
  }

  /** One statement with bound parameters (`?` placeholders); its rows. */
  async query(sql: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const result = await this.run(({ db }) => db.raw(sql, values as readonly Knex.RawBinding[]));
    return result.rows;
  }

  /**
   * A client of its own for a read that streams (COPY), connected to a serving replica or the
   * primary (also when the replica refuses the connection). The caller ends it.
   */
  async connectClient(primaryUrl: string, applicationName: string): Promise<{ client: Client; target: string }> {
    const connect = async (url: string) => {
      const client = new Client({
        connectionString: url,
        application_name: applicationName,
        connectionTimeoutMillis: 3_000,
      });
      client.on('error', () => {}); // a server that goes away mid-stream fails the running query
      await client.connect();
      return client;
    };
    const replica = this.pick();
    if (replica) {
      try {
        return { client: await connect(replica.url), target: replica.name };
      } catch (e) {
        if (!isReplicaFailure(e)) throw e;
        this.markDown(replica, e);
      }
    }
    return { client: await connect(primaryUrl), target: 'primary' };
  }

  /** The replicas as last checked. */
  report(): ReplicaReport[] {
    return this.replicas.map((r) => ({
      name: r.name,
      server: r.server,
      state: r.state,
      servesReads: this.serves(r),
      lagS: r.lagS === null ? null : Math.round(r.lagS * 1000) / 1000,
      checkedAt: r.checkedAt?.toISOString() ?? null,
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  /** Checks every replica now (joining a check already running) and returns the report. */
  check(): Promise<ReplicaReport[]> {
    if (!this.replicas.length) return Promise.resolve([]);
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
    await Promise.all(
      this.replicas.map(async (r) => {
        await cancelBackends(r.url, r.checkedOut()).catch(() => undefined);
        await r.connection.close(true);
      }),
    );
  }

  private serves(r: Replica): boolean {
    return r.state === 'up' && r.lagS !== null && r.lagS <= this.o.maxLagS;
  }

  private pick(): Replica | undefined {
    const serving = this.replicas.filter((r) => this.serves(r));
    if (!serving.length) return undefined;
    return serving[this.turn++ % serving.length];
  }

  private markDown(r: Replica, e: unknown): void {
    r.state = 'down';
    r.lagS = null;
    r.checkedAt = new Date();
    r.error = briefError(e);
  }

  private on<T>(name: string, knex: Knex, fn: (target: ReadTarget) => Promise<T>): Promise<T> {
    const timeoutMs = this.o.perTransactionTimeoutMs;
    if (!timeoutMs) return fn({ name, db: knex });
    return knex.transaction(
      async (trx) => {
        await trx.raw(`set local statement_timeout = ${Math.floor(timeoutMs)}`);
        return fn({ name, db: trx });
      },
      { readOnly: true },
    );
  }

  private async checkAll(): Promise<ReplicaReport[]> {
    await this.samplePrimary();
    await Promise.all(this.replicas.map((r) => this.checkOne(r)));
    return this.report();
  }

  /**
   * Keeps the primary's flushed WAL position (a standby is only ever sent flushed WAL) at each
   * check. A replica that has replayed up to the position sampled at time t has every commit
   * made before t, however long ago its last replayed transaction was, so it is at most
   * now − t behind; WAL still in flight (a record half-flushed on an idle primary) then costs
   * at most one check interval instead of looking like hours since the last commit.
   */
  private async samplePrimary(): Promise<void> {
    try {
      const res = await withTimeout(
        this.orm.em.getConnection().getKnex().raw('select pg_current_wal_flush_lsn()::text as lsn'),
      );
      this.samples.push({ at: Date.now(), lsn: res.rows[0].lsn });
      const keepMs = this.o.maxLagS * 1000 * 2 + 2 * (this.o.checkIntervalMs ?? DEFAULT_REPLICA_CHECK_INTERVAL_MS);
      while (this.samples.length > 2 && this.samples[0].at < Date.now() - keepMs) this.samples.shift();
    } catch {
      this.samples = []; // primary down: judge the replicas by what they received
    }
  }

  private async checkOne(r: Replica): Promise<void> {
    try {
      const probe = await this.probe(r);
      r.checkedAt = new Date();
      r.error = undefined;
      if (!probe.standby) {
        // A promoted standby (or the primary itself) may have diverged: never read from it.
        r.state = 'not a standby';
        r.lagS = null;
        return;
      }
      // Two upper bounds on how far behind it is; the smaller is the better one.
      const bySample =
        probe.replayedSample === null
          ? Infinity
          : probe.replayedSample === this.samples.length - 1
            ? 0
            : (Date.now() - this.samples[probe.replayedSample].at) / 1000;
      const byCommit = probe.sinceReplayS ?? Infinity;
      const lag = Math.min(probe.caughtUpWithReceived && !this.samples.length ? 0 : Infinity, bySample, byCommit);
      r.lagS = Number.isFinite(lag) ? lag : null;
      r.state = r.lagS !== null && r.lagS <= this.o.maxLagS ? 'up' : 'lagging';
    } catch (e) {
      this.markDown(r, e);
    }
  }

  private async probe(r: Replica): Promise<{
    standby: boolean;
    replayedSample: number | null;
    caughtUpWithReceived: boolean;
    sinceReplayS: number | null;
  }> {
    const res = await withTimeout(
      r.connection.getKnex().raw(
        `select pg_is_in_recovery() as standby,
                (select max(s.i) - 1 from unnest(?::pg_lsn[]) with ordinality as s(lsn, i) where s.lsn <= pg_last_wal_replay_lsn())::int as replayed_sample,
                coalesce(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), false) as caught_up_with_received,
                extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as since_replay`,
        [`{${this.samples.map((x) => x.lsn).join(',')}}`],
      ),
    );
    const row = res.rows[0];
    return {
      standby: row.standby,
      replayedSample: row.replayed_sample,
      caughtUpWithReceived: row.caught_up_with_received,
      sinceReplayS: row.since_replay === null ? null : Math.max(0, Number(row.since_replay)),
    };
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
