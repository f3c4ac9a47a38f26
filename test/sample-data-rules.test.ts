/**
 * Every row the sample-data generator makes passes the write rules of docs/data-model.md. The
 * database CHECKs already refuse most violations on insert; here each rule is restated as
 * its own SQL query over every seeded row, so a rule the schema does not (or no longer)
 * enforce is still caught, and a failure names the rule it broke.
 */
import { useTestDatabase } from './helpers/test-database';
import { NON_NEGATIVE_SYNC_TIMES, SYNC_FLOAT_STATS } from './helpers/data-model';
import { TABLES, type TableName } from '../src/entities';
import { ALL_STUDIES, generateParticipant } from '../src/services/seed/sample-data';

const PER_STUDY = 6;
const SEEDS = [1, 42];

const inList = (values: string[]) => `(${values.map((v) => `'${v}'`).join(', ')})`;
const CHANNELS = ['', '_ch1', '_ch2', '_ch3', '_ch4'];
const SEGMENTS: [string, string[]][] = [
  [
    'audio_processing',
    CHANNELS.flatMap((c) => [`qc_fail_segments${c}`, `qc_signal_dropout_segments${c}`, `qc_artifact_segments${c}`]),
  ],
];
const NON_NEGATIVE: Record<string, string[]> = {
  participant: ['study_participant_id'],
  audio_processing: ['firmware_version', 'file_size_mb', 'pkl_file_size_mb', 'duration_seconds'],
  biomechanics_import: ['num_sub_recordings', 'duration_seconds', 'num_data_points', 'num_passes'],
  synchronization: [
    ...NON_NEGATIVE_SYNC_TIMES,
    ...SYNC_FLOAT_STATS,
    'total_cycles_extracted',
    'clean_cycles',
    'outlier_cycles',
  ],
  movement_cycles: ['cycle_index', 'start_time_s', 'end_time_s', 'duration_s', 'cycle_file_size_mb'],
};
const CHECKSUMS: Record<string, string> = {
  audio_processing: 'pkl_file_checksum',
  synchronization: 'sync_file_checksum',
  movement_cycles: 'cycle_file_checksum',
};

/** The alias each table goes by in the queries below. */
const AS: Record<string, string> = {
  audio_processing: 'a',
  biomechanics_import: 'b',
  synchronization: 'y',
  movement_cycles: 'm',
};
/** Counts the `rows` whose `parent` record (by `<parent>_id`) has another participant, knee or maneuver (or `more`). */
function unlikeParent(rows: string, parent: string, more = '') {
  const [r, p] = [AS[rows], AS[parent]];
  return `select count(*) from ${rows} ${r} join ${parent} ${p} on ${p}.id = ${r}.${parent}_id
    where ${r}.participant_id <> ${p}.participant_id or ${r}.knee <> ${p}.knee or ${r}.maneuver <> ${p}.maneuver${more}`;
}

