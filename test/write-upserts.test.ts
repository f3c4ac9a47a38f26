/**
 * Upserts on the natural keys: what is stored, idempotency, concurrent writers, batch
 * atomicity and size, the audio ⟷ biomechanics link, and how database errors that slip
 * past validation reach a client.
 */
import { sqlClient } from './helpers/db';
import { countStatements } from './helpers/graphql';
import {
  audioInput,
  biomechanicsInput,
  cycleBatch,
  cycleInput,
  databaseChecksum,
  findParents,
  synchronizationInput,
  type Parents,
  type Plain,
} from './helpers/records';
import { useTestDatabase } from './helpers/test-database';
import { ValidationFailedError } from '../src/services/errors';
import { translateWriteError } from '../src/services/write/records';
import { formatError } from '../src/graphql/errors';
import { StudyName } from '../src/entities';

const {
  ctx,
  sql: c,
  gql,
} = useTestDatabase({
  seed: { participantsPerStudy: 1, studies: [StudyName.AOA, StudyName.preOA] },
  asRealParticipants: true,
  sql: true,
  graphql: true,
});
let p: Parents;

const row = async (table: string, id: number) => (await c.query(`select * from ${table} where id = $1`, [id])).rows[0];
const count = async (sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);
/** Dates as the JSON a GraphQL client sends. */
const asVariables = (x: unknown) => JSON.parse(JSON.stringify(x));

beforeAll(async () => {
  p = await findParents(c);
});

describe('what an upsert stores', () => {
  it('writes every field of the input into its column (enum values as stored, segments, wall-clock times)', async () => {
    const a = await ctx.services.records.upsertAudioProcessing(audioInput());
    const r = await row('audio_processing', a.id);
    expect(r).toMatchObject({
      participant_id: p.participantId,
      audio_file_name: 'AOA1001_left_fe_retake.bin',
      device_serial: 'HP_W11.2-3',
      firmware_version: 6,
      file_size_mb: 21.4,
      recording_timezone: 'UTC',
      knee: 'left',
      maneuver: 'fe',
      num_channels: 4,
      sample_rate: 46875,
      mic_1_position: 'IPM',
      mic_4_position: 'SPL',
      mic_3_notes: 'tape re-applied',
      mic_1_notes: null,
      pkl_file_checksum: 'ab'.repeat(32),
      audio_qc_fail: true,
      audio_qc_fail_ch1: false,
      audio_qc_fail_ch2: true,
      qc_fail_segments: [1.5, 2.25, 10, 11],
      qc_fail_segments_ch1: null,
      qc_artifact_type_ch2: ['Intermittent'],
      qc_signal_dropout_segments_ch2: [1.5, 2.25],
      duration_seconds: 57.1,
      processing_status: 'success',
      error_message: null,
      biomechanics_import_id: null,
    });
    // timestamp columns hold the wall-clock time as sent (UTC), not shifted by any time zone.
    const { rows } = await c.query(
      `select recording_time::text as t, recording_date::text as d from audio_processing where id = $1`,
      [a.id],
    );
    expect(rows[0]).toEqual({ t: '2024-03-05 09:30:00', d: '2024-03-05 00:00:00' });

    const b = await ctx.services.records.upsertBiomechanicsImport(biomechanicsInput());
    expect(await row('biomechanics_import', b.id)).toMatchObject({
      biomechanics_type: 'Motion Analysis',
      biomechanics_sync_method: 'stomp',
      num_passes: 0,
    });

    const s = await ctx.services.records.upsertSynchronization(synchronizationInput(p));
    expect(await row('synchronization', s.id)).toMatchObject({
      participant_id: p.participantId,
      audio_processing_id: p.walkAudioId,
      biomechanics_import_id: p.walkBioId,
      pass_number: 9,
      speed: 'comfortable',
      stomp_detection_methods: ['audio', 'consensus', 'biomechanics'],
      audio_sync_offset: 0.84,
      sync_qc_fail: false,
    });
  });

  it('fills the defaults of docs/data-model.md for what the input leaves out', async () => {
    const minimal: Plain = {
      study: 'AOA',
      participantNumber: 1001,
      biomechanicsFile: 'minimal.csv',
      biomechanicsType: 'IMU',
      knee: 'right',
      maneuver: 'sts',
      biomechanicsSyncMethod: 'flick',
      biomechanicsSampleRate: 200,
      numSubRecordings: 1,
      durationSeconds: 30,
      numDataPoints: 6000,
    };
    const b = await ctx.services.records.upsertBiomechanicsImport(minimal);
    expect(await row('biomechanics_import', b.id)).toMatchObject({
      num_passes: 0,
      biomechanics_qc_fail: false,
      processing_status: 'not_processed',
      sheet_name: null,
      audio_processing_id: null,
    });
    expect((await row('biomechanics_import', b.id)).processing_date).toBeInstanceOf(Date);
  });

  it('replaces the whole record: a field left out the second time is cleared', async () => {
    const first = await ctx.services.records.upsertAudioProcessing(
      audioInput({ audioFileName: 'replace.bin', notes: 'first take' }),
    );
    const second = await ctx.services.records.upsertAudioProcessing(
      audioInput({ audioFileName: 'replace.bin', notes: undefined }),
    );
    expect(second.id).toBe(first.id);
    expect((await row('audio_processing', first.id)).notes).toBeNull();
  });
});

