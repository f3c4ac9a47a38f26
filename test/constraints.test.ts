/**
 * Every CHECK and unique key of the schema rejects a violating row, and deletes cascade
 * (or set null) as domain.md says. Rows are written with plain SQL so the database's
 * own rules are what is tested, not the API's validation.
 */
import type { Client } from 'pg';
import { openTestContext, sqlClient } from './helpers/db';
import type { AppContext } from '../src/context';

let ctx: AppContext;
let c: Client;

beforeAll(async () => {
  ctx = await openTestContext();
  await ctx.services.seed.seed({ participantsPerStudy: 1 });
  c = await sqlClient(ctx.target.url);
});
afterAll(async () => {
  await c?.end();
  await ctx?.close();
});

/** Clone one existing row of `table` (chosen by `where`) with `overrides`; returns the violated constraint or 'ok'. */
async function cloneWith(table: string, where: string, overrides: Record<string, unknown>): Promise<string> {
  const { rows } = await c.query(`select to_jsonb(t) - 'id' as row from ${table} t where ${where} order by id limit 1`);
  expect(rows).toHaveLength(1);
  const row = { ...rows[0].row, ...overrides };
  const cols = Object.keys(row).map((k) => `"${k}"`).join(', ');
  await c.query('savepoint s');
  try {
    await c.query(`insert into ${table} (${cols}) select ${cols} from jsonb_populate_record(null::${table}, $1::jsonb)`, [JSON.stringify(row)]);
    await c.query('rollback to savepoint s');
    return 'ok';
  } catch (e: any) {
    await c.query('rollback to savepoint s');
    return e.constraint ?? e.code;
  }
}

beforeEach(() => c.query('begin'));
afterEach(() => c.query('rollback'));

