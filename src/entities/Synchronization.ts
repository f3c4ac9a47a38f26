import { Check, Entity } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import {
  BoolColumn,
  ChecksumColumn,
  EnumArrayColumn,
  EnumColumn,
  FloatColumn,
  IntColumn,
  NaturalKey,
  ReferenceColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from './columns';
import { Knee, Maneuver, StompDetectionMethod, SyncMethod, WalkSpeed } from './enums';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';
import { BiomechanicsImport } from './BiomechanicsImport';

/** walk ⇒ pass and speed given; fe/sts ⇒ both absent (shared with movement_cycles). */
export const WALK_PASS_SPEED_CHECK =
  "(maneuver = 'walk' and pass_number is not null and speed is not null) or " +
  "(maneuver <> 'walk' and pass_number is null and speed is null)";

/** `method` in stomp_detection_methods ⇒ both columns given. */
const stompMethodNeeds = (method: string, a: string, b: string) =>
  `not coalesce('${method}' = any(stomp_detection_methods), false) or (${a} is not null and ${b} is not null)`;

/** Audio ⟷ biomechanics alignment: one per participant × knee × maneuver × walk pass × speed. */
@ObjectType({
  description:
    'Alignment of one audio recording with its biomechanics (one per knee × maneuver, and per pass × speed for walks).',
})
@Entity({ tableName: 'synchronization' })
@NaturalKey('synchronization', ['participant_id', 'knee', 'maneuver', 'pass_number', 'speed'])
@Check({ name: 'synchronization_walk_pass_speed_check', expression: WALK_PASS_SPEED_CHECK })
@Check({
  name: 'synchronization_biomechanics_stomp_times_check',
  expression: stompMethodNeeds('biomechanics', 'bio_selected_sync_time', 'contra_bio_selected_sync_time'),
})
@Check({
  name: 'synchronization_audio_stomp_times_check',
  expression: stompMethodNeeds('audio', 'selected_audio_sync_time', 'contra_selected_audio_sync_time'),
})
@Check({
  name: 'synchronization_audio_sync_offset_check',
  expression: 'audio_sync_time_left is null or audio_sync_time_right is null or audio_sync_offset is not null',
})
export class Synchronization extends ProcessingRecord {
  @ReferenceColumn(() => Participant, { deleteRule: 'cascade', orderable: true })
  participant!: Participant;

  @ReferenceColumn(() => AudioProcessing, { deleteRule: 'cascade', orderable: true })
  audioProcessing!: AudioProcessing;

  @ReferenceColumn(() => BiomechanicsImport, { deleteRule: 'cascade', orderable: true })
  biomechanicsImport!: BiomechanicsImport;

  declare readonly participantId: number;
  declare readonly audioProcessingId: number;
  declare readonly biomechanicsImportId: number;

  @EnumColumn(Knee, { orderable: true }) knee!: Knee;
  @EnumColumn(Maneuver, { orderable: true }) maneuver!: Maneuver;
  @IntColumn({ nullable: true, min: 1, orderable: true, description: 'Walk pass (1, 2, …); null for fe and sts.' })
  passNumber?: number | null;
  @EnumColumn(WalkSpeed, { nullable: true, orderable: true, description: 'Walk speed; null for fe and sts.' })
  speed?: WalkSpeed | null;

  // Sync times (seconds) and offsets
  @FloatColumn({ nullable: true, min: 0 }) bioLeftSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) bioRightSyncTime?: number | null;
  @FloatColumn({ nullable: true }) bioSyncOffset?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) alignedSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) consensusTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) rmsTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) onsetTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) freqTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) bioSelectedSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) contraBioSelectedSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) audioVisualSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) audioVisualSyncTimeContralateral?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) audioSyncTimeLeft?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) audioSyncTimeRight?: number | null;
  @FloatColumn({ nullable: true }) audioSyncOffset?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) selectedAudioSyncTime?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) contraSelectedAudioSyncTime?: number | null;

  // Methods
  @EnumColumn(SyncMethod, { nullable: true, orderable: true }) syncMethod?: SyncMethod | null;
  @StringColumn(100, { nullable: true }) consensusMethods?: string | null;
  @EnumArrayColumn(StompDetectionMethod) stompDetectionMethods?: StompDetectionMethod[] | null;
  @EnumColumn(StompDetectionMethod, { nullable: true }) selectedStompMethod?: StompDetectionMethod | null;

  // Sync file
  @StringColumn(255, { nullable: true }) syncFileName?: string | null;
  @StringColumn(500, { nullable: true }) syncFilePath?: string | null;
  @ChecksumColumn() syncFileChecksum?: string | null;
  @FloatColumn({ nullable: true, min: 0 }) syncFileSizeMb?: number | null;
  @TimestampColumn({ nullable: true }) syncFileModified?: Date | null;

  // Cycle statistics
  @FloatColumn({ nullable: true, min: 0, orderable: true }) syncDuration?: number | null;
  @IntColumn({ min: 0, default: 0, orderable: true }) totalCyclesExtracted: number = 0;
  @IntColumn({ min: 0, default: 0, orderable: true }) cleanCycles: number = 0;
  @IntColumn({ min: 0, default: 0, orderable: true }) outlierCycles: number = 0;
  @FloatColumn({ nullable: true, min: 0, orderable: true }) meanCycleDurationS?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) medianCycleDurationS?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) minCycleDurationS?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) maxCycleDurationS?: number | null;
  @FloatColumn({ nullable: true, min: 0 }) methodAgreementSpan?: number | null;

  @BoolColumn() syncQcFail = false;
  @TextColumn() syncQcNotes?: string | null;
}
