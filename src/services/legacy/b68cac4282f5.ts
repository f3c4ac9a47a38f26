/**
 * The predecessor's database as SQLAlchemy's `create_all` built it from src/db/models.py at
 * commit 3bd95ba (Spiewart/knee-acoustic-emissions), stamped at Alembic revision b68cac4282f5.
 * docs/legacy-import.md explains every quirk handled here.
 */
import type { LegacyLayout } from './layout';

/** Columns that carry the same name and meaning in both schemas. */
const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, `x.${n}`]));

/**
 * Bookkeeping times (created_at, updated_at, processing_date) are `timestamp without time zone`
 * there, written from timezone-aware UTC values: PostgreSQL stored them as wall-clock times of
 * the writing session's TimeZone, which is the server's default. Read back in that zone they are
 * the instants they were. Device times (file_time, recording_time, …) are wall-clock times in
 * both schemas and are copied unchanged.
 */
const instant = (column: string) => `(x.${column} at time zone current_setting('TimeZone'))`;
const bookkeeping = (...names: string[]) => Object.fromEntries(names.map((n) => [n, instant(n)]));

const PER_CHANNEL = (base: string) => [base, `${base}_ch1`, `${base}_ch2`, `${base}_ch3`, `${base}_ch4`];

const AUDIO_COLUMNS = [
  'participant_id',
  'biomechanics_import_id',
  'audio_file_name',
  'device_serial',
  'firmware_version',
  'file_time',
  'file_size_mb',
  'recording_date',
  'recording_time',
  'recording_timezone',
  'knee',
  'maneuver',
  'num_channels',
  'sample_rate',
  'mic_1_position',
  'mic_2_position',
  'mic_3_position',
  'mic_4_position',
  'mic_1_notes',
  'mic_2_notes',
  'mic_3_notes',
  'mic_4_notes',
  'notes',
  'pkl_file_path',
  'pkl_file_checksum',
  'pkl_file_size_mb',
  'pkl_file_modified',
  'audio_qc_version',
  ...PER_CHANNEL('audio_qc_fail'),
  ...PER_CHANNEL('qc_artifact_type'),
  ...PER_CHANNEL('qc_fail_segments'),
  ...PER_CHANNEL('qc_signal_dropout'),
  ...PER_CHANNEL('qc_signal_dropout_segments'),
  ...PER_CHANNEL('qc_artifact'),
  ...PER_CHANNEL('qc_artifact_segments'),
  'processing_status',
  'error_message',
  'duration_seconds',
];

const BIOMECHANICS_COLUMNS = [
  'participant_id',
  'audio_processing_id',
  'biomechanics_file',
  'sheet_name',
  'biomechanics_type',
  'knee',
  'maneuver',
  'biomechanics_sync_method',
  'biomechanics_sample_rate',
  'biomechanics_notes',
  'num_sub_recordings',
  'duration_seconds',
  'num_data_points',
  'num_passes',
  'biomech_qc_version',
  'biomechanics_qc_fail',
  'biomechanics_qc_notes',
  'processing_status',
  'error_message',
];

const SYNCHRONIZATION_COLUMNS = [
  'participant_id',
  'audio_processing_id',
  'biomechanics_import_id',
  'pass_number',
  'speed',
  'bio_left_sync_time',
  'bio_right_sync_time',
  'bio_sync_offset',
  'aligned_sync_time',
  'sync_method',
  'consensus_methods',
  'consensus_time',
  'rms_time',
  'onset_time',
  'freq_time',
  'bio_selected_sync_time',
  'contra_bio_selected_sync_time',
  'audio_visual_sync_time',
  'audio_visual_sync_time_contralateral',
  'audio_sync_time_left',
  'audio_sync_time_right',
  'audio_sync_offset',
  'selected_audio_sync_time',
  'contra_selected_audio_sync_time',
  'stomp_detection_methods',
  'selected_stomp_method',
  'sync_file_name',
  'sync_file_path',
  'sync_file_checksum',
  'sync_file_size_mb',
  'sync_file_modified',
  'sync_duration',
  'total_cycles_extracted',
  'clean_cycles',
  'outlier_cycles',
  'mean_cycle_duration_s',
  'median_cycle_duration_s',
  'min_cycle_duration_s',
  'max_cycle_duration_s',
  'method_agreement_span',
  'sync_qc_fail',
  'sync_qc_notes',
  'processing_status',
  'error_message',
];

const CYCLE_COLUMNS = [
  'participant_id',
  'audio_processing_id',
  'biomechanics_import_id',
  'synchronization_id',
  'cycle_file',
  'cycle_index',
  'is_outlier',
  'start_time_s',
  'end_time_s',
  'duration_s',
  'audio_start_time',
  'audio_end_time',
  'bio_start_time',
  'bio_end_time',
  'biomechanics_qc_fail',
  'sync_qc_fail',
  'biomechanics_qc_version',
  'sync_qc_version',
  'cycle_file_path',
  'cycle_file_checksum',
  'cycle_file_size_mb',
  'cycle_file_modified',
];

