/**
 * Ingest benchmark: latency and rows/s of `ingestRecording` for one walk recording of
 * 6 synchronizations × 30 cycles (1 audio record + 1 biomechanics import + 6 + 180 = 188 rows),
 * next to the peer measured in the same run: the same rows through the separate validated
 * upserts a client had before (upsertAudioProcessing, upsertBiomechanicsImport,
 * linkRecordings, 6 × upsertSynchronization, upsertMovementCycles), each its own transaction.
 * Also the re-send of an unchanged recording (writes nothing) and a re-processing that
 * replaces it with fewer cycles. Service calls in one process, on an embedded PostgreSQL.
 *
 *   npm run bench:ingest                  30 rounds
 *   npm run bench:ingest -- --runs 5
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { initORM } from '../src/context';
import { StudyName } from '../src/entities/enums';
import { startBenchDatabase } from './lib/database';
import { walkRecording, type Plain } from './lib/recording';
import { OUT_DIR, readOptions } from './lib/options';
import { runMain } from './lib/run-main';
import { median, percentile } from './lib/stats';

const log = (line: string) => process.stderr.write(`[bench:ingest] ${line}\n`);
const ROWS = 1 + 1 + 6 + 6 * 30;

const OPTIONS = {
  runs: { kind: 'int', default: 30, max: 1000, help: 'timed rounds after 2 warm-up rounds' },
  out: OUT_DIR,
} as const;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const o = readOptions('npm run bench:ingest --', process.argv.slice(2), OPTIONS);
  const db = await startBenchDatabase(log);
  const times: Record<'ingest' | 'resend' | 'replace' | 'separate', number[]> = {
    ingest: [],
    resend: [],
    replace: [],
    separate: [],
  };
  try {
    const url = await db.createFromTemplate('ingest');
    const ctx = await initORM({ url, applicationName: 'ae-bench' });
    try {
      const { records, ingest } = ctx.services;
      // The separate upserts: what the same recording costs as the individual validated writes.
      const separately = async (r: Plain) => {
        const who = { study: r.audio.study, participantNumber: r.audio.participantNumber };
        const audio = await records.upsertAudioProcessing(r.audio);
        const bio = await records.upsertBiomechanicsImport({
          ...r.biomechanics,
          ...who,
          knee: 'left',
          maneuver: 'walk',
        });
        await records.linkRecordings({ audioProcessingId: audio.id, biomechanicsImportId: bio.id });
        const cycles: Plain[] = [];
        for (const { movementCycles, ...s } of r.synchronizations) {
          const sync = await records.upsertSynchronization({
            ...s,
            ...who,
            knee: 'left',
            maneuver: 'walk',
            audioProcessingId: audio.id,
            biomechanicsImportId: bio.id,
          });
          for (const c of movementCycles) {
            cycles.push({
              ...c,
              ...who,
              knee: 'left',
              maneuver: 'walk',
              passNumber: s.passNumber,
              speed: s.speed,
              audioProcessingId: audio.id,
              biomechanicsImportId: bio.id,
              synchronizationId: sync.id,
            });
          }
        }
        await records.upsertMovementCycles(cycles);
      };
      for (let round = -2; round < o.runs; round++) {
        // Two warm-up rounds (JIT, plan caches) are not counted.
        const n = 10_000 + round + 2;
        await records.upsertParticipant({ study: StudyName.AOA, participantNumber: n });
        await records.upsertParticipant({ study: StudyName.preOA, participantNumber: n });
        const recording = walkRecording({ participantNumber: n });
        const t = {
          ingest: await timed(() => ingest.ingestRecording(recording)),
          resend: await timed(() => ingest.ingestRecording(walkRecording({ participantNumber: n }))),
          replace: await timed(() =>
            ingest.ingestRecording(walkRecording({ participantNumber: n, passes: 1, cycles: 25, shiftS: 0.01 })),
          ),
          separate: await timed(() => separately(walkRecording({ study: 'preOA', participantNumber: n }))),
        };
        if (round >= 0) for (const k of Object.keys(t) as (keyof typeof t)[]) times[k].push(t[k]);
      }
    } finally {
      await ctx.close();
    }
  } finally {
    await db.stop();
  }
  const stat = (xs: number[]) => ({
    medianMs: Number(median(xs).toFixed(2)),
    p95Ms: Number(percentile(xs, 95).toFixed(2)),
  });
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
    rounds: o.runs,
    rowsPerRecording: ROWS,
    ingest: { ...stat(times.ingest), rowsPerSecond: Math.round(ROWS / (median(times.ingest) / 1000)) },
    resend: stat(times.resend),
    replace: stat(times.replace),
    separateUpserts: { ...stat(times.separate), rowsPerSecond: Math.round(ROWS / (median(times.separate) / 1000)) },
    ingestToSeparateRatio: Number((median(times.separate) / median(times.ingest)).toFixed(2)),
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'ingest-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const md = `# Ingest benchmark (npm run bench:ingest)

${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), ${result.machine.memoryGb} GB; ${o.runs} rounds after 2 warm-up rounds,
service calls in one process on an embedded PostgreSQL. One walk recording = 1 audio record + 1 biomechanics import +
6 synchronizations + 180 cycles = ${ROWS} rows.

| | median | p95 | rows/s |
| --- | ---: | ---: | ---: |
| \`ingestRecording\`, new recording | ${result.ingest.medianMs} ms | ${result.ingest.p95Ms} ms | ${result.ingest.rowsPerSecond} |
| the same rows as separate upserts (the peer: 10 calls, 10 transactions) | ${result.separateUpserts.medianMs} ms | ${result.separateUpserts.p95Ms} ms | ${result.separateUpserts.rowsPerSecond} |
| \`ingestRecording\`, re-send unchanged (writes nothing) | ${result.resend.medianMs} ms | ${result.resend.p95Ms} ms | |
| \`ingestRecording\`, re-processed: 3 syncs × 25 cycles replace 6 × 30 | ${result.replace.medianMs} ms | ${result.replace.p95Ms} ms | |

**ingestRecording is ${result.ingestToSeparateRatio}× as fast as the separate upserts** for the same recording, and it is one transaction.
`;
  writeFileSync(join(o.out, 'ingest-latest.md'), md);
  process.stdout.write(md);
}

if (require.main === module) runMain('bench:ingest', main);