/** Rule name → a query counting the rows that break it. */
function ruleQueries(): Record<string, string> {
  const q: Record<string, string> = {};
  // Vocabulary
  q['study name in vocabulary'] = `select count(*) from study where name not in ${inList(['AOA', 'preOA', 'SMoCK'])}`;
  for (const t of TABLES.slice(2)) {
    q[`${t}: knee, maneuver in vocabulary`] =
      `select count(*) from ${t} where knee not in ('left', 'right') or maneuver not in ('fe', 'sts', 'walk')`;
    q[`${t}: processing_status in vocabulary`] =
      `select count(*) from ${t} where processing_status not in ('not_processed', 'success', 'error')`;
  }
  for (const t of ['synchronization', 'movement_cycles']) {
    q[`${t}: speed in vocabulary`] =
      `select count(*) from ${t} where speed is not null and speed not in ${inList(['slow', 'medium', 'fast', 'comfortable'])}`;
  }
  q['mic positions in vocabulary'] = `select count(*) from audio_processing where ${[1, 2, 3, 4]
    .map((i) => `mic_${i}_position not in ('IPM', 'IPL', 'SPM', 'SPL')`)
    .join(' or ')}`;
  q['artifact types in vocabulary'] = `select count(*) from audio_processing where ${CHANNELS.map(
    (c) => `not coalesce(qc_artifact_type${c} <@ array['Intermittent', 'Continuous'], true)`,
  ).join(' or ')}`;
  q['biomechanics type and sync method in vocabulary'] = `select count(*) from biomechanics_import
    where biomechanics_type not in ('Gonio', 'IMU', 'Motion Analysis') or biomechanics_sync_method not in ('flick', 'stomp')`;
  q['sync methods in vocabulary'] = `select count(*) from synchronization
    where (sync_method is not null and sync_method not in ('consensus', 'biomechanics'))
       or (selected_stomp_method is not null and selected_stomp_method not in ('audio', 'consensus', 'biomechanics'))
       or not coalesce(stomp_detection_methods <@ array['audio', 'consensus', 'biomechanics'], true)`;
  // Ids positive, counts/sizes/durations/times ≥ 0, ranges
  for (const t of TABLES) {
    const fks =
      (
        {
          participant: ['study_id'],
          audio_processing: ['participant_id', 'biomechanics_import_id'],
          biomechanics_import: ['participant_id', 'audio_processing_id'],
          synchronization: ['participant_id', 'audio_processing_id', 'biomechanics_import_id'],
          movement_cycles: ['participant_id', 'audio_processing_id', 'biomechanics_import_id', 'synchronization_id'],
        } as Partial<Record<TableName, string[]>>
      )[t] ?? [];
    q[`${t}: ids positive`] = `select count(*) from ${t} where id <= 0 ${fks.map((c) => `or ${c} <= 0`).join(' ')}`;
  }
  for (const [t, cols] of Object.entries(NON_NEGATIVE))
    q[`${t}: non-negative ${cols.length} columns`] =
      `select count(*) from ${t} where ${cols.map((c) => `${c} < 0`).join(' or ')}`;
  q['num_channels 1–4, sample rates > 0'] =
    `select (select count(*) from audio_processing where num_channels not between 1 and 4 or sample_rate <= 0)
    + (select count(*) from biomechanics_import where biomechanics_sample_rate <= 0)`;
  for (const [t, c] of Object.entries(CHECKSUMS))
    q[`${t}.${c}: 64 hex characters`] = `select count(*) from ${t} where ${c} !~ '^[0-9a-f]{64}$'`;
  q['recording_time on recording_date'] =
    `select count(*) from audio_processing where recording_time::date <> recording_date::date`;
  // walk ⇒ pass and speed; fe/sts ⇒ neither
  for (const t of ['synchronization', 'movement_cycles']) {
    q[`${t}: walk has pass > 0 and speed, fe/sts neither`] = `select count(*) from ${t}
      where (maneuver = 'walk' and (pass_number is null or pass_number <= 0 or speed is null))
         or (maneuver <> 'walk' and (pass_number is not null or speed is not null))`;
  }
  // Segments: even length, start ≤ end within each pair
  for (const [t, cols] of SEGMENTS)
    for (const c of cols) {
      q[`${t}.${c}: even length, start ≤ end`] = `select count(*) from ${t}
        where coalesce(cardinality(${c}), 0) % 2 <> 0
           or exists (select 1 from generate_series(1, coalesce(cardinality(${c}), 0) - 1, 2) i where ${c}[i] > ${c}[i + 1])`;
    }
  // QC flags cover their segments
  for (const c of CHANNELS) {
    q[`audio_qc_fail${c} true when qc_fail_segments${c} non-empty`] = `select count(*) from audio_processing
      where not audio_qc_fail${c} and coalesce(cardinality(qc_fail_segments${c}), 0) > 0`;
  }
  // Synchronization rules
  q['sync: biomechanics stomp ⇒ both bio selected times'] = `select count(*) from synchronization
    where 'biomechanics' = any(stomp_detection_methods) and (bio_selected_sync_time is null or contra_bio_selected_sync_time is null)`;
  q['sync: audio stomp ⇒ both audio selected times'] = `select count(*) from synchronization
    where 'audio' = any(stomp_detection_methods) and (selected_audio_sync_time is null or contra_selected_audio_sync_time is null)`;
  q['sync: left and right audio sync times ⇒ offset'] = `select count(*) from synchronization
    where audio_sync_time_left is not null and audio_sync_time_right is not null and audio_sync_offset is null`;
  q["sync: audio record is the participant's, same knee and maneuver"] = unlikeParent(
    'synchronization',
    'audio_processing',
  );
  q["sync: biomechanics record is the participant's, same knee and maneuver"] = unlikeParent(
    'synchronization',
    'biomechanics_import',
  );
  // Movement cycle rules
  q['cycle: biomechanics link ⇒ bio start and end times'] = `select count(*) from movement_cycles
    where biomechanics_import_id is not null and (bio_start_time is null or bio_end_time is null)`;
  q['cycle: end ≥ start'] = `select count(*) from movement_cycles where end_time_s < start_time_s`;
  q["cycle: equals its synchronization's participant, knee, maneuver, pass, speed"] = unlikeParent(
    'movement_cycles',
    'synchronization',
    ' or m.pass_number is distinct from y.pass_number or m.speed is distinct from y.speed',
  );
  q["cycle: equals its audio record's participant, knee and maneuver"] = unlikeParent(
    'movement_cycles',
    'audio_processing',
  );
  q["cycle: biomechanics record is the participant's, same knee and maneuver"] = unlikeParent(
    'movement_cycles',
    'biomechanics_import',
  );
  // The recording-time links point at each other
  q['audio ⟷ biomechanics links are mutual'] =
    `select count(*) from audio_processing a left join biomechanics_import b on b.id = a.biomechanics_import_id
    where b.id is null or b.audio_processing_id <> a.id or b.participant_id <> a.participant_id or b.knee <> a.knee or b.maneuver <> a.maneuver`;
  return q;
}

