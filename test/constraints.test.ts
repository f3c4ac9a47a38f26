/**
 * Every CHECK and unique key of the schema rejects a violating row, and deletes cascade
 * (or set null) as docs/data-model.md says. Rows are written with plain SQL so the database's
 * own rules are what is tested, not the API's validation. The CHECKs are driven from the
 * catalog: each one (named or inline) needs a case below that it rejects with 23514 naming
 * it, and boundary values it accepts, or the test fails.
 */
import { useTestDatabase } from './helpers/test-database';
import { NON_NEGATIVE_SYNC_TIMES, SYNC_FLOAT_STATS } from './helpers/data-model';
import { TABLES } from '../src/entities';

const { sql: c } = useTestDatabase({ seed: { participantsPerStudy: 1 }, sql: true });

/** Clone one existing row of `table` (chosen by `where`) with `overrides`; returns the violated constraint or 'ok'. */
async function cloneWith(table: string, where: string, overrides: Record<string, unknown>): Promise<string> {
  const { rows } = await c.query(`select to_jsonb(t) - 'id' as row from ${table} t where ${where} order by id limit 1`);
  expect(rows).toHaveLength(1);
  const row = { ...rows[0].row, ...overrides };
  const cols = Object.keys(row)
    .map((k) => `"${k}"`)
    .join(', ');
  await c.query('savepoint s');
  try {
    await c.query(
      `insert into ${table} (${cols}) select ${cols} from jsonb_populate_record(null::${table}, $1::jsonb)`,
      [JSON.stringify(row)],
    );
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
    [
      'audio_processing',
      'unknown maneuver',
      fe,
      { audio_file_name: 'x', maneuver: 'jump' },
      'audio_processing_maneuver_check',
    ],
    [
      'audio_processing',
      'five channels',
      fe,
      { audio_file_name: 'x', num_channels: 5 },
      'audio_processing_num_channels_check',
    ],
    [
      'audio_processing',
      'zero channels',
      fe,
      { audio_file_name: 'x', num_channels: 0 },
      'audio_processing_num_channels_check',
    ],
    [
      'audio_processing',
      'zero sample rate',
      fe,
      { audio_file_name: 'x', sample_rate: 0 },
      'audio_processing_sample_rate_check',
    ],
    [
      'audio_processing',
      'negative file size',
      fe,
      { audio_file_name: 'x', file_size_mb: -0.1 },
      'audio_processing_file_size_mb_check',
    ],
    [
      'audio_processing',
      'negative firmware',
      fe,
      { audio_file_name: 'x', firmware_version: -1 },
      'audio_processing_firmware_version_check',
    ],
    [
      'audio_processing',
      'negative duration',
      fe,
      { audio_file_name: 'x', duration_seconds: -1 },
      'audio_processing_duration_seconds_check',
    ],
    [
      'audio_processing',
      'short checksum',
      fe,
      { audio_file_name: 'x', pkl_file_checksum: 'abc123' },
      'audio_processing_pkl_file_checksum_check',
    ],
    [
      'audio_processing',
      'non-hex checksum',
      fe,
      { audio_file_name: 'x', pkl_file_checksum: 'g'.repeat(64) },
      'audio_processing_pkl_file_checksum_check',
    ],
    [
      'audio_processing',
      'unknown mic position',
      fe,
      { audio_file_name: 'x', mic_3_position: 'XYZ' },
      'audio_processing_mic_3_position_check',
    ],
    [
      'audio_processing',
      'unknown artifact type',
      fe,
      { audio_file_name: 'x', qc_artifact_type_ch2: ['Sporadic'] },
      'audio_processing_qc_artifact_type_ch2_check',
    ],
    [
      'audio_processing',
      'odd-length segments',
      fe,
      { audio_file_name: 'x', audio_qc_fail: true, qc_fail_segments: [1, 2, 3] },
      'audio_processing_qc_fail_segments_check',
    ],
    [
      'audio_processing',
      'segment start > end',
      fe,
      { audio_file_name: 'x', qc_artifact: true, qc_artifact_segments_ch1: [2, 1] },
      'audio_processing_qc_artifact_segments_ch1_check',
    ],
    [
      'audio_processing',
      'negative segment time',
      fe,
      { audio_file_name: 'x', qc_signal_dropout_segments_ch4: [-1, 1] },
      'audio_processing_qc_signal_dropout_segments_ch4_check',
    ],
    [
      'audio_processing',
      'QC pass with fail segments',
      fe,
      { audio_file_name: 'x', audio_qc_fail: false, qc_fail_segments: [1, 2] },
      'audio_processing_audio_qc_fail_segments_check',
    ],
    [
      'audio_processing',
      'channel QC pass with fail segments',
      fe,
      { audio_file_name: 'x', audio_qc_fail_ch3: false, qc_fail_segments_ch3: [1, 2] },
      'audio_processing_audio_qc_fail_ch3_segments_check',
    ],
    [
      'audio_processing',
      'recording time on another day',
      fe,
      { audio_file_name: 'x', recording_date: '2024-01-01T00:00:00', recording_time: '2024-01-02T09:00:00' },
      'audio_processing_recording_same_date_check',
    ],
    [
      'audio_processing',
      'duplicate (participant, file, knee, maneuver)',
      fe,
      {},
      'audio_processing_participant_file_knee_maneuver_key',
    ],
    [
      'biomechanics_import',
      'unknown type',
      fe,
      { biomechanics_file: 'x', biomechanics_type: 'Video' },
      'biomechanics_import_biomechanics_type_check',
    ],
    [
      'biomechanics_import',
      'unknown sync method',
      fe,
      { biomechanics_file: 'x', biomechanics_sync_method: 'clap' },
      'biomechanics_import_biomechanics_sync_method_check',
    ],
    [
      'biomechanics_import',
      'zero sample rate',
      fe,
      { biomechanics_file: 'x', biomechanics_sample_rate: 0 },
      'biomechanics_import_biomechanics_sample_rate_check',
    ],
    [
      'biomechanics_import',
      'negative passes',
      fe,
      { biomechanics_file: 'x', num_passes: -1 },
      'biomechanics_import_num_passes_check',
    ],
    [
      'biomechanics_import',
      'duplicate (participant, file, knee, maneuver)',
      fe,
      {},
      'biomechanics_import_participant_file_knee_maneuver_key',
    ],
    [
      'synchronization',
      'walk without pass number',
      walk,
      { pass_number: null },
      'synchronization_walk_pass_speed_check',
    ],
    [
      'synchronization',
      'walk without speed',
      walk,
      { speed: null, pass_number: 99 },
      'synchronization_walk_pass_speed_check',
    ],
    [
      'synchronization',
      'fe with a pass and speed',
      fe,
      { pass_number: 1, speed: 'slow' },
      'synchronization_walk_pass_speed_check',
    ],
    ['synchronization', 'pass number 0', walk, { pass_number: 0 }, 'synchronization_pass_number_check'],
    ['synchronization', 'unknown speed', walk, { speed: 'sprint', pass_number: 99 }, 'synchronization_speed_check'],
    [
      'synchronization',
      'biomechanics stomp method without its times',
      walk,
      { pass_number: 99, bio_selected_sync_time: null },
      'synchronization_biomechanics_stomp_times_check',
    ],
    [
      'synchronization',
      'audio stomp method without its times',
      walk,
      { pass_number: 99, contra_selected_audio_sync_time: null },
      'synchronization_audio_stomp_times_check',
    ],
    [
      'synchronization',
      'left and right audio times without offset',
      walk,
      { pass_number: 99, audio_sync_offset: null },
      'synchronization_audio_sync_offset_check',
    ],
    [
      'synchronization',
      'unknown stomp detection method',
      walk,
      { pass_number: 99, stomp_detection_methods: ['vibes'] },
      'synchronization_stomp_detection_methods_check',
    ],
    [
      'synchronization',
      'negative cycle count',
      walk,
      { pass_number: 99, total_cycles_extracted: -1 },
      'synchronization_total_cycles_extracted_check',
    ],
    ['synchronization', 'duplicate fe sync (null pass and speed)', fe, {}, 'synchronization_natural_key'],
    ['synchronization', 'duplicate walk sync', walk, {}, 'synchronization_natural_key'],
    [
      'movement_cycles',
      'end before start',
      fe,
      { cycle_index: 999, start_time_s: 5, end_time_s: 4 },
      'movement_cycles_end_after_start_check',
    ],
    [
      'movement_cycles',
      'negative duration',
      fe,
      { cycle_index: 999, duration_s: -1 },
      'movement_cycles_duration_s_check',
    ],
    ['movement_cycles', 'negative cycle index', fe, { cycle_index: -1 }, 'movement_cycles_cycle_index_check'],
    [
      'movement_cycles',
      'biomechanics linked without bio times',
      fe,
      { cycle_index: 999, bio_end_time: null },
      'movement_cycles_bio_times_check',
    ],
    [
      'movement_cycles',
      'walk cycle without speed',
      walk,
      { cycle_index: 999, speed: null },
      'movement_cycles_walk_pass_speed_check',
    ],
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

/** Stored vocabularies, written out from docs/data-model.md (not taken from src/). */
const VOCABULARY = {
  study: ['AOA', 'preOA', 'SMoCK'],
  knee: ['left', 'right'],
  maneuver: ['fe', 'sts', 'walk'],
  speed: ['slow', 'medium', 'fast', 'comfortable'],
  mic: ['IPM', 'IPL', 'SPM', 'SPL'],
  biomechanicsType: ['Gonio', 'IMU', 'Motion Analysis'],
  biomechanicsSyncMethod: ['flick', 'stomp'],
  syncMethod: ['consensus', 'biomechanics'],
  stompMethod: ['audio', 'consensus', 'biomechanics'],
  artifactType: ['Intermittent', 'Continuous'],
  processingStatus: ['not_processed', 'success', 'error'],
};

type Table =
  'study' | 'participant' | 'audio_processing' | 'biomechanics_import' | 'synchronization' | 'movement_cycles';
type Kind =
  | '≥ 0'
  | '> 0'
  | 'range'
  | 'hex checksum'
  | 'vocabulary'
  | 'array of vocabulary'
  | 'segments'
  | 'qc fail covers segments'
  | 'start ≤ end'
  | 'walk ⇒ pass and speed'
  | 'recording date'
  | 'required together';

/**
 * One CHECK constraint: `bad` SET clauses each break it (and only it), `ok` SET clauses are
 * boundary or otherwise valid values it must accept. Both are applied with UPDATE to the
 * first valid seeded row of `table` matching `row`.
 */
interface CheckCase {
  kind: Kind;
  table: Table;
  row?: string;
  bad: string[];
  ok: string[];
  /**
   * Constraints a `bad` clause cannot help breaking too (they are dropped, inside the test's
   * transaction, so this one is tested alone).
   */
  alsoBreaks?: string[];
  /** SQL run before the `ok` clauses (to make room under a unique key the vocabulary leaves no room in). */
  beforeOk?: string;
}

const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
const textArray = (vs: (string | null)[]) => `array[${vs.map((v) => (v === null ? 'null' : q(v))).join(', ')}]::text[]`;
const flipCase = (v: string) => (v.toLowerCase() === v ? v.toUpperCase() : v.toLowerCase());
const CHANNELS = ['', '_ch1', '_ch2', '_ch3', '_ch4'];
const FE = `maneuver = 'fe'`;
const WALK = `maneuver = 'walk'`;

function nonNegative(table: Table, column: string, type: 'int' | 'float', row?: string): CheckCase {
  return {
    kind: '≥ 0',
    table,
    row,
    // NaN sorts above every number in PostgreSQL: `x >= 0` alone would let it (and Infinity) in.
    bad:
      type === 'int'
        ? [`${column} = -1`, `${column} = -2147483648`]
        : [
            `${column} = -0.001`,
            `${column} = -1e-300`,
            `${column} = '-Infinity'`,
            `${column} = 'Infinity'`,
            `${column} = 'NaN'`,
          ],
    ok: [`${column} = 0`, `${column} = ${type === 'int' ? '2147483647' : '1.7976931348623157e308'}`],
  };
}

function positive(table: Table, column: string): CheckCase {
  return {
    kind: '> 0',
    table,
    bad: [
      `${column} = 0`,
      `${column} = -0.001`,
      `${column} = '-Infinity'`,
      `${column} = 'Infinity'`,
      `${column} = 'NaN'`,
    ],
    ok: [`${column} = 1e-300`, `${column} = 0.001`, `${column} = 46875`, `${column} = 1.7976931348623157e308`],
  };
}

function checksum(table: Table, column: string): CheckCase {
  return {
    kind: 'hex checksum',
    table,
    bad: [
      q('a'.repeat(63)),
      q('A'.repeat(64)),
      q('g'.repeat(64)),
      q(` ${'a'.repeat(63)}`),
      q(`${'a'.repeat(63)}\n`),
      q(''),
    ].map((v) => `${column} = ${v}`),
    ok: [q('0'.repeat(64)), q('0123456789abcdef'.repeat(4)), 'null'].map((v) => `${column} = ${v}`),
  };
}

/** A text column checked against `values`; `extra(v)` adds what another check needs alongside value v. */
function vocabulary(
  table: Table,
  column: string,
  values: string[],
  o: { row?: string; extra?: (v: string) => string; nullable?: boolean } = {},
): CheckCase {
  const and = (v: string) => (o.extra?.(v) ? `, ${o.extra(v)}` : '');
  return {
    kind: 'vocabulary',
    table,
    row: o.row,
    bad: ['not-a-value', flipCase(values[0]), `${values[0]} `, values[0].replace(' ', '_'), '']
      .filter((v) => !values.includes(v))
      .map((v) => `${column} = ${q(v)}`),
    ok: [...values.map((v) => `${column} = ${q(v)}${and(v)}`), ...(o.nullable ? [`${column} = null`] : [])],
  };
}

function vocabularyArray(table: Table, column: string, values: string[]): CheckCase {
  return {
    kind: 'array of vocabulary',
    table,
    bad: [[values[1], 'not-a-value'], [flipCase(values[1])], [null], ['']].map((vs) => `${column} = ${textArray(vs)}`),
    ok: [`${column} = ${textArray([])}`, `${column} = ${textArray([values[1]])}`, `${column} = null`],
  };
}

/** A segment list; `also` is what another check needs alongside any non-empty list (a QC fail flag). */
function segments(column: string, also?: string): CheckCase {
  const and = also ? `, ${also}` : '';
  return {
    kind: 'segments',
    table: 'audio_processing',
    bad: [
      `'{1,2,3}'`,
      `'{0,1,5,4}'`,
      `'{-0.5,1}'`,
      `'{1,null}'`,
      `'{{1,2},{3,4}}'`,
      `'{0,NaN}'`,
      `'{0,Infinity}'`,
      `'{NaN,NaN}'`,
    ].map((v) => `${column} = ${v}${and}`),
    ok: [`'{}'`, `'{0,0}'`, `'{1.5,2.25,10,11}'`, 'null'].map((v) => `${column} = ${v}${and}`),
  };
}

/** A walk's pass number is at least 1. */
const positivePassNumber = (table: Table): CheckCase => ({
  kind: '> 0',
  table,
  row: WALK,
  bad: ['pass_number = 0', 'pass_number = -1'],
  ok: ['pass_number = 1', 'pass_number = 2147483647'],
});

/**
 * A stomp detection method among stomp_detection_methods needs both its sync times;
 * `without` lists methods lacking it.
 */
const stompTimes = (method: string, time: string, contraTime: string, without: string): CheckCase => ({
  kind: 'required together',
  table: 'synchronization',
  bad: [
    `stomp_detection_methods = '{${method}}', ${time} = null, ${contraTime} = 1`,
    `stomp_detection_methods = '{consensus,${method}}', ${time} = 1, ${contraTime} = null`,
  ],
  ok: [
    `stomp_detection_methods = '{${method}}', ${time} = 0, ${contraTime} = 0`,
    `stomp_detection_methods = '${without}', ${time} = null, ${contraTime} = null`,
    `stomp_detection_methods = null, ${time} = null, ${contraTime} = null`,
  ],
});

const walkPassAndSpeed = (table: Table): CheckCase => ({
  kind: 'walk ⇒ pass and speed',
  table,
  row: WALK,
  bad: [
    'pass_number = null',
    'speed = null',
    'pass_number = null, speed = null',
    `maneuver = 'fe'`,
    `maneuver = 'sts', speed = null`,
    `maneuver = 'fe', pass_number = null`,
  ],
  ok: [
    `pass_number = 1, speed = 'comfortable'`,
    `maneuver = 'fe', pass_number = null, speed = null`,
    `maneuver = 'sts', pass_number = null, speed = null`,
  ],
});

const processingStatus = (table: Table) => vocabulary(table, 'processing_status', VOCABULARY.processingStatus);

const CHECK_CASES: Record<string, CheckCase> = {
  study_name_check: {
    ...vocabulary('study', 'name', VOCABULARY.study),
    // Three names, three seeded studies: keep one (the others go, cascading, inside the test's
    // transaction) and rename it to each.
    beforeOk: 'delete from study where id <> (select min(id) from study)',
  },
  participant_study_participant_id_check: nonNegative('participant', 'study_participant_id', 'int'),

  audio_processing_processing_status_check: processingStatus('audio_processing'),
  audio_processing_knee_check: vocabulary('audio_processing', 'knee', VOCABULARY.knee),
  audio_processing_maneuver_check: vocabulary('audio_processing', 'maneuver', VOCABULARY.maneuver),
  ...Object.fromEntries(
    [1, 2, 3, 4].map((i) => [
      `audio_processing_mic_${i}_position_check`,
      vocabulary('audio_processing', `mic_${i}_position`, VOCABULARY.mic),
    ]),
  ),
  audio_processing_firmware_version_check: nonNegative('audio_processing', 'firmware_version', 'int'),
  audio_processing_file_size_mb_check: nonNegative('audio_processing', 'file_size_mb', 'float'),
  audio_processing_num_channels_check: {
    kind: 'range',
    table: 'audio_processing',
    bad: ['num_channels = 0', 'num_channels = 5', 'num_channels = -1'],
    ok: ['num_channels = 1', 'num_channels = 2', 'num_channels = 3', 'num_channels = 4'],
  },
  audio_processing_sample_rate_check: positive('audio_processing', 'sample_rate'),
  audio_processing_pkl_file_checksum_check: checksum('audio_processing', 'pkl_file_checksum'),
  audio_processing_pkl_file_size_mb_check: nonNegative('audio_processing', 'pkl_file_size_mb', 'float'),
  audio_processing_duration_seconds_check: nonNegative('audio_processing', 'duration_seconds', 'float'),
  ...Object.fromEntries(
    CHANNELS.map((ch) => [
      `audio_processing_qc_artifact_type${ch}_check`,
      vocabularyArray('audio_processing', `qc_artifact_type${ch}`, VOCABULARY.artifactType),
    ]),
  ),
  ...Object.fromEntries(
    CHANNELS.map((ch) => [
      `audio_processing_qc_fail_segments${ch}_check`,
      segments(`qc_fail_segments${ch}`, `audio_qc_fail${ch} = true`),
    ]),
  ),
  ...Object.fromEntries(
    CHANNELS.map((ch) => [
      `audio_processing_qc_signal_dropout_segments${ch}_check`,
      segments(`qc_signal_dropout_segments${ch}`),
    ]),
  ),
  ...Object.fromEntries(
    CHANNELS.map((ch) => [`audio_processing_qc_artifact_segments${ch}_check`, segments(`qc_artifact_segments${ch}`)]),
  ),
  ...Object.fromEntries(
    CHANNELS.map((ch): [string, CheckCase] => [
      `audio_processing_audio_qc_fail${ch}_segments_check`,
      {
        kind: 'qc fail covers segments',
        table: 'audio_processing',
        bad: [
          `audio_qc_fail${ch} = false, qc_fail_segments${ch} = '{1,2}'`,
          `audio_qc_fail${ch} = false, qc_fail_segments${ch} = '{0,0,3,4}'`,
        ],
        ok: [
          `audio_qc_fail${ch} = false, qc_fail_segments${ch} = '{}'`,
          `audio_qc_fail${ch} = false, qc_fail_segments${ch} = null`,
          `audio_qc_fail${ch} = true, qc_fail_segments${ch} = '{1,2}'`,
          `audio_qc_fail${ch} = true, qc_fail_segments${ch} = null`,
        ],
      },
    ]),
  ),
  audio_processing_recording_same_date_check: {
    kind: 'recording date',
    table: 'audio_processing',
    bad: [
      `recording_date = '2024-03-05 00:00', recording_time = '2024-03-06 00:00'`,
      `recording_date = '2024-03-05 00:00', recording_time = '2024-03-04 23:59:59.999999'`,
      `recording_date = '2024-03-05 00:00', recording_time = '2025-03-05 09:30'`,
    ],
    ok: [
      `recording_date = '2024-03-05 00:00', recording_time = '2024-03-05 00:00'`,
      `recording_date = '2024-03-05 00:00', recording_time = '2024-03-05 23:59:59.999999'`,
      `recording_date = '2024-03-05 18:00', recording_time = '2024-03-05 06:00'`,
    ],
  },

  biomechanics_import_processing_status_check: processingStatus('biomechanics_import'),
  biomechanics_import_biomechanics_type_check: vocabulary(
    'biomechanics_import',
    'biomechanics_type',
    VOCABULARY.biomechanicsType,
  ),
  biomechanics_import_knee_check: vocabulary('biomechanics_import', 'knee', VOCABULARY.knee),
  biomechanics_import_maneuver_check: vocabulary('biomechanics_import', 'maneuver', VOCABULARY.maneuver),
  biomechanics_import_biomechanics_sync_method_check: vocabulary(
    'biomechanics_import',
    'biomechanics_sync_method',
    VOCABULARY.biomechanicsSyncMethod,
  ),
  biomechanics_import_biomechanics_sample_rate_check: positive('biomechanics_import', 'biomechanics_sample_rate'),
  biomechanics_import_num_sub_recordings_check: nonNegative('biomechanics_import', 'num_sub_recordings', 'int'),
  biomechanics_import_duration_seconds_check: nonNegative('biomechanics_import', 'duration_seconds', 'float'),
  biomechanics_import_num_data_points_check: nonNegative('biomechanics_import', 'num_data_points', 'int'),
  biomechanics_import_num_passes_check: nonNegative('biomechanics_import', 'num_passes', 'int'),

  synchronization_processing_status_check: processingStatus('synchronization'),
  synchronization_knee_check: vocabulary('synchronization', 'knee', VOCABULARY.knee),
  synchronization_maneuver_check: vocabulary('synchronization', 'maneuver', VOCABULARY.maneuver, {
    row: FE,
    extra: (v) => (v === 'walk' ? `pass_number = 1, speed = 'slow'` : ''),
  }),
  synchronization_speed_check: vocabulary('synchronization', 'speed', VOCABULARY.speed, { row: WALK }),
  synchronization_sync_method_check: vocabulary('synchronization', 'sync_method', VOCABULARY.syncMethod, {
    nullable: true,
  }),
  synchronization_selected_stomp_method_check: vocabulary(
    'synchronization',
    'selected_stomp_method',
    VOCABULARY.stompMethod,
    { nullable: true },
  ),
  synchronization_stomp_detection_methods_check: {
    kind: 'array of vocabulary',
    table: 'synchronization',
    bad: [['consensus', 'vibes'], ['Consensus'], [null], ['']].map(
      (vs) => `stomp_detection_methods = ${textArray(vs)}`,
    ),
    ok: [
      `stomp_detection_methods = ${textArray([])}`,
      `stomp_detection_methods = ${textArray(['consensus'])}`,
      'stomp_detection_methods = null',
      `stomp_detection_methods = ${textArray(VOCABULARY.stompMethod)}, bio_selected_sync_time = 1, contra_bio_selected_sync_time = 2, selected_audio_sync_time = 1, contra_selected_audio_sync_time = 2`,
    ],
  },
  synchronization_pass_number_check: positivePassNumber('synchronization'),
  ...Object.fromEntries(
    NON_NEGATIVE_SYNC_TIMES.map((t) => [`synchronization_${t}_check`, nonNegative('synchronization', t, 'float')]),
  ),
  synchronization_sync_file_checksum_check: checksum('synchronization', 'sync_file_checksum'),
  ...Object.fromEntries(
    SYNC_FLOAT_STATS.map((t) => [`synchronization_${t}_check`, nonNegative('synchronization', t, 'float')]),
  ),
  ...Object.fromEntries(
    ['total_cycles_extracted', 'clean_cycles', 'outlier_cycles'].map((t) => [
      `synchronization_${t}_check`,
      nonNegative('synchronization', t, 'int'),
    ]),
  ),
  synchronization_audio_sync_offset_check: {
    kind: 'required together',
    table: 'synchronization',
    bad: ['audio_sync_time_left = 1, audio_sync_time_right = 2, audio_sync_offset = null'],
    ok: [
      'audio_sync_time_left = 1, audio_sync_time_right = 2, audio_sync_offset = -0.5, bio_sync_offset = -0.5', // offsets may be negative
      'audio_sync_time_left = 1, audio_sync_time_right = null, audio_sync_offset = null',
      'audio_sync_time_left = null, audio_sync_time_right = 2, audio_sync_offset = null',
      'audio_sync_time_left = null, audio_sync_time_right = null, audio_sync_offset = 0',
    ],
  },
  synchronization_audio_stomp_times_check: stompTimes(
    'audio',
    'selected_audio_sync_time',
    'contra_selected_audio_sync_time',
    '{consensus}',
  ),
  synchronization_biomechanics_stomp_times_check: stompTimes(
    'biomechanics',
    'bio_selected_sync_time',
    'contra_bio_selected_sync_time',
    '{}',
  ),
  synchronization_walk_pass_speed_check: walkPassAndSpeed('synchronization'),

  movement_cycles_processing_status_check: processingStatus('movement_cycles'),
  movement_cycles_knee_check: vocabulary('movement_cycles', 'knee', VOCABULARY.knee),
  movement_cycles_maneuver_check: vocabulary('movement_cycles', 'maneuver', VOCABULARY.maneuver, {
    row: FE,
    extra: (v) => (v === 'walk' ? `pass_number = 1, speed = 'slow'` : ''),
  }),
  movement_cycles_speed_check: vocabulary('movement_cycles', 'speed', VOCABULARY.speed, { row: WALK }),
  movement_cycles_pass_number_check: positivePassNumber('movement_cycles'),
  movement_cycles_cycle_index_check: nonNegative('movement_cycles', 'cycle_index', 'int'),
  movement_cycles_start_time_s_check: {
    kind: '≥ 0',
    table: 'movement_cycles',
    bad: ['start_time_s = -0.001', `start_time_s = '-Infinity'`],
    ok: ['start_time_s = 0', 'start_time_s = 0, end_time_s = 0'],
  },
  movement_cycles_end_time_s_check: {
    // end ≥ start ≥ 0 already implies end ≥ 0, so a negative end also breaks start_time_s_check.
    kind: '≥ 0',
    table: 'movement_cycles',
    alsoBreaks: ['movement_cycles_start_time_s_check'],
    bad: ['start_time_s = -0.002, end_time_s = -0.001'],
    ok: ['start_time_s = 0, end_time_s = 0'],
  },
  movement_cycles_duration_s_check: nonNegative('movement_cycles', 'duration_s', 'float'),
  movement_cycles_cycle_file_checksum_check: checksum('movement_cycles', 'cycle_file_checksum'),
  movement_cycles_cycle_file_size_mb_check: nonNegative('movement_cycles', 'cycle_file_size_mb', 'float'),
  movement_cycles_bio_times_check: {
    kind: 'required together',
    table: 'movement_cycles',
    row: 'biomechanics_import_id is not null',
    bad: ['bio_start_time = null', 'bio_end_time = null', 'bio_start_time = null, bio_end_time = null'],
    ok: [
      'biomechanics_import_id = null, bio_start_time = null, bio_end_time = null',
      'biomechanics_import_id = null',
      `bio_start_time = '2024-03-05 09:30', bio_end_time = '2024-03-05 09:30'`,
    ],
  },
  movement_cycles_end_after_start_check: {
    kind: 'start ≤ end',
    table: 'movement_cycles',
    bad: ['start_time_s = 5, end_time_s = 4.999', 'start_time_s = 1e300, end_time_s = 0'],
    ok: ['start_time_s = 5, end_time_s = 5', 'start_time_s = 0, end_time_s = 0', 'start_time_s = 5, end_time_s = 6'],
  },
  movement_cycles_walk_pass_speed_check: walkPassAndSpeed('movement_cycles'),
};

const REQUIRED_KINDS: Kind[] = [
  '≥ 0',
  '> 0',
  'range',
  'hex checksum',
  'vocabulary',
  'array of vocabulary',
  'segments',
  'qc fail covers segments',
  'start ≤ end',
  'walk ⇒ pass and speed',
  'recording date',
  'required together',
];

/** Every CHECK constraint of the public schema's tables, named or inline, from the catalog. */
async function catalogChecks(): Promise<{ table: string; name: string; def: string }[]> {
  const { rows } = await c.query(
    `select cl.relname as table, con.conname as name, pg_get_constraintdef(con.oid) as def
       from pg_constraint con join pg_class cl on cl.oid = con.conrelid
      where con.contype = 'c' and cl.relnamespace = 'public'::regnamespace order by 1, 2`,
  );
  return rows;
}

describe('every CHECK constraint in the catalog: a violating case it rejects, boundary values it accepts', () => {
  /** The first seeded row of the case's table; applies each SET clause to it inside its own savepoint. */
  async function update(k: CheckCase, set: string, o: { before?: string; drop?: string[] } = {}) {
    await c.query('savepoint u');
    try {
      for (const name of o.drop ?? []) await c.query(`alter table ${k.table} drop constraint ${name}`);
      if (o.before) await c.query(o.before);
      const r = await c.query(
        `update ${k.table} set ${set} where id = (select id from ${k.table} where ${k.row ?? 'true'} order by id limit 1)`,
      );
      return r.rowCount === 1 ? 'accepted' : `updated ${r.rowCount} rows (no row matches ${k.row})`;
    } catch (e: any) {
      return `${e.code} ${e.constraint ?? e.message}`;
    } finally {
      await c.query('rollback to savepoint u');
    }
  }

  it('has a case for every check of the six tables (a new check without one fails here), and no case for a check that is gone', async () => {
    const checks = await catalogChecks();
    expect(new Set(checks.map((x) => x.table))).toEqual(new Set(TABLES));
    expect(checks.filter((x) => !CHECK_CASES[x.name]).map((x) => `${x.table}.${x.name}: ${x.def}`)).toEqual([]);
    const names = new Set(checks.map((x) => x.name));
    expect(Object.keys(CHECK_CASES).filter((n) => !names.has(n))).toEqual([]);
    expect(checks.filter((x) => CHECK_CASES[x.name].table !== x.table).map((x) => x.name)).toEqual([]);
    expect(checks).toHaveLength(Object.keys(CHECK_CASES).length);
    expect(checks.length).toBeGreaterThanOrEqual(104);
  });

  it('has boundary-valid values for every kind of check', () => {
    for (const kind of REQUIRED_KINDS)
      expect(
        `${kind}: ${Object.values(CHECK_CASES).filter((k) => k.kind === kind && k.ok.length > 0).length > 0}`,
      ).toBe(`${kind}: true`);
    for (const [name, k] of Object.entries(CHECK_CASES))
      expect(`${name}: ${k.bad.length > 0 && k.ok.length > 0}`).toBe(`${name}: true`);
  });

  it.each(Object.entries(CHECK_CASES))('%s', async (name, k) => {
    const { rows } = await c.query(
      `select conrelid::regclass::text as t from pg_constraint where conname = $1 and contype = 'c'`,
      [name],
    );
    expect(rows).toEqual([{ t: k.table }]);
    // A participant with no records: rows moved to it are clear of every natural key, so an
    // accepted value is refused by nothing but a check.
    const fresh = (
      await c.query(
        `insert into participant (study_id, study_participant_id) select min(id), 424242 from study returning id`,
      )
    ).rows[0].id;
    const clear = k.table === 'study' || k.table === 'participant' ? '' : `, participant_id = ${fresh}`;
    for (const set of k.bad) {
      expect(`${set} → ${await update(k, set, { drop: k.alsoBreaks })}`).toBe(`${set} → 23514 ${name}`);
      // …and nothing else: without this check the same row is accepted.
      expect(
        `${set} → ${await update(k, set + clear, { drop: [...(k.alsoBreaks ?? []), name] })} without ${name}`,
      ).toBe(`${set} → accepted without ${name}`);
    }
    for (const set of k.ok)
      expect(`${set} → ${await update(k, set + clear, { before: k.beforeOk })}`).toBe(`${set} → accepted`);
  });
});

describe('deletes cascade as docs/data-model.md says', () => {
  const count = async (sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);

  it('deleting a study removes its participants and all their records', async () => {
    const { rows } = await c.query(
      `select s.id, array_agg(p.id) as pids from study s join participant p on p.study_id = s.id where s.name = 'AOA' group by s.id`,
    );
    const pids: number[] = rows[0].pids;
    expect(
      await count('select count(*) n from movement_cycles where participant_id = any($1)', [pids]),
    ).toBeGreaterThan(0);
    await c.query('delete from study where id = $1', [rows[0].id]);
    for (const t of ['participant', 'audio_processing', 'biomechanics_import', 'synchronization', 'movement_cycles']) {
      const col = t === 'participant' ? 'id' : 'participant_id';
      expect(`${t}: ${await count(`select count(*) n from ${t} where ${col} = any($1)`, [pids])}`).toBe(`${t}: 0`);
    }
    expect(await count(`select count(*) n from study where name <> 'AOA'`)).toBe(2);
  });

  it('deleting an audio recording removes its syncs and cycles and unlinks its biomechanics', async () => {
    const { rows } = await c.query(
      `select id, biomechanics_import_id as bio from audio_processing where maneuver = 'walk' order by id limit 1`,
    );
    const { id, bio } = rows[0];
    expect(bio).not.toBeNull();
    const otherCycles = await count('select count(*) n from movement_cycles where audio_processing_id <> $1', [id]);
    await c.query('delete from audio_processing where id = $1', [id]);
    expect(await count('select count(*) n from synchronization where audio_processing_id = $1', [id])).toBe(0);
    expect(await count('select count(*) n from movement_cycles where audio_processing_id = $1', [id])).toBe(0);
    expect(
      (await c.query('select audio_processing_id from biomechanics_import where id = $1', [bio])).rows[0]
        .audio_processing_id,
    ).toBeNull();
    expect(await count('select count(*) n from movement_cycles')).toBe(otherCycles);
  });

  it('deleting a biomechanics import removes its syncs (and their cycles) and unlinks the audio', async () => {
    const { rows } = await c.query(
      `select id, audio_processing_id as audio from biomechanics_import where maneuver = 'fe' order by id limit 1`,
    );
    const { id, audio } = rows[0];
    const syncIds = (await c.query('select id from synchronization where biomechanics_import_id = $1', [id])).rows.map(
      (r) => r.id,
    );
    expect(syncIds.length).toBeGreaterThan(0);
    await c.query('delete from biomechanics_import where id = $1', [id]);
    expect(await count('select count(*) n from synchronization where id = any($1)', [syncIds])).toBe(0);
    expect(await count('select count(*) n from movement_cycles where synchronization_id = any($1)', [syncIds])).toBe(0);
    expect(
      (await c.query('select biomechanics_import_id from audio_processing where id = $1', [audio])).rows[0]
        .biomechanics_import_id,
    ).toBeNull();
  });

  it('deleting a synchronization removes its cycles only', async () => {
    const { rows } = await c.query(
      `select id, audio_processing_id from synchronization where maneuver = 'sts' order by id limit 1`,
    );
    const before = await count('select count(*) n from audio_processing');
    await c.query('delete from synchronization where id = $1', [rows[0].id]);
    expect(await count('select count(*) n from movement_cycles where synchronization_id = $1', [rows[0].id])).toBe(0);
    expect(await count('select count(*) n from audio_processing')).toBe(before);
  });

  it('moves updated_at on update but keeps created_at', async () => {
    // now() is this test transaction's start, later than the seed that wrote the row.
    const { rows } = await c.query(`select id, created_at, updated_at from movement_cycles order by id limit 1`);
    await c.query(`update movement_cycles set is_outlier = not is_outlier where id = $1`, [rows[0].id]);
    const after = (await c.query('select created_at, updated_at from movement_cycles where id = $1', [rows[0].id]))
      .rows[0];
    expect(after.created_at).toEqual(rows[0].created_at);
    expect(after.updated_at.getTime()).toBeGreaterThan(rows[0].updated_at.getTime());
  });
});
