/** Looking at a database without changing it: status, integrity (and its --fix), stats, doctor. */
import type { Command } from 'commander';
import { loadConfig, maskUrl } from '../../config';
import { initORM, type AppContext } from '../../context';
import { resolveTarget } from '../../db/target';
import { TABLES, type TableName } from '../../entities';
import { importAdvice } from '../../services/legacy/detection';
import { explainFailure } from '../../services/ops/diagnose';
import { runDoctor, type DoctorCheck } from '../../services/ops/doctor';
import type { IntegrityCheckResult } from '../../services/ops/integrity';
import { confirm } from '../confirm';
import { databaseCommand, where, withDb, type TargetFlags } from '../database';
import { formatBytes, markFailed, out, table } from '../output';

export const statusCommand = (program: Command) =>
  databaseCommand(program, 'status')
    .description('connection, server version, current and pending migrations, record counts')
    .action((f: TargetFlags) => withDb(f, printStatus));

const RECORD_LABELS: Record<TableName, string> = {
  study: 'Studies',
  participant: 'Participants',
  audio_processing: 'Audio files',
  biomechanics_import: 'Biomechanics imports',
  synchronization: 'Synchronizations',
  movement_cycles: 'Movement cycles',
};

/** The status report; init and restore end with it too. */
export async function printStatus(ctx: AppContext): Promise<void> {
  const info = await ctx.services.inspection.serverInfo();
  const st = await ctx.services.migrations.status();
  const counts = await ctx.services.inspection.recordCounts();
  out(`Connected: ${where(ctx)}`);
  out(`Server:    PostgreSQL ${info.serverVersion}, database "${info.database}" as "${info.user}"`);
  const atHead = st.current && st.current === st.head ? ' (head)' : '';
  out(`Migration: ${st.current ?? '(base: no migrations applied)'}${atHead}`);
  const advice = importAdvice(await ctx.services.legacyImport.detect(ctx.target.url), maskUrl(ctx.target.url));
  // On the predecessor's own tables, upgrading would collide with them: the import is the way (printed below).
  const predecessorHere = advice !== null && /^this is /.test(advice.detail);
  if (st.pending.length) {
    const next = predecessorHere ? 'import the predecessor database first (below)' : 'npx ae-db upgrade head';
    out(`Pending:   ${st.pending.length}: ${st.pending.join(', ')}  → ${next}`);
  } else out('Pending:   none');
  if (st.unknown.length) out(`Unknown:   ${st.unknown.join(', ')} (applied, but not in this code base)`);
  out('');
  out('Records:');
  out(table(TABLES.map((t) => [`  ${RECORD_LABELS[t]}`, counts[t] === null ? '(no table)' : counts[t]!])));
  if (advice) {
    out('');
    out(`Predecessor: ${advice.detail}.`);
    out(`  ${advice.fix.split('\n').join('\n  ')}`);
  }
}

export const integrityCommand = (program: Command) =>
  databaseCommand(program, 'integrity')
    .description(
      "the guide's orphan checks for every foreign key plus docs/data-model.md's cross-record rules; " +
        'exit 1 when any fails',
    )
    .option(
      '--fix',
      'delete rows whose required parent is missing and unlink optional links to missing rows (one transaction)',
    )
    .option('--yes', 'confirm --fix without prompting')
    .action((f: TargetFlags & { fix?: boolean }) => withDb(f, (ctx) => integrity(ctx, f)));

async function integrity(ctx: AppContext, f: TargetFlags & { fix?: boolean }): Promise<void> {
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
      markFailed();
    }
    return;
  }
  if (!orphans.length) {
    out('\nNo orphaned rows: nothing to fix.');
    if (!report.ok) markFailed();
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
    const failing = r.after.checks.filter((c) => c.count).map((c) => `${c.key} ${c.count}`);
    out(`Still failing (not orphans, fix the source data): ${failing.join(', ')}`);
    markFailed();
  }
}

function printIntegrity(checks: IntegrityCheckResult[]): string {
  const rule = (c: (typeof checks)[number]) =>
    c.description + (c.count ? ` (ids ${c.sampleIds.join(', ')}${c.count > c.sampleIds.length ? ', …' : ''})` : '');
  return table(
    checks.map((c) => [`  ${c.key}`, c.count, rule(c)]),
    ['  Check', 'Rows', 'Rule'],
  );
}

export const statsCommand = (program: Command) =>
  databaseCommand(program, 'stats')
    .description("database size, rows and size per table, indexes per table (the guide's performance queries)")
    .action((f: TargetFlags) => withDb(f, stats));

async function stats(ctx: AppContext): Promise<void> {
  const s = await ctx.services.inspection.databaseStats();
  out(`Database "${s.database}": ${s.size} (${s.bytes} bytes) at ${where(ctx)}`);
  out('');
  out(
    table(
      s.tables.map((t) => [
        t.table,
        t.rows,
        t.totalSize,
        formatBytes(t.tableBytes),
        formatBytes(t.indexBytes),
        t.indexCount,
      ]),
      ['Table', 'Rows', 'Total size', 'Data', 'Indexes', 'Index count'],
    ),
  );
  out('');
  out('Indexes:');
  out(
    table(
      s.indexes.map((i) => [i.table, i.name, i.size, i.scans, i.primary ? 'primary key' : i.unique ? 'unique' : '']),
      ['Table', 'Index', 'Size', 'Scans', 'Kind'],
    ),
  );
  out('');
  out(
    s.unindexedForeignKeys.length
      ? `Foreign keys without an index (slow joins and cascades): ${s.unindexedForeignKeys.join(', ')}`
      : 'Every foreign key column has an index.',
  );
}

export const doctorCommand = (program: Command) =>
  databaseCommand(program, 'doctor')
    .description(
      "the guide's troubleshooting checklist: server, URL, role, database, schema, client tools; " +
        'exit 1 when a check fails',
    )
    .action(doctor);

/** Runs without withDb: every step that can fail (configuration, server, database) is a check to report. */
async function doctor(f: TargetFlags): Promise<void> {
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
    target = {
      error: explainFailure(e)
        .replace(/^Error: /, '')
        .split('\n')[0],
    };
  }
  try {
    const checks = await runDoctor({
      target,
      openSchema: async (url) => {
        const usable = config instanceof Error ? undefined : config;
        const ctx = await initORM({ config: usable, url, applicationName: 'ae-db doctor' });
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
    if (failed) markFailed();
  } finally {
    await release();
  }
}

function printDoctor(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const indent = (n: number) => ' '.repeat(n);
  return checks
    .map((c) => {
      const line = `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`;
      if (!c.fix || c.status === 'pass') return line;
      return `${line}\n${indent(6)}fix: ${c.fix.split('\n').join(`\n${indent(11)}`)}`;
    })
    .join('\n');
}
