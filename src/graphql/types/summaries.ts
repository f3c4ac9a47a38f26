/** Result types of the inspection queries (computed by src/services/read/summaries.ts). */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BiomechanicsSyncMethod, Knee, Maneuver, StudyName, SyncMethod } from '../../entities/enums';
import type {
  AudioQcSummary,
  ChannelQcCounts,
  ParticipantOverview,
  ParticipantOverviewRow,
  StudyRowCounts,
  SyncStatsRow,
} from '../../services/read';

@ObjectType({ description: 'Rows in one table.' })
export class TableRowCount {
  @Field(() => String, { description: 'Table name as in the operations guide.' }) table!: string;
  @Field(() => Int) rows!: number;
}

@ObjectType('StudyRowCounts', { description: 'Rows of one study in each table.' })
export class StudyRowCountsType implements StudyRowCounts {
  @Field(() => StudyName) study!: StudyName;
  @Field(() => Int) participants!: number;
  @Field(() => Int) audioProcessings!: number;
  @Field(() => Int) biomechanicsImports!: number;
  @Field(() => Int) synchronizations!: number;
  @Field(() => Int) movementCycles!: number;
}

@ObjectType({ description: "What is in the database: rows per table (the guide's UNION ALL count) and per study." })
export class DatabaseSummary {
  @Field(() => [TableRowCount]) tables!: TableRowCount[];
  @Field(() => [StudyRowCountsType]) studies!: StudyRowCountsType[];
}

@ObjectType() // lends its fields only: never referenced, so never emitted
class QcCounts {
  @Field(() => Int) failedQc!: number;
  @Field(() => Int) signalDropout!: number;
  @Field(() => Int) artifacts!: number;
}

@ObjectType('ChannelQcCounts', { description: 'QC counts of one channel.' })
export class ChannelQcCountsType extends QcCounts implements ChannelQcCounts {
  @Field(() => Int, { description: '1–4.' }) channel!: number;
}

@ObjectType('AudioQcSummary', {
  description:
    "The guide's audio QC summary: recordings, failed QC, signal dropout, artifacts; overall and per channel.",
})
export class AudioQcSummaryType extends QcCounts implements AudioQcSummary {
  @Field(() => Int) totalFiles!: number;
  @Field(() => [ChannelQcCountsType]) channels!: ChannelQcCountsType[];
}

export enum SynchronizationStatsGroupBy {
  biomechanicsSyncMethod = 'biomechanicsSyncMethod',
  syncMethod = 'syncMethod',
  maneuver = 'maneuver',
  knee = 'knee',
  study = 'study',
}
registerEnumType(SynchronizationStatsGroupBy, {
  name: 'SynchronizationStatsGroupBy',
  description: 'Dimensions synchronization statistics can be grouped by.',
});

@ObjectType({ description: 'Synchronization statistics of one group; only the grouped-by dimensions are set.' })
export class SynchronizationStatsRow implements SyncStatsRow {
  @Field(() => BiomechanicsSyncMethod, { nullable: true, description: 'Of the biomechanics import.' })
  biomechanicsSyncMethod?: BiomechanicsSyncMethod | null;

  @Field(() => SyncMethod, { nullable: true }) syncMethod?: SyncMethod | null;
  @Field(() => Maneuver, { nullable: true }) maneuver?: Maneuver;
  @Field(() => Knee, { nullable: true }) knee?: Knee;
  @Field(() => StudyName, { nullable: true }) study?: StudyName;
  @Field(() => Int, { description: 'Synchronizations in the group.' }) count!: number;
  @Field(() => Float, { nullable: true, description: 'Mean of totalCyclesExtracted.' }) meanTotalCycles!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean of cleanCycles.' }) meanCleanCycles!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean of outlierCycles.' }) meanOutlierCycles!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean over the synchronizations of meanCycleDurationS.' })
  meanCycleDurationS!: number | null;
}

@ObjectType('ParticipantOverviewRow', {
  description: 'One knee × maneuver of a participant: what was recorded, what failed QC, what was cut.',
})
export class ParticipantOverviewRowType implements ParticipantOverviewRow {
  @Field(() => Knee) knee!: Knee;
  @Field(() => Maneuver) maneuver!: Maneuver;
  @Field(() => Int) audioRecordings!: number;
  @Field(() => Int, { description: 'Audio recordings that failed QC.' }) audioQcFailed!: number;
  @Field(() => [Int], { description: 'Channels (1–4) on which any of these recordings failed QC.' })
  audioQcFailedChannels!: number[];
  @Field(() => Int) biomechanicsImports!: number;
  @Field(() => Int) biomechanicsQcFailed!: number;
  @Field(() => Int) synchronizations!: number;
  @Field(() => Int) syncQcFailed!: number;
  @Field(() => Int) cycles!: number;
  @Field(() => Int) outlierCycles!: number;
  @Field(() => Int) cleanCycles!: number;

  @Field(() => Float, { nullable: true, description: 'Mean duration of the clean cycles, seconds.' })
  meanCleanCycleDurationS!: number | null;
}

@ObjectType('ParticipantOverview', { description: 'A participant at a glance: one row per knee × maneuver.' })
export class ParticipantOverviewType implements ParticipantOverview {
  @Field(() => Int) participantId!: number;
  @Field(() => StudyName) study!: StudyName;
  @Field(() => Int) participantNumber!: number;
  @Field(() => [ParticipantOverviewRowType]) rows!: ParticipantOverviewRowType[];
}
