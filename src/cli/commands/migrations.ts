/** The schema's life: upgrade, downgrade, history, revision, stamp, check, init, fresh, drop. */
import type { Command } from 'commander';
import { maskUrl } from '../../config';
import type { AppContext } from '../../context';
import { describeDataLoss } from '../../services/schema/migrations';
import { confirm } from '../confirm';
import { databaseCommand, where, withDb, type TargetFlags } from '../database';
import { listed, markFailed, out, table } from '../output';
import { printStatus } from './inspect';

async function printCurrent(ctx: AppContext): Promise<void> {
  out(`Current: ${(await ctx.services.migrations.status()).current ?? '(base)'}`);
}

export const upgradeCommand = (program: Command) =>
  databaseCommand(program, 'upgrade')
    .description('apply migrations: head (default), +N, or up to a named migration')
    .argument('[target]', 'head | +N | NAME', 'head')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await ctx.services.legacyImport.refuseToMigratePredecessor(maskUrl(ctx.target.url));
        const applied = await ctx.services.migrations.upgrade(target);
        out(listed('Applied', applied, 'Nothing to apply: already at the target.'));
        await printCurrent(ctx);
      }),
    );

export const downgradeCommand = (program: Command) =>
  databaseCommand(program, 'downgrade')
    .description('revert migrations: -N, down to a named migration (kept), or base (everything)')
    .argument('<target>', '-N | NAME | base')
    .option('--yes', 'confirm a downgrade that reaches base or drops data without prompting')
    .action((target: string, f: TargetFlags) => withDb(f, (ctx) => downgrade(ctx, target, f)));

async function downgrade(ctx: AppContext, target: string, f: TargetFlags): Promise<void> {
  // `-N` can reach base too, and any down may drop a table or column holding rows: those ask first.
  const d = await ctx.services.migrations.describeDowngrade(target);
  const lost = describeDataLoss(d.dataLoss);
  if (d.reachesBase) {
    await confirm(`revert every migration (drops every table and its data${lost ? `: ${lost}` : ''})`, f, where(ctx));
  } else if (lost) await confirm(`revert ${d.plan.join(', ')}, dropping ${lost}`, f, where(ctx));
  const allowDataLoss = d.reachesBase || d.dataLoss.length > 0;
  const reverted = await ctx.services.migrations.downgrade(target, { allowDataLoss });
  out(listed('Reverted', reverted, 'Nothing to revert.'));
  await printCurrent(ctx);
}

export const historyCommand = (program: Command) =>
  databaseCommand(program, 'history')
    .description('every known migration, oldest first, with when it was applied')
    .option('--verbose', 'also show the SQL each migration runs')
    .action((f: TargetFlags & { verbose?: boolean }) => withDb(f, (ctx) => history(ctx, !!f.verbose)));

async function history(ctx: AppContext, verbose: boolean): Promise<void> {
  const st = await ctx.services.migrations.status();
  const when = new Map(st.executed.map((e) => [e.name, e.executedAt]));
  const rows = ctx.services.migrations
    .known()
    .map((n) => [
      n === st.current ? '→' : ' ',
      n,
      when.has(n) ? `applied ${new Date(String(when.get(n))).toISOString()}` : 'pending',
    ]);
  out(rows.length ? table(rows) : '(no migrations)');
  if (!verbose) return;
  for (const m of await ctx.services.migrations.describe()) {
    out(`\n-- ${m.name}: up (${m.up.length} statements)`);
    m.up.forEach((s) => out(s + ';'));
    out(`-- ${m.name}: down (${m.down.length} statements)`);
    m.down.forEach((s) => out(s + ';'));
  }
}

export const revisionCommand = (program: Command) =>
  databaseCommand(program, 'revision')
    .description('create a migration file in migrations/ (blank, or --autogenerate from the entities)')
    .requiredOption('-m, --message <name>', 'short name, e.g. add_notes_column')
    .option('--autogenerate', 'diff the entities against the database and write that')
    .action((f: TargetFlags & { message: string; autogenerate?: boolean }) =>
      withDb(f, async (ctx) => {
        const r = await ctx.services.migrations.revision(f.message, !!f.autogenerate);
        if (!r.fileName) {
          out('No changes: the entities match the database, so no migration was created.');
          return;
        }
        const next = 'npm run build && npx ae-db upgrade head';
        out(`Created ${r.fileName} (${r.up.length} statement(s)); review it, then: ${next}`);
      }),
    );

export const stampCommand = (program: Command) =>
  databaseCommand(program, 'stamp')
    .description('record the database as being at a migration without running anything')
    .argument('<target>', 'NAME | head | base')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        const st = await ctx.services.migrations.stamp(target);
        const pending = st.pending.length ? `; ${st.pending.length} pending` : '';
        out(`Stamped: current migration is now ${st.current ?? '(base)'}${pending}`);
      }),
    );

export const checkCommand = (program: Command) =>
  databaseCommand(program, 'check')
    .description('exit 1 when migrations are pending or the entities and the migrated schema differ')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        const r = await ctx.services.migrations.check();
        if (r.pending.length) out(`Pending migrations (${r.pending.length}): ${r.pending.join(', ')}`);
        if (r.differences.length) {
          out(`The entities differ from the database schema; a migration would run:`);
          r.differences.forEach((d) => out(`  ${d};`));
          out('Create it with: npx ae-db revision -m NAME --autogenerate');
        }
        if (r.ok) out('OK: the database is at head and matches the entities.');
        else markFailed();
      }),
    );

export const initCommand = (program: Command) =>
  databaseCommand(program, 'init')
    .description('create the database if missing and apply pending migrations; never drops anything')
    .action((f: TargetFlags) =>
      withDb(
        f,
        async (ctx) => {
          await ctx.services.legacyImport.refuseToMigratePredecessor(maskUrl(ctx.target.url));
          const applied = await ctx.services.migrations.upgrade('head');
          out(listed('Applied', applied, 'Schema already current.', ' migration(s)'));
          await printStatus(ctx);
        },
        { create: true },
      ),
    );

export const freshCommand = (program: Command) =>
  databaseCommand(program, 'fresh')
    .description(
      'DESTRUCTIVE: empty the public schema and migrate to head, in one transaction ' +
        '(the schema keeps its owner and grants)',
    )
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(
        f,
        async (ctx) => {
          await confirm('empty the whole public schema (all tables and data) and rebuild it', f, where(ctx));
          const applied = await ctx.services.migrations.fresh();
          out(`Schema rebuilt: applied ${applied.length} migration(s).`);
        },
        { create: true },
      ),
    );

export const dropCommand = (program: Command) =>
  databaseCommand(program, 'drop')
    .description('DESTRUCTIVE: drop every table of this application (data and migration history), in one transaction')
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await confirm('drop all tables and their data', f, where(ctx));
        const dropped = await ctx.services.migrations.dropAll();
        out(listed('Dropped', dropped, 'No tables to drop.', ' table(s)'));
      }),
    );
