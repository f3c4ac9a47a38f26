/**
 * The questions of the operations guide's "Data Inspection" section, answered in SQL
 * (one statement each, nothing loaded into Node): per-study counts, the audio QC summary,
 * synchronization statistics by any grouping, and the per-participant overview a
 * researcher checks first. Filters go through the same builder as every list.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  StudyName,
  type BiomechanicsSyncMethod,
  type Knee,
  type Maneuver,
  type SyncMethod,
} from '../../entities/enums';
import { UserError } from '../errors';
import { buildWhere, type AudioProcessingFilter, type SynchronizationFilter } from './filters';
import { quote, runQuery, SqlParams } from './sql';
import type { ReadPool } from '../../db/read-pool';

export interface StudyRowCounts {
  study: StudyName;
  participants: number;
  audioProcessings: number;
  biomechanicsImports: number;
  synchronizations: number;
  movementCycles: number;
}

export interface ChannelQcCounts {
  channel: number;
  failedQc: number;
  signalDropout: number;
  artifacts: number;
}

export interface AudioQcSummary {
  totalFiles: number;
  failedQc: number;
  signalDropout: number;
  artifacts: number;
  channels: ChannelQcCounts[];
}

export const SYNC_STATS_DIMENSIONS = ['biomechanicsSyncMethod', 'syncMethod', 'maneuver', 'knee', 'study'] as const;
export type SyncStatsDimension = (typeof SYNC_STATS_DIMENSIONS)[number];

export interface SyncStatsRow {
  biomechanicsSyncMethod?: BiomechanicsSyncMethod | null;
  syncMethod?: SyncMethod | null;
  maneuver?: Maneuver;
  knee?: Knee;
  study?: StudyName;
  count: number;
  meanTotalCycles: number | null;
  meanCleanCycles: number | null;
  meanOutlierCycles: number | null;
  /** Mean over synchronizations of their `mean_cycle_duration_s`. */
  meanCycleDurationS: number | null;
}

export interface ParticipantOverviewRow {
  knee: Knee;
  maneuver: Maneuver;
  audioRecordings: number;
  audioQcFailed: number;
  /** Channels (1–4) on which any of these recordings failed QC. */
  audioQcFailedChannels: number[];
  biomechanicsImports: number;
  biomechanicsQcFailed: number;
  synchronizations: number;
  syncQcFailed: number;
  cycles: number;
  outlierCycles: number;
  cleanCycles: number;
  /** Mean duration of the clean (non-outlier) cycles, seconds. */
  meanCleanCycleDurationS: number | null;
}

export interface ParticipantOverview {
  participantId: number;
  study: StudyName;
  participantNumber: number;
  rows: ParticipantOverviewRow[];
}

const CHANNELS = [1, 2, 3, 4];
const n = (v: unknown) => Number(v);
const nOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** How each grouping dimension reads, and the join it needs. */
const DIMENSION_SQL: Record<SyncStatsDimension, { expr: string; join?: 'biomechanics' | 'study' }> = {
  biomechanicsSyncMethod: { expr: 'b."biomechanics_sync_method"', join: 'biomechanics' },
  syncMethod: { expr: 't."sync_method"' },
  maneuver: { expr: 't."maneuver"' },
  knee: { expr: 't."knee"' },
  study: { expr: 's."name"', join: 'study' },
};

/** Each summary (study counts, audio QC, synchronization statistics) is one statement. */
export const SUMMARY_STATEMENTS = 1;

export class SummaryService {
  constructor(
    private readonly orm: MikroORM,
    private readonly reads: ReadPool,
  ) {}

