/**
 * `ae-db`: the database tool that replaces Alembic and the predecessor's init/reset
 * scripts. Every command is a thin door onto the service layer; failures print one clear
 * sentence and what to check, and exit non-zero.
 */
import { Command, Option } from 'commander';
import { createInterface } from 'node:readline/promises';
import { loadConfig, maskUrl } from './config';
import { initORM, type AppContext } from './context';
import { ensureDatabase } from './db/embedded';
import { resolveTarget } from './db/target';
import { explainFailure } from './services/diagnose';
import { ConfirmationRequiredError, UserError } from './services/errors';
import { SAMPLE_SIZES } from './services/sample-data';
import { seedProgressReporter } from './services/seed-progress';
import { StudyName } from './entities/enums';
import { TABLES } from './entities';

interface TargetFlags {
  test?: boolean;
  url?: string;
  yes?: boolean;
}

const out = (line = '') => process.stdout.write(line + '\n');

/** Ask "Type YES to confirm" on a terminal; refuse when not on one and --yes was not given. */
export async function confirm(action: string, flags: TargetFlags, target: string): Promise<void> {
  if (flags.yes) return;
  if (!process.stdin.isTTY) {
    throw new ConfirmationRequiredError(`Refusing to ${action} on ${target} without confirmation: not on a terminal, pass --yes.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`This will ${action} on ${target}.\nType YES to confirm: `);
    if (answer.trim() !== 'YES') throw new ConfirmationRequiredError('Not confirmed; nothing was changed.');
  } finally {
    rl.close();
  }
}

/** Open the target database, run `fn`, and always release the connection (and embedded server). */
async function withDb<T>(flags: TargetFlags, fn: (ctx: AppContext) => Promise<T>, o: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  if (o.create) {
    // `init` creates the database itself when the server has none of that name.
    const t = await resolveTarget(config, { url: flags.url, test: flags.test, attachToRunning: true });
    try {
      if (await ensureDatabase(t.url)) out(`Created database ${maskUrl(t.url)}`);
    } finally {
      await t.release();
    }
  }
  const ctx = await initORM({ config, url: flags.url, test: flags.test, attachToRunning: true, applicationName: 'ae-db' });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const where = (ctx: AppContext) => `${maskUrl(ctx.target.url)} (${ctx.target.source})`;

function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0]?.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length))) ?? [];
  const fmt = (r: (string | number)[]) =>
    r.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  const lines = all.map(fmt);
  if (header) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

async function printStatus(ctx: AppContext): Promise<void> {
  const info = await ctx.services.inspection.serverInfo();
  const st = await ctx.services.migrations.status();
  const counts = await ctx.services.inspection.recordCounts();
  out(`Connected: ${where(ctx)}`);
  out(`Server:    PostgreSQL ${info.serverVersion}, database "${info.database}" as "${info.user}"`);
  out(`Migration: ${st.current ?? '(base: no migrations applied)'}${st.current && st.current === st.head ? ' (head)' : ''}`);
  if (st.pending.length) out(`Pending:   ${st.pending.length}: ${st.pending.join(', ')}  → npx ae-db upgrade head`);
  else out('Pending:   none');
  if (st.unknown.length) out(`Unknown:   ${st.unknown.join(', ')} (applied, but not in this code base)`);
  out('');
  out('Records:');
  const label: Record<string, string> = {
    study: 'Studies', participant: 'Participants', audio_processing: 'Audio files',
    biomechanics_import: 'Biomechanics imports', synchronization: 'Synchronizations', movement_cycles: 'Movement cycles',
  };
  out(table(TABLES.map((t) => [`  ${label[t]}`, counts[t] === null ? '(no table)' : counts[t]!])));
}

export function buildCli(): Command {
  const program = new Command('ae-db')
    .description('Database tool for the knee acoustic-emissions backend (migrations, seeding, inspection).')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride(); // inherited by the subcommands below: run() decides the exit code

  const withTarget = (cmd: Command) =>
    cmd
      .option('--test', 'use the test database (AE_TEST_DATABASE_URL, or the main name + _test)')
      .option('--url <url>', 'database URL (postgresql://, postgres:// or postgresql+psycopg://)');

  withTarget(program.command('status'))
    .description('connection, server version, current and pending migrations, record counts')
    .action((f: TargetFlags) => withDb(f, printStatus));

  withTarget(program.command('upgrade'))
    .description('apply migrations: head (default), +N, or up to a named migration')
    .argument('[target]', 'head | +N | NAME', 'head')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        const applied = await ctx.services.migrations.upgrade(target);
        out(applied.length ? `Applied ${applied.length}: ${applied.join(', ')}` : 'Nothing to apply: already at the target.');
        out(`Current: ${(await ctx.services.migrations.status()).current ?? '(base)'}`);
      }),
    );

  withTarget(program.command('downgrade'))
    .description('revert migrations: -N, down to a named migration (kept), or base (everything)')
    .argument('<target>', '-N | NAME | base')
    .option('--yes', 'confirm a downgrade to base without prompting')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        if (target === 'base') await confirm('revert every migration (drops all tables and data)', f, where(ctx));
        const reverted = await ctx.services.migrations.downgrade(target);
        out(reverted.length ? `Reverted ${reverted.length}: ${reverted.join(', ')}` : 'Nothing to revert.');
        out(`Current: ${(await ctx.services.migrations.status()).current ?? '(base)'}`);
      }),
    );

  withTarget(program.command('history'))
    .description('every known migration, oldest first, with when it was applied')
    .option('--verbose', 'also show the SQL each migration runs')
    .action((f: TargetFlags & { verbose?: boolean }) =>
      withDb(f, async (ctx) => {
        const st = await ctx.services.migrations.status();
        const when = new Map(st.executed.map((e) => [e.name, e.executedAt]));
        const rows = ctx.services.migrations.known().map((n) => [
          n === st.current ? '→' : ' ',
          n,
          when.has(n) ? `applied ${new Date(String(when.get(n))).toISOString()}` : 'pending',
        ]);
        out(rows.length ? table(rows) : '(no migrations)');
        if (f.verbose) {
          for (const m of await ctx.services.migrations.describe()) {
            out(`\n-- ${m.name}: up (${m.up.length} statements)`);
            m.up.forEach((s) => out(s + ';'));
            out(`-- ${m.name}: down (${m.down.length} statements)`);
            m.down.forEach((s) => out(s + ';'));
          }
        }
      }),
    );

  withTarget(program.command('revision'))
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
        out(`Created ${r.fileName} (${r.up.length} statement(s)); review it, then: npm run build && npx ae-db upgrade head`);
      }),
    );

  withTarget(program.command('stamp'))
    .description('record the database as being at a migration without running anything')
    .argument('<target>', 'NAME | head | base')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        const st = await ctx.services.migrations.stamp(target);
        out(`Stamped: current migration is now ${st.current ?? '(base)'}${st.pending.length ? `; ${st.pending.length} pending` : ''}`);
      }),
    );

  withTarget(program.command('check'))
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
        else process.exitCode = 1;
      }),
    );

  withTarget(program.command('init'))
    .description('create the database if missing and apply pending migrations; never drops anything')
    .action((f: TargetFlags) =>
      withDb(
        f,
        async (ctx) => {
          const applied = await ctx.services.migrations.upgrade('head');
          out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Schema already current.');
          await printStatus(ctx);
        },
        { create: true },
      ),
    );

  withTarget(program.command('fresh'))
    .description('DESTRUCTIVE: drop the public schema, then migrate to head')
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(
        f,
        async (ctx) => {
          await confirm('drop the whole public schema (all tables and data) and rebuild it', f, where(ctx));
          const applied = await ctx.services.migrations.fresh();
          out(`Schema rebuilt: applied ${applied.length} migration(s).`);
        },
        { create: true },
      ),
    );

  withTarget(program.command('drop'))
    .description('DESTRUCTIVE: drop every table of this application (data and migration history)')
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await confirm('drop all tables and their data', f, where(ctx));
        const dropped = await ctx.services.migrations.dropAll();
        out(dropped.length ? `Dropped ${dropped.length} table(s): ${dropped.join(', ')}` : 'No tables to drop.');
      }),
    );

  withTarget(program.command('seed'))
    .description('write the deterministic sample dataset (upserts: running it twice does not duplicate)')
    .addOption(new Option('--size <size>', 'preset: participants per study').choices(Object.keys(SAMPLE_SIZES)).default('small'))
    .option('--participants <n>', 'participants per study (overrides --size)', (v) => parseIntArg('--participants', v))
    .option('--seed <s>', 'random seed', (v) => parseIntArg('--seed', v), 42)
    .addOption(new Option('--study <name...>', 'only these studies').choices(Object.values(StudyName)))
    .action((f: TargetFlags & { size: keyof typeof SAMPLE_SIZES; participants?: number; seed: number; study?: StudyName[] }) =>
      withDb(f, async (ctx) => {
        const pending = (await ctx.services.migrations.status()).pending;
        if (pending.length) throw new UserError(`The schema is not current (${pending.length} pending); run "npx ae-db upgrade head" first.`);
        const started = Date.now();
        const per = f.participants ?? SAMPLE_SIZES[f.size];
        const progress = seedProgressReporter(process.stdout);
        const counts = await ctx.services.seed.seed({ participantsPerStudy: per, studies: f.study, seed: f.seed, onProgress: progress.onProgress });
        const seconds = (Date.now() - started) / 1000;
        const rows = Object.values(counts).reduce((a, b) => a + b, 0);
        out(`Seeded in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s):`);
        out(table(TABLES.map((t) => [`  ${t}`, counts[t]])));
      }),
    );

  return program;
}

function parseIntArg(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a non-negative integer, got "${v}".`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e: any) {
    if (e?.code === 'commander.helpDisplayed' || e?.code === 'commander.version' || e?.code === 'commander.help') return 0;
    if (typeof e?.code === 'string' && e.code.startsWith('commander.')) return 2; // commander already printed the usage error
    process.stderr.write(explainFailure(e) + '\n');
    return 1;
  }
}

/** Process entry point (bin/ae-db.js, or `node dist/src/cli.js`). */
export function main(argv = process.argv): void {
  // `ae-db history | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  run(argv).then((code) => process.exit(code));
}

if (require.main === module) main();
