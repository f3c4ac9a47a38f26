/**
 * The deterministic sample-data generator (same seed → same rows) behind `npm start`,
 * `ae-db seed` and the `seedSampleData` mutation. It produces plain rows keyed by SQL
 * column names, in the realistic shape of docs/data-model.md: per participant 2 knees × 3
 * maneuvers of audio and biomechanics, fe/sts/walk synchronizations, and their cycles.
 * Every row it makes obeys the write rules of docs/data-model.md.
 */
import { createHash } from 'node:crypto';
import {
  ArtifactType,
  BiomechanicsSyncMethod,
  BiomechanicsType,
  Knee,
  Maneuver,
  MicPosition,
  ProcessingStatus,
  StompDetectionMethod,
  StudyName,
  SyncMethod,
  WalkSpeed,
} from '../../entities/enums';

export type Row = Record<string, unknown>;

/** Small, fast, well-distributed PRNG; one per participant so sizes do not shift other participants' rows. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  int(min: number, max: number): number {
    return Math.floor(this.float(min, max + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  round(x: number, digits = 3): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
  }
}

/**
 * Participant numbers reserved for the sample data: no other writer may use them (the
 * write rule notSampleRange), so sample rows can never be confused with, attach to or
 * overwrite a real participant's, whose numbers look like 1011 (folder #AOA1011).
 */
export const SAMPLE_PARTICIPANT_NUMBERS = { min: 900_000, max: 999_999 } as const;

export const isSampleParticipantNumber = (n: number) =>
  n >= SAMPLE_PARTICIPANT_NUMBERS.min && n <= SAMPLE_PARTICIPANT_NUMBERS.max;

/**
 * Sample participant i of a study is base + i: AOA 901001…, preOA 902001…,
 * SMoCK 903001… (at most 5000 each, all inside the reserved range).
 */
export const STUDY_NUMBER_BASE: Record<StudyName, number> = { AOA: 901_000, preOA: 902_000, SMoCK: 903_000 };
const BIOMECHANICS_BY_STUDY: Record<StudyName, BiomechanicsType> = {
  AOA: BiomechanicsType.Motion_Analysis,
  preOA: BiomechanicsType.IMU,
  SMoCK: BiomechanicsType.Gonio,
};
const WALK_SPEEDS = [WalkSpeed.slow, WalkSpeed.medium, WalkSpeed.fast] as const;
const CYCLE_SECONDS: Record<string, number> = {
  fe: 2.6,
  sts: 3.4,
  slow: 1.35,
  medium: 1.12,
  fast: 0.95,
  comfortable: 1.05,
};
const MICS = [MicPosition.IPM, MicPosition.IPL, MicPosition.SPM, MicPosition.SPL];
const CHANNELS = ['', '_ch1', '_ch2', '_ch3', '_ch4'] as const;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function iso(d: Date): string {
  return d.toISOString();
}

function addSeconds(d: Date, s: number): Date {
  return new Date(d.getTime() + Math.round(s * 1000));
}

/** One participant's complete set of rows. Parent links use natural keys, resolved to ids on insert. */
export interface ParticipantBundle {
  study: StudyName;
  studyParticipantId: number;
  /** audio_processing rows, minus participant_id / biomechanics_import_id. */
  audio: Row[];
  /** biomechanics_import rows, minus participant_id / audio_processing_id. */
  biomechanics: Row[];
  /** synchronization rows, minus ids; `_key` names the knee × maneuver parents. */
  synchronizations: Row[];
  /** movement_cycles rows, minus ids; `_sync` is the index of the parent synchronization. */
  cycles: Row[];
}

/** Sorted random segments inside [0, duration]: flattened [start, end, …] pairs. */
function segments(rng: Rng, duration: number, count: number): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count && t < duration - 1; i++) {
    const start = rng.round(t + rng.float(0.5, Math.max(0.6, (duration - t) / (count - i + 1))));
    const end = rng.round(Math.min(duration, start + rng.float(0.05, 1.5)));
    if (start > duration || end < start) break;
    out.push(start, end);
    t = end;
  }
  return out;
}

