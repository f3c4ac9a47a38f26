/**
 * Schema versioning: the Alembic workflow (current, upgrade, downgrade, history, revision,
 * stamp, check) on top of MikroORM's migrator. Targets are resolved to explicit lists of
 * migration names here, so every run is one transaction over a known set.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Migration, Migrator } from '@mikro-orm/migrations';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../../db/orm';
import { TABLES } from '../../entities';
import { ConfirmationRequiredError, UserError } from '../errors';
import { quote } from '../read/sql';
import { dropSchemaContentsStatements } from './schema-contents';
import { adminTransaction, NO_ADMIN_LIMITS, type AdminLimits } from '../transactions';

/** MikroORM's migrations table, as its migrator creates it. */
const CREATE_MIGRATIONS_TABLE = `create table if not exists ${MIGRATIONS_TABLE} (id serial primary key, name varchar(255), executed_at timestamptz default current_timestamp)`;

/**
 * Serialises migration runs across processes until the end of the caller's transaction. A
 * transaction-level lock, never a session one: it is released by COMMIT or ROLLBACK whatever
 * happens, and works through a pooler in transaction mode.
 */
async function lockMigrations(tx: EntityManager, limits: AdminLimits): Promise<void> {
  // Waiting for the other run holds no table lock, so nothing queues behind it: wait for as
  // long as that run takes, not AE_LOCK_TIMEOUT_MS, which is for the migration's own locks.
  await tx
    .getConnection()
    .execute(
      `set local lock_timeout = 0; select pg_advisory_xact_lock(hashtext('${MIGRATIONS_TABLE}')); set local lock_timeout = ${Math.max(0, Math.floor(limits.lockTimeoutMs))}`,
      [],
      'run',
      tx.getTransactionContext(),
    );
}

export interface ExecutedMigration {
  name: string;
  executedAt: Date | null;
}

export interface MigrationStatus {
  /** The newest applied migration, or null at base. */
  current: string | null;
  head: string | null;
  executed: ExecutedMigration[];
  pending: string[];
  /** Migrations recorded in the database that this code base does not know. */
  unknown: string[];
}

/**
 * A table, or a column, that a downgrade drops, and how many rows hold it (for a column: rows where it is not null).
 */
export interface DataLoss {
  table: string;
  column?: string;
  rows: number;
}

export interface DowngradePlan {
  /** The migrations to revert, newest first. */
  plan: string[];
  /** True when it reverts every applied migration. */
  reachesBase: boolean;
  /** The tables and columns holding data that it drops; empty when nothing is lost. */
  dataLoss: DataLoss[];
}

/** `table movement_cycles (7,000 rows), column participant.notes (12 rows with a value)` */
export function describeDataLoss(loss: DataLoss[]): string {
  const n = (rows: number) => `${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'}`;
  return loss
    .map((l) =>
      l.column ? `column ${l.table}.${l.column} (${n(l.rows)} with a value)` : `table ${l.table} (${n(l.rows)})`,
    )
    .join(', ');
}

/** A downgrade would drop data and was not confirmed; nothing was reverted. */
export class DataLossError extends ConfirmationRequiredError {
  constructor(
    readonly plan: string[],
    readonly loss: DataLoss[],
  ) {
    super(
      `Reverting ${plan.join(', ')} drops data: ${describeDataLoss(loss)}. Nothing was reverted; confirm to go ahead.`,
    );
  }
}

export interface SchemaCheck {
  /** True when the database is at head and matches the entities. */
  ok: boolean;
  pending: string[];
  /** SQL the entities would need on top of the migrated database; empty when they agree. */
  differences: string[];
}

export class MigrationService {
  /** @param limits statement and lock-wait limits while migrating: migrations may rewrite big tables. */
  constructor(
    private readonly orm: MikroORM,
    private readonly limits: AdminLimits = NO_ADMIN_LIMITS,
  ) {}

  private get migrator(): Migrator {
    return this.orm.getMigrator() as Migrator;
  }

  /** Every known migration name, oldest first. */
  known(): string[] {
    const list = this.orm.config.get('migrations').migrationsList ?? [];
    return list.map((m) => (typeof m === 'function' ? m.name : m.name));
  }

  async executed(): Promise<ExecutedMigration[]> {
    if (!(await this.tableExists(MIGRATIONS_TABLE))) return [];
    const rows = await this.orm.em
      .getConnection()
      .execute<{ name: string; executed_at: Date | string | null }[]>(
        `select name, executed_at from ${MIGRATIONS_TABLE} order by id`,
      );
    // Raw queries return timestamptz as text; callers get the Date the type promises.
    return rows.map((r) => ({ name: r.name, executedAt: r.executed_at === null ? null : new Date(r.executed_at) }));
  }