describe('idempotency: the same record twice updates in place', () => {
  const cases: [string, string, () => Promise<number>][] = [
    [
      'participant',
      'participant',
      async () => (await ctx.services.records.upsertParticipant({ study: StudyName.AOA, number: 1001 })).id,
    ],
    [
      'audio',
      'audio_processing',
      async () => (await ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'twice.bin' }))).id,
    ],
    [
      'biomechanics',
      'biomechanics_import',
      async () =>
        (await ctx.services.records.upsertBiomechanicsImport(biomechanicsInput({ biomechanicsFile: 'twice.xlsx' }))).id,
    ],
    [
      'synchronization',
      'synchronization',
      async () => (await ctx.services.records.upsertSynchronization(synchronizationInput(p, { passNumber: 7 }))).id,
    ],
    [
      'cycle',
      'movement_cycles',
      async () => (await ctx.services.records.upsertMovementCycles([cycleInput(p, { cycleIndex: 777 })])).ids[0],
    ],
  ];

  it.each(cases)('%s: same id, one row, created_at kept, updated_at moved', async (_name, table, upsert) => {
    const rowsBefore = await count(`select count(*) n from ${table}`);
    const id = await upsert();
    const first = await row(table, id);
    expect(await count(`select count(*) n from ${table}`)).toBe(rowsBefore + (table === 'participant' ? 0 : 1));
    expect(await upsert()).toBe(id);
    const second = await row(table, id);
    expect(await count(`select count(*) n from ${table}`)).toBe(rowsBefore + (table === 'participant' ? 0 : 1));
    expect(second.created_at).toEqual(first.created_at);
    if (table !== 'participant') expect(second.updated_at.getTime()).toBeGreaterThan(first.updated_at.getTime());
  });

  it('a cycle batch reports what it inserted and what it updated, ids in input order', async () => {
    const existing = cycleBatch(p, 100, 2000);
    const before = await ctx.services.records.upsertMovementCycles(existing);
    expect(before).toMatchObject({ inserted: 100, updated: 0 });
    const mixed: Plain[] = [...cycleBatch(p, 300, 3000), ...existing.map((x) => ({ ...x, isOutlier: true }))].reverse();
    const after = await ctx.services.records.upsertMovementCycles(mixed);
    expect(after).toMatchObject({ inserted: 300, updated: 100 });
    expect(after.ids.slice(0, 100)).toEqual([...before.ids].reverse());
    const { rows } = await c.query('select id, cycle_index from movement_cycles where id = any($1)', [after.ids]);
    const indexById = new Map(rows.map((r) => [r.id, r.cycle_index]));
    expect(after.ids.map((id) => indexById.get(id))).toEqual(mixed.map((x) => x.cycleIndex));
    expect(await count('select count(*) n from movement_cycles where id = any($1) and is_outlier', [before.ids])).toBe(
      100,
    );
  });

  it('upserting the audio again keeps its recording-time link (only linkRecordings changes it)', async () => {
    const a = await ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'keeps-link.bin' }));
    const b = await ctx.services.records.upsertBiomechanicsImport(
      biomechanicsInput({ biomechanicsFile: 'keeps-link.xlsx' }),
    );
    await ctx.services.records.linkRecordings({ audioProcessingId: a.id, biomechanicsImportId: b.id });
    await ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'keeps-link.bin', notes: 'again' }));
    await ctx.services.records.upsertBiomechanicsImport(biomechanicsInput({ biomechanicsFile: 'keeps-link.xlsx' }));
    expect((await row('audio_processing', a.id)).biomechanics_import_id).toBe(b.id);
    expect((await row('biomechanics_import', b.id)).audio_processing_id).toBe(a.id);
  });
});

