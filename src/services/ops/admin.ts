/**
 * What an administrator does from Apollo Sandbox: migrations, sample data, reset. These
 * are the GraphQL twins of `ae-db status|upgrade|downgrade|seed|reset` and run the same
 * MigrationService and SeedService; this class only adds the confirmations and the
 * clear failure a remote caller needs.
 */
import { ConfirmationRequiredError, MigrationFailedError, UserError, ValidationFailedError } from '../errors';
import { describeDataLoss, type MigrationService, type MigrationStatus, type SchemaCheck } from '../schema/migrations';
import type { SeedOptions, SeedService, TableCounts } from '../seed/seed';
import type { MaintenanceService } from '../schema/maintenance';
import { serverMessage } from './diagnose';

/** `resetDatabase(confirm: …)` must be sent with exactly this. */
export const RESET_CONFIRMATION = 'DELETE ALL DATA';
/**
 * `rollback(…, confirm: …)` down to base, or dropping a table
 * or column that holds data, must be sent with exactly this.
 */
export const BASE_CONFIRMATION = 'YES';

export interface MigrationRun {
  /** The migrations applied or reverted, in the order they ran. */
  migrations: string[];
  status: MigrationStatus;
}

export interface RollbackOptions {
  /** How many migrations to revert (default 1). */
  steps?: number | null;
  /** Or: revert down to this migration (kept applied), or `base`. */
  to?: string | null;
  confirm?: string | null;
}

export class AdminService {
  constructor(
    private readonly migrations: MigrationService,
    private readonly seeds: SeedService,
    private readonly maintenance: MaintenanceService,
  ) {}

  status(): Promise<MigrationStatus> {
    return this.migrations.status();
  }

  schemaCheck(): Promise<SchemaCheck> {
    return this.migrations.check();
  }

  /** Apply migrations up to `to` (head, +N or a name) in one transaction. */
  async migrate(to = 'head'): Promise<MigrationRun> {
    const applied = await this.runOrExplain(`Migrating to ${to}`, () => this.migrations.upgrade(to));
    return { migrations: applied, status: await this.migrations.status() };
  }

  /** Revert `steps` migrations or down to `to`; ending at base, or dropping data, also needs `confirm: "YES"`. */
  async rollback(o: RollbackOptions = {}): Promise<MigrationRun> {
    if (o.steps != null && o.to != null) {
      throw new ValidationFailedError([
        { field: 'to', rule: 'exclusiveWithSteps', message: 'to: give either steps or to, not both' },
      ]);
    }
    if (o.steps != null && (!Number.isInteger(o.steps) || o.steps < 1)) {
      throw new ValidationFailedError([{ field: 'steps', rule: 'min', message: 'steps must be an integer ≥ 1' }]);
    }
    const target = o.to ?? `-${o.steps ?? 1}`;
    const what = `Rolling back to ${target}`;
    const { plan, reachesBase, dataLoss } = await this.runOrExplain(what, () =>
      this.migrations.describeDowngrade(target),
    );
    const confirmed = o.confirm === BASE_CONFIRMATION;
    const lost = dataLoss.length ? ` It drops ${describeDataLoss(dataLoss)}.` : '';
    if (reachesBase && !confirmed) {
      throw new ConfirmationRequiredError(
        `Rolling back ${plan.join(', ')} reaches base: every table and all their data are dropped.${lost} Repeat with confirm: "${BASE_CONFIRMATION}".`,
      );
    }
    if (dataLoss.length && !confirmed) {
      throw new ConfirmationRequiredError(
        `Rolling back ${plan.join(', ')} loses data.${lost} Repeat with confirm: "${BASE_CONFIRMATION}".`,
      );
    }
    const reverted = await this.runOrExplain(what, () =>
      this.migrations.downgrade(target, { allowDataLoss: confirmed }),
    );
    return { migrations: reverted, status: await this.migrations.status() };
  }

  /** The deterministic sample data of `ae-db seed` (upserts: running it twice does not duplicate). */
  async seed(o: SeedOptions): Promise<TableCounts> {
    await this.migrations.assertCurrent();
    return this.seeds.seed(o);
  }

  /** Empties every data table (the schema stays); returns the rows removed per table. */
  async reset(confirm: string | null | undefined): Promise<TableCounts> {
    if (confirm !== RESET_CONFIRMATION) {
      throw new ConfirmationRequiredError(
        `Resetting deletes every row of every table; repeat with confirm: "${RESET_CONFIRMATION}".`,
      );
    }
    await this.migrations.assertCurrent();
    return this.maintenance.truncateAll();
  }

  /** Migration runs are one transaction: on failure nothing stays applied, and the caller is told so. */
  private async runOrExplain<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof UserError) throw e;
      const { current } = await this.migrations.status();
      const failed = (e as { migration?: { name?: string } })?.migration?.name; // umzug names the migration that failed
      const reason = `${failed ? `${failed}: ` : ''}${serverMessage(e)}`;
      throw new MigrationFailedError(
        `${what} failed and was rolled back; the database stays at ${current ?? 'base'}. ${reason}`,
      );
    }
  }
}
