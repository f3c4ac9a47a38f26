import { Check, Entity, Index, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { ProcessingRecord } from './base';
import {
  BoolColumn,
  ChecksumColumn,
  EnumArrayColumn,
  EnumColumn,
  FloatColumn,
  IntColumn,
  SegmentsColumn,
  ReferenceColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from './columns';
import { ArtifactType, Knee, Maneuver, MicPosition } from './enums';
import { Participant } from './Participant';
import { BiomechanicsImport } from './BiomechanicsImport';

/** `flag` may not be false while `segments` holds any segment (docs/data-model.md). */
const qcFlagCovers = (flag: string, segments: string) => `${flag} or coalesce(cardinality(${segments}), 0) = 0`;

/** One audio recording (participant × knee × maneuver): file facts, pickle, and QC results. */
@ObjectType({
  description: 'One audio recording of a participant (knee × maneuver), with its file, pickle and QC results.',
})
@Entity({ tableName: 'audio_processing' })
@Unique({
  name: 'audio_processing_participant_file_knee_maneuver_key',
  properties: ['participant', 'audioFileName', 'knee', 'maneuver'],
})
@Index({ name: 'audio_processing_knee_maneuver_index', properties: ['knee', 'maneuver'] })
@Check({
  name: 'audio_processing_recording_same_date_check',
  expression: 'recording_time::date = recording_date::date',
})
@Check({
  name: 'audio_processing_audio_qc_fail_segments_check',
  expression: qcFlagCovers('audio_qc_fail', 'qc_fail_segments'),
})
@Check({
  name: 'audio_processing_audio_qc_fail_ch1_segments_check',
  expression: qcFlagCovers('audio_qc_fail_ch1', 'qc_fail_segments_ch1'),
})
@Check({
  name: 'audio_processing_audio_qc_fail_ch2_segments_check',
  expression: qcFlagCovers('audio_qc_fail_ch2', 'qc_fail_segments_ch2'),
})
@Check({
  name: 'audio_processing_audio_qc_fail_ch3_segments_check',
  expression: qcFlagCovers('audio_qc_fail_ch3', 'qc_fail_segments_ch3'),
})
@Check({
  name: 'audio_processing_audio_qc_fail_ch4_segments_check',
  expression: qcFlagCovers('audio_qc_fail_ch4', 'qc_fail_segments_ch4'),
})
export class AudioProcessing extends ProcessingRecord {
  @ReferenceColumn(() => Participant, { deleteRule: 'cascade', orderable: true })
  participant!: Participant;

  /** The biomechanics recorded at the same time (one side of a circular pair of links). */
  @ReferenceColumn(() => BiomechanicsImport, { nullable: true, deleteRule: 'set null' })
  biomechanicsImport?: BiomechanicsImport | null;

  declare readonly participantId: number;
  declare readonly biomechanicsImportId: number | null;

  // File
  @StringColumn(255, { orderable: true }) audioFileName!: string;
  @StringColumn(50) deviceSerial!: string;
  @IntColumn({ min: 0 }) firmwareVersion!: number;
  @TimestampColumn() fileTime!: Date;
  @FloatColumn({ min: 0 }) fileSizeMb!: number;

  // Recording
  @TimestampColumn({ orderable: true }) recordingDate!: Date;
  @TimestampColumn({ description: 'Falls on the calendar date of recordingDate.', orderable: true })
  recordingTime!: Date;
  @StringColumn(10, { nullable: true, description: 'UTC when not given.' }) recordingTimezone?: string | null;
  @EnumColumn(Knee, { orderable: true }) knee!: Knee;
  @EnumColumn(Maneuver, { orderable: true }) maneuver!: Maneuver;
  @IntColumn({ min: 1, max: 4 }) numChannels!: number;
  @FloatColumn({ positive: true, default: 46875 }) sampleRate: number = 46875;

  @EnumColumn(MicPosition, { fieldName: 'mic_1_position' }) mic1Position!: MicPosition;
  @EnumColumn(MicPosition, { fieldName: 'mic_2_position' }) mic2Position!: MicPosition;
  @EnumColumn(MicPosition, { fieldName: 'mic_3_position' }) mic3Position!: MicPosition;
  @EnumColumn(MicPosition, { fieldName: 'mic_4_position' }) mic4Position!: MicPosition;
  @TextColumn({ fieldName: 'mic_1_notes' }) mic1Notes?: string | null;
  @TextColumn({ fieldName: 'mic_2_notes' }) mic2Notes?: string | null;
  @TextColumn({ fieldName: 'mic_3_notes' }) mic3Notes?: string | null;
  @TextColumn({ fieldName: 'mic_4_notes' }) mic4Notes?: string | null;
  @TextColumn() notes?: string | null;

  // Pickle (the processed recording on disk)
  @StringColumn(500, { nullable: true }) pklFilePath?: string | null;
  @ChecksumColumn({ description: 'Hex SHA-256 of the pickle.' }) pklFileChecksum?: string | null;
  @FloatColumn({ nullable: true, min: 0 }) pklFileSizeMb?: number | null;
  @TimestampColumn({ nullable: true }) pklFileModified?: Date | null;

  // QC: overall, then per channel (ch1..ch4)
  @StringColumn(20, { nullable: true }) audioQcVersion?: string | null;
  @BoolColumn() audioQcFail = false;
  @BoolColumn() audioQcFailCh1 = false;
  @BoolColumn() audioQcFailCh2 = false;
  @BoolColumn() audioQcFailCh3 = false;
  @BoolColumn() audioQcFailCh4 = false;
  @EnumArrayColumn(ArtifactType) qcArtifactType?: ArtifactType[] | null;
  @EnumArrayColumn(ArtifactType) qcArtifactTypeCh1?: ArtifactType[] | null;
  @EnumArrayColumn(ArtifactType) qcArtifactTypeCh2?: ArtifactType[] | null;
  @EnumArrayColumn(ArtifactType) qcArtifactTypeCh3?: ArtifactType[] | null;
  @EnumArrayColumn(ArtifactType) qcArtifactTypeCh4?: ArtifactType[] | null;
  @SegmentsColumn() qcFailSegments?: number[] | null;
  @SegmentsColumn() qcFailSegmentsCh1?: number[] | null;
  @SegmentsColumn() qcFailSegmentsCh2?: number[] | null;
  @SegmentsColumn() qcFailSegmentsCh3?: number[] | null;
  @SegmentsColumn() qcFailSegmentsCh4?: number[] | null;
  @BoolColumn() qcSignalDropout = false;
  @BoolColumn() qcSignalDropoutCh1 = false;
  @BoolColumn() qcSignalDropoutCh2 = false;
  @BoolColumn() qcSignalDropoutCh3 = false;
  @BoolColumn() qcSignalDropoutCh4 = false;
  @SegmentsColumn() qcSignalDropoutSegments?: number[] | null;
  @SegmentsColumn() qcSignalDropoutSegmentsCh1?: number[] | null;
  @SegmentsColumn() qcSignalDropoutSegmentsCh2?: number[] | null;
  @SegmentsColumn() qcSignalDropoutSegmentsCh3?: number[] | null;
  @SegmentsColumn() qcSignalDropoutSegmentsCh4?: number[] | null;
  @BoolColumn() qcArtifact = false;
  @BoolColumn() qcArtifactCh1 = false;
  @BoolColumn() qcArtifactCh2 = false;
  @BoolColumn() qcArtifactCh3 = false;
  @BoolColumn() qcArtifactCh4 = false;
  @SegmentsColumn() qcArtifactSegments?: number[] | null;
  @SegmentsColumn() qcArtifactSegmentsCh1?: number[] | null;
  @SegmentsColumn() qcArtifactSegmentsCh2?: number[] | null;
  @SegmentsColumn() qcArtifactSegmentsCh3?: number[] | null;
  @SegmentsColumn() qcArtifactSegmentsCh4?: number[] | null;

  @FloatColumn({ nullable: true, min: 0, orderable: true }) durationSeconds?: number | null;
}
