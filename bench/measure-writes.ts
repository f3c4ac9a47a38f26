/**
 * `node dist/bench/measure-writes.js [--runs N]`: how long a 10,000-cycle upsertMovementCycles
 * takes, through the service and over HTTP. Works in a throwaway database on the configured
 * server (AE_DATABASE_URL, else the embedded one) and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig, withDatabase } from '../src/config';
import { initORM } from '../src/context';
import { resolveTarget } from '../src/db/target';
import { ensureDatabase } from '../src/db/embedded';
import { startApp } from '../src/app';
import type { MovementCycleInput } from '../src/services/write/record-inputs';
import { readOptions } from './lib/options';
import { runMain } from './lib/run-main';

const BATCH = 10_000;

const OPTIONS = {
  runs: { kind: 'int', default: 3, max: 100, help: 'timed batches of each kind' },
} as const;

async function main(): Promise<void> {
  const { runs } = readOptions('node dist/bench/measure-writes.js', process.argv.slice(2), OPTIONS);
  const config = loadConfig();
  const server = await resolveTarget(config, { attachToRunning: true });
  const name = `ae_measure_${process.pid}`;
  const url = withDatabase(server.url, name);
  await ensureDatabase(url);
  const admin = randomBytes(24).toString('base64url');
  const ctx = await initORM({ url, config: { ...config, tokens: { admin } } });
  const app = await startApp(ctx, 0, '127.0.0.1');
  try {
    await ctx.services.migrations.upgrade('head');
    await ctx.services.seed.seed({ participantsPerStudy: 1, studies: ['AOA' as any] });
    // Measured as the pipeline writes: under a real participant's number, not the sample's reserved range.
    await ctx.orm.em
      .getConnection()
      .execute('update participant set study_participant_id = 1001 where study_participant_id = 901001');
    const [sync] = await ctx.orm.em
      .getConnection()
      .execute(
        `select id, participant_id, audio_processing_id, biomechanics_import_id from synchronization where maneuver = 'walk' order by id limit 1`,
      );
    const [{ pass_number: pass, speed }] = await ctx.orm.em
      .getConnection()
      .execute('select pass_number, speed from synchronization where id = ?', [sync.id]);
    const batch = (from: number): Record<string, unknown>[] =>
      Array.from({ length: BATCH }, (_, i) => ({
        study: 'AOA',
        participantNumber: 1001,
        audioProcessingId: sync.audio_processing_id,
        biomechanicsImportId: sync.biomechanics_import_id,
        synchronizationId: sync.id,
        knee: 'left',
        maneuver: 'walk',
        passNumber: pass,
        speed,
        cycleFile: `c${from + i}.pkl`,
        cycleIndex: from + i,
        isOutlier: i % 13 === 0,
        startTimeS: i,
        endTimeS: i + 1.1,
        durationS: 1.1,
        audioStartTime: '2024-03-05T09:30:00.000Z',
        audioEndTime: '2024-03-05T09:30:01.100Z',
        bioStartTime: '2024-03-05T09:30:00.000Z',
        bioEndTime: '2024-03-05T09:30:01.100Z',
        cycleFileChecksum: 'ab'.repeat(32),
        processingStatus: 'success',
      }));
    const timed = async (fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const asDates = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({
        ...r,
        audioStartTime: new Date(r.audioStartTime as string),
        audioEndTime: new Date(r.audioEndTime as string),
        bioStartTime: new Date(r.bioStartTime as string),
        bioEndTime: new Date(r.bioEndTime as string),
      }));
    const overHttp = async (rows: Record<string, unknown>[]) => {
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          query:
            'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count inserted updated } }',
          variables: { inputs: rows },
        }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors[0]).slice(0, 300));
    };
    const results: Record<string, number[]> = {
      'service insert': [],
      'service update': [],
      'HTTP insert': [],
      'HTTP update': [],
      'refused (last row bad)': [],
    };
    for (let r = 0; r < runs; r++) {
      const from = 100_000 * (r + 1);
      const rows = batch(from);
      results['service insert'].push(
        await timed(() => ctx.services.records.upsertMovementCycles(asDates(rows) as unknown as MovementCycleInput[])),
      );
      results['service update'].push(
        await timed(() => ctx.services.records.upsertMovementCycles(asDates(rows) as unknown as MovementCycleInput[])),
      );
      const httpRows = batch(from + 50_000);
      results['HTTP insert'].push(await timed(() => overHttp(httpRows)));
      results['HTTP update'].push(await timed(() => overHttp(httpRows)));
      const bad = asDates(batch(from + 70_000).map((row, i) => (i === BATCH - 1 ? { ...row, endTimeS: -1 } : row)));
      results['refused (last row bad)'].push(
        await timed(() =>
          ctx.services.records.upsertMovementCycles(bad as unknown as MovementCycleInput[]).catch(() => undefined),
        ),
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`${BATCH} movement cycles per call, ${runs} runs, median (min–max) ms:`);
    for (const [k, xs] of Object.entries(results)) {
      console.log(
        `  ${k.padEnd(24)} ${median(xs).toFixed(0).padStart(6)}  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`,
      );
    }
  } finally {
    await app.close();
    await ctx.close();
    const c = new Client({ connectionString: withDatabase(server.url, 'postgres') });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    await server.release();
  }
}

if (require.main === module) runMain('measure-writes', main);