  async status(): Promise<MigrationStatus> {
    const known = this.known();
    const executed = await this.executed();
    const done = new Set(executed.map((e) => e.name));
    const current = [...known].reverse().find((n) => done.has(n)) ?? null;
    return {
      current,
      head: known.at(-1) ?? null,
      executed,
      pending: known.filter((n) => !done.has(n)),
      unknown: executed.map((e) => e.name).filter((n) => !known.includes(n)),
    };
  }

  /** Throws a clear error unless every known migration is applied (writing data needs the current schema). */
  async assertCurrent(): Promise<void> {
    const { pending } = await this.status();
    if (pending.length)
      throw new UserError(
        `The schema is not current (${pending.length} pending); run "npx ae-db upgrade head" (or the migrate mutation) first.`,
      );
  }

  /** Resolve `head`, `+N` or a name (prefix allowed) to the pending names to apply, in order. */
  async planUpgrade(target = 'head'): Promise<string[]> {
    const { pending } = await this.status();
    const known = this.known();
    if (target === 'head') return pending;
    const plus = /^\+(\d+)$/.exec(target);
    if (plus) {
      const n = Number(plus[1]);
      if (n > pending.length)
        throw new UserError(`Cannot upgrade ${target}: only ${pending.length} migration(s) pending.`);
      return pending.slice(0, n);
    }
    const name = this.resolveName(target);
    const upTo = known.indexOf(name);
    return pending.filter((p) => known.indexOf(p) <= upTo);
  }

  /** Resolve `-N`, `base` or a name (kept applied, as Alembic does) to the names to revert, newest first. */
  async planDowngrade(target: string): Promise<string[]> {
    const known = this.known();
    const applied = (await this.executed()).map((e) => e.name).filter((n) => known.includes(n));
    applied.sort((a, b) => known.indexOf(a) - known.indexOf(b));
    const newestFirst = [...applied].reverse();
    if (target === 'base') return newestFirst;
    const minus = /^-(\d+)$/.exec(target);
    if (minus) {
      const n = Number(minus[1]);
      if (n > applied.length)
        throw new UserError(`Cannot downgrade ${target}: only ${applied.length} migration(s) applied.`);
      return newestFirst.slice(0, n);
    }
    const name = this.resolveName(target);
    if (!applied.includes(name)) throw new UserError(`Cannot downgrade to ${name}: it is not applied.`);
    return newestFirst.filter((n) => known.indexOf(n) > known.indexOf(name));
  }

  /**
   * The plan for `target`, whether it reverts every applied migration, and the tables and
   * columns holding data that its `down` would drop (found by running it and rolling back).
   */
  async describeDowngrade(target: string): Promise<DowngradePlan> {
    const plan = await this.planDowngrade(target);
    const applied = await this.planDowngrade('base'); // every applied migration
    const dataLoss = plan.length
      ? await adminTransaction(this.orm.em, this.limits, (tx) => this.dataLossOf(tx, plan))
      : [];
    return { plan, reachesBase: plan.length > 0 && plan.length === applied.length, dataLoss };
  }

  /**
   * Runs the `down` of `plan` inside a savepoint, compares the catalog before and after to
   * see which tables and columns it drops (whatever SQL it uses, CASCADE included), rolls
   * back to the savepoint and counts what they hold. Only those holding data are returned.
   */
  private async dataLossOf(tx: EntityManager, plan: string[]): Promise<DataLoss[]> {
    const conn = tx.getConnection();
    const trx = tx.getTransactionContext();
    const run = <R>(sql: string) => conn.execute<R[]>(sql, [], 'all', trx);
    const columns = () =>
      run<{ rel: string; table: string; attnum: number; column: string }>(
        `select c.oid::text as rel, c.relname as table, a.attnum, a.attname as column
           from pg_class c join pg_attribute a on a.attrelid = c.oid
          where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped`,
      );
    const before = await columns();
    await run('savepoint ae_downgrade_preview');
    await this.migrator.down({ migrations: plan, transaction: trx });
    const after = await columns();
    await run('rollback to savepoint ae_downgrade_preview');
    const tablesAfter = new Set(after.map((c) => c.rel));
    const columnsAfter = new Set(after.map((c) => `${c.rel}/${c.attnum}`));
    const dropped: { table: string; column?: string }[] = [];
    for (const c of before) {
      if (!tablesAfter.has(c.rel)) {
        if (!dropped.some((d) => d.table === c.table && !d.column)) dropped.push({ table: c.table });
      } else if (!columnsAfter.has(`${c.rel}/${c.attnum}`)) dropped.push({ table: c.table, column: c.column });
    }
    const loss: DataLoss[] = [];
    for (const d of dropped) {
      const where = d.column ? ` where ${quote(d.column)} is not null` : '';
      const [{ n }] = await run<{ n: number }>(
        `select count(*)::int8::float8 as n from public.${quote(d.table)}${where}`,
      );
      if (n > 0) loss.push({ ...d, rows: n });
    }
    return loss;
  }

