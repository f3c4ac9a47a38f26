/** Rows, not schema: seed the sample data, import the predecessor's database, truncate. */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { maskUrl } from '../../config';
import type { AppContext } from '../../context';
import { TABLES } from '../../entities';
import { StudyName } from '../../entities/enums';
import { UserError } from '../../services/errors';
import { reportCsv, type LegacyImportResult } from '../../services/legacy/report';
import { SAMPLE_PARTICIPANT_NUMBERS, SAMPLE_SIZES, STUDY_NUMBER_BASE } from '../../services/seed/sample-data';
import { seedProgressReporter } from '../../services/seed/seed-progress';
import { confirm } from '../confirm';
import { databaseCommand, urlOption, where, withDb, type TargetFlags } from '../database';
import { nonNegativeInt } from '../options';
import { out, seconds, table } from '../output';

interface SeedFlags extends TargetFlags {
  size: keyof typeof SAMPLE_SIZES;
  participants?: number;
  seed: number;
  study?: StudyName[];
  force?: boolean;
}

export const seedCommand = (program: Command) =>
  databaseCommand(program, 'seed')
    .description(
      'write the deterministic sample dataset (participants 900000–999999; ' +
        'upserts: running it twice does not duplicate); refuses a database holding other participants unless --force',
    )
    .addOption(
      new Option('--size <size>', 'preset: participants per study').choices(Object.keys(SAMPLE_SIZES)).default('small'),
    )
    .option('--participants <n>', 'participants per study (overrides --size)', nonNegativeInt('--participants'))
    .option('--seed <s>', 'random seed', nonNegativeInt('--seed'), 42)
    .addOption(new Option('--study <name...>', 'only these studies').choices(Object.values(StudyName)))
    .option(
      '--force',
      'seed although the database holds participants the sample did not write (their rows are never touched)',
    )
    .action((f: SeedFlags) => withDb(f, (ctx) => seedSample(ctx, f)));

async function seedSample(ctx: AppContext, f: SeedFlags): Promise<void> {
  await ctx.services.migrations.assertCurrent();
  const started = Date.now();
  const per = f.participants ?? SAMPLE_SIZES[f.size];
  const { onProgress } = seedProgressReporter(process.stdout);
  const foreign = await ctx.services.seed.foreignParticipants();
  const { study: studies, seed, force } = f;
  const counts = await ctx.services.seed.seed({ participantsPerStudy: per, studies, seed, force, onProgress });
  const elapsed = (Date.now() - started) / 1000;
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  out(`Seeded in ${elapsed.toFixed(1)} s (${Math.round(rows / elapsed)} rows/s):`);
  out(table(TABLES.map((t) => [`  ${t}`, counts[t]])));
  const seeded = studies?.length ? [...new Set(studies)] : Object.values(StudyName);
  const ranges = seeded.map((s) => `${s} ${STUDY_NUMBER_BASE[s] + 1}–${STUDY_NUMBER_BASE[s] + per}`);
  const reserved = `${SAMPLE_PARTICIPANT_NUMBERS.min}–${SAMPLE_PARTICIPANT_NUMBERS.max}`;
  out(`Sample participants: ${ranges.join(', ')} (numbers ${reserved} are reserved for sample data).`);
  if (foreign.count) {
    const examples = `${foreign.examples.join(', ')}${foreign.count > foreign.examples.length ? ', …' : ''}`;
    out(`Left untouched: ${foreign.count} participant(s) the sample did not write (${examples}) and all their rows.`);
  }
}

interface ImportFlags extends TargetFlags {
  from: string;
  dryRun?: boolean;
  report?: string;
}

export const importLegacyCommand = (program: Command) =>
  databaseCommand(program, 'import-legacy')
    .description(
      "copy every row of a predecessor database (the Python tooling's, Alembic b68cac4282f5) " +
        'into this schema, in one transaction',
    )
    .requiredOption(
      '--from <url>',
      'the predecessor database (may be the target database itself)',
      urlOption('--from', 'PGPASSWORD or ~/.pgpass'),
    )
    .option('--dry-run', 'do everything, print the summary and the report, then roll back: nothing is written')
    .option('--report <file>', 'write the report (every merged, rejected or converted row) to this CSV file')
    .option('--yes', 'confirm moving the predecessor tables aside when importing into the same database')
    .action((f: ImportFlags) => withDb(f, (ctx) => importLegacy(ctx, f)));

