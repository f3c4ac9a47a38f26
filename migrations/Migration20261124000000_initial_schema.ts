import { Migration } from '@mikro-orm/migrations';

/**
 * The whole schema of docs/data-model.md from empty. Beyond what the entities generate, it creates
 * what the ORM cannot express: the `ae_valid_segments()` function the segment CHECKs call,
 * and the triggers that move `updated_at` on every update by any writer.
 */
export class Migration20261124000000_initial_schema extends Migration {
  async up(): Promise<void> {
    // Segment arrays: flattened [start, end, …] pairs, even length, non-negative, start ≤ end.
    this.addSql(`create or replace function ae_valid_segments(s double precision[]) returns boolean
      language sql immutable parallel safe as $$
        select s is null or (
          coalesce(array_ndims(s), 1) = 1
          and coalesce(cardinality(s), 0) % 2 = 0
          and not exists (select 1 from unnest(s) v where v is null or v < 0)
          and not exists (select 1 from generate_series(1, coalesce(cardinality(s), 0) - 1, 2) i where s[i] > s[i + 1])
        )
      $$`);
    this.addSql(`create or replace function ae_touch_updated_at() returns trigger
      language plpgsql as $$ begin new.updated_at := now(); return new; end $$`);

    this.addSql(`create table "study" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "name" varchar(50) not null,
      constraint study_name_check check (name ~ '^(AOA|preOA|SMoCK)$'))`);
    this.addSql('alter table "study" add constraint "study_name_key" unique ("name")');
    this.addSql(`create table "participant" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "study_id" int not null,
      "study_participant_id" int not null,
      constraint participant_study_participant_id_check check (study_participant_id >= 0))`);
    this.addSql('create index "participant_study_id_index" on "participant" ("study_id")');
    this.addSql(
      'alter table "participant" add constraint "participant_study_id_study_participant_id_key" unique ("study_id", "study_participant_id")',
    );
    this.addSql(`create table "audio_processing" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "updated_at" timestamptz(6) not null default now(),
      "processing_date" timestamptz(6) not null default now(),
      "processing_status" text check ("processing_status" in ('not_processed', 'success', 'error')) not null default 'not_processed',
      "error_message" text null,
      "participant_id" int not null,
      "biomechanics_import_id" int null,
      "audio_file_name" varchar(255) not null,
      "device_serial" varchar(50) not null,
      "firmware_version" int not null,
      "file_time" timestamp(6) not null,
      "file_size_mb" double precision not null,
      "recording_date" timestamp(6) not null,
      "recording_time" timestamp(6) not null,
      "recording_timezone" varchar(10) null,
      "knee" text check ("knee" in ('left', 'right')) not null,
      "maneuver" text check ("maneuver" in ('fe', 'sts', 'walk')) not null,
      "num_channels" int not null,
      "sample_rate" double precision not null default 46875,
      "mic_1_position" text check ("mic_1_position" in ('IPM', 'IPL', 'SPM', 'SPL')) not null,
      "mic_2_position" text check ("mic_2_position" in ('IPM', 'IPL', 'SPM', 'SPL')) not null,
      "mic_3_position" text check ("mic_3_position" in ('IPM', 'IPL', 'SPM', 'SPL')) not null,
      "mic_4_position" text check ("mic_4_position" in ('IPM', 'IPL', 'SPM', 'SPL')) not null,
      "mic_1_notes" text null,
      "mic_2_notes" text null,
      "mic_3_notes" text null,
      "mic_4_notes" text null,
      "notes" text null,
      "pkl_file_path" varchar(500) null,
      "pkl_file_checksum" varchar(64) null,
      "pkl_file_size_mb" double precision null,
      "pkl_file_modified" timestamp(6) null,
      "audio_qc_version" varchar(20) null,
      "audio_qc_fail" boolean not null default false,
      "audio_qc_fail_ch1" boolean not null default false,
      "audio_qc_fail_ch2" boolean not null default false,
      "audio_qc_fail_ch3" boolean not null default false,
      "audio_qc_fail_ch4" boolean not null default false,
      "qc_artifact_type" text[] null,
      "qc_artifact_type_ch1" text[] null,
      "qc_artifact_type_ch2" text[] null,
      "qc_artifact_type_ch3" text[] null,
      "qc_artifact_type_ch4" text[] null,
      "qc_fail_segments" float8[] null,
      "qc_fail_segments_ch1" float8[] null,
      "qc_fail_segments_ch2" float8[] null,
      "qc_fail_segments_ch3" float8[] null,
      "qc_fail_segments_ch4" float8[] null,
      "qc_signal_dropout" boolean not null default false,
      "qc_signal_dropout_ch1" boolean not null default false,
      "qc_signal_dropout_ch2" boolean not null default false,
      "qc_signal_dropout_ch3" boolean not null default false,
      "qc_signal_dropout_ch4" boolean not null default false,
      "qc_signal_dropout_segments" float8[] null,
      "qc_signal_dropout_segments_ch1" float8[] null,
      "qc_signal_dropout_segments_ch2" float8[] null,
      "qc_signal_dropout_segments_ch3" float8[] null,
      "qc_signal_dropout_segments_ch4" float8[] null,
      "qc_artifact" boolean not null default false,
      "qc_artifact_ch1" boolean not null default false,
      "qc_artifact_ch2" boolean not null default false,
      "qc_artifact_ch3" boolean not null default false,
      "qc_artifact_ch4" boolean not null default false,
      "qc_artifact_segments" float8[] null,
      "qc_artifact_segments_ch1" float8[] null,
      "qc_artifact_segments_ch2" float8[] null,
      "qc_artifact_segments_ch3" float8[] null,
      "qc_artifact_segments_ch4" float8[] null,
      "duration_seconds" double precision null,
      constraint audio_processing_firmware_version_check check (firmware_version >= 0),
      constraint audio_processing_file_size_mb_check check (file_size_mb >= 0::double precision),
      constraint audio_processing_num_channels_check check (num_channels >= 1 and num_channels <= 4),
      constraint audio_processing_sample_rate_check check (sample_rate > 0::double precision),
      constraint audio_processing_pkl_file_checksum_check check (pkl_file_checksum ~ '^[0-9a-f]{64}$'),
      constraint audio_processing_pkl_file_size_mb_check check (pkl_file_size_mb >= 0::double precision),
      constraint audio_processing_qc_artifact_type_check check (qc_artifact_type <@ array['Intermittent', 'Continuous']::text[]),
      constraint audio_processing_qc_artifact_type_ch1_check check (qc_artifact_type_ch1 <@ array['Intermittent', 'Continuous']::text[]),
      constraint audio_processing_qc_artifact_type_ch2_check check (qc_artifact_type_ch2 <@ array['Intermittent', 'Continuous']::text[]),
      constraint audio_processing_qc_artifact_type_ch3_check check (qc_artifact_type_ch3 <@ array['Intermittent', 'Continuous']::text[]),
      constraint audio_processing_qc_artifact_type_ch4_check check (qc_artifact_type_ch4 <@ array['Intermittent', 'Continuous']::text[]),
      constraint audio_processing_qc_fail_segments_check check (ae_valid_segments(qc_fail_segments) = true),
      constraint audio_processing_qc_fail_segments_ch1_check check (ae_valid_segments(qc_fail_segments_ch1) = true),
      constraint audio_processing_qc_fail_segments_ch2_check check (ae_valid_segments(qc_fail_segments_ch2) = true),
      constraint audio_processing_qc_fail_segments_ch3_check check (ae_valid_segments(qc_fail_segments_ch3) = true),
      constraint audio_processing_qc_fail_segments_ch4_check check (ae_valid_segments(qc_fail_segments_ch4) = true),
      constraint audio_processing_qc_signal_dropout_segments_check check (ae_valid_segments(qc_signal_dropout_segments) = true),
      constraint audio_processing_qc_signal_dropout_segments_ch1_check check (ae_valid_segments(qc_signal_dropout_segments_ch1) = true),
      constraint audio_processing_qc_signal_dropout_segments_ch2_check check (ae_valid_segments(qc_signal_dropout_segments_ch2) = true),
      constraint audio_processing_qc_signal_dropout_segments_ch3_check check (ae_valid_segments(qc_signal_dropout_segments_ch3) = true),
      constraint audio_processing_qc_signal_dropout_segments_ch4_check check (ae_valid_segments(qc_signal_dropout_segments_ch4) = true),
      constraint audio_processing_qc_artifact_segments_check check (ae_valid_segments(qc_artifact_segments) = true),
      constraint audio_processing_qc_artifact_segments_ch1_check check (ae_valid_segments(qc_artifact_segments_ch1) = true),
      constraint audio_processing_qc_artifact_segments_ch2_check check (ae_valid_segments(qc_artifact_segments_ch2) = true),
      constraint audio_processing_qc_artifact_segments_ch3_check check (ae_valid_segments(qc_artifact_segments_ch3) = true),
      constraint audio_processing_qc_artifact_segments_ch4_check check (ae_valid_segments(qc_artifact_segments_ch4) = true),
      constraint audio_processing_duration_seconds_check check (duration_seconds >= 0::double precision),
      constraint audio_processing_audio_qc_fail_ch4_segments_check check (audio_qc_fail_ch4 or coalesce(cardinality(qc_fail_segments_ch4), 0) = 0),
      constraint audio_processing_audio_qc_fail_ch3_segments_check check (audio_qc_fail_ch3 or coalesce(cardinality(qc_fail_segments_ch3), 0) = 0),
      constraint audio_processing_audio_qc_fail_ch2_segments_check check (audio_qc_fail_ch2 or coalesce(cardinality(qc_fail_segments_ch2), 0) = 0),
      constraint audio_processing_audio_qc_fail_ch1_segments_check check (audio_qc_fail_ch1 or coalesce(cardinality(qc_fail_segments_ch1), 0) = 0),
      constraint audio_processing_audio_qc_fail_segments_check check (audio_qc_fail or coalesce(cardinality(qc_fail_segments), 0) = 0),
      constraint audio_processing_recording_same_date_check check (recording_time::date = recording_date::date))`);
    this.addSql('create index "audio_processing_participant_id_index" on "audio_processing" ("participant_id")');
    this.addSql(
      'create index "audio_processing_biomechanics_import_id_index" on "audio_processing" ("biomechanics_import_id")',
    );
    this.addSql('create index "audio_processing_knee_maneuver_index" on "audio_processing" ("knee", "maneuver")');
    this.addSql(
      'alter table "audio_processing" add constraint "audio_processing_participant_file_knee_maneuver_key" unique ("participant_id", "audio_file_name", "knee", "maneuver")',
    );
    this.addSql(`create table "biomechanics_import" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "updated_at" timestamptz(6) not null default now(),
      "processing_date" timestamptz(6) not null default now(),
      "processing_status" text check ("processing_status" in ('not_processed', 'success', 'error')) not null default 'not_processed',
      "error_message" text null,
      "participant_id" int not null,
      "audio_processing_id" int null,
      "biomechanics_file" varchar(255) not null,
      "sheet_name" varchar(100) null,
      "biomechanics_type" text check ("biomechanics_type" in ('Gonio', 'IMU', 'Motion Analysis')) not null,
      "knee" text check ("knee" in ('left', 'right')) not null,
      "maneuver" text check ("maneuver" in ('fe', 'sts', 'walk')) not null,
      "biomechanics_sync_method" text check ("biomechanics_sync_method" in ('flick', 'stomp')) not null,
      "biomechanics_sample_rate" double precision not null,
      "biomechanics_notes" text null,
      "num_sub_recordings" int not null,
      "duration_seconds" double precision not null,
      "num_data_points" int not null,
      "num_passes" int not null default 0,
      "biomech_qc_version" varchar(20) null,
      "biomechanics_qc_fail" boolean not null default false,
      "biomechanics_qc_notes" text null,
      constraint biomechanics_import_biomechanics_sample_rate_check check (biomechanics_sample_rate > 0::double precision),
      constraint biomechanics_import_num_sub_recordings_check check (num_sub_recordings >= 0),
      constraint biomechanics_import_duration_seconds_check check (duration_seconds >= 0::double precision),
      constraint biomechanics_import_num_data_points_check check (num_data_points >= 0),
      constraint biomechanics_import_num_passes_check check (num_passes >= 0))`);
    this.addSql('create index "biomechanics_import_participant_id_index" on "biomechanics_import" ("participant_id")');
    this.addSql(
      'create index "biomechanics_import_audio_processing_id_index" on "biomechanics_import" ("audio_processing_id")',
    );
    this.addSql(
      'alter table "biomechanics_import" add constraint "biomechanics_import_participant_file_knee_maneuver_key" unique ("participant_id", "biomechanics_file", "knee", "maneuver")',
    );
    this.addSql(`create table "synchronization" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "updated_at" timestamptz(6) not null default now(),
      "processing_date" timestamptz(6) not null default now(),
      "processing_status" text check ("processing_status" in ('not_processed', 'success', 'error')) not null default 'not_processed',
      "error_message" text null,
      "participant_id" int not null,
      "audio_processing_id" int not null,
      "biomechanics_import_id" int not null,
      "knee" text check ("knee" in ('left', 'right')) not null,
      "maneuver" text check ("maneuver" in ('fe', 'sts', 'walk')) not null,
      "pass_number" int null,
      "speed" text check ("speed" in ('slow', 'medium', 'fast', 'comfortable')) null,
      "bio_left_sync_time" double precision null,
      "bio_right_sync_time" double precision null,
      "bio_sync_offset" double precision null,
      "aligned_sync_time" double precision null,
      "consensus_time" double precision null,
      "rms_time" double precision null,
      "onset_time" double precision null,
      "freq_time" double precision null,
      "bio_selected_sync_time" double precision null,
      "contra_bio_selected_sync_time" double precision null,
      "audio_visual_sync_time" double precision null,
      "audio_visual_sync_time_contralateral" double precision null,
      "audio_sync_time_left" double precision null,
      "audio_sync_time_right" double precision null,
      "audio_sync_offset" double precision null,
      "selected_audio_sync_time" double precision null,
      "contra_selected_audio_sync_time" double precision null,
      "sync_method" text check ("sync_method" in ('consensus', 'biomechanics')) null,
      "consensus_methods" varchar(100) null,
      "stomp_detection_methods" text[] null,
      "selected_stomp_method" text check ("selected_stomp_method" in ('audio', 'consensus', 'biomechanics')) null,
      "sync_file_name" varchar(255) null,
      "sync_file_path" varchar(500) null,
      "sync_file_checksum" varchar(64) null,
      "sync_file_size_mb" double precision null,
      "sync_file_modified" timestamp(6) null,
      "sync_duration" double precision null,
      "total_cycles_extracted" int not null default 0,
      "clean_cycles" int not null default 0,
      "outlier_cycles" int not null default 0,
      "mean_cycle_duration_s" double precision null,
      "median_cycle_duration_s" double precision null,
      "min_cycle_duration_s" double precision null,
      "max_cycle_duration_s" double precision null,
      "method_agreement_span" double precision null,
      "sync_qc_fail" boolean not null default false,
      "sync_qc_notes" text null,
      constraint synchronization_pass_number_check check (pass_number >= 1),
      constraint synchronization_bio_left_sync_time_check check (bio_left_sync_time >= 0::double precision),
      constraint synchronization_bio_right_sync_time_check check (bio_right_sync_time >= 0::double precision),
      constraint synchronization_aligned_sync_time_check check (aligned_sync_time >= 0::double precision),
      constraint synchronization_consensus_time_check check (consensus_time >= 0::double precision),
      constraint synchronization_rms_time_check check (rms_time >= 0::double precision),
      constraint synchronization_onset_time_check check (onset_time >= 0::double precision),
      constraint synchronization_freq_time_check check (freq_time >= 0::double precision),
      constraint synchronization_bio_selected_sync_time_check check (bio_selected_sync_time >= 0::double precision),
      constraint synchronization_contra_bio_selected_sync_time_check check (contra_bio_selected_sync_time >= 0::double precision),
      constraint synchronization_audio_visual_sync_time_check check (audio_visual_sync_time >= 0::double precision),
      constraint synchronization_audio_visual_sync_time_contralateral_check check (audio_visual_sync_time_contralateral >= 0::double precision),
      constraint synchronization_audio_sync_time_left_check check (audio_sync_time_left >= 0::double precision),
      constraint synchronization_audio_sync_time_right_check check (audio_sync_time_right >= 0::double precision),
      constraint synchronization_selected_audio_sync_time_check check (selected_audio_sync_time >= 0::double precision),
      constraint synchronization_contra_selected_audio_sync_time_check check (contra_selected_audio_sync_time >= 0::double precision),
      constraint synchronization_stomp_detection_methods_check check (stomp_detection_methods <@ array['audio', 'consensus', 'biomechanics']::text[]),
      constraint synchronization_sync_file_checksum_check check (sync_file_checksum ~ '^[0-9a-f]{64}$'),
      constraint synchronization_sync_file_size_mb_check check (sync_file_size_mb >= 0::double precision),
      constraint synchronization_sync_duration_check check (sync_duration >= 0::double precision),
      constraint synchronization_total_cycles_extracted_check check (total_cycles_extracted >= 0),
      constraint synchronization_clean_cycles_check check (clean_cycles >= 0),
      constraint synchronization_outlier_cycles_check check (outlier_cycles >= 0),
      constraint synchronization_mean_cycle_duration_s_check check (mean_cycle_duration_s >= 0::double precision),
      constraint synchronization_median_cycle_duration_s_check check (median_cycle_duration_s >= 0::double precision),
      constraint synchronization_min_cycle_duration_s_check check (min_cycle_duration_s >= 0::double precision),
      constraint synchronization_max_cycle_duration_s_check check (max_cycle_duration_s >= 0::double precision),
      constraint synchronization_method_agreement_span_check check (method_agreement_span >= 0::double precision),
      constraint synchronization_audio_sync_offset_check check (audio_sync_time_left is null or audio_sync_time_right is null or audio_sync_offset is not null),
      constraint synchronization_audio_stomp_times_check check (not coalesce('audio' = any(stomp_detection_methods), false) or (selected_audio_sync_time is not null and contra_selected_audio_sync_time is not null)),
      constraint synchronization_biomechanics_stomp_times_check check (not coalesce('biomechanics' = any(stomp_detection_methods), false) or (bio_selected_sync_time is not null and contra_bio_selected_sync_time is not null)),
      constraint synchronization_walk_pass_speed_check check ((maneuver = 'walk' and pass_number is not null and speed is not null) or (maneuver <> 'walk' and pass_number is null and speed is null)))`);
    this.addSql('create index "synchronization_participant_id_index" on "synchronization" ("participant_id")');
    this.addSql(
      'create index "synchronization_audio_processing_id_index" on "synchronization" ("audio_processing_id")',
    );
    this.addSql(
      'create index "synchronization_biomechanics_import_id_index" on "synchronization" ("biomechanics_import_id")',
    );
    this.addSql(
      'alter table "synchronization" add constraint "synchronization_natural_key" unique nulls not distinct ("participant_id", "knee", "maneuver", "pass_number", "speed")',
    );
    this.addSql(`create table "movement_cycles" (
      "id" serial primary key,
      "created_at" timestamptz(6) not null default now(),
      "updated_at" timestamptz(6) not null default now(),
      "processing_date" timestamptz(6) not null default now(),
      "processing_status" text check ("processing_status" in ('not_processed', 'success', 'error')) not null default 'not_processed',
      "error_message" text null,
      "participant_id" int not null,
      "audio_processing_id" int not null,
      "biomechanics_import_id" int null,
      "synchronization_id" int null,
      "knee" text check ("knee" in ('left', 'right')) not null,
      "maneuver" text check ("maneuver" in ('fe', 'sts', 'walk')) not null,
      "pass_number" int null,
      "speed" text check ("speed" in ('slow', 'medium', 'fast', 'comfortable')) null,
      "cycle_file" varchar(255) not null,
      "cycle_index" int not null,
      "is_outlier" boolean not null default false,
      "start_time_s" double precision not null,
      "end_time_s" double precision not null,
      "duration_s" double precision not null,
      "audio_start_time" timestamp(6) not null,
      "audio_end_time" timestamp(6) not null,
      "bio_start_time" timestamp(6) null,
      "bio_end_time" timestamp(6) null,
      "biomechanics_qc_fail" boolean not null default false,
      "sync_qc_fail" boolean not null default false,
      "biomechanics_qc_version" varchar(20) null,
      "sync_qc_version" varchar(20) null,
      "cycle_file_path" varchar(500) null,
      "cycle_file_checksum" varchar(64) null,
      "cycle_file_size_mb" double precision null,
      "cycle_file_modified" timestamp(6) null,
      constraint movement_cycles_pass_number_check check (pass_number >= 1),
      constraint movement_cycles_cycle_index_check check (cycle_index >= 0),
      constraint movement_cycles_start_time_s_check check (start_time_s >= 0::double precision),
      constraint movement_cycles_end_time_s_check check (end_time_s >= 0::double precision),
      constraint movement_cycles_duration_s_check check (duration_s >= 0::double precision),
      constraint movement_cycles_cycle_file_checksum_check check (cycle_file_checksum ~ '^[0-9a-f]{64}$'),
      constraint movement_cycles_cycle_file_size_mb_check check (cycle_file_size_mb >= 0::double precision),
      constraint movement_cycles_bio_times_check check (biomechanics_import_id is null or (bio_start_time is not null and bio_end_time is not null)),
      constraint movement_cycles_end_after_start_check check (end_time_s >= start_time_s),
      constraint movement_cycles_walk_pass_speed_check check ((maneuver = 'walk' and pass_number is not null and speed is not null) or (maneuver <> 'walk' and pass_number is null and speed is null)))`);
    this.addSql('create index "movement_cycles_participant_id_index" on "movement_cycles" ("participant_id")');
    this.addSql(
      'create index "movement_cycles_audio_processing_id_index" on "movement_cycles" ("audio_processing_id")',
    );
    this.addSql(
      'create index "movement_cycles_biomechanics_import_id_index" on "movement_cycles" ("biomechanics_import_id")',
    );
    this.addSql('create index "movement_cycles_synchronization_id_index" on "movement_cycles" ("synchronization_id")');
    this.addSql(
      'alter table "movement_cycles" add constraint "movement_cycles_natural_key" unique nulls not distinct ("participant_id", "knee", "maneuver", "pass_number", "speed", "cycle_index")',
    );
    this.addSql(
      'alter table "participant" add constraint "participant_study_id_foreign" foreign key ("study_id") references "study" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "audio_processing" add constraint "audio_processing_participant_id_foreign" foreign key ("participant_id") references "participant" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "audio_processing" add constraint "audio_processing_biomechanics_import_id_foreign" foreign key ("biomechanics_import_id") references "biomechanics_import" ("id") on update cascade on delete set null',
    );
    this.addSql(
      'alter table "biomechanics_import" add constraint "biomechanics_import_participant_id_foreign" foreign key ("participant_id") references "participant" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "biomechanics_import" add constraint "biomechanics_import_audio_processing_id_foreign" foreign key ("audio_processing_id") references "audio_processing" ("id") on update cascade on delete set null',
    );
    this.addSql(
      'alter table "synchronization" add constraint "synchronization_participant_id_foreign" foreign key ("participant_id") references "participant" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "synchronization" add constraint "synchronization_audio_processing_id_foreign" foreign key ("audio_processing_id") references "audio_processing" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "synchronization" add constraint "synchronization_biomechanics_import_id_foreign" foreign key ("biomechanics_import_id") references "biomechanics_import" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "movement_cycles" add constraint "movement_cycles_participant_id_foreign" foreign key ("participant_id") references "participant" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "movement_cycles" add constraint "movement_cycles_audio_processing_id_foreign" foreign key ("audio_processing_id") references "audio_processing" ("id") on update cascade on delete cascade',
    );
    this.addSql(
      'alter table "movement_cycles" add constraint "movement_cycles_biomechanics_import_id_foreign" foreign key ("biomechanics_import_id") references "biomechanics_import" ("id") on update cascade on delete set null',
    );
    this.addSql(
      'alter table "movement_cycles" add constraint "movement_cycles_synchronization_id_foreign" foreign key ("synchronization_id") references "synchronization" ("id") on update cascade on delete cascade',
    );

    this.addSql(
      'create trigger "audio_processing_touch_updated_at" before update on "audio_processing" for each row execute function ae_touch_updated_at()',
    );
    this.addSql(
      'create trigger "biomechanics_import_touch_updated_at" before update on "biomechanics_import" for each row execute function ae_touch_updated_at()',
    );
    this.addSql(
      'create trigger "synchronization_touch_updated_at" before update on "synchronization" for each row execute function ae_touch_updated_at()',
    );
    this.addSql(
      'create trigger "movement_cycles_touch_updated_at" before update on "movement_cycles" for each row execute function ae_touch_updated_at()',
    );
  }

  async down(): Promise<void> {
    this.addSql('drop table if exists "movement_cycles" cascade');
    this.addSql('drop table if exists "synchronization" cascade');
    this.addSql('drop table if exists "biomechanics_import" cascade');
    this.addSql('drop table if exists "audio_processing" cascade');
    this.addSql('drop table if exists "participant" cascade');
    this.addSql('drop table if exists "study" cascade');
    this.addSql('drop function if exists ae_touch_updated_at()');
    this.addSql('drop function if exists ae_valid_segments(double precision[])');
  }
}