describe('CHECK constraints and unique keys reject violating rows', () => {
  const fe = `maneuver = 'fe'`;
  const walk = `maneuver = 'walk'`;

  it.each<[string, string, string, Record<string, unknown>, string]>([
    ['study', 'name outside the vocabulary', 'true', { name: 'OAI' }, 'study_name_check'],
    ['study', 'duplicate name', 'true', {}, 'study_name_key'],
    ['participant', 'negative number', 'true', { study_participant_id: -1 }, 'participant_study_participant_id_check'],
    ['participant', 'duplicate (study, number)', 'true', {}, 'participant_study_id_study_participant_id_key'],
    ['audio_processing', 'unknown knee', fe, { audio_file_name: 'x', knee: 'middle' }, 'audio_processing_knee_check'],
    ['audio_processing', 'unknown maneuver', fe, { audio_file_name: 'x', maneuver: 'jump' }, 'audio_processing_maneuver_check'],
    ['audio_processing', 'five channels', fe, { audio_file_name: 'x', num_channels: 5 }, 'audio_processing_num_channels_check'],
    ['audio_processing', 'zero channels', fe, { audio_file_name: 'x', num_channels: 0 }, 'audio_processing_num_channels_check'],
    ['audio_processing', 'zero sample rate', fe, { audio_file_name: 'x', sample_rate: 0 }, 'audio_processing_sample_rate_check'],
    ['audio_processing', 'negative file size', fe, { audio_file_name: 'x', file_size_mb: -0.1 }, 'audio_processing_file_size_mb_check'],
    ['audio_processing', 'negative firmware', fe, { audio_file_name: 'x', firmware_version: -1 }, 'audio_processing_firmware_version_check'],
    ['audio_processing', 'negative duration', fe, { audio_file_name: 'x', duration_seconds: -1 }, 'audio_processing_duration_seconds_check'],
    ['audio_processing', 'short checksum', fe, { audio_file_name: 'x', pkl_file_checksum: 'abc123' }, 'audio_processing_pkl_file_checksum_check'],
    ['audio_processing', 'non-hex checksum', fe, { audio_file_name: 'x', pkl_file_checksum: 'g'.repeat(64) }, 'audio_processing_pkl_file_checksum_check'],
    ['audio_processing', 'unknown mic position', fe, { audio_file_name: 'x', mic_3_position: 'XYZ' }, 'audio_processing_mic_3_position_check'],
    ['audio_processing', 'unknown artifact type', fe, { audio_file_name: 'x', qc_artifact_type_ch2: ['Sporadic'] }, 'audio_processing_qc_artifact_type_ch2_check'],
    ['audio_processing', 'odd-length segments', fe, { audio_file_name: 'x', audio_qc_fail: true, qc_fail_segments: [1, 2, 3] }, 'audio_processing_qc_fail_segments_check'],
    ['audio_processing', 'segment start > end', fe, { audio_file_name: 'x', qc_artifact: true, qc_artifact_segments_ch1: [2, 1] }, 'audio_processing_qc_artifact_segments_ch1_check'],
    ['audio_processing', 'negative segment time', fe, { audio_file_name: 'x', qc_signal_dropout_segments_ch4: [-1, 1] }, 'audio_processing_qc_signal_dropout_segments_ch4_check'],
    ['audio_processing', 'QC pass with fail segments', fe, { audio_file_name: 'x', audio_qc_fail: false, qc_fail_segments: [1, 2] }, 'audio_processing_audio_qc_fail_segments_check'],
    ['audio_processing', 'channel QC pass with fail segments', fe, { audio_file_name: 'x', audio_qc_fail_ch3: false, qc_fail_segments_ch3: [1, 2] }, 'audio_processing_audio_qc_fail_ch3_segments_check'],
    ['audio_processing', 'recording time on another day', fe, { audio_file_name: 'x', recording_date: '2024-01-01T00:00:00', recording_time: '2024-01-02T09:00:00' }, 'audio_processing_recording_same_date_check'],
    ['audio_processing', 'duplicate (participant, file, knee, maneuver)', fe, {}, 'audio_processing_participant_file_knee_maneuver_key'],
    ['biomechanics_import', 'unknown type', fe, { biomechanics_file: 'x', biomechanics_type: 'Video' }, 'biomechanics_import_biomechanics_type_check'],
    ['biomechanics_import', 'unknown sync method', fe, { biomechanics_file: 'x', biomechanics_sync_method: 'clap' }, 'biomechanics_import_biomechanics_sync_method_check'],
    ['biomechanics_import', 'zero sample rate', fe, { biomechanics_file: 'x', biomechanics_sample_rate: 0 }, 'biomechanics_import_biomechanics_sample_rate_check'],
    ['biomechanics_import', 'negative passes', fe, { biomechanics_file: 'x', num_passes: -1 }, 'biomechanics_import_num_passes_check'],
    ['biomechanics_import', 'duplicate (participant, file, knee, maneuver)', fe, {}, 'biomechanics_import_participant_file_knee_maneuver_key'],
    ['synchronization', 'walk without pass number', walk, { pass_number: null }, 'synchronization_walk_pass_speed_check'],
    ['synchronization', 'walk without speed', walk, { speed: null, pass_number: 99 }, 'synchronization_walk_pass_speed_check'],
    ['synchronization', 'fe with a pass and speed', fe, { pass_number: 1, speed: 'slow' }, 'synchronization_walk_pass_speed_check'],
    ['synchronization', 'pass number 0', walk, { pass_number: 0 }, 'synchronization_pass_number_check'],
    ['synchronization', 'unknown speed', walk, { speed: 'sprint', pass_number: 99 }, 'synchronization_speed_check'],
    ['synchronization', 'biomechanics stomp method without its times', walk, { pass_number: 99, bio_selected_sync_time: null }, 'synchronization_biomechanics_stomp_times_check'],
    ['synchronization', 'audio stomp method without its times', walk, { pass_number: 99, contra_selected_audio_sync_time: null }, 'synchronization_audio_stomp_times_check'],
    ['synchronization', 'left and right audio times without offset', walk, { pass_number: 99, audio_sync_offset: null }, 'synchronization_audio_sync_offset_check'],
    ['synchronization', 'unknown stomp detection method', walk, { pass_number: 99, stomp_detection_methods: ['vibes'] }, 'synchronization_stomp_detection_methods_check'],
    ['synchronization', 'negative cycle count', walk, { pass_number: 99, total_cycles_extracted: -1 }, 'synchronization_total_cycles_extracted_check'],
    ['synchronization', 'duplicate fe sync (null pass and speed)', fe, {}, 'synchronization_natural_key'],
    ['synchronization', 'duplicate walk sync', walk, {}, 'synchronization_natural_key'],
    ['movement_cycles', 'end before start', fe, { cycle_index: 999, start_time_s: 5, end_time_s: 4 }, 'movement_cycles_end_after_start_check'],
    ['movement_cycles', 'negative duration', fe, { cycle_index: 999, duration_s: -1 }, 'movement_cycles_duration_s_check'],
    ['movement_cycles', 'negative cycle index', fe, { cycle_index: -1 }, 'movement_cycles_cycle_index_check'],
    ['movement_cycles', 'biomechanics linked without bio times', fe, { cycle_index: 999, bio_end_time: null }, 'movement_cycles_bio_times_check'],
    ['movement_cycles', 'walk cycle without speed', walk, { cycle_index: 999, speed: null }, 'movement_cycles_walk_pass_speed_check'],
    ['movement_cycles', 'duplicate fe cycle (null pass and speed)', fe, {}, 'movement_cycles_natural_key'],
  ])('%s: %s', async (table, _what, where, overrides, constraint) => {
    expect(await cloneWith(table, where, overrides)).toBe(constraint);
  });

  it('accepts the same rows when they differ only in their natural key (the clones are otherwise valid)', async () => {
    expect(await cloneWith('participant', 'true', { study_participant_id: 9999 })).toBe('ok');
    expect(await cloneWith('audio_processing', `maneuver = 'fe'`, { audio_file_name: 'another.bin' })).toBe('ok');
    expect(await cloneWith('biomechanics_import', `maneuver = 'fe'`, { biomechanics_file: 'another.xlsx' })).toBe('ok');
    expect(await cloneWith('synchronization', `maneuver = 'walk'`, { pass_number: 99 })).toBe('ok');
    expect(await cloneWith('movement_cycles', `maneuver = 'fe'`, { cycle_index: 999 })).toBe('ok');
  });
});

