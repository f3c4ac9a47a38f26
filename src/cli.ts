/**
 * `ae-db`: the database tool that replaces Alembic and the predecessor's init/reset
 * scripts. Every command is a thin door onto the service layer; failures print one clear
 * sentence and what to check, and exit non-zero.
 */
import { Command, Option } from 'commander';
import { createInterface } from 'node:readline/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, maskUrl } from './config';
import { initORM, initServerContext, type AppContext, type ServerContext } from './context';
import { ensureDatabase } from './db/embedded';
import { resolveTarget } from './db/target';
import { explainFailure } from './services/ops/diagnose';
import { ConfirmationRequiredError, UserError } from './services/errors';
import { SAMPLE_PARTICIPANT_NUMBERS, SAMPLE_SIZES, STUDY_NUMBER_BASE } from './services/seed/sample-data';
import { seedProgressReporter } from './services/seed/seed-progress';
import { StudyName } from './entities/enums';
import { TABLES } from './entities';
import { runDoctor, type DoctorCheck } from './services/ops/doctor';
import { runPsql } from './services/ops/pg-tools';
import { writeFileSync } from 'node:fs';
import { importAdvice, reportCsv, type LegacyImportResult } from './services/legacy/import';
import { describeDataLoss } from './services/schema/migrations';

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

