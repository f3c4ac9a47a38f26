/** Copies of a database: backup (pg_dump with retention), restore, copy (createdb -T). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { maskUrl } from '../../config';
import type { AppContext, ServerContext } from '../../context';
import { confirm } from '../confirm';
import { databaseCommand, where, withDb, withServer, type TargetFlags } from '../database';
import { nonNegativeInt } from '../options';
import { formatBytes, out, seconds } from '../output';
import { printStatus } from './inspect';

interface BackupFlags extends TargetFlags {
  dir: string;
  keepDays: number;
  keepLast: number;
  schemaOnly?: boolean;
  dataOnly?: boolean;
  table?: string[];
}

export const backupCommand = (program: Command) =>
  databaseCommand(program, 'backup')
    .description(
      'pg_dump, gzip-compressed, into DIR/ae_backup_<database>_<kind>_YYYYMMDD_HHMMSS.sql.gz; ' +
        'then prune older backups of that database and kind',
    )
    .option('--dir <dir>', 'folder for the backup files', join(homedir(), 'ae_backups'))
    .option(
      '--keep-days <n>',
      'delete backups of the same database and kind in DIR older than N days (0 keeps them all)',
      nonNegativeInt('--keep-days'),
      7,
    )
    .option(
      '--keep-last <n>',
      'but always keep the newest N of them, whatever their age',
      nonNegativeInt('--keep-last'),
      3,
    )
    .addOption(new Option('--schema-only', 'table definitions only, no rows').conflicts('dataOnly'))
    .addOption(new Option('--data-only', 'rows only (restore them into an existing schema)').conflicts('schemaOnly'))
    .option('--table <name...>', 'only these tables (pg_dump -t)')
    .action((f: BackupFlags) => withServer(f, (ctx) => backup(ctx, f)));

async function backup(ctx: ServerContext, f: BackupFlags): Promise<void> {
  const r = await ctx.services.backup.backup({
    dir: f.dir,
    keepDays: f.keepDays,
    keepLast: f.keepLast,
    schemaOnly: f.schemaOnly,
    dataOnly: f.dataOnly,
    tables: f.table,
  });
  out(`Backed up ${where(ctx)} with ${r.pgDump}`);
  out(`File:      ${r.file}`);
  out(`Contents:  ${r.kind}${r.tables.length ? `, tables ${r.tables.join(', ')}` : ', every table'}`);
  out(`Size:      ${formatBytes(r.bytes)} (${r.bytes} bytes, gzip)`);
  out(`Duration:  ${seconds(r.durationMs)}`);
  const k = r.retention;
  const policy =
    k.keepDays === 0
      ? 'none deleted (--keep-days 0)'
      : `the newest ${k.keepLast} kept whatever their age, the others deleted after ${k.keepDays} days`;
  out(`Retention: backups of "${k.database}", kind ${k.kind}, in ${f.dir}: ${policy}`);
  out(`  kept (${k.kept.length}):    ${k.kept.join(', ')}`);
  out(`  deleted (${k.deleted.length}): ${k.deleted.join(', ') || '-'}`);
}

export const restoreCommand = (program: Command) =>
  databaseCommand(program, 'restore')
    .description(
      'DESTRUCTIVE: load a backup (plain or gzip SQL from backup or pg_dump) into the database, in one transaction',
    )
    .argument('<file>', 'ae_backup_….sql.gz, or any plain-SQL pg_dump output (.sql or .sql.gz)')
    .option('--yes', 'confirm without prompting')
    .action((file: string, f: TargetFlags) => withDb(f, (ctx) => restore(ctx, file, f)));

async function restore(ctx: AppContext, file: string, f: TargetFlags): Promise<void> {
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
  const dumpedFrom = info.dumpedFrom ? ` (dumped from PostgreSQL ${info.dumpedFrom})` : '';
  out(`Restored ${info.file} into ${where(ctx)}: ${r.rowsLoaded} rows in ${seconds(r.durationMs)}${dumpedFrom}.`);
  await printStatus(ctx);
  if (plan.mode === 'replace-schema' && !(info.rows['mikro_orm_migrations'] > 0)) {
    out(
      '\nThe backup holds no migration history (a schema-only dump); ' +
        'if it was taken at head, record that with: npx ae-db stamp head',
    );
  }
}

export const copyCommand = (program: Command) =>
  databaseCommand(program, 'copy')
    .description(
      'a new database on the same server with this one as template (createdb -T); refuses while others are connected',
    )
    .argument('<new_name>', 'name of the new database')
    .action((name: string, f: TargetFlags) =>
      withServer(f, async (ctx) => {
        const r = await ctx.services.databaseAdmin.copyDatabase(name);
        out(`Copied "${r.source}" to "${r.target}" (${formatBytes(r.bytes)}) in ${seconds(r.durationMs)}.`);
        // The embedded server picks a new port at each start: its URL would not stay valid.
        if (ctx.target.embedded || ctx.target.source.startsWith('embedded')) {
          out(`It is on the embedded server, beside "${r.source}".`);
        } else out(`Use it with: --url ${maskUrl(r.url)}`);
      }),
    );