describe('concurrent upserts of one key', () => {
  it('25 at once of a new participant in a study not yet created: one study row, one participant, no error', async () => {
    expect(await count(`select count(*) n from study where name = 'SMoCK'`)).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        ctx.services.records.upsertParticipant({ study: StudyName.SMoCK, number: 3500 }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await count(`select count(*) n from study where name = 'SMoCK'`)).toBe(1);
    expect(await count(`select count(*) n from participant where study_participant_id = 3500`)).toBe(1);
  });

  it('25 at once of one audio recording: one row, every caller gets its id', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'race.bin', notes: `writer ${i}` })),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await count(`select count(*) n from audio_processing where audio_file_name = 'race.bin'`)).toBe(1);
  });

  it('8 batches of the same 300 cycles at once, each in another order: one row per key, no error', async () => {
    const batch = cycleBatch(p, 300, 5000);
    const shuffled = (seed: number) =>
      [...batch].sort(
        (x, y) => ((x.cycleIndex * 7919 + seed * 104729) % 997) - ((y.cycleIndex * 7919 + seed * 104729) % 997),
      );
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ctx.services.records.upsertMovementCycles(shuffled(i))),
    );
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(300);
    expect(await count('select count(*) n from movement_cycles where cycle_index between 5000 and 5299')).toBe(300);
  });
});

describe('batches', () => {
  it('a batch of 1,000 updating existing cycles and adding new ones, with one bad row: nothing changes at all', async () => {
    const existing = (
      await c.query(`select cycle_index from movement_cycles where synchronization_id = $1 order by cycle_index`, [
        p.slowSyncId,
      ])
    ).rows;
    expect(existing.length).toBeGreaterThan(5);
    const updates = existing.map((r) =>
      cycleInput(p, { cycleIndex: r.cycle_index, cycleFile: `rewritten_${r.cycle_index}.pkl`, isOutlier: true }),
    );
    const batch = [...updates, ...cycleBatch(p, 1000 - updates.length, 8000)];
    batch[999] = { ...batch[999], bioEndTime: null };
    const before = await databaseChecksum(c);
    const error = await ctx.services.records.upsertMovementCycles(batch).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(error.violations).toEqual([
      expect.objectContaining({ index: 999, field: 'bioEndTime', rule: 'requiredWithBiomechanicsImport' }),
    ]);
    expect(await databaseChecksum(c)).toBe(before);
  });

  it('10,000 cycles go in one transaction of a handful of statements', async () => {
    const batch = cycleBatch(p, 10_000, 20_000);
    const { result, statements } = await countStatements(ctx, () => ctx.services.records.upsertMovementCycles(batch));
    expect(result).toMatchObject({ inserted: 10_000, updated: 0 });
    expect(result.ids).toHaveLength(10_000);
    // begin, participants, 3 parent lookups, one INSERT … ON CONFLICT, commit
    expect(statements.length).toBeLessThanOrEqual(7);
    expect(statements.filter((s) => /^insert/i.test(s))).toHaveLength(1);
    expect(await count('select count(*) n from movement_cycles where cycle_index >= 20000')).toBe(10_000);
  });
});

describe('linkRecordings', () => {
  let a1: number;
  let a2: number;
  let b1: number;
  beforeAll(async () => {
    a1 = (
      await ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'link-a1.bin', maneuver: 'sts' }))
    ).id;
    a2 = (
      await ctx.services.records.upsertAudioProcessing(audioInput({ audioFileName: 'link-a2.bin', maneuver: 'sts' }))
    ).id;
    b1 = (
      await ctx.services.records.upsertBiomechanicsImport(
        biomechanicsInput({ biomechanicsFile: 'link-b1.xlsx', maneuver: 'sts' }),
      )
    ).id;
  });
  const links = async () => ({
    a1: (await row('audio_processing', a1)).biomechanics_import_id,
    a2: (await row('audio_processing', a2)).biomechanics_import_id,
    b1: (await row('biomechanics_import', b1)).audio_processing_id,
  });

  it('sets the link on both sides', async () => {
    const result = await ctx.services.records.linkRecordings({ audioProcessingId: a1, biomechanicsImportId: b1 });
    expect(result.audioProcessing?.biomechanicsImportId).toBe(b1);
    expect(result.biomechanicsImport?.audioProcessingId).toBe(a1);
    expect(await links()).toEqual({ a1: b1, a2: null, b1: a1 });
  });

  it('relinking moves the link: the former partner is unlinked', async () => {
    await ctx.services.records.linkRecordings({ audioProcessingId: a2, biomechanicsImportId: b1 });
    expect(await links()).toEqual({ a1: null, a2: b1, b1: a2 });
  });

  it('one id alone clears the link on both sides', async () => {
    await ctx.services.records.linkRecordings({ audioProcessingId: a2 });
    expect(await links()).toEqual({ a1: null, a2: null, b1: null });
    await ctx.services.records.linkRecordings({ audioProcessingId: a1, biomechanicsImportId: b1 });
    await ctx.services.records.linkRecordings({ biomechanicsImportId: b1 });
    expect(await links()).toEqual({ a1: null, a2: null, b1: null });
  });
});

