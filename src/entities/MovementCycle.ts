import { Check, Entity, ManyToOne, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import { BoolColumn, ChecksumColumn, EnumColumn, FloatColumn, IntColumn, StringColumn, TimestampColumn } from './columns';
import { Knee, Maneuver, WalkSpeed } from './enums';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';
import { BiomechanicsImport } from './BiomechanicsImport';
import { Synchronization, WALK_PASS_SPEED_CHECK } from './Synchronization';

/** One extracted movement cycle (a step, a flexion-extension, a sit-to-stand). */
@ObjectType({ description: 'One extracted movement cycle: a step, a flexion-extension or a sit-to-stand.', simpleResolvers: true })
@Entity({ tableName: 'movement_cycles' })
@Unique({
  name: 'movement_cycles_natural_key',
  expression:
    'alter table "movement_cycles" add constraint "movement_cycles_natural_key" unique nulls not distinct ' +
    '("participant_id", "knee", "maneuver", "pass_number", "speed", "cycle_index")',
})
@Check({ name: 'movement_cycles_walk_pass_speed_check', expression: WALK_PASS_SPEED_CHECK })
@Check({ name: 'movement_cycles_end_after_start_check', expression: 'end_time_s >= start_time_s' })
@Check({
  name: 'movement_cycles_bio_times_check',
  expression: 'biomechanics_import_id is null or (bio_start_time is not null and bio_end_time is not null)',
})
export class MovementCycle extends ProcessingRecord {
  @ManyToOne(() => Participant, { deleteRule: 'cascade', index: 'movement_cycles_participant_id_index' })
  participant!: Participant;

  @ManyToOne(() => AudioProcessing, { deleteRule: 'cascade', index: 'movement_cycles_audio_processing_id_index' })
  audioProcessing!: AudioProcessing;

  @ManyToOne(() => BiomechanicsImport, { nullable: true, deleteRule: 'set null', index: 'movement_cycles_biomechanics_import_id_index' })
  biomechanicsImport?: BiomechanicsImport | null;

  @ManyToOne(() => Synchronization, { nullable: true, deleteRule: 'cascade', index: 'movement_cycles_synchronization_id_index' })
  synchronization?: Synchronization | null;

  // The foreign key as a number, for code holding an entity; GraphQL serves it from
  // relations.ts, which reads read-only rows and entities alike.
  get participantId(): number {
    return this.participant.id;
  }

  get audioProcessingId(): number {
    return this.audioProcessing.id;
  }

  get biomechanicsImportId(): number | null {
    return this.biomechanicsImport?.id ?? null;
  }

  get synchronizationId(): number | null {
    return this.synchronization?.id ?? null;
  }

  @EnumColumn(() => Knee, Knee) knee!: Knee;
  @EnumColumn(() => Maneuver, Maneuver) maneuver!: Maneuver;
  @IntColumn({ nullable: true, min: 1 }) passNumber?: number | null;
  @EnumColumn(() => WalkSpeed, WalkSpeed, { nullable: true }) speed?: WalkSpeed | null;

  @StringColumn(255) cycleFile!: string;
  @IntColumn({ min: 0 }) cycleIndex!: number;
  @BoolColumn() isOutlier = false;

  @FloatColumn({ min: 0 }) startTimeS!: number;
  @FloatColumn({ min: 0 }) endTimeS!: number;
  @FloatColumn({ min: 0 }) durationS!: number;
  @TimestampColumn() audioStartTime!: Date;
  @TimestampColumn() audioEndTime!: Date;
  @TimestampColumn({ nullable: true }) bioStartTime?: Date | null;
  @TimestampColumn({ nullable: true }) bioEndTime?: Date | null;

  @BoolColumn() biomechanicsQcFail = false;
  @BoolColumn() syncQcFail = false;
  @StringColumn(20, { nullable: true }) biomechanicsQcVersion?: string | null;
  @StringColumn(20, { nullable: true }) syncQcVersion?: string | null;

  @StringColumn(500, { nullable: true }) cycleFilePath?: string | null;
  @ChecksumColumn() cycleFileChecksum?: string | null;
  @FloatColumn({ nullable: true, min: 0 }) cycleFileSizeMb?: number | null;
  @TimestampColumn({ nullable: true }) cycleFileModified?: Date | null;
}
