import { Check, Entity } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import {
  BoolColumn,
  ChecksumColumn,
  EnumColumn,
  FloatColumn,
  IntColumn,
  NaturalKey,
  ReferenceColumn,
  StringColumn,
  TimestampColumn,
} from './columns';
import { Knee, Maneuver, WalkSpeed } from './enums';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';
import { BiomechanicsImport } from './BiomechanicsImport';
import { Synchronization, WALK_PASS_SPEED_CHECK } from './Synchronization';

/** One extracted movement cycle (a step, a flexion-extension, a sit-to-stand). */
@ObjectType({ description: 'One extracted movement cycle: a step, a flexion-extension or a sit-to-stand.' })
@Entity({ tableName: 'movement_cycles' })
@NaturalKey('movement_cycles', ['participant_id', 'knee', 'maneuver', 'pass_number', 'speed', 'cycle_index'])
@Check({ name: 'movement_cycles_walk_pass_speed_check', expression: WALK_PASS_SPEED_CHECK })
@Check({ name: 'movement_cycles_end_after_start_check', expression: 'end_time_s >= start_time_s' })
@Check({
  name: 'movement_cycles_bio_times_check',
  expression: 'biomechanics_import_id is null or (bio_start_time is not null and bio_end_time is not null)',
})
export class MovementCycle extends ProcessingRecord {
  @ReferenceColumn(() => Participant, { deleteRule: 'cascade', orderable: true })
  participant!: Participant;

  @ReferenceColumn(() => AudioProcessing, { deleteRule: 'cascade', orderable: true })
  audioProcessing!: AudioProcessing;

  @ReferenceColumn(() => BiomechanicsImport, { nullable: true, deleteRule: 'set null' })
  biomechanicsImport?: BiomechanicsImport | null;

  @ReferenceColumn(() => Synchronization, { nullable: true, deleteRule: 'cascade', orderable: true })
  synchronization?: Synchronization | null;

  declare readonly participantId: number;
  declare readonly audioProcessingId: number;
  declare readonly biomechanicsImportId: number | null;
  declare readonly synchronizationId: number | null;

  @EnumColumn(Knee, { orderable: true }) knee!: Knee;
  @EnumColumn(Maneuver, { orderable: true }) maneuver!: Maneuver;
  @IntColumn({ nullable: true, min: 1, orderable: true }) passNumber?: number | null;
  @EnumColumn(WalkSpeed, { nullable: true, orderable: true }) speed?: WalkSpeed | null;

  @StringColumn(255) cycleFile!: string;
  @IntColumn({ min: 0, orderable: true }) cycleIndex!: number;
  @BoolColumn({ orderable: true }) isOutlier = false;

  @FloatColumn({ min: 0, orderable: true }) startTimeS!: number;
  @FloatColumn({ min: 0, orderable: true }) endTimeS!: number;
  @FloatColumn({ min: 0, orderable: true }) durationS!: number;
  @TimestampColumn({ orderable: true }) audioStartTime!: Date;
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
