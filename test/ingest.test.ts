/**
 * ingestRecording: one processed recording in one transaction. Replace semantics (exactly the
 * new set remains, the rest is deleted and counted), a re-send that writes nothing (no
 * updated_at moves), and rejection with the field's path and nothing written.
 */
import { graphqlClient } from './helpers/graphql';
import { databaseChecksum } from './helpers/records';
import { useTestDatabase } from './helpers/test-database';
import { walkRecording, type Plain } from '../bench/lib/recording';
import type { AppContext } from '../src/context';
import { ValidationFailedError, type FieldViolation } from '../src/services/errors';
import { StudyName } from '../src/entities';

const { ctx, sql: c } = useTestDatabase({ sql: true });

/** id → updated_at (as text, microseconds) of every row of the four processing tables. */
async function stamps(): Promise<Record<string, string>> {
  const { rows } = await c.query(
    `select 'a' || id as k, updated_at::text as u from audio_processing union all select 'b' || id, updated_at::text from biomechanics_import
     union all select 's' || id, updated_at::text from synchronization union all select 'c' || id, updated_at::text from movement_cycles`,
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.u]));
}

const cyclesOf = async (audioId: number) =>
  (
    await c.query(
      `select s.pass_number as pass, s.speed, array_agg(m.cycle_index order by m.cycle_index) as idx
       from synchronization s join movement_cycles m on m.synchronization_id = s.id where s.audio_processing_id = $1
      group by 1, 2 order by 1, 2`,
      [audioId],
    )
  ).rows;

async function rejected(input: Plain): Promise<FieldViolation[]> {
  const before = await databaseChecksum(c);
  const error = await ctx.services.ingest.ingestRecording(input).then(
    () => undefined,
    (e) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedError);
  expect(await databaseChecksum(c)).toBe(before);
  return (error as ValidationFailedError).violations;
}

beforeAll(async () => {
  await ctx.services.records.upsertParticipant({ study: StudyName.AOA, number: 1001 });
  await ctx.services.records.upsertParticipant({ study: StudyName.AOA, number: 1002 });
});

