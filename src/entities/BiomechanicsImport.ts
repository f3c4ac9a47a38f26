import { Entity, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import { BoolColumn, EnumColumn, FloatColumn, IntColumn, ReferenceColumn, StringColumn, TextColumn } from './columns';
import { BiomechanicsSyncMethod, BiomechanicsType, Knee, Maneuver } from './enums';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';

/** One biomechanics file or sheet (participant × knee × maneuver). */
@ObjectType({ description: 'One biomechanics recording (file or sheet) of a participant: knee × maneuver.' })
@Entity({ tableName: 'biomechanics_import' })
@Unique({
  name: 'biomechanics_import_participant_file_knee_maneuver_key',
  properties: ['participant', 'biomechanicsFile', 'knee', 'maneuver'],
})
export class BiomechanicsImport extends ProcessingRecord {
  @ReferenceColumn(() => Participant, { deleteRule: 'cascade', orderable: true })
  participant!: Participant;

  /** The audio recorded at the same time (the other side of the circular pair). */
  @ReferenceColumn(() => AudioProcessing, { nullable: true, deleteRule: 'set null' })
  audioProcessing?: AudioProcessing | null;

  declare readonly participantId: number;
  declare readonly audioProcessingId: number | null;

  @StringColumn(255, { orderable: true }) biomechanicsFile!: string;
  @StringColumn(100, { nullable: true }) sheetName?: string | null;
  @EnumColumn(BiomechanicsType, { orderable: true }) biomechanicsType!: BiomechanicsType;
  @EnumColumn(Knee, { orderable: true }) knee!: Knee;
  @EnumColumn(Maneuver, { orderable: true }) maneuver!: Maneuver;
  @EnumColumn(BiomechanicsSyncMethod) biomechanicsSyncMethod!: BiomechanicsSyncMethod;
  @FloatColumn({ positive: true }) biomechanicsSampleRate!: number;
  @TextColumn() biomechanicsNotes?: string | null;
  @IntColumn({ min: 0 }) numSubRecordings!: number;
  @FloatColumn({ min: 0, orderable: true }) durationSeconds!: number;
  @IntColumn({ min: 0 }) numDataPoints!: number;
  @IntColumn({ min: 0, default: 0 }) numPasses: number = 0;
  @StringColumn(20, { nullable: true }) biomechQcVersion?: string | null;
  @BoolColumn() biomechanicsQcFail = false;
  @TextColumn() biomechanicsQcNotes?: string | null;
}
