/**
 * Synchronization's float columns written out by hand from the lab's data model, not read from
 * the entity declarations: the tests that check the schema, its CHECKs and the sample data
 * compare what PostgreSQL and the generator do with this list, so it must not come from the code
 * under test.
 */

/** The sync times (seconds into the recording), in the data model's order; all float null. */
export const SYNC_TIMES = [
  'bio_left_sync_time',
  'bio_right_sync_time',
  'bio_sync_offset',
  'aligned_sync_time',
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
];

/** The two offsets may be negative; every other sync time is ≥ 0. */
export const SYNC_OFFSETS = ['bio_sync_offset', 'audio_sync_offset'];
export const NON_NEGATIVE_SYNC_TIMES = SYNC_TIMES.filter((t) => !SYNC_OFFSETS.includes(t));

/** The file's and the cycles' float statistics: ≥ 0. */
export const SYNC_FLOAT_STATS = [
  'sync_file_size_mb',
  'sync_duration',
  'mean_cycle_duration_s',
  'median_cycle_duration_s',
  'min_cycle_duration_s',
  'max_cycle_duration_s',
  'method_agreement_span',
];

/** A column's field name in the inputs and the GraphQL schema: `sync_file_size_mb` → `syncFileSizeMb`. */
export const fieldOf = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