describe('deletes cascade as domain.md says', () => {
  const count = async (sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);

  it('deleting a study removes its participants and all their records', async () => {
    const { rows } = await c.query(`select s.id, array_agg(p.id) as pids from study s join participant p on p.study_id = s.id where s.name = 'AOA' group by s.id`);
    const pids: number[] = rows[0].pids;
    expect(await count('select count(*) n from movement_cycles where participant_id = any($1)', [pids])).toBeGreaterThan(0);
    await c.query('delete from study where id = $1', [rows[0].id]);
    for (const t of ['participant', 'audio_processing', 'biomechanics_import', 'synchronization', 'movement_cycles']) {
      const col = t === 'participant' ? 'id' : 'participant_id';
      expect(`${t}: ${await count(`select count(*) n from ${t} where ${col} = any($1)`, [pids])}`).toBe(`${t}: 0`);
    }
    expect(await count(`select count(*) n from study where name <> 'AOA'`)).toBe(2);
  });

  it('deleting an audio recording removes its syncs and cycles and unlinks its biomechanics', async () => {
    const { rows } = await c.query(`select id, biomechanics_import_id as bio from audio_processing where maneuver = 'walk' order by id limit 1`);
    const { id, bio } = rows[0];
    expect(bio).not.toBeNull();
    const otherCycles = await count('select count(*) n from movement_cycles where audio_processing_id <> $1', [id]);
    await c.query('delete from audio_processing where id = $1', [id]);
    expect(await count('select count(*) n from synchronization where audio_processing_id = $1', [id])).toBe(0);
    expect(await count('select count(*) n from movement_cycles where audio_processing_id = $1', [id])).toBe(0);
    expect((await c.query('select audio_processing_id from biomechanics_import where id = $1', [bio])).rows[0].audio_processing_id).toBeNull();
    expect(await count('select count(*) n from movement_cycles')).toBe(otherCycles);
  });

  it('deleting a biomechanics import removes its syncs (and their cycles) and unlinks the audio', async () => {
    const { rows } = await c.query(`select id, audio_processing_id as audio from biomechanics_import where maneuver = 'fe' order by id limit 1`);
    const { id, audio } = rows[0];
    const syncIds = (await c.query('select id from synchronization where biomechanics_import_id = $1', [id])).rows.map((r) => r.id);
    expect(syncIds.length).toBeGreaterThan(0);
    await c.query('delete from biomechanics_import where id = $1', [id]);
    expect(await count('select count(*) n from synchronization where id = any($1)', [syncIds])).toBe(0);
    expect(await count('select count(*) n from movement_cycles where synchronization_id = any($1)', [syncIds])).toBe(0);
    expect((await c.query('select biomechanics_import_id from audio_processing where id = $1', [audio])).rows[0].biomechanics_import_id).toBeNull();
  });

  it('deleting a synchronization removes its cycles only', async () => {
    const { rows } = await c.query(`select id, audio_processing_id from synchronization where maneuver = 'sts' order by id limit 1`);
    const before = await count('select count(*) n from audio_processing');
    await c.query('delete from synchronization where id = $1', [rows[0].id]);
    expect(await count('select count(*) n from movement_cycles where synchronization_id = $1', [rows[0].id])).toBe(0);
    expect(await count('select count(*) n from audio_processing')).toBe(before);
  });

  it('moves updated_at on update but keeps created_at', async () => {
    // now() is this test transaction's start, later than the seed that wrote the row.
    const { rows } = await c.query(`select id, created_at, updated_at from movement_cycles order by id limit 1`);
    await c.query(`update movement_cycles set is_outlier = not is_outlier where id = $1`, [rows[0].id]);
    const after = (await c.query('select created_at, updated_at from movement_cycles where id = $1', [rows[0].id])).rows[0];
    expect(after.created_at).toEqual(rows[0].created_at);
    expect(after.updated_at.getTime()).toBeGreaterThan(rows[0].updated_at.getTime());
  });
});