describe.each(SEEDS)('sample data with seed %i', (seed) => {
  const { sql: c } = useTestDatabase({ seed: { participantsPerStudy: PER_STUDY, seed }, sql: true });

  it('stores every generated row', async () => {
    let audio = 0;
    let syncs = 0;
    let cycles = 0;
    for (const study of ALL_STUDIES)
      for (let i = 1; i <= PER_STUDY; i++) {
        const b = generateParticipant(study, i, seed);
        audio += b.audio.length;
        syncs += b.synchronizations.length;
        cycles += b.cycles.length;
      }
    const { rows } = await c.query(`select (select count(*) from audio_processing)::int as audio,
      (select count(*) from synchronization)::int as syncs, (select count(*) from movement_cycles)::int as cycles`);
    expect(rows[0]).toEqual({ audio, syncs, cycles });
  });

  it('passes every write rule of docs/data-model.md', async () => {
    const broken: Record<string, number> = {};
    const queries = ruleQueries();
    for (const [rule, sql] of Object.entries(queries)) {
      const { rows } = await c.query(sql);
      const n = Number(Object.values(rows[0])[0]);
      if (n !== 0) broken[rule] = n;
    }
    expect(Object.keys(queries).length).toBeGreaterThan(50);
    expect(broken).toEqual({});
  });

  it('has QC failures with segments on some channels, outliers and walk passes, as real data does', async () => {
    const { rows } = await c.query(`select
      (select count(*) from audio_processing where audio_qc_fail)::int as qc_failed,
      (select count(*) from audio_processing where cardinality(qc_fail_segments_ch1 || qc_fail_segments_ch2 || qc_fail_segments_ch3 || qc_fail_segments_ch4) > 0)::int as channel_segments,
      (select count(*) from movement_cycles where is_outlier)::int as outliers,
      (select count(distinct pass_number) from synchronization where maneuver = 'walk')::int as passes`);
    expect(rows[0].qc_failed).toBeGreaterThan(0);
    expect(rows[0].channel_segments).toBe(rows[0].qc_failed);
    expect(rows[0].outliers).toBeGreaterThan(0);
    expect(rows[0].passes).toBeGreaterThan(1);
  });
});