/** Like withDb, without an ORM: nothing holds a session on the database (copy needs that). */
async function withServer<T>(flags: TargetFlags, fn: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const ctx = await initServerContext({ url: flags.url, test: flags.test, attachToRunning: true });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const where = (ctx: Pick<AppContext, 'target'>) => `${maskUrl(ctx.target.url)} (${ctx.target.source})`;

/** 1536 → "1.5 kB", as pg_size_pretty would roughly say it. */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

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
  const advice = importAdvice(await ctx.services.legacyImport.detect(ctx.target.url), maskUrl(ctx.target.url));
  // On the predecessor's own tables, upgrading would collide with them: the import is the way (printed below).
  const predecessorHere = advice !== null && /^this is /.test(advice.detail);
  if (st.pending.length) out(`Pending:   ${st.pending.length}: ${st.pending.join(', ')}  → ${predecessorHere ? 'import the predecessor database first (below)' : 'npx ae-db upgrade head'}`);
  else out('Pending:   none');
  if (st.unknown.length) out(`Unknown:   ${st.unknown.join(', ')} (applied, but not in this code base)`);
  out('');
  out('Records:');
  const label: Record<string, string> = {
    study: 'Studies', participant: 'Participants', audio_processing: 'Audio files',
    biomechanics_import: 'Biomechanics imports', synchronization: 'Synchronizations', movement_cycles: 'Movement cycles',
  };
  out(table(TABLES.map((t) => [`  ${label[t]}`, counts[t] === null ? '(no table)' : counts[t]!])));
  if (advice) {
    out('');
    out(`Predecessor: ${advice.detail}.`);
    out(`  ${advice.fix.split('\n').join('\n  ')}`);
  }
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
        await ctx.services.legacyImport.refuseToMigratePredecessor(maskUrl(ctx.target.url));
        const applied = await ctx.services.migrations.upgrade(target);
        out(applied.length ? `Applied ${applied.length}: ${applied.join(', ')}` : 'Nothing to apply: already at the target.');
        out(`Current: ${(await ctx.services.migrations.status()).current ?? '(base)'}`);
      }),
    );

  withTarget(program.command('downgrade'))
    .description('revert migrations: -N, down to a named migration (kept), or base (everything)')
    .argument('<target>', '-N | NAME | base')
    .option('--yes', 'confirm a downgrade that reaches base or drops data without prompting')
    .action((target: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        // `-N` can reach base too, and any down may drop a table or column holding rows: those ask first.
        const d = await ctx.services.migrations.describeDowngrade(target);
        const lost = describeDataLoss(d.dataLoss);
        if (d.reachesBase) await confirm(`revert every migration (drops every table and its data${lost ? `: ${lost}` : ''})`, f, where(ctx));
        else if (lost) await confirm(`revert ${d.plan.join(', ')}, dropping ${lost}`, f, where(ctx));
        const reverted = await ctx.services.migrations.downgrade(target, { allowDataLoss: d.reachesBase || d.dataLoss.length > 0 });
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
          await ctx.services.legacyImport.refuseToMigratePredecessor(maskUrl(ctx.target.url));
          const applied = await ctx.services.migrations.upgrade('head');
          out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Schema already current.');
          await printStatus(ctx);
        },
        { create: true },
      ),
    );

  withTarget(program.command('fresh'))
    .description('DESTRUCTIVE: empty the public schema and migrate to head, in one transaction (the schema keeps its owner and grants)')
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

  withTarget(program.command('drop'))
    .description('DESTRUCTIVE: drop every table of this application (data and migration history), in one transaction')
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await confirm('drop all tables and their data', f, where(ctx));
        const dropped = await ctx.services.migrations.dropAll();
        out(dropped.length ? `Dropped ${dropped.length} table(s): ${dropped.join(', ')}` : 'No tables to drop.');
      }),
    );

  withTarget(program.command('seed'))
    .description('write the deterministic sample dataset (participants 900000–999999; upserts: running it twice does not duplicate); refuses a database holding other participants unless --force')
    .addOption(new Option('--size <size>', 'preset: participants per study').choices(Object.keys(SAMPLE_SIZES)).default('small'))
    .option('--participants <n>', 'participants per study (overrides --size)', (v) => parseIntArg('--participants', v))
    .option('--seed <s>', 'random seed', (v) => parseIntArg('--seed', v), 42)
    .addOption(new Option('--study <name...>', 'only these studies').choices(Object.values(StudyName)))
    .option('--force', 'seed although the database holds participants the sample did not write (their rows are never touched)')
    .action((f: TargetFlags & { size: keyof typeof SAMPLE_SIZES; participants?: number; seed: number; study?: StudyName[]; force?: boolean }) =>
      withDb(f, async (ctx) => {
        await ctx.services.migrations.assertCurrent();
        const started = Date.now();
        const per = f.participants ?? SAMPLE_SIZES[f.size];
        const progress = seedProgressReporter(process.stdout);
        const foreign = await ctx.services.seed.foreignParticipants();
        const counts = await ctx.services.seed.seed({ participantsPerStudy: per, studies: f.study, seed: f.seed, onProgress: progress.onProgress, force: f.force });
        const seconds = (Date.now() - started) / 1000;
        const rows = Object.values(counts).reduce((a, b) => a + b, 0);
        out(`Seeded in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s):`);
        out(table(TABLES.map((t) => [`  ${t}`, counts[t]])));
        const studies = f.study?.length ? [...new Set(f.study)] : Object.values(StudyName);
        out(`Sample participants: ${studies.map((s) => `${s} ${STUDY_NUMBER_BASE[s] + 1}–${STUDY_NUMBER_BASE[s] + per}`).join(', ')} (numbers ${SAMPLE_PARTICIPANT_NUMBERS.min}–${SAMPLE_PARTICIPANT_NUMBERS.max} are reserved for sample data).`);
        if (foreign.count) out(`Left untouched: ${foreign.count} participant(s) the sample did not write (${foreign.examples.join(', ')}${foreign.count > foreign.examples.length ? ', …' : ''}) and all their rows.`);
      }),
    );

  withTarget(program.command('backup'))
    .description('pg_dump, gzip-compressed, into DIR/ae_backup_<database>_<kind>_YYYYMMDD_HHMMSS.sql.gz; then prune older backups of that database and kind')
    .option('--dir <dir>', 'folder for the backup files', join(homedir(), 'ae_backups'))
    .option('--keep-days <n>', 'delete backups of the same database and kind in DIR older than N days (0 keeps them all)', (v) => parseIntArg('--keep-days', v), 7)
    .option('--keep-last <n>', 'but always keep the newest N of them, whatever their age', (v) => parseIntArg('--keep-last', v), 3)
    .addOption(new Option('--schema-only', 'table definitions only, no rows').conflicts('dataOnly'))
    .addOption(new Option('--data-only', 'rows only (restore them into an existing schema)').conflicts('schemaOnly'))
    .option('--table <name...>', 'only these tables (pg_dump -t)')
    .action((f: TargetFlags & { dir: string; keepDays: number; keepLast: number; schemaOnly?: boolean; dataOnly?: boolean; table?: string[] }) =>
      withServer(f, async (ctx) => {
        const r = await ctx.services.backup.backup({ dir: f.dir, keepDays: f.keepDays, keepLast: f.keepLast, schemaOnly: f.schemaOnly, dataOnly: f.dataOnly, tables: f.table });
        out(`Backed up ${where(ctx)} with ${r.pgDump}`);
        out(`File:      ${r.file}`);
        out(`Contents:  ${r.kind}${r.tables.length ? `, tables ${r.tables.join(', ')}` : ', every table'}`);
        out(`Size:      ${formatBytes(r.bytes)} (${r.bytes} bytes, gzip)`);
        out(`Duration:  ${seconds(r.durationMs)}`);
        const k = r.retention;
        out(
          `Retention: backups of "${k.database}", kind ${k.kind}, in ${f.dir}: ` +
            (k.keepDays === 0 ? 'none deleted (--keep-days 0)' : `the newest ${k.keepLast} kept whatever their age, the others deleted after ${k.keepDays} days`),
        );
        out(`  kept (${k.kept.length}):    ${k.kept.join(', ')}`);
        out(`  deleted (${k.deleted.length}): ${k.deleted.join(', ') || '-'}`);
      }),
    );

  withTarget(program.command('restore'))
    .description('DESTRUCTIVE: load a backup (plain or gzip SQL from backup or pg_dump) into the database, in one transaction')
    .argument('<file>', 'ae_backup_….sql.gz, or any plain-SQL pg_dump output (.sql or .sql.gz)')
    .option('--yes', 'confirm without prompting')
    .action((file: string, f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await ctx.services.inspection.serverInfo(); // a connection problem is reported before reading a large file
        const info = await ctx.services.backup.inspectDump(file); // vets every line before anything runs
        let r;
        let plan;
        try {
          plan = await ctx.services.backup.planRestore(info);
          await confirm(plan.summary, f, where(ctx));
          r = await ctx.services.backup.restore(info, plan);
        } finally {
          ctx.services.backup.discardDump(info);
        }
        out(`Restored ${info.file} into ${where(ctx)}: ${r.rowsLoaded} rows in ${seconds(r.durationMs)}${info.dumpedFrom ? ` (dumped from PostgreSQL ${info.dumpedFrom})` : ''}.`);
        await printStatus(ctx);
        if (plan.mode === 'replace-schema' && !(info.rows['mikro_orm_migrations'] > 0)) {
          out('\nThe backup holds no migration history (a schema-only dump); if it was taken at head, record that with: npx ae-db stamp head');
        }
      }),
    );

  withTarget(program.command('copy'))
    .description('a new database on the same server with this one as template (createdb -T); refuses while others are connected')
    .argument('<new_name>', 'name of the new database')
    .action((name: string, f: TargetFlags) =>
      withServer(f, async (ctx) => {
        const r = await ctx.services.databaseAdmin.copyDatabase(name);
        out(`Copied "${r.source}" to "${r.target}" (${formatBytes(r.bytes)}) in ${seconds(r.durationMs)}.`);
        // The embedded server picks a new port at each start: its URL would not stay valid.
        if (ctx.target.embedded || ctx.target.source.startsWith('embedded')) out(`It is on the embedded server, beside "${r.source}".`);
        else out(`Use it with: --url ${maskUrl(r.url)}`);
      }),
    );

  withTarget(program.command('integrity'))
    .description("the guide's orphan checks for every foreign key plus docs/data-model.md's cross-record rules; exit 1 when any fails")
    .option('--fix', 'delete rows whose required parent is missing and unlink optional links to missing rows (one transaction)')
    .option('--yes', 'confirm --fix without prompting')
    .action((f: TargetFlags & { fix?: boolean }) =>
      withDb(f, async (ctx) => {
        const report = await ctx.services.integrity.report();
        out(`Integrity of ${where(ctx)}:`);
        out(printIntegrity(report.checks));
        const orphans = report.checks.filter((c) => c.fixable && c.count > 0);
        if (!f.fix) {
          out('');
          if (report.ok) out(`OK: all ${report.checks.length} checks pass.`);
          else {
            out(`Found ${report.problems} row(s) breaking ${report.checks.filter((c) => c.count).length} check(s).`);
            if (orphans.length) out('Remove the orphans with: npx ae-db integrity --fix --yes');
            process.exitCode = 1;
          }
          return;
        }
        if (!orphans.length) {
          out('\nNo orphaned rows: nothing to fix.');
          if (!report.ok) process.exitCode = 1;
          return;
        }
        const n = orphans.reduce((a, c) => a + c.count, 0);
        await confirm(`remove ${n} orphaned row(s) or link(s) (${orphans.map((c) => c.key).join(', ')})`, f, where(ctx));
        const r = await ctx.services.integrity.fixOrphans();
        out('\nFixed, in one transaction:');
        out(table(r.fixes.map((x) => [`  ${x.key}`, x.count, `${x.action} (${x.description})`])));
        out('Rows removed per table (orphans and what cascaded from them):');
        out(table(TABLES.map((t) => [`  ${t}`, r.removedRows[t]])));
        out('');
        if (r.after.ok) out(`OK: all ${r.after.checks.length} checks pass now.`);
        else {
          out(`Still failing (not orphans, fix the source data): ${r.after.checks.filter((c) => c.count).map((c) => `${c.key} ${c.count}`).join(', ')}`);
          process.exitCode = 1;
        }
      }),
    );

  withTarget(program.command('stats'))
    .description("database size, rows and size per table, indexes per table (the guide's performance queries)")
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        const s = await ctx.services.inspection.databaseStats();
        out(`Database "${s.database}": ${s.size} (${s.bytes} bytes) at ${where(ctx)}`);
        out('');
        out(
          table(
            s.tables.map((t) => [t.table, t.rows, t.totalSize, formatBytes(t.tableBytes), formatBytes(t.indexBytes), t.indexCount]),
            ['Table', 'Rows', 'Total size', 'Data', 'Indexes', 'Index count'],
          ),
        );
        out('');
        out('Indexes:');
        out(table(s.indexes.map((i) => [i.table, i.name, i.size, i.scans, i.primary ? 'primary key' : i.unique ? 'unique' : '']), ['Table', 'Index', 'Size', 'Scans', 'Kind']));
        out('');
        out(
          s.unindexedForeignKeys.length
            ? `Foreign keys without an index (slow joins and cascades): ${s.unindexedForeignKeys.join(', ')}`
            : 'Every foreign key column has an index.',
        );
      }),
    );

  withTarget(program.command('doctor'))
    .description("the guide's troubleshooting checklist: server, URL, role, database, schema, client tools; exit 1 when a check fails")
    .action(async (f: TargetFlags) => {
      const config = (() => {
        try {
          return loadConfig();
        } catch (e) {
          return e as Error;
        }
      })();
      let release = async () => {};
      let target: { url: string; source: string } | { error: string };
      try {
        if (config instanceof Error) throw config;
        const t = await resolveTarget(config, { url: f.url, test: f.test, attachToRunning: true });
        release = t.release;
        target = { url: t.url, source: t.source };
      } catch (e) {
        target = { error: explainFailure(e).replace(/^Error: /, '').split('\n')[0] };
      }
      try {
        const checks = await runDoctor({
          target,
          openSchema: async (url) => {
            const ctx = await initORM({ config: config instanceof Error ? undefined : config, url, applicationName: 'ae-db doctor' });
            return {
              status: () => ctx.services.migrations.status(),
              check: () => ctx.services.migrations.check(),
              legacy: async () => importAdvice(await ctx.services.legacyImport.detect(url), maskUrl(url)),
              close: () => ctx.close(),
            };
          },
        });
        out(printDoctor(checks));
        const failed = checks.filter((c) => c.status === 'fail').length;
        out('');
        out(failed ? `${failed} of ${checks.length} checks failed.` : `All ${checks.length} checks passed.`);
        if (failed) process.exitCode = 1;
      } finally {
        await release();
      }
    });

  withTarget(program.command('psql'))
    .description("psql on the database, embedded one included (the guide's psql $AE_DATABASE_URL); arguments after -- go to psql")
    .argument('[psql_args...]', "e.g. -- -c '\\dt'  or  -- -f scripts/migrations/002_add_timezone.sql")
    .action((args: string[], f: TargetFlags) =>
      withServer(f, async (ctx) => {
        process.stderr.write(`psql on ${where(ctx)}\n`);
        process.exitCode = await runPsql(ctx.target.url, args);
      }),
    );

  withTarget(program.command('url'))
    .description('print the database URL (password masked unless --show-password), for other tools')
    .option('--show-password', 'print the password too (the URL then is a secret)')
    .action((f: TargetFlags & { showPassword?: boolean }) =>
      withServer(f, async (ctx) => {
        out(f.showPassword ? ctx.target.url : maskUrl(ctx.target.url));
        // Started just for this command, the embedded server stops when it ends, and its port changes next time.
        if (ctx.target.embedded) process.stderr.write('The embedded server is not running (npm start runs it); this URL works only while it does, and its port may change. For a SQL prompt: npx ae-db psql\n');
      }),
    );

  withTarget(program.command('import-legacy'))
    .description("copy every row of a predecessor database (the Python tooling's, Alembic b68cac4282f5) into this schema, in one transaction")
    .requiredOption('--from <url>', 'the predecessor database (may be the target database itself)')
    .option('--dry-run', 'do everything, print the summary and the report, then roll back: nothing is written')
    .option('--report <file>', 'write the report (every merged, rejected or converted row) to this CSV file')
    .option('--yes', 'confirm moving the predecessor tables aside when importing into the same database')
    .action((f: TargetFlags & { from: string; dryRun?: boolean; report?: string }) =>
      withDb(f, async (ctx) => {
        const legacy = ctx.services.legacyImport;
        let schema: string | undefined;
        if (await legacy.isTargetDatabase(f.from)) {
          const found = await legacy.detect(f.from, 'public');
          if (found.kind === 'layout') {
            // Two of the predecessor's table names are ours: its tables move, unchanged, to their own schema first.
            if (f.dryRun) throw new UserError('A dry run cannot import into the database that holds the predecessor tables: they must move aside first. Run without --dry-run, or import into another database (--url).');
            await confirm(`move the predecessor's tables (${Object.keys(found.layout.tables).join(', ')}, alembic_version) unchanged to the schema legacy_${found.layout.revision}, create this project's tables and import into them`, f, where(ctx));
            const moved = await legacy.moveLegacyTablesAside();
            out(`Moved ${moved.tables.length} predecessor tables to schema ${moved.schema} (unchanged).`);
            const applied = await ctx.services.migrations.upgrade('head');
            if (applied.length) out(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
            schema = moved.schema;
          }
        }
        await ctx.services.migrations.assertCurrent();
        const result = await legacy.import({ from: f.from, schema, dryRun: f.dryRun });
        printLegacyImport(result, maskUrl(f.from), where(ctx));
        if (f.report) {
          writeFileSync(f.report, reportCsv(result.report));
          out(`Report: ${f.report} (${result.report.length} row(s))`);
        } else if (result.report.length) {
          out('');
          process.stdout.write(reportCsv(result.report));
        }
      }),
    );

  withTarget(program.command('truncate'))
    .alias('reset')
    .description('DESTRUCTIVE: empty every data table and restart their ids; keeps the schema and the migration history')
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await confirm(`empty the tables ${TABLES.join(', ')} (the schema stays)`, f, where(ctx));
        const removed = await ctx.services.maintenance.truncateAll();
        out(`Emptied every data table of ${where(ctx)} and restarted their ids. Rows removed:`);
        out(table(TABLES.map((t) => [`  ${t}`, removed[t]])));
      }),
    );

  return program;
}