async function importLegacy(ctx: AppContext, f: ImportFlags): Promise<void> {
  const legacy = ctx.services.legacyImport;
  let schema: string | undefined;
  if (await legacy.isTargetDatabase(f.from)) {
    const found = await legacy.detect(f.from, 'public');
    if (found.kind === 'layout') {
      // Two of the predecessor's table names are ours: its tables move, unchanged, to their own schema first.
      if (f.dryRun) {
        throw new UserError(
          'A dry run cannot import into the database that holds the predecessor tables: they must move aside first. ' +
            'Run without --dry-run, or import into another database (--url).',
        );
      }
      const tables = `${Object.keys(found.layout.tables).join(', ')}, alembic_version`;
      await confirm(
        `move the predecessor's tables (${tables}) unchanged to the schema legacy_${found.layout.revision}, ` +
          "create this project's tables and import into them",
        f,
        where(ctx),
      );
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
}

function printLegacyImport(r: LegacyImportResult, from: string, to: string): void {
  out(
    `Source: ${from}: predecessor database at Alembic ${r.revision} ` +
      `(schema ${r.sourceSchema}; its bookkeeping times read in time zone ${r.sourceTimeZone})`,
  );
  out(`Target: ${to}`);
  out('');
  out(
    table(
      r.tables.map((t) => [
        `${t.legacyTable} → ${t.targetTable}`,
        t.read,
        t.imported,
        t.alreadyPresent,
        t.merged,
        t.rejected,
      ]),
      ['Legacy table → table', 'Read', 'Imported', 'Already there', 'Merged', 'Rejected'],
    ),
  );
  const balanced = r.tables.every((t) => t.read === t.imported + t.alreadyPresent + t.merged + t.rejected);
  out(
    balanced
      ? 'Every row is accounted for: read = imported + already there + merged + rejected.'
      : 'WARNING: some rows are not accounted for.',
  );
  const byRule = new Map<string, number>();
  for (const x of r.report) {
    const key = `${x.disposition} ${x.legacyTable} ${x.rule}`;
    byRule.set(key, (byRule.get(key) ?? 0) + 1);
  }
  if (byRule.size) {
    out('');
    out(
      table(
        [...byRule].map(([k, n]) => [`  ${k}`, n]),
        ['  Disposition, legacy table, rule', 'Rows'],
      ),
    );
  }
  out('');
  const took = seconds(r.durationMs);
  const rate = r.durationMs > 0 ? Math.round((r.rowsRead / r.durationMs) * 1000) : r.rowsRead;
  if (r.dryRun) {
    out(`Dry run: ${r.rowsImported} row(s) would be imported; nothing was written (${took}, ${rate} rows read/s).`);
  } else if (r.rowsImported === 0) {
    out(`Nothing new to import: every row is already in the target or listed in the report (${took}).`);
  } else {
    out(
      `Imported ${r.rowsImported} row(s) in one transaction in ${took} (${rate} rows read/s); ` +
        'the id sequences continue past the legacy ids.',
    );
  }
}

export const truncateCommand = (program: Command) =>
  databaseCommand(program, 'truncate')
    .alias('reset')
    .description(
      'DESTRUCTIVE: empty every data table and restart their ids; keeps the schema and the migration history',
    )
    .option('--yes', 'confirm without prompting')
    .action((f: TargetFlags) =>
      withDb(f, async (ctx) => {
        await confirm(`empty the tables ${TABLES.join(', ')} (the schema stays)`, f, where(ctx));
        const removed = await ctx.services.maintenance.truncateAll();
        out(`Emptied every data table of ${where(ctx)} and restarted their ids. Rows removed:`);
        out(table(TABLES.map((t) => [`  ${t}`, removed[t]])));
      }),
    );