  /** Apply migrations up to `target`, all in one transaction. Returns the names applied. */
  async upgrade(target = 'head'): Promise<string[]> {
    const plan = await this.planUpgrade(target);
    if (plan.length === 0) return [];
    return adminTransaction(this.orm.em, this.limits, async (tx) => {
      // Another instance may be applying the same plan (several servers starting with
      // AE_AUTO_MIGRATE=1): wait for it, then apply only what it left pending.
      await lockMigrations(tx, this.limits);
      const pending = new Set((await this.status()).pending);
      const todo = plan.filter((name) => pending.has(name));
      if (todo.length) await this.migrator.up({ migrations: todo, transaction: tx.getTransactionContext() });
      return todo;
    });
  }

  /**
   * Revert migrations down to `target` (`-N`, a name, or `base`), in one transaction. Unless
   * `allowDataLoss` (the caller has confirmed), a downgrade that would drop a table or column
   * holding data is refused, checked in the same transaction, so rows written since a
   * preview cannot be lost unasked.
   */
  async downgrade(target: string, o: { allowDataLoss?: boolean } = {}): Promise<string[]> {
    const plan = await this.planDowngrade(target);
    if (plan.length === 0) return [];
    return adminTransaction(this.orm.em, this.limits, async (tx) => {
      await lockMigrations(tx, this.limits);
      const applied = new Set((await this.executed()).map((e) => e.name));
      const todo = plan.filter((name) => applied.has(name));
      if (todo.length && !o.allowDataLoss) {
        const loss = await this.dataLossOf(tx, todo);
        if (loss.length) throw new DataLossError(todo, loss);
      }
      if (todo.length) await this.migrator.down({ migrations: todo, transaction: tx.getTransactionContext() });
      return todo;
    });
  }

  /** Record the database as being at `target` without running anything (Alembic's `stamp`). */
  async stamp(target: string): Promise<MigrationStatus> {
    const known = this.known();
    const upTo =
      target === 'base' ? -1 : target === 'head' ? known.length - 1 : known.indexOf(this.resolveName(target));
    const conn = this.orm.em.getConnection();
    await conn.execute(CREATE_MIGRATIONS_TABLE);
    await this.orm.em.transactional(async (em) => {
      const c = em.getConnection();
      const tx = em.getTransactionContext();
      await c.execute(`delete from ${MIGRATIONS_TABLE}`, [], 'run', tx);
      for (const name of known.slice(0, upTo + 1)) {
        await c.execute(`insert into ${MIGRATIONS_TABLE} (name) values (?)`, [name], 'run', tx);
      }
    });
    return this.status();
  }

  /** Alembic's `check`: the database must be at head and the entities must need no further DDL. */
  async check(): Promise<SchemaCheck> {
    const { pending } = await this.status();
    const sql = await this.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    const differences = sql
      .split(/;\s*\n/)
      .map((s) => s.trim().replace(/;$/, ''))
      .filter((s) => s && !/^set\s/i.test(s));
    return { ok: pending.length === 0 && differences.length === 0, pending, differences };
  }

  /**
   * Write a new migration file into `migrations/` and re-list it in `migrations/index.ts`.
   * With `autogenerate`, the body is the diff between entities and the database; an empty
   * diff creates nothing.
   */
  async revision(name: string, autogenerate: boolean): Promise<{ fileName: string | null; up: string[] }> {
    if (!/^[A-Za-z0-9_]+$/.test(name))
      throw new UserError('Migration name may contain only letters, digits and _ (e.g. add_notes_column).');
    if (autogenerate) {
      const { pending } = await this.status();
      if (pending.length)
        throw new UserError(
          `Apply the ${pending.length} pending migration(s) first (ae-db upgrade head): autogenerate diffs against the database.`,
        );
    }
    const result = await this.migrator.createMigration(MIGRATIONS_DIR, !autogenerate, false, name);
    if (!result.fileName) return { fileName: null, up: [] };
    writeMigrationIndex(MIGRATIONS_DIR);
    return { fileName: join('migrations', result.fileName), up: result.diff.up };
  }