describe('ingestRecording', () => {
  let first: Awaited<ReturnType<AppContext['services']['ingest']['ingestRecording']>>;

  it('writes the audio record, its biomechanics, 6 synchronizations × 30 cycles in one call, linked by natural keys', async () => {
    first = await ctx.services.ingest.ingestRecording(walkRecording());
    expect(first.audioProcessing).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 0 });
    expect(first.biomechanicsImport).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 0 });
    expect(first.synchronization).toEqual({ inserted: 6, updated: 0, unchanged: 0, deleted: 0 });
    expect(first.movementCycles).toEqual({ inserted: 180, updated: 0, unchanged: 0, deleted: 0 });
    const { rows } = await c.query(
      `select (select count(*)::int from synchronization where audio_processing_id = $1 and biomechanics_import_id = $2 and knee = 'left' and maneuver = 'walk') as syncs,
              (select count(*)::int from movement_cycles m join synchronization s on s.id = m.synchronization_id
                where m.audio_processing_id = $1 and m.biomechanics_import_id = $2 and m.pass_number = s.pass_number and m.speed = s.speed) as cycles,
              (select biomechanics_import_id from audio_processing where id = $1) as audio_link,
              (select audio_processing_id from biomechanics_import where id = $2) as bio_link`,
      [first.audioProcessingId, first.biomechanicsImportId],
    );
    expect(rows[0]).toEqual({
      syncs: 6,
      cycles: 180,
      audio_link: first.biomechanicsImportId,
      bio_link: first.audioProcessingId,
    });
    const ids = (
      await c.query(
        `select id from synchronization where audio_processing_id = $1 order by pass_number, array_position(array['slow','medium','fast'], speed)`,
        [first.audioProcessingId],
      )
    ).rows.map((r) => r.id);
    expect(first.synchronizationIds).toEqual(ids);
    // The integrity checks agree (cycle counters included).
    expect((await ctx.services.integrity.report()).problems).toBe(0);
  });

  it('a re-send is a no-op: nothing is written, no updated_at moves', async () => {
    const before = await stamps();
    const checksum = await databaseChecksum(c);
    const again = await ctx.services.ingest.ingestRecording(walkRecording());
    expect(again.audioProcessing).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(again.biomechanicsImport).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(again.synchronization).toEqual({ inserted: 0, updated: 0, unchanged: 6, deleted: 0 });
    expect(again.movementCycles).toEqual({ inserted: 0, updated: 0, unchanged: 180, deleted: 0 });
    expect(again.synchronizationIds).toEqual(first.synchronizationIds);
    expect(await stamps()).toEqual(before);
    expect(await databaseChecksum(c)).toBe(checksum);
  });

  it('a processingDate left out keeps the stored one (it is not "now", which would be a change)', async () => {
    const input = walkRecording();
    delete input.audio.processingDate;
    for (const s of input.synchronizations) delete s.processingDate;
    const before = await stamps();
    const r = await ctx.services.ingest.ingestRecording(input);
    expect([r.audioProcessing.unchanged, r.synchronization.unchanged]).toEqual([1, 6]);
    expect(await stamps()).toEqual(before);
  });

  it('replaces: after re-processing with fewer passes and cycles, exactly the new set remains; the rest is deleted and counted', async () => {
    const before = await stamps();
    const input = walkRecording({ passes: 1 }); // passes 2 are gone: 3 synchronizations × 30 cycles
    // slow pass 1: 25 cycles left
    input.synchronizations[0].movementCycles = input.synchronizations[0].movementCycles.slice(0, 25);
    input.synchronizations[1].movementCycles[3].isOutlier = true; // medium pass 1: one cycle changed
    input.synchronizations[1].outlierCycles += 1;
    input.synchronizations[1].cleanCycles -= 1;
    input.synchronizations[0].totalCyclesExtracted = 25;
    input.synchronizations[0].cleanCycles = input.synchronizations[0].movementCycles.filter(
      (x: Plain) => !x.isOutlier,
    ).length;
    input.synchronizations[0].outlierCycles = 25 - input.synchronizations[0].cleanCycles;
    input.biomechanics.numPasses = 1;
    const r = await ctx.services.ingest.ingestRecording(input);
    expect(r.audioProcessing).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
    expect(r.biomechanicsImport).toEqual({ inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
    expect(r.synchronization).toEqual({ inserted: 0, updated: 2, unchanged: 1, deleted: 3 });
    expect(r.movementCycles).toEqual({ inserted: 0, updated: 1, unchanged: 84, deleted: 3 * 30 + 5 });
    expect(r.synchronizationIds).toEqual(first.synchronizationIds.slice(0, 3));
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(await cyclesOf(r.audioProcessingId)).toEqual([
      { pass: 1, speed: 'fast', idx: range(30) },
      { pass: 1, speed: 'medium', idx: range(30) },
      { pass: 1, speed: 'slow', idx: range(25) },
    ]);
    // Only the rows that changed moved their updated_at.
    const after = await stamps();
    const moved = Object.keys(after).filter((k) => after[k] !== before[k]);
    const changedCycle = (
      await c.query(`select id from movement_cycles where synchronization_id = $1 and cycle_index = 3`, [
        first.synchronizationIds[1],
      ])
    ).rows[0].id;
    expect(moved.sort()).toEqual(
      [
        `b${r.biomechanicsImportId}`,
        `c${changedCycle}`,
        `s${first.synchronizationIds[0]}`,
        `s${first.synchronizationIds[1]}`,
      ].sort(),
    );
    expect((await ctx.services.integrity.report()).problems).toBe(0);
  });

  it('two concurrent ingests of the same new recording end in one set of rows', async () => {
    await ctx.services.records.upsertParticipant({ study: StudyName.preOA, number: 1003 });
    const [a, b] = await Promise.all([
      ctx.services.ingest.ingestRecording(walkRecording({ study: 'preOA', participantNumber: 1003 })),
      ctx.services.ingest.ingestRecording(walkRecording({ study: 'preOA', participantNumber: 1003 })),
    ]);
    expect(b.audioProcessingId).toBe(a.audioProcessingId);
    expect(b.synchronizationIds).toEqual(a.synchronizationIds);
    expect(a.movementCycles.inserted + b.movementCycles.inserted).toBe(180);
    expect(
      Number(
        (await c.query(`select count(*) from movement_cycles where audio_processing_id = $1`, [a.audioProcessingId]))
          .rows[0].count,
      ),
    ).toBe(180);
  });

  it('rejects one bad cycle naming its path, and writes nothing', async () => {
    const input = walkRecording();
    input.synchronizations[2].movementCycles[17].endTimeS =
      input.synchronizations[2].movementCycles[17].startTimeS - 0.5;
    const v = await rejected(input);
    expect(v).toEqual([
      {
        field: 'synchronizations[2].movementCycles[17].endTimeS',
        rule: 'endNotBeforeStart',
        message: expect.stringMatching(/^synchronizations\[2\]\.movementCycles\[17\]\.endTimeS /),
      },
    ]);
  });

  it('rejects what the recording determines when sent otherwise, duplicates, and a participant that does not exist', async () => {
    const input = walkRecording();
    input.synchronizations[1].knee = 'right';
    input.synchronizations[4].movementCycles[2].cycleIndex = 1;
    input.synchronizations[5].passNumber = 1; // same pass and speed (fast) as synchronizations[2]
    input.synchronizations[0].audioProcessingId = 12;
    const v = await rejected(input);
    expect(v.map((x) => `${x.field} ${x.rule}`)).toEqual([
      'synchronizations[0].audioProcessingId setByIngest',
      'synchronizations[1].knee sameAsRecording',
      'synchronizations[4].movementCycles[2].cycleIndex uniqueInSynchronization',
      'synchronizations[5].passNumber uniqueInRecording',
    ]);
    const nobody = await rejected(walkRecording({ participantNumber: 4242 }));
    expect(nobody.map((x) => `${x.field} ${x.rule}`)).toContain('audio.participantNumber exists');
    const noBio = walkRecording();
    delete noBio.biomechanics;
    expect((await rejected(noBio)).map((x) => `${x.field} ${x.rule}`)).toEqual([
      'biomechanics requiredWithSynchronizations',
    ]);
  });

  it('through GraphQL: the counts, and BAD_USER_INPUT with the path', async () => {
    const gql = await graphqlClient(ctx);
    try {
      const mutation = `mutation($input: RecordingInput!) { ingestRecording(input: $input) {
        audioProcessingId synchronizationIds movementCycles { inserted updated unchanged deleted } synchronization { inserted deleted } } }`;
      const variables = {
        input: JSON.parse(JSON.stringify(walkRecording({ participantNumber: 1002, passes: 1, cycles: 4 }))),
      };
      variables.input.biomechanics.biomechanicsType = 'Motion_Analysis'; // the GraphQL name of "Motion Analysis"
      const ok = await gql.query(mutation, variables);
      expect(ok.errors).toBeUndefined();
      expect(ok.data.ingestRecording.movementCycles).toEqual({ inserted: 12, updated: 0, unchanged: 0, deleted: 0 });
      expect(ok.data.ingestRecording.synchronization).toEqual({ inserted: 3, deleted: 0 });
      variables.input.synchronizations[2].movementCycles[3].durationS = -1;
      const bad = await gql.query(mutation, variables);
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(bad.errors?.[0].extensions?.validationErrors).toEqual([
        {
          field: 'synchronizations[2].movementCycles[3].durationS',
          rule: 'min',
          message: 'synchronizations[2].movementCycles[3].durationS must not be less than 0',
        },
      ]);
      // Refused by GraphQL itself (null for a Float!, a field left out) before the service sees it: the same path.
      variables.input.synchronizations[2].movementCycles[3].durationS = null;
      delete variables.input.synchronizations[1].movementCycles[0].cycleFile;
      const refused = await gql.query(mutation, variables);
      expect(refused.errors?.map((e) => e.extensions?.validationErrors?.[0]?.field)).toEqual(
        expect.arrayContaining(['synchronizations[2].movementCycles[3].durationS']),
      );
      const missing = await gql.query(mutation, {
        input: { ...variables.input, synchronizations: [variables.input.synchronizations[1]] },
      });
      expect(missing.errors?.[0].extensions?.validationErrors).toEqual([
        expect.objectContaining({ field: 'synchronizations[0].movementCycles[0].cycleFile', rule: 'isDefined' }),
      ]);
    } finally {
      await gql.stop();
    }
  });
});