/** A SHA-256 written in upper case is the same checksum; this schema stores it in lower case. */
const lowercaseChecksum = (target: 'audio_processing' | 'synchronization' | 'movement_cycles', column: string) => ({
  target,
  rule: `${column}_lowercased`,
  description: `${column}: a hex SHA-256 in upper or mixed case is stored in lower case (the same checksum)`,
  where: `${column} ~ '^[0-9a-fA-F]{64}$' and ${column} <> lower(${column})`,
  set: `${column} = lower(${column})`,
  offending: `jsonb_build_object('${column}', ${column})`,
});

export const LAYOUT_B68CAC4282F5: LegacyLayout = {
  revision: 'b68cac4282f5',
  source: 'src/db/models.py at 3bd95ba (SQLAlchemy create_all, Alembic b68cac4282f5)',
  tables: {
    studies: ['id', 'name', 'created_at'],
    participants: ['id', 'study_participant_id', 'study_id', 'created_at'],
    audio_processing: ['id', ...AUDIO_COLUMNS, 'processing_date', 'created_at', 'updated_at'],
    biomechanics_imports: ['id', ...BIOMECHANICS_COLUMNS, 'processing_date', 'created_at', 'updated_at'],
    synchronizations: ['id', ...SYNCHRONIZATION_COLUMNS, 'processing_date', 'created_at', 'updated_at'],
    movement_cycles: ['id', ...CYCLE_COLUMNS, 'created_at', 'updated_at'],
  },
  mappings: [
    { legacy: 'studies', target: 'study', columns: { ...same('id', 'name'), ...bookkeeping('created_at') } },
    {
      legacy: 'participants',
      target: 'participant',
      // The swapped names: the study's id is in study_participant_id, the participant's number in study_id.
      columns: {
        id: 'x.id',
        study_id: 'x.study_participant_id',
        study_participant_id: 'x.study_id',
        ...bookkeeping('created_at'),
      },
    },
    {
      legacy: 'audio_processing',
      target: 'audio_processing',
      columns: { ...same('id', ...AUDIO_COLUMNS), ...bookkeeping('processing_date', 'created_at', 'updated_at') },
    },
    {
      legacy: 'biomechanics_imports',
      target: 'biomechanics_import',
      columns: {
        ...same('id', ...BIOMECHANICS_COLUMNS),
        ...bookkeeping('processing_date', 'created_at', 'updated_at'),
      },
    },
    {
      legacy: 'synchronizations',
      target: 'synchronization',
      columns: {
        ...same('id', ...SYNCHRONIZATION_COLUMNS),
        ...bookkeeping('processing_date', 'created_at', 'updated_at'),
      },
    },
    {
      legacy: 'movement_cycles',
      target: 'movement_cycles',
      columns: {
        ...same('id', ...CYCLE_COLUMNS),
        ...bookkeeping('created_at', 'updated_at'),
        // The predecessor wrote a cycle row only once it had extracted
        // the cycle; it kept no processing fields for cycles.
        processing_date: instant('created_at'),
        processing_status: `'success'`,
      },
    },
  ],
  derive: {
    // A synchronization is of its audio record's knee and maneuver (the biomechanics import must agree: checked after).
    synchronization: [
      `update stage_synchronization s set knee = a.knee, maneuver = a.maneuver from stage_audio_processing a where a.id = s.audio_processing_id`,
    ],
    // A cycle is of its audio record's knee and maneuver, and of its synchronization's pass and speed.
    movement_cycles: [
      `update stage_movement_cycles c
          set (knee, maneuver) = (select a.knee, a.maneuver from stage_audio_processing a where a.id = c.audio_processing_id),
              (pass_number, speed) = (select s.pass_number, s.speed from stage_synchronization s where s.id = c.synchronization_id)`,
    ],
  },
  conversions: [
    {
      target: 'synchronization',
      rule: 'speed_normal_is_medium',
      description:
        "speed 'normal' is the predecessor's internal name of 'medium' (src/orchestration/participant.py maps one to the other)",
      where: `speed = 'normal'`,
      set: `speed = 'medium'`,
      offending: `jsonb_build_object('speed', speed)`,
    },
    lowercaseChecksum('audio_processing', 'pkl_file_checksum'),
    lowercaseChecksum('synchronization', 'sync_file_checksum'),
    lowercaseChecksum('movement_cycles', 'cycle_file_checksum'),
  ],
  rejectWithParent: ['movement_cycles.synchronization_id'],
};

export const LAYOUTS: LegacyLayout[] = [LAYOUT_B68CAC4282F5];
