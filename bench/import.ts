/**
 * Import benchmark: `ae-db import-legacy` on a predecessor database the size of the medium
 * dataset, next to this project's own seeding of the same rows, in the same run on the same
 * embedded PostgreSQL.
 *
 * Per round: seed the dataset into a fresh migrated database (the peer: rows written per
 * second by `SeedService`), and import the predecessor copy of those rows into another fresh
 * one (rows read per second by `LegacyImportService`, which writes them all). The predecessor
 * database is built once, from the first seeded database, by COPY through the predecessor's
 * column names (test/fixtures/legacy/b68cac4282f5-schema.sql is its DDL). Medians over rounds.
 *
 *   npm run bench:import                          medium (3 studies × 100 participants), 3 rounds
 *   npm run bench:import -- --size small --runs 1
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { projectRoot } from '../src/config';
import { initORM } from '../src/context';
import { SAMPLE_SIZES } from '../src/services/seed/sample-data';
import { startBenchDatabase } from './lib/database';
import { OUT_DIR, readOptions } from './lib/options';
import { runMain } from './lib/run-main';
import { median } from './lib/stats';

const log = (line: string) => process.stderr.write(`[bench:import] ${line}\n`);

const OPTIONS = {
  size: {
    kind: 'choice',
    choices: Object.keys(SAMPLE_SIZES) as (keyof typeof SAMPLE_SIZES)[],
    default: 'medium',
    help: 'sample dataset, seeded and imported',
  },
  runs: { kind: 'int', default: 3, max: 20, help: 'rounds (seed, then import)' },
  out: OUT_DIR,
} as const;

/** Our columns under the predecessor's names (the reverse of the b68cac4282f5 layout). */
const REVERSE: Record<string, { from: string; rename?: Record<string, string> }> = {
  // The sample data reuses file names across passes; the predecessor's unique keys on them need them distinct.
  studies: { from: 'study' },
  participants: { from: 'participant', rename: { study_participant_id: 'study_id', study_id: 'study_participant_id' } },
  audio_processing: { from: 'audio_processing' },
  biomechanics_imports: { from: 'biomechanics_import' },
  synchronizations: { from: 'synchronization', rename: { sync_file_name: `id || '_' || sync_file_name` } },
  movement_cycles: { from: 'movement_cycles', rename: { cycle_file: `id || '_' || cycle_file` } },
};

async function buildLegacy(sourceUrl: string, legacyUrl: string): Promise<number> {
  const [src, dst] = [new Client({ connectionString: sourceUrl }), new Client({ connectionString: legacyUrl })];
  await Promise.all([src.connect(), dst.connect()]);
  try {
    await dst.query(readFileSync(join(projectRoot(), 'test', 'fixtures', 'legacy', 'b68cac4282f5-schema.sql'), 'utf8'));
    // The circular audio ⟷ biomechanics keys are checked per row; loading both sides needs them off for the load.
    await dst.query('alter table audio_processing drop constraint fk_audio_processing_biomechanics_import');
    await dst.query('alter table biomechanics_imports drop constraint fk_biomechanics_import_audio_processing');
    let rows = 0;
    for (const [legacy, { from, rename }] of Object.entries(REVERSE)) {
      const cols = (
        await dst.query(
          `select column_name from information_schema.columns where table_name = $1 order by ordinal_position`,
          [legacy],
        )
      ).rows.map((r) => r.column_name as string);
      const exprs = cols.map((c) => {
        const ours = rename?.[c] ?? c;
        // Bookkeeping times were naive there: wall-clock of the session's time zone.
        return ['created_at', 'updated_at', 'processing_date'].includes(c) ? `${ours}::timestamp` : ours;
      });
      await pipeline(
        src.query(copyTo(`copy (select ${exprs.join(', ')} from ${from} order by id) to stdout`)),
        dst.query(copyFrom(`copy ${legacy} (${cols.join(', ')}) from stdin`)),
      );
      rows += (await dst.query(`select count(*)::int as n from ${legacy}`)).rows[0].n;
      await dst.query(`select setval(pg_get_serial_sequence('${legacy}', 'id'), (select max(id) from ${legacy}))`);
    }
    await dst.query(
      'alter table audio_processing add constraint fk_audio_processing_biomechanics_import foreign key (biomechanics_import_id) references biomechanics_imports (id)',
    );
    await dst.query(
      'alter table biomechanics_imports add constraint fk_biomechanics_import_audio_processing foreign key (audio_processing_id) references audio_processing (id)',
    );
    await dst.query('analyze');
    return rows;
  } finally {
    await Promise.all([src.end(), dst.end()]);
  }
}

