import { Entity, ManyToOne, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import { BoolColumn, EnumColumn, FloatColumn, IntColumn, StringColumn, TextColumn } from './columns';
import { BiomechanicsSyncMethod, BiomechanicsType, Knee, Maneuver } from './enums';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';

/** One biomechanics file or sheet (participant × knee × maneuver). */
@ObjectType({ description: 'One biomechanics recording (file or sheet) of a participant: knee × maneuver.', simpleResolvers: true })
@Entity({ tableName: 'biomechanics_import' })
@Unique({ name: 'biomechanics_import_participant_file_knee_maneuver_key', properties: ['participant', 'biomechanicsFile', 'knee', 'maneuver'] })
export class BiomechanicsImport extends ProcessingRecord {
  @ManyToOne(() => Participant, { deleteRule: 'cascade', index: 'biomechanics_import_participant_id_index' })
  participant!: Participant;

  /** The audio recorded at the same time (the other side of the circular pair). */
  @ManyToOne(() => AudioProcessing, { nullable: true, deleteRule: 'set null', index: 'biomechanics_import_audio_processing_id_index' })
  audioProcessing?: AudioProcessing | null;

  // The foreign key as a number, for code holding an entity; GraphQL serves it from
  // relations.ts, which reads read-only rows and entities alike.
  get participantId(): number {
    return this.participant.id;
  }

  get audioProcessingId(): number | null {
    return this.audioProcessing?.id ?? null;
  }

  @StringColumn(255) biomechanicsFile!: string;
  @StringColumn(100, { nullable: true }) sheetName?: string | null;
  @EnumColumn(() => BiomechanicsType, BiomechanicsType) biomechanicsType!: BiomechanicsType;
  @EnumColumn(() => Knee, Knee) knee!: Knee;
  @EnumColumn(() => Maneuver, Maneuver) maneuver!: Maneuver;
  @EnumColumn(() => BiomechanicsSyncMethod, BiomechanicsSyncMethod) biomechanicsSyncMethod!: BiomechanicsSyncMethod;
  @FloatColumn({ positive: true }) biomechanicsSampleRate!: number;
  @TextColumn() biomechanicsNotes?: string | null;
  @IntColumn({ min: 0 }) numSubRecordings!: number;
  @FloatColumn({ min: 0 }) durationSeconds!: number;
  @IntColumn({ min: 0 }) numDataPoints!: number;
  @IntColumn({ min: 0, default: 0 }) numPasses: number = 0;
  @StringColumn(20, { nullable: true }) biomechQcVersion?: string | null;
  @BoolColumn() biomechanicsQcFail = false;
  @TextColumn() biomechanicsQcNotes?: string | null;
}
