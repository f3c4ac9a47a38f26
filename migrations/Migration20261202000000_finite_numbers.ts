import { Migration } from '@mikro-orm/migrations';

/**
 * Non-negative and positive float columns refuse NaN and ±Infinity too. PostgreSQL orders
 * NaN above every number, so `x >= 0` alone let `'NaN'` and `'Infinity'` in from raw SQL
 * (the API already refused them); segment arrays likewise.
 */
const CHECKED: [table: string, column: string, op: '>=' | '>'][] = [
  ['audio_processing', 'file_size_mb', '>='],
  ['audio_processing', 'sample_rate', '>'],
  ['audio_processing', 'pkl_file_size_mb', '>='],
  ['audio_processing', 'duration_seconds', '>='],
  ['biomechanics_import', 'biomechanics_sample_rate', '>'],
  ['biomechanics_import', 'duration_seconds', '>='],
  ...[
    'bio_left_sync_time',
    'bio_right_sync_time',
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
    'selected_audio_sync_time',
    'contra_selected_audio_sync_time',
    'sync_file_size_mb',
    'sync_duration',
    'mean_cycle_duration_s',
    'median_cycle_duration_s',
    'min_cycle_duration_s',
    'max_cycle_duration_s',
    'method_agreement_span',
  ].map((c): [string, string, '>='] => ['synchronization', c, '>=']),
  ...['start_time_s', 'end_time_s', 'duration_s', 'cycle_file_size_mb'].map((c): [string, string, '>='] => [
    'movement_cycles',
    c,
    '>=',
  ]),
];

const segmentsFunction = (
  valueCheck: string,
) => `create or replace function ae_valid_segments(s double precision[]) returns boolean
      language sql immutable parallel safe as $$
        select s is null or (
          coalesce(array_ndims(s), 1) = 1
          and coalesce(cardinality(s), 0) % 2 = 0
          and not exists (select 1 from unnest(s) v where ${valueCheck})
          and not exists (select 1 from generate_series(1, coalesce(cardinality(s), 0) - 1, 2) i where s[i] > s[i + 1])
        )
      $$`;

export class Migration20261202000000_finite_numbers extends Migration {
  async up(): Promise<void> {
    for (const [table, column, op] of CHECKED) {
      const name = `${table}_${column}_check`;
      this.addSql(
        `alter table "${table}" drop constraint "${name}", add constraint "${name}" check (${column} ${op} 0::double precision and ${column} < 'Infinity'::double precision)`,
      );
    }
    this.addSql(segmentsFunction(`v is null or not (v >= 0 and v < 'Infinity')`));
  }

  async down(): Promise<void> {
    this.addSql(segmentsFunction('v is null or v < 0'));
    for (const [table, column, op] of CHECKED) {
      const name = `${table}_${column}_check`;
      this.addSql(
        `alter table "${table}" drop constraint "${name}", add constraint "${name}" check (${column} ${op} 0::double precision)`,
      );
    }
  }
}