export function generateParticipant(study: StudyName, index: number, seed: number): ParticipantBundle {
  const number = STUDY_NUMBER_BASE[study] + index;
  // Seeded as when the sample was numbered 1001…: the same seed still gives the same recordings.
  const rng = new Rng(mulberry32(seed * 1_000_003 + (number - SAMPLE_PARTICIPANT_NUMBERS.min) * 7919 + study.length));
  const tag = `${study}${number}`;
  const recordingDay = new Date(Date.UTC(2024, 0, 8) + rng.int(0, 600) * 86_400_000);
  let clock = addSeconds(recordingDay, rng.int(8 * 3600, 11 * 3600));
  const bioType = BIOMECHANICS_BY_STUDY[study];
  const bioRate = bioType === BiomechanicsType.Motion_Analysis ? 100 : bioType === BiomechanicsType.IMU ? 200 : 1000;
  const device = `HP_W11.2-${1 + (number % 5)}`;
  const failsQc = rng.chance(0.4); // ~10 % of this participant's six recordings end up failing QC
  const bundle: ParticipantBundle = {
    study,
    studyParticipantId: number,
    audio: [],
    biomechanics: [],
    synchronizations: [],
    cycles: [],
  };

  for (const knee of [Knee.left, Knee.right]) {
    for (const maneuver of [Maneuver.fe, Maneuver.sts, Maneuver.walk]) {
      const key = `${knee}/${maneuver}`;
      const walkPlan = maneuver === Maneuver.walk ? WALK_SPEEDS.map((speed) => ({ speed, passes: rng.int(1, 3) })) : [];
      const duration = rng.round(maneuver === Maneuver.walk ? rng.float(150, 260) : rng.float(40, 75), 2);
      const recordingTime = clock;
      clock = addSeconds(clock, duration + rng.int(60, 300));
      const processed = addSeconds(recordingDay, 86_400 * rng.int(2, 30));
      const fileName = `${tag}_${knee}_${maneuver}.bin`;
      const pklPath = `/data/${study}/#${tag}/${knee}/${maneuver}/${fileName.replace(/\.bin$/, '.pkl')}`;

      const audio: Row = {
        audio_file_name: fileName,
        device_serial: device,
        firmware_version: 5 + (number % 3),
        file_time: iso(recordingTime),
        file_size_mb: rng.round((duration * 46875 * 4 * 2) / 1e6, 2),
        recording_date: iso(recordingDay),
        recording_time: iso(recordingTime),
        recording_timezone: 'UTC',
        knee,
        maneuver,
        num_channels: 4,
        sample_rate: 46875,
        mic_1_position: MICS[0],
        mic_2_position: MICS[1],
        mic_3_position: MICS[2],
        mic_4_position: MICS[3],
        mic_1_notes: null,
        mic_2_notes: null,
        mic_3_notes: rng.chance(0.05) ? 'tape re-applied mid-session' : null,
        mic_4_notes: null,
        notes: rng.chance(0.1) ? 'participant reported mild discomfort' : null,
        pkl_file_path: pklPath,
        pkl_file_checksum: sha256(pklPath),
        pkl_file_size_mb: rng.round((duration * 46875 * 4 * 8) / 1e6, 2),
        pkl_file_modified: iso(processed),
        audio_qc_version: '2.1.0',
        duration_seconds: duration,
        processing_date: iso(processed),
        processing_status: ProcessingStatus.success,
        error_message: null,
      };
      for (const ch of CHANNELS) {
        audio[`audio_qc_fail${ch}`] = false;
        audio[`qc_artifact_type${ch}`] = null;
        audio[`qc_fail_segments${ch}`] = [];
        audio[`qc_signal_dropout${ch}`] = false;
        audio[`qc_signal_dropout_segments${ch}`] = [];
        audio[`qc_artifact${ch}`] = false;
        audio[`qc_artifact_segments${ch}`] = [];
      }
      if (failsQc && rng.chance(0.25)) {
        // Some channels fail: dropouts and/or artifacts, and the failing time ranges.
        const bad = [1, 2, 3, 4].filter(() => rng.chance(0.4));
        if (bad.length === 0) bad.push(rng.int(1, 4));
        for (const c of bad) {
          const fail = segments(rng, duration, rng.int(1, 3));
          audio[`audio_qc_fail_ch${c}`] = true;
          audio[`qc_fail_segments_ch${c}`] = fail;
          if (rng.chance(0.5)) {
            audio[`qc_signal_dropout_ch${c}`] = true;
            audio[`qc_signal_dropout_segments_ch${c}`] = fail.slice(0, 2);
          } else {
            const type = rng.pick([ArtifactType.Intermittent, ArtifactType.Continuous]);
            audio[`qc_artifact_ch${c}`] = true;
            audio[`qc_artifact_segments_ch${c}`] = fail;
            audio[`qc_artifact_type_ch${c}`] = [type];
          }
        }
        const all = bad.flatMap((c) => audio[`qc_fail_segments_ch${c}`] as number[]);
        audio.audio_qc_fail = true;
        audio.qc_fail_segments = mergeSegments(all);
        audio.qc_signal_dropout = bad.some((c) => audio[`qc_signal_dropout_ch${c}`]);
        audio.qc_signal_dropout_segments = mergeSegments(
          bad.flatMap((c) => audio[`qc_signal_dropout_segments_ch${c}`] as number[]),
        );
        audio.qc_artifact = bad.some((c) => audio[`qc_artifact_ch${c}`]);
        audio.qc_artifact_segments = mergeSegments(
          bad.flatMap((c) => audio[`qc_artifact_segments_ch${c}`] as number[]),
        );
        const types = [...new Set(bad.flatMap((c) => (audio[`qc_artifact_type_ch${c}`] as string[] | null) ?? []))];
        audio.qc_artifact_type = types.length ? types : null;
      }
      bundle.audio.push(audio);

      const numPasses = walkPlan.reduce((n, w) => n + w.passes, 0);
      const bioDuration = rng.round(duration - rng.float(1, 5), 2);
      const bioQcFail = rng.chance(0.04);
      bundle.biomechanics.push({
        biomechanics_file: `${tag}_biomechanics.xlsx`,
        sheet_name: `${knee === Knee.left ? 'Left' : 'Right'} ${maneuver.toUpperCase()}`,
        biomechanics_type: bioType,
        knee,
        maneuver,
        biomechanics_sync_method:
          bioType === BiomechanicsType.Gonio ? BiomechanicsSyncMethod.flick : BiomechanicsSyncMethod.stomp,
        biomechanics_sample_rate: bioRate,
        biomechanics_notes: null,
        num_sub_recordings: maneuver === Maneuver.walk ? numPasses : 1,
        duration_seconds: bioDuration,
        num_data_points: Math.round(bioDuration * bioRate),
        num_passes: numPasses,
        biomech_qc_version: '1.4.0',
        biomechanics_qc_fail: bioQcFail,
        biomechanics_qc_notes: bioQcFail ? 'marker dropout during trial' : null,
        processing_date: iso(processed),
        processing_status: ProcessingStatus.success,
        error_message: null,
      });

      // Synchronizations: one for fe/sts, one per walk speed × pass.
      const passes =
        maneuver === Maneuver.walk
          ? walkPlan.flatMap((w) =>
              Array.from({ length: w.passes }, (_, i) => ({
                speed: w.speed as WalkSpeed | null,
                pass: (i + 1) as number | null,
              })),
            )
          : [{ speed: null, pass: null }];
      const stompLeft = rng.round(rng.float(2, 6));
      for (const { speed, pass } of passes) {
        const syncIndex = bundle.synchronizations.length;
        const cycleSeconds = CYCLE_SECONDS[speed ?? maneuver];
        const count =
          maneuver === Maneuver.fe ? rng.int(8, 12) : maneuver === Maneuver.sts ? rng.int(4, 6) : rng.int(10, 25);
        const start0 = rng.round(stompLeft + rng.float(5, 15) + (pass ? (pass - 1) * 40 : 0));
        const durations: number[] = [];
        let t = start0;
        let outliers = 0;
        for (let i = 0; i < count; i++) {
          const outlier = rng.chance(0.075);
          if (outlier) outliers++;
          const d = rng.round(cycleSeconds * (outlier ? rng.float(1.5, 2.2) : rng.float(0.88, 1.12)));
          durations.push(d);
          const cyclePath = `/data/${study}/#${tag}/${knee}/${maneuver}/cycles/${speed ?? maneuver}_p${pass ?? 0}_c${String(i).padStart(3, '0')}.pkl`;
          bundle.cycles.push({
            _sync: syncIndex,
            knee,
            maneuver,
            pass_number: pass,
            speed,
            cycle_file: cyclePath.split('/').pop(),
            cycle_index: i,
            is_outlier: outlier,
            start_time_s: t,
            end_time_s: rng.round(t + d),
            duration_s: d,
            audio_start_time: iso(addSeconds(recordingTime, t)),
            audio_end_time: iso(addSeconds(recordingTime, t + d)),
            bio_start_time: iso(addSeconds(recordingTime, t)),
            bio_end_time: iso(addSeconds(recordingTime, t + d)),
            biomechanics_qc_fail: bioQcFail,
            sync_qc_fail: false,
            biomechanics_qc_version: '1.4.0',
            sync_qc_version: '1.0.3',
            cycle_file_path: cyclePath,
            cycle_file_checksum: sha256(cyclePath),
            cycle_file_size_mb: rng.round((d * 46875 * 4 * 8) / 1e6, 3),
            cycle_file_modified: iso(processed),
            processing_date: iso(processed),
            processing_status: ProcessingStatus.success,
            error_message: null,
          });
          t = rng.round(t + d + rng.float(0.05, 0.4));
        }
        const sorted = [...durations].sort((a, b) => a - b);
        const audioLeft = rng.round(stompLeft + rng.float(-0.02, 0.02));
        const audioRight = rng.round(audioLeft + rng.float(0.5, 1.5));
        const bioOffset = rng.round(rng.float(-0.05, 0.05));
        const syncPath = `/data/${study}/#${tag}/${knee}/${maneuver}/sync_${speed ?? maneuver}_p${pass ?? 0}.pkl`;
        bundle.synchronizations.push({
          _key: key,
          knee,
          maneuver,
          pass_number: pass,
          speed,
          bio_left_sync_time: stompLeft,
          bio_right_sync_time: rng.round(stompLeft + rng.float(0.5, 1.5)),
          bio_sync_offset: bioOffset,
          aligned_sync_time: rng.round(stompLeft + bioOffset),
          consensus_time: audioLeft,
          rms_time: rng.round(audioLeft + rng.float(-0.01, 0.01)),
          onset_time: rng.round(audioLeft + rng.float(-0.01, 0.01)),
          freq_time: rng.round(audioLeft + rng.float(-0.015, 0.015)),
          bio_selected_sync_time: knee === Knee.left ? stompLeft : rng.round(stompLeft + 1),
          contra_bio_selected_sync_time: knee === Knee.left ? rng.round(stompLeft + 1) : stompLeft,
          audio_visual_sync_time: rng.chance(0.3) ? audioLeft : null,
          audio_visual_sync_time_contralateral: null,
          audio_sync_time_left: audioLeft,
          audio_sync_time_right: audioRight,
          audio_sync_offset: rng.round(audioRight - audioLeft),
          selected_audio_sync_time: knee === Knee.left ? audioLeft : audioRight,
          contra_selected_audio_sync_time: knee === Knee.left ? audioRight : audioLeft,
          sync_method: rng.chance(0.8) ? SyncMethod.consensus : SyncMethod.biomechanics,
          consensus_methods: 'rms,onset,freq',
          stomp_detection_methods: [
            StompDetectionMethod.audio,
            StompDetectionMethod.consensus,
            StompDetectionMethod.biomechanics,
          ],
          selected_stomp_method: StompDetectionMethod.consensus,
          sync_file_name: syncPath.split('/').pop(),
          sync_file_path: syncPath,
          sync_file_checksum: sha256(syncPath),
          sync_file_size_mb: rng.round(duration * 0.9, 2),
          sync_file_modified: iso(processed),
          sync_duration: rng.round(t - start0, 2),
          total_cycles_extracted: count,
          clean_cycles: count - outliers,
          outlier_cycles: outliers,
          mean_cycle_duration_s: rng.round(durations.reduce((a, b) => a + b, 0) / count),
          median_cycle_duration_s: sorted[Math.floor(count / 2)],
          min_cycle_duration_s: sorted[0],
          max_cycle_duration_s: sorted[count - 1],
          method_agreement_span: rng.round(rng.float(0.001, 0.03), 4),
          sync_qc_fail: false,
          sync_qc_notes: null,
          processing_date: iso(processed),
          processing_status: ProcessingStatus.success,
          error_message: null,
        });
      }
    }
  }
  return bundle;
}

/** Union of flattened segments, sorted and merged where they overlap. */
export function mergeSegments(flat: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of pairs) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out.flat();
}

export interface SampleSize {
  participantsPerStudy: number;
  studies: StudyName[];
  seed: number;
}

export const SAMPLE_SIZES: Record<'small' | 'medium' | 'large', number> = { small: 3, medium: 100, large: 1000 };
export const ALL_STUDIES = [StudyName.AOA, StudyName.preOA, StudyName.SMoCK];