  /** The SQL each known migration runs up and down (for `history --verbose`), without running it. */
  async describe(): Promise<{ name: string; up: string[]; down: string[] }[]> {
    const list = this.orm.config.get('migrations').migrationsList ?? [];
    const driver = this.orm.em.getDriver();
    const out = [];
    for (const entry of list) {
      const Cls = (typeof entry === 'function' ? entry : entry.class) as unknown as new (
        ...args: unknown[]
      ) => Migration;
      const m = new Cls(driver, this.orm.config);
      const sqlOf = () => m.getQueries().map((q) => (typeof q === 'string' ? q : q.toString()).trim());
      await m.up();
      const up = sqlOf();
      m.reset();
      await m.down();
      out.push({ name: typeof entry === 'function' ? entry.name : entry.name, up, down: sqlOf() });
    }
    return out;
  }

  /**
   * Drop every table this application owns, including the migrations table, and its
   * functions, in one transaction: all of it goes, or (a lock not granted, an error) nothing.
   */
  async dropAll(): Promise<string[]> {
    return adminTransaction(this.orm.em, this.limits, async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const present = (
        await conn.execute<{ t: string }[]>(
          `select t from unnest(string_to_array(?, ',')) with ordinality as x(t, i) where to_regclass(format('public.%I', t)) is not null order by i`,
          [[...TABLES, MIGRATIONS_TABLE].join(',')],
          'all',
          trx,
        )
      ).map((r) => r.t);
      if (present.length)
        await conn.execute(`drop table ${present.map((t) => `public.${quote(t)}`).join(', ')} cascade`, [], 'run', trx);
      await conn.execute(
        'drop function if exists public.ae_valid_segments(double precision[]) cascade',
        [],
        'run',
        trx,
      );
      await conn.execute('drop function if exists public.ae_touch_updated_at() cascade', [], 'run', trx);
      return present;
    });
  }

  /**
   * `fresh`: empty the public schema and migrate to head, in one transaction, so a migration
   * that fails leaves the old schema and its data as they were. The schema itself stays
   * (emptied, not dropped), keeping its owner, grants and default privileges.
   */
  async fresh(): Promise<string[]> {
    const known = this.known();
    // MikroORM looks for its table outside any transaction before it migrates; let that
    // find one, rather than wait on the table this transaction drops and recreates.
    await this.migrator.getExecutedMigrations();
    await adminTransaction(this.orm.em, this.limits, async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      await conn.execute('create schema if not exists public', [], 'run', trx);
      for (const statement of await dropSchemaContentsStatements((sql) => conn.execute(sql, [], 'all', trx))) {
        await conn.execute(statement, [], 'run', trx);
      }
      await conn.execute(CREATE_MIGRATIONS_TABLE, [], 'run', trx);
      if (known.length) await this.migrator.up({ migrations: known, transaction: trx });
    });
    return known;
  }

  async tableExists(table: string): Promise<boolean> {
    const rows = await this.orm.em.getConnection().execute(`select to_regclass(?) as t`, [`public.${table}`]);
    return rows[0]?.t != null;
  }

  private resolveName(target: string): string {
    const known = this.known();
    if (known.includes(target)) return target;
    const matches = known.filter((n) => n.startsWith(target) || n.includes(target));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new UserError(`"${target}" matches several migrations: ${matches.join(', ')}`);
    throw new UserError(
      `Unknown migration "${target}". Known: ${known.join(', ') || '(none)'}; or use head, base, +N, -N.`,
    );
  }
}

/** Regenerate migrations/index.ts from the migration files present, oldest first. */
export function writeMigrationIndex(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => /^Migration\d{14}.*\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const names = files.map((f) => f.replace(/\.ts$/, ''));
  const body = [
    '/**',
    ' * The ordered list of migrations. `ae-db revision` rewrites this file after adding one;',
    ' * listing them explicitly makes the compiled server and the TypeScript tests run the',
    ' * very same classes, with no file globbing.',
    ' */',
    "import type { MigrationObject } from '@mikro-orm/core';",
    ...names.map((n) => `import { ${n} } from '../${n}';`),
    '',
    'export const MIGRATIONS: MigrationObject[] = [',
    ...names.map((n) => `  { name: '${n}', class: ${n} },`),
    '];',
    '',
  ];
  writeFileSync(join(dir, 'index.ts'), body.join('\n'));
}