function printLegacyImport(r: LegacyImportResult, from: string, to: string): void {
  out(`Source: ${from}: predecessor database at Alembic ${r.revision} (schema ${r.sourceSchema}; its bookkeeping times read in time zone ${r.sourceTimeZone})`);
  out(`Target: ${to}`);
  out('');
  out(
    table(
      r.tables.map((t) => [`${t.legacyTable} → ${t.targetTable}`, t.read, t.imported, t.alreadyPresent, t.merged, t.rejected]),
      ['Legacy table → table', 'Read', 'Imported', 'Already there', 'Merged', 'Rejected'],
    ),
  );
  const balanced = r.tables.every((t) => t.read === t.imported + t.alreadyPresent + t.merged + t.rejected);
  out(balanced ? 'Every row is accounted for: read = imported + already there + merged + rejected.' : 'WARNING: some rows are not accounted for.');
  const byRule = new Map<string, number>();
  for (const x of r.report) byRule.set(`${x.disposition} ${x.legacyTable} ${x.rule}`, (byRule.get(`${x.disposition} ${x.legacyTable} ${x.rule}`) ?? 0) + 1);
  if (byRule.size) {
    out('');
    out(table([...byRule].map(([k, n]) => [`  ${k}`, n]), ['  Disposition, legacy table, rule', 'Rows']));
  }
  out('');
  const rate = r.durationMs > 0 ? Math.round((r.rowsRead / r.durationMs) * 1000) : r.rowsRead;
  if (r.dryRun) out(`Dry run: ${r.rowsImported} row(s) would be imported; nothing was written (${seconds(r.durationMs)}, ${rate} rows read/s).`);
  else if (r.rowsImported === 0) out(`Nothing new to import: every row is already in the target or listed in the report (${seconds(r.durationMs)}).`);
  else out(`Imported ${r.rowsImported} row(s) in one transaction in ${seconds(r.durationMs)} (${rate} rows read/s); the id sequences continue past the legacy ids.`);
}

function printIntegrity(checks: { key: string; count: number; description: string; sampleIds: number[] }[]): string {
  return table(
    checks.map((c) => [`  ${c.key}`, c.count, c.description + (c.count ? ` (ids ${c.sampleIds.join(', ')}${c.count > c.sampleIds.length ? ', …' : ''})` : '')]),
    ['  Check', 'Rows', 'Rule'],
  );
}

function printDoctor(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map((c) => {
      const line = `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`;
      return c.fix && c.status !== 'pass' ? `${line}
${' '.repeat(6)}fix: ${c.fix.split('\n').join(`\n${' '.repeat(11)}`)}` : line;
    })
    .join('\n');
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