async function main() {
  const o = readOptions('npm run bench:import --', process.argv.slice(2), OPTIONS);
  const db = await startBenchDatabase(log);
  const seeds: { ms: number; rows: number }[] = [];
  const imports: { ms: number; read: number; imported: number; rejected: number; merged: number }[] = [];
  try {
    for (let round = 0; round < o.runs; round++) {
      const seededUrl = await db.createFromTemplate(`seeded_${round}`);
      const ctx = await initORM({ url: seededUrl, applicationName: 'ae-bench' });
      const t0 = performance.now();
      const counts = await ctx.services.seed.seed({ participantsPerStudy: SAMPLE_SIZES[o.size] });
      seeds.push({ ms: performance.now() - t0, rows: Object.values(counts).reduce((a, b) => a + b, 0) });
      await ctx.close();
      log(`round ${round + 1}: seeded ${seeds.at(-1)!.rows} rows in ${(seeds.at(-1)!.ms / 1000).toFixed(2)} s`);
      if (round === 0) {
        await db.admin((c) => c.query('create database legacy'));
        const n = await buildLegacy(seededUrl, db.urlOf('legacy'));
        log(`predecessor database: ${n} rows`);
      }
      if (round > 0) await db.drop(`seeded_${round}`);

      const targetUrl = await db.createFromTemplate(`imported_${round}`);
      const tctx = await initORM({ url: targetUrl, applicationName: 'ae-bench' });
      const r = await tctx.services.legacyImport.import({ from: db.urlOf('legacy') });
      await tctx.close();
      const sum = (k: 'imported' | 'rejected' | 'merged') => r.tables.reduce((a, t) => a + t[k], 0);
      imports.push({
        ms: r.durationMs,
        read: r.rowsRead,
        imported: sum('imported'),
        rejected: sum('rejected'),
        merged: sum('merged'),
      });
      log(
        `round ${round + 1}: imported ${r.rowsImported} of ${r.rowsRead} rows in ${(r.durationMs / 1000).toFixed(2)} s`,
      );
      await db.drop(`imported_${round}`);
    }
  } finally {
    await db.stop();
  }
  const seedMs = median(seeds.map((s) => s.ms));
  const importMs = median(imports.map((i) => i.ms));
  const seedRate = seeds[0].rows / (seedMs / 1000);
  const importRate = imports[0].read / (importMs / 1000);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
    size: o.size,
    rounds: o.runs,
    seed: {
      rows: seeds[0].rows,
      medianSeconds: seedMs / 1000,
      rowsPerSecond: Math.round(seedRate),
      runsSeconds: seeds.map((s) => s.ms / 1000),
    },
    import: {
      ...imports[0],
      medianSeconds: importMs / 1000,
      rowsPerSecond: Math.round(importRate),
      runsSeconds: imports.map((i) => i.ms / 1000),
    },
    importToSeedRatio: Number((importRate / seedRate).toFixed(2)),
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'import-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const md = `# Import benchmark (npm run bench:import)

${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), ${result.machine.memoryGb} GB; dataset ${o.size}, median of ${o.runs} round(s).

| | rows | median time | rows/s |
| --- | ---: | ---: | ---: |
| seeding this schema (\`SeedService\`, the peer) | ${result.seed.rows} | ${result.seed.medianSeconds.toFixed(2)} s | ${result.seed.rowsPerSecond} |
| \`import-legacy\` from a predecessor database with the same rows | ${result.import.read} read, ${result.import.imported} imported | ${result.import.medianSeconds.toFixed(2)} s | ${result.import.rowsPerSecond} |

**Import ÷ seeding: ${result.importToSeedRatio}×** the rows per second. The import's time includes reading the source
(COPY), staging, every rule, the report and the commit, in one transaction.
`;
  writeFileSync(join(o.out, 'import-latest.md'), md);
  process.stdout.write(md);
}

if (require.main === module) runMain('bench:import', main);
