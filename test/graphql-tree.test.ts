/**
 * The nested tree study → participants → audio → synchronizations → cycles (and back up)
 * returns exactly what is in the database, loaded in batches, not one query per parent.
 */
import { countStatements } from './helpers/graphql';
import { useTestDatabase } from './helpers/test-database';

const TREE = `{
  studies { name participants { studyParticipantId audioProcessings { knee maneuver
    synchronizations { passNumber speed movementCycles { cycleIndex isOutlier durationS } } } } }
}`;

const {
  ctx,
  sql: c,
  gql,
} = useTestDatabase({
  seed: { participantsPerStudy: 2 },
  asRealParticipants: true,
  sql: true,
  graphql: true,
});

it('returns the seeded tree, matching an independent SQL aggregate', async () => {
  const res = await gql.query(TREE);
  expect(res.errors).toBeUndefined();
  const flat: string[] = [];
  for (const s of res.data.studies)
    for (const p of s.participants)
      for (const a of p.audioProcessings)
        for (const y of a.synchronizations)
          for (const m of y.movementCycles)
            flat.push(
              `${s.name}/${p.studyParticipantId}/${a.knee}/${a.maneuver}/${y.passNumber}/${y.speed}/${m.cycleIndex}/${m.isOutlier}/${m.durationS}`,
            );
  const { rows } = await c.query(`
    select s.name || '/' || p.study_participant_id || '/' || a.knee || '/' || a.maneuver || '/' ||
           coalesce(y.pass_number::text, 'null') || '/' || coalesce(y.speed, 'null') || '/' || m.cycle_index || '/' || m.is_outlier || '/' || m.duration_s as k
      from study s join participant p on p.study_id = s.id join audio_processing a on a.participant_id = p.id
      join synchronization y on y.audio_processing_id = a.id join movement_cycles m on m.synchronization_id = y.id`);
  expect(flat.length).toBeGreaterThan(500);
  expect(flat.sort()).toEqual(rows.map((r) => r.k).sort());
  expect(res.data.studies.map((s: any) => s.name)).toEqual(['AOA', 'SMoCK', 'preOA'].sort());
});

it('loads each nesting level with one statement, whatever the number of parents', async () => {
  const { result, statements } = await countStatements(ctx, () => gql.query(TREE));
  expect(result.errors).toBeUndefined();
  expect(statements).toHaveLength(5);
});

it('study(name) finds one study and is null for a study without rows', async () => {
  const res = await gql.query(`{ aoa: study(name: AOA) { name participants { studyParticipantId study { name } } } }`);
  expect(res.data.aoa.name).toBe('AOA');
  expect(res.data.aoa.participants.map((p: any) => p.studyParticipantId)).toEqual([1001, 1002]);
  expect(res.data.aoa.participants.every((p: any) => p.study.name === 'AOA')).toBe(true);
  await c.query(`delete from study where name = 'SMoCK'`);
  expect((await gql.query(`{ study(name: SMoCK) { name } }`)).data.study).toBeNull();
});

it('walks every relationship back up from a cycle, consistently with its foreign keys', async () => {
  const res = await gql.query(`{
    studies { participants { id audioProcessings { id participantId biomechanicsImportId
      biomechanicsImport { id audioProcessingId audioProcessing { id } participant { id } synchronizations { id } movementCycles { id } }
      synchronizations { id biomechanicsImport { id } audioProcessing { id } participant { id }
        movementCycles { id participant { id } audioProcessing { id } biomechanicsImport { id } synchronization { id } } } } } } }`);
  expect(res.errors).toBeUndefined();
  let checked = 0;
  for (const s of res.data.studies)
    for (const p of s.participants)
      for (const a of p.audioProcessings) {
        expect(a.participantId).toBe(p.id);
        expect(a.biomechanicsImport.id).toBe(a.biomechanicsImportId);
        expect(a.biomechanicsImport.audioProcessing.id).toBe(a.id);
        expect(a.biomechanicsImport.participant.id).toBe(p.id);
        expect(a.biomechanicsImport.synchronizations.map((x: any) => x.id)).toEqual(
          a.synchronizations.map((x: any) => x.id),
        );
        for (const y of a.synchronizations) {
          expect([y.audioProcessing.id, y.participant.id, y.biomechanicsImport.id]).toEqual([
            a.id,
            p.id,
            a.biomechanicsImportId,
          ]);
          for (const m of y.movementCycles) {
            expect([m.participant.id, m.audioProcessing.id, m.biomechanicsImport.id, m.synchronization.id]).toEqual([
              p.id,
              a.id,
              a.biomechanicsImportId,
              y.id,
            ]);
            checked++;
          }
        }
      }
  expect(checked).toBeGreaterThan(500);
});

it('rejects an unknown study name as BAD_USER_INPUT naming the argument, not an internal error', async () => {
  const res = await gql.query(`{ study(name: OAI) { name } }`);
  expect(res.errors?.[0].message).toMatch(/^Argument name: .*OAI/);
  expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});