  /** Rows per study in each table below it. */
  async studyCounts(): Promise<StudyRowCounts[]> {
    const under = (table: string) =>
      `(select count(*) from ${quote(table)} x join "participant" p on p."id" = x."participant_id" where p."study_id" = s."id")`;
    const rows = await runQuery(
      this.orm,
      this.reads,
      `select s."name" as study, (select count(*) from "participant" p where p."study_id" = s."id") as participants,
              ${under('audio_processing')} as audio, ${under('biomechanics_import')} as bio,
              ${under('synchronization')} as sync, ${under('movement_cycles')} as cycles
         from "study" s order by s."name"`,
      [],
    );
    return rows.map((r) => ({
      study: r.study as StudyName,
      participants: n(r.participants),
      audioProcessings: n(r.audio),
      biomechanicsImports: n(r.bio),
      synchronizations: n(r.sync),
      movementCycles: n(r.cycles),
    }));
  }

  /** The guide's audio QC summary (files, failed QC, dropout, artifacts), overall and per channel. */
  async audioQcSummary(filter?: AudioProcessingFilter | null): Promise<AudioQcSummary> {
    const p = new SqlParams();
    const where = buildWhere('audioProcessing', filter, 't', p);
    const counts = (suffix: string) =>
      [`audio_qc_fail${suffix}`, `qc_signal_dropout${suffix}`, `qc_artifact${suffix}`]
        .map((c) => `count(*) filter (where t.${quote(c)}) as ${quote(c)}`)
        .join(', ');
    const [r] = await runQuery(
      this.orm,
      this.reads,
      `select count(*) as total, ${['', ...CHANNELS.map((c) => `_ch${c}`)].map(counts).join(', ')}
         from "audio_processing" t where ${where}`,
      p.values,
    );
    return {
      totalFiles: n(r.total),
      failedQc: n(r.audio_qc_fail),
      signalDropout: n(r.qc_signal_dropout),
      artifacts: n(r.qc_artifact),
      channels: CHANNELS.map((c) => ({
        channel: c,
        failedQc: n(r[`audio_qc_fail_ch${c}`]),
        signalDropout: n(r[`qc_signal_dropout_ch${c}`]),
        artifacts: n(r[`qc_artifact_ch${c}`]),
      })),
    };
  }

  /** Synchronization count and mean cycle figures per group (one overall row when `groupBy` is empty). */
  async synchronizationStats(
    groupBy: readonly SyncStatsDimension[],
    filter?: SynchronizationFilter | null,
  ): Promise<SyncStatsRow[]> {
    if (!Array.isArray(groupBy)) throw new UserError(`groupBy: must be a list of ${SYNC_STATS_DIMENSIONS.join(', ')}.`);
    groupBy.forEach((d, i) => {
      if (!SYNC_STATS_DIMENSIONS.includes(d)) {
        throw new UserError(`groupBy[${i}]: ${JSON.stringify(d)} is not one of ${SYNC_STATS_DIMENSIONS.join(', ')}.`);
      }
    });
    const dims: SyncStatsDimension[] = [...new Set(groupBy)];
    const p = new SqlParams();
    const where = buildWhere('synchronization', filter, 't', p);
    const joins = new Set(dims.map((d) => DIMENSION_SQL[d].join).filter(Boolean));
    const from = [
      '"synchronization" t',
      joins.has('biomechanics') ? 'join "biomechanics_import" b on b."id" = t."biomechanics_import_id"' : '',
      joins.has('study')
        ? 'join "participant" p on p."id" = t."participant_id" join "study" s on s."id" = p."study_id"'
        : '',
    ]
      .filter(Boolean)
      .join(' ');
    const groupExprs = dims.map((d) => DIMENSION_SQL[d].expr);
    const rows = await runQuery(
      this.orm,
      this.reads,
      `select ${[
        ...dims.map((d) => `${DIMENSION_SQL[d].expr} as ${quote(d)}`),
        'count(*) as "count"',
        'avg(t."total_cycles_extracted")::float8 as "meanTotalCycles"',
        'avg(t."clean_cycles")::float8 as "meanCleanCycles"',
        'avg(t."outlier_cycles")::float8 as "meanOutlierCycles"',
        'avg(t."mean_cycle_duration_s") as "meanCycleDurationS"',
      ].join(', ')}
         from ${from} where ${where}
         ${groupExprs.length ? `group by ${groupExprs.join(', ')} order by ${groupExprs.join(', ')}` : ''}`,
      p.values,
    );
    // Without grouping an empty table still yields its one row (count 0), like SQL does.
    return rows.map((r) => ({
      ...Object.fromEntries(dims.map((d) => [d, r[d]])),
      count: n(r.count),
      meanTotalCycles: nOrNull(r.meanTotalCycles),
      meanCleanCycles: nOrNull(r.meanCleanCycles),
      meanOutlierCycles: nOrNull(r.meanOutlierCycles),
      meanCycleDurationS: nOrNull(r.meanCycleDurationS),
    }));
  }

