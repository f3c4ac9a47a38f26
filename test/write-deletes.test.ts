/**
 * Deletes cascade as docs/data-model.md says, and the counts they return are exactly the rows that
 * disappeared (measured independently, table by table, before and after).
 */
import { graphqlClient } from './helpers/graphql';
import { tableCounts } from './helpers/records';
import { useTestDatabase } from './helpers/test-database';
import { TABLES, StudyName } from '../src/entities';
import type { TableCounts } from '../src/services/seed/seed';

const { ctx, sql: c } = useTestDatabase({ seed: { participantsPerStudy: 2 }, asRealParticipants: true, sql: true });

/** Runs the delete and checks its answer against what really left each table. */
async function removed(del: () => Promise<TableCounts>): Promise<TableCounts> {
  const before = await tableCounts(c);
  const answer = await del();
  const after = await tableCounts(c);
  const gone = Object.fromEntries(TABLES.map((t) => [t, before[t] - after[t]])) as TableCounts;
  expect(answer).toEqual(gone);
  return answer;
}

/** No row of any table: what a delete of nothing removes, and the tables a delete must leave alone. */
const NONE = Object.fromEntries(TABLES.map((t) => [t, 0])) as TableCounts;

const one = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows[0];

it('deleteParticipant removes the participant and all their records, nothing else', async () => {
  const { id } = await one(
    `select p.id from participant p join study s on s.id = p.study_id where s.name = 'SMoCK' and p.study_participant_id = 3001`,
  );
  const own = await one(
    `select (select count(*)::int from audio_processing where participant_id = $1) a, (select count(*)::int from movement_cycles where participant_id = $1) m`,
    [id],
  );
  const counts = await removed(() => ctx.services.records.deleteParticipant({ study: StudyName.SMoCK, number: 3001 }));
  expect(counts).toMatchObject({
    study: 0,
    participant: 1,
    audio_processing: own.a,
    biomechanics_import: 6,
    movement_cycles: own.m,
  });
  expect(counts.synchronization).toBeGreaterThanOrEqual(4);
});

it('deleteAudioProcessing removes its synchronizations and cycles, and unlinks its biomechanics', async () => {
  const audio = await one(
    `select id, biomechanics_import_id from audio_processing where maneuver = 'walk' order by id limit 1`,
  );
  const syncs = (await one('select count(*)::int n from synchronization where audio_processing_id = $1', [audio.id])).n;
  const cycles = (await one('select count(*)::int n from movement_cycles where audio_processing_id = $1', [audio.id]))
    .n;
  expect(cycles).toBeGreaterThan(0);
  const counts = await removed(() => ctx.services.records.deleteAudioProcessing(audio.id));
  expect(counts).toEqual({ ...NONE, audio_processing: 1, synchronization: syncs, movement_cycles: cycles });
  expect(
    (await one('select audio_processing_id from biomechanics_import where id = $1', [audio.biomechanics_import_id]))
      .audio_processing_id,
  ).toBeNull();
});

it('deleteBiomechanicsImport removes its synchronizations with their cycles; its audio stays, unlinked', async () => {
  const bio = await one(
    `select id, audio_processing_id from biomechanics_import where maneuver = 'fe' and audio_processing_id is not null order by id limit 1`,
  );
  const syncIds = (
    await c.query('select id from synchronization where biomechanics_import_id = $1', [bio.id])
  ).rows.map((r) => r.id);
  const cycles = (
    await one('select count(*)::int n from movement_cycles where synchronization_id = any($1)', [syncIds])
  ).n;
  const counts = await removed(() => ctx.services.records.deleteBiomechanicsImport(bio.id));
  expect(counts).toMatchObject({
    biomechanics_import: 1,
    audio_processing: 0,
    synchronization: syncIds.length,
    movement_cycles: cycles,
  });
  expect(
    (await one('select biomechanics_import_id from audio_processing where id = $1', [bio.audio_processing_id]))
      .biomechanics_import_id,
  ).toBeNull();
});

it('deleteSynchronization removes its cycles only', async () => {
  const sync = await one(`select id from synchronization where maneuver = 'sts' order by id limit 1`);
  const cycles = (await one('select count(*)::int n from movement_cycles where synchronization_id = $1', [sync.id])).n;
  const counts = await removed(() => ctx.services.records.deleteSynchronization(sync.id));
  expect(counts).toEqual({ ...NONE, synchronization: 1, movement_cycles: cycles });
});

it('deleteMovementCycles removes exactly those cycles; unknown ids remove nothing', async () => {
  const ids = (await c.query('select id from movement_cycles order by id desc limit 5')).rows.map((r) => r.id);
  expect(await removed(() => ctx.services.records.deleteMovementCycles([...ids, 99_999_999]))).toMatchObject({
    movement_cycles: 5,
  });
  expect(await removed(() => ctx.services.records.deleteMovementCycles(ids))).toMatchObject({ movement_cycles: 0 });
});

it('deleting what does not exist removes nothing and says so', async () => {
  expect(await removed(() => ctx.services.records.deleteParticipant({ study: StudyName.AOA, number: 424242 }))).toEqual(
    NONE,
  );
  expect(await removed(() => ctx.services.records.deleteSynchronization(99_999_999))).toEqual(NONE);
});

it('through GraphQL, a delete returns the counts per table', async () => {
  const gql = await graphqlClient(ctx);
  try {
    const res = await gql.query(
      'mutation { deleteParticipant(study: AOA, number: 1002) { study participant audioProcessing biomechanicsImport synchronization movementCycles } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.deleteParticipant).toMatchObject({
      study: 0,
      participant: 1,
      audioProcessing: 6,
      biomechanicsImport: 6,
    });
    expect(res.data.deleteParticipant.movementCycles).toBeGreaterThan(50);
    expect((await one(`select count(*)::int n from participant where study_participant_id = 1002`)).n).toBe(0);
  } finally {
    await gql.stop();
  }
});