describe('through GraphQL', () => {
  const UPSERT_AUDIO = `mutation($input: AudioProcessingInput!) {
    upsertAudioProcessing(input: $input) { id createdAt updatedAt audioFileName recordingTime qcFailSegments participant { studyParticipantId study { name } } }
  }`;

  it('upsertAudioProcessing returns the record; the same input again returns the same id', async () => {
    const variables = { input: asVariables(audioInput({ audioFileName: 'graphql.bin' })) };
    const first = await gql.query(UPSERT_AUDIO, variables);
    expect(first.errors).toBeUndefined();
    expect(first.data.upsertAudioProcessing).toMatchObject({
      audioFileName: 'graphql.bin',
      recordingTime: '2024-03-05T09:30:00.000Z',
      qcFailSegments: [1.5, 2.25, 10, 11],
      participant: { studyParticipantId: 1001, study: { name: 'AOA' } },
    });
    const second = await gql.query(UPSERT_AUDIO, variables);
    expect(second.data.upsertAudioProcessing.id).toBe(first.data.upsertAudioProcessing.id);
    expect(second.data.upsertAudioProcessing.createdAt).toBe(first.data.upsertAudioProcessing.createdAt);
    expect(Date.parse(second.data.upsertAudioProcessing.updatedAt)).toBeGreaterThan(
      Date.parse(first.data.upsertAudioProcessing.updatedAt),
    );
  });

  it('a broken rule is BAD_USER_INPUT with extensions.validationErrors naming field, rule and batch index', async () => {
    const inputs = asVariables(cycleBatch(p, 4, 9000));
    inputs[2].passNumber = 3;
    const before = await databaseChecksum(c);
    const res = await gql.query(
      'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count } }',
      { inputs },
    );
    expect(res.data).toBeNull();
    expect(res.errors![0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      validationErrors: [expect.objectContaining({ field: 'passNumber', rule: 'matchesSynchronization', index: 2 })],
    });
    expect(res.errors![0].message).toMatch(/\[2\] passNumber/);
    expect(await databaseChecksum(c)).toBe(before);
  });

  it("a value GraphQL's own types refuse is reported the same way (field, rule, index)", async () => {
    const inputs = asVariables(cycleBatch(p, 3, 9100));
    inputs[1].speed = 'jog';
    const res = await gql.query(
      'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count } }',
      { inputs },
    );
    expect(res.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      validationErrors: [
        { field: 'speed', rule: 'isEnum', index: 1, message: expect.stringMatching(/^speed: .*WalkSpeed/) },
      ],
    });
    const missing = asVariables(audioInput());
    delete missing.knee;
    const res2 = await gql.query(UPSERT_AUDIO, { input: missing });
    expect(res2.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      validationErrors: [{ field: 'knee', rule: 'isDefined' }],
    });
  });
});

describe('database errors that slip past validation', () => {
  it('a parent deleted while the write waits for it: BAD_USER_INPUT naming the field, nothing written', async () => {
    const participant = await ctx.services.records.upsertParticipant({ study: StudyName.preOA, number: 2777 });
    const audio = await ctx.services.records.upsertAudioProcessing(
      audioInput({ study: 'preOA', participantNumber: 2777, maneuver: 'walk', audioFileName: 'doomed.bin' }),
    );
    const bio = await ctx.services.records.upsertBiomechanicsImport(
      biomechanicsInput({ study: 'preOA', participantNumber: 2777, maneuver: 'walk' }),
    );
    const deleter = await sqlClient(ctx.target.url);
    try {
      // The deleter holds the audio row: validation still sees it, the foreign key check waits for it.
      await deleter.query('begin');
      await deleter.query('delete from audio_processing where id = $1', [audio.id]);
      const input = synchronizationInput(p, {
        study: 'preOA',
        participantNumber: 2777,
        audioProcessingId: audio.id,
        biomechanicsImportId: bio.id,
      });
      const pending = gql.query(
        'mutation($input: SynchronizationInput!) { upsertSynchronization(input: $input) { id } }',
        { input: asVariables(input) },
      );
      // Wait until the write is blocked on the deleter's row lock, then let the delete through.
      for (;;) {
        const { rows } = await deleter.query(
          `select count(*)::int n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await deleter.query('commit');
      const res = await pending;
      expect(res.errors![0].extensions).toEqual({
        code: 'BAD_USER_INPUT',
        validationErrors: [expect.objectContaining({ field: 'audioProcessingId', rule: 'exists' })],
      });
      expect(await count('select count(*) n from synchronization where participant_id = $1', [participant.id])).toBe(0);
    } finally {
      await deleter.end();
    }
  });

  it('a unique-key race becomes CONFLICT, never an internal error', async () => {
    const error = await c.query(`insert into study (name) values ('AOA')`).catch((e) => e);
    expect(error.code).toBe('23505');
    const translated = translateWriteError(error);
    expect(formatError({ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, translated)).toMatchObject({
      message: expect.stringMatching(/retry/),
      extensions: { code: 'CONFLICT' },
    });
  });
});