  /** One row per knee × maneuver of a participant; null when the participant does not exist. */
  async participantOverview(study: StudyName, number: number): Promise<ParticipantOverview | null> {
    if (!Object.values(StudyName).includes(study)) {
      throw new UserError(`study: ${JSON.stringify(study)} is not one of ${Object.values(StudyName).join(', ')}.`);
    }
    if (!Number.isInteger(number) || number < 0)
      throw new UserError(`number: must be a non-negative integer (got ${JSON.stringify(number)}).`);
    const failedChannels = CHANNELS.map((c) => `case when bool_or(audio_qc_fail_ch${c}) then ${c} end`).join(', ');
    const mine = 'participant_id = (select id from target)';
    const rows = await runQuery(
      this.orm,
      this.reads,
      `with target as (
         select p."id" from "participant" p join "study" s on s."id" = p."study_id"
          where s."name" = ? and p."study_participant_id" = ?),
       audio as (
         select knee, maneuver, count(*) as audio_recordings, count(*) filter (where audio_qc_fail) as audio_qc_failed,
                array_remove(array[${failedChannels}], null) as audio_qc_failed_channels
           from "audio_processing" where ${mine} group by knee, maneuver),
       bio as (
         select knee, maneuver, count(*) as biomechanics_imports, count(*) filter (where biomechanics_qc_fail) as biomechanics_qc_failed
           from "biomechanics_import" where ${mine} group by knee, maneuver),
       sync as (
         select knee, maneuver, count(*) as synchronizations, count(*) filter (where sync_qc_fail) as sync_qc_failed
           from "synchronization" where ${mine} group by knee, maneuver),
       cycles as (
         select knee, maneuver, count(*) as cycles, count(*) filter (where is_outlier) as outlier_cycles,
                avg(duration_s) filter (where not is_outlier) as mean_clean_duration
           from "movement_cycles" where ${mine} group by knee, maneuver),
       grid as (
         select * from audio full join bio using (knee, maneuver) full join sync using (knee, maneuver)
                  full join cycles using (knee, maneuver))
       select target.id as participant_id, grid.* from target left join grid on true
        order by grid.knee, grid.maneuver`,
      [study, number],
    );
    if (rows.length === 0) return null;
    return {
      participantId: n(rows[0].participant_id),
      study,
      participantNumber: number,
      rows: rows
        .filter((r) => r.knee !== null)
        .map((r) => ({
          knee: r.knee as Knee,
          maneuver: r.maneuver as Maneuver,
          audioRecordings: n(r.audio_recordings ?? 0),
          audioQcFailed: n(r.audio_qc_failed ?? 0),
          audioQcFailedChannels: ((r.audio_qc_failed_channels as number[] | null) ?? []).map(Number),
          biomechanicsImports: n(r.biomechanics_imports ?? 0),
          biomechanicsQcFailed: n(r.biomechanics_qc_failed ?? 0),
          synchronizations: n(r.synchronizations ?? 0),
          syncQcFailed: n(r.sync_qc_failed ?? 0),
          cycles: n(r.cycles ?? 0),
          outlierCycles: n(r.outlier_cycles ?? 0),
          cleanCycles: n(r.cycles ?? 0) - n(r.outlier_cycles ?? 0),
          meanCleanCycleDurationS: nOrNull(r.mean_clean_duration),
        })),
    };
  }
}
