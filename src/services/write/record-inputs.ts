/**
 * What a write sends, one class per record type: the GraphQL input type (type-graphql) and
 * the write rules of docs/data-model.md (class-validator) on the same class, as the entities carry
 * their mapping and GraphQL type together. The RecordService validates these for every
 * caller (GraphQL, the CLI, a CSV or pipeline import), so the rules live here only.
 *
 * Upserts replace the whole record: a field left out is written as its default (null,
 * false, 0), exactly as the pipeline's re-processing means it. The recording-time link
 * between audio and biomechanics is not part of these inputs; `linkRecordings` sets it.
 */
import 'reflect-metadata';
import { ArgsType, Field, Float, InputType, Int } from 'type-graphql';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsDate, IsDefined, IsEnum, IsInt, IsNotEmpty, IsNumber, IsOptional, IsPositive, IsString,
  Max, Min,
} from 'class-validator';
import {
  ArtifactType, BiomechanicsSyncMethod, BiomechanicsType, Knee, Maneuver, MicPosition, ProcessingStatus, StompDetectionMethod,
  StudyName, SyncMethod, WalkSpeed,
} from '../../entities/enums';
import {
  CoversFailSegments, INT4_MAX, IsSegmentList, IsSha256Hex, MatchesReferenced, MaxChars, NotLessThan, OfSameParticipant, OnlyForWalk,
  NotSampleParticipant, OnSameDateAs, OptionalUnless, ParticipantExists, RecordExists, RecordedWithAudio, RequiredWhen, given, isWalk,
  stompMethodsInclude,
} from './validation';

/** Floats must be real numbers: no NaN, no Infinity. */
const FINITE = { allowNaN: false, allowInfinity: false };

/** The most movement cycles one `upsertMovementCycles` call takes. */
export const MAX_CYCLE_BATCH = 10_000;

/** How a write names its participant: as the pipeline knows it, by study and number. */
@InputType()
export abstract class ParticipantRecordInput {
  @Field(() => StudyName)
  @IsDefined() @IsEnum(StudyName)
  study!: StudyName;

  @Field(() => Int, { description: "The participant's number inside the study (1011 for folder #AOA1011)." })
  @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) @NotSampleParticipant() @ParticipantExists()
  participantNumber!: number;
}

/** Bookkeeping shared by the four processing records. */
@InputType()
export abstract class ProcessingRecordInput extends ParticipantRecordInput {
  @Field(() => ProcessingStatus)
  @IsEnum(ProcessingStatus)
  processingStatus: ProcessingStatus = ProcessingStatus.not_processed;

  @Field(() => Date, { nullable: true, description: 'When the pipeline processed the record; now when not given.' })
  @IsOptional() @IsDate()
  processingDate?: Date | null;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString()
  errorMessage?: string | null;
}

/** `upsertParticipant(study, number)` and `deleteParticipant(study, number)`. */
@ArgsType()
export class ParticipantKey {
  @Field(() => StudyName)
  @IsDefined() @IsEnum(StudyName)
  study!: StudyName;

  @Field(() => Int, { description: "The participant's number inside the study (1011 for folder #AOA1011)." })
  @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) @NotSampleParticipant()
  number!: number;
}

@InputType({ description: 'One audio recording (participant × knee × maneuver); matched on participant, audioFileName, knee and maneuver.' })
export class AudioProcessingInput extends ProcessingRecordInput {
  // File
  @Field(() => String) @IsDefined() @IsString() @IsNotEmpty() @MaxChars(255) audioFileName!: string;
  @Field(() => String) @IsDefined() @IsString() @IsNotEmpty() @MaxChars(50) deviceSerial!: string;
  @Field(() => Int) @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) firmwareVersion!: number;
  @Field(() => Date) @IsDefined() @IsDate() fileTime!: Date;
  @Field(() => Float) @IsDefined() @IsNumber(FINITE) @Min(0) fileSizeMb!: number;

  // Recording
  @Field(() => Date) @IsDefined() @IsDate() recordingDate!: Date;
  @Field(() => Date, { description: 'Must fall on the calendar date of recordingDate.' })
  @IsDefined() @IsDate() @OnSameDateAs('recordingDate') recordingTime!: Date;
  @Field(() => String, { nullable: true, description: 'UTC when not given.' }) @IsOptional() @IsString() @MaxChars(10) recordingTimezone?: string | null;
  @Field(() => Knee) @IsDefined() @IsEnum(Knee) knee!: Knee;
  @Field(() => Maneuver) @IsDefined() @IsEnum(Maneuver) maneuver!: Maneuver;
  @Field(() => Int) @IsDefined() @IsInt() @Min(1) @Max(4) numChannels!: number;
  @Field(() => Float) @IsNumber(FINITE) @IsPositive() sampleRate: number = 46875;

  @Field(() => MicPosition) @IsDefined() @IsEnum(MicPosition) mic1Position!: MicPosition;
  @Field(() => MicPosition) @IsDefined() @IsEnum(MicPosition) mic2Position!: MicPosition;
  @Field(() => MicPosition) @IsDefined() @IsEnum(MicPosition) mic3Position!: MicPosition;
  @Field(() => MicPosition) @IsDefined() @IsEnum(MicPosition) mic4Position!: MicPosition;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() mic1Notes?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() mic2Notes?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() mic3Notes?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() mic4Notes?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() notes?: string | null;

  // Pickle
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(500) pklFilePath?: string | null;
  @Field(() => String, { nullable: true, description: 'Hex SHA-256: 64 lowercase hex characters.' }) @IsOptional() @IsSha256Hex() pklFileChecksum?: string | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) pklFileSizeMb?: number | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() pklFileModified?: Date | null;

  // QC: overall, then per channel. Segment lists are flattened [start1, end1, start2, end2, …] in seconds.
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(20) audioQcVersion?: string | null;
  @Field(() => Boolean, { description: 'Cannot be false while qcFailSegments is non-empty.' })
  @IsBoolean() @CoversFailSegments('qcFailSegments') audioQcFail: boolean = false;
  @Field(() => Boolean) @IsBoolean() @CoversFailSegments('qcFailSegmentsCh1') audioQcFailCh1: boolean = false;
  @Field(() => Boolean) @IsBoolean() @CoversFailSegments('qcFailSegmentsCh2') audioQcFailCh2: boolean = false;
  @Field(() => Boolean) @IsBoolean() @CoversFailSegments('qcFailSegmentsCh3') audioQcFailCh3: boolean = false;
  @Field(() => Boolean) @IsBoolean() @CoversFailSegments('qcFailSegmentsCh4') audioQcFailCh4: boolean = false;
  @Field(() => [ArtifactType], { nullable: true }) @IsOptional() @IsArray() @IsEnum(ArtifactType, { each: true }) qcArtifactType?: ArtifactType[] | null;
  @Field(() => [ArtifactType], { nullable: true }) @IsOptional() @IsArray() @IsEnum(ArtifactType, { each: true }) qcArtifactTypeCh1?: ArtifactType[] | null;
  @Field(() => [ArtifactType], { nullable: true }) @IsOptional() @IsArray() @IsEnum(ArtifactType, { each: true }) qcArtifactTypeCh2?: ArtifactType[] | null;
  @Field(() => [ArtifactType], { nullable: true }) @IsOptional() @IsArray() @IsEnum(ArtifactType, { each: true }) qcArtifactTypeCh3?: ArtifactType[] | null;
  @Field(() => [ArtifactType], { nullable: true }) @IsOptional() @IsArray() @IsEnum(ArtifactType, { each: true }) qcArtifactTypeCh4?: ArtifactType[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcFailSegments?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcFailSegmentsCh1?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcFailSegmentsCh2?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcFailSegmentsCh3?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcFailSegmentsCh4?: number[] | null;
  @Field(() => Boolean) @IsBoolean() qcSignalDropout: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcSignalDropoutCh1: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcSignalDropoutCh2: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcSignalDropoutCh3: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcSignalDropoutCh4: boolean = false;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcSignalDropoutSegments?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcSignalDropoutSegmentsCh1?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcSignalDropoutSegmentsCh2?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcSignalDropoutSegmentsCh3?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcSignalDropoutSegmentsCh4?: number[] | null;
  @Field(() => Boolean) @IsBoolean() qcArtifact: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcArtifactCh1: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcArtifactCh2: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcArtifactCh3: boolean = false;
  @Field(() => Boolean) @IsBoolean() qcArtifactCh4: boolean = false;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcArtifactSegments?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcArtifactSegmentsCh1?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcArtifactSegmentsCh2?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcArtifactSegmentsCh3?: number[] | null;
  @Field(() => [Float], { nullable: true }) @IsOptional() @IsSegmentList() qcArtifactSegmentsCh4?: number[] | null;

  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) durationSeconds?: number | null;
}

@InputType({ description: 'One biomechanics file or sheet (participant × knee × maneuver); matched on participant, biomechanicsFile, knee and maneuver.' })
export class BiomechanicsImportInput extends ProcessingRecordInput {
  @Field(() => String) @IsDefined() @IsString() @IsNotEmpty() @MaxChars(255) biomechanicsFile!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(100) sheetName?: string | null;
  @Field(() => BiomechanicsType) @IsDefined() @IsEnum(BiomechanicsType) biomechanicsType!: BiomechanicsType;
  @Field(() => Knee) @IsDefined() @IsEnum(Knee) knee!: Knee;
  @Field(() => Maneuver) @IsDefined() @IsEnum(Maneuver) maneuver!: Maneuver;
  @Field(() => BiomechanicsSyncMethod) @IsDefined() @IsEnum(BiomechanicsSyncMethod) biomechanicsSyncMethod!: BiomechanicsSyncMethod;
  @Field(() => Float) @IsDefined() @IsNumber(FINITE) @IsPositive() biomechanicsSampleRate!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() biomechanicsNotes?: string | null;
  @Field(() => Int) @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) numSubRecordings!: number;
  @Field(() => Float) @IsDefined() @IsNumber(FINITE) @Min(0) durationSeconds!: number;
  @Field(() => Int) @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) numDataPoints!: number;
  @Field(() => Int) @IsInt() @Min(0) @Max(INT4_MAX) numPasses: number = 0;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(20) biomechQcVersion?: string | null;
  @Field(() => Boolean) @IsBoolean() biomechanicsQcFail: boolean = false;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() biomechanicsQcNotes?: string | null;
}

const bothAudioSyncTimes = (o: SynchronizationInput) => given(o.audioSyncTimeLeft) && given(o.audioSyncTimeRight);
const bioStomp = stompMethodsInclude(StompDetectionMethod.biomechanics);
const audioStomp = stompMethodsInclude(StompDetectionMethod.audio);

@InputType({ description: 'Audio ⟷ biomechanics alignment; matched on participant, knee, maneuver, passNumber and speed.' })
export class SynchronizationInput extends ProcessingRecordInput {
  @Field(() => Int, { description: 'The audio recording: same participant, knee and maneuver.' })
  @IsDefined() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('audioProcessing') @OfSameParticipant('audioProcessing')
  audioProcessingId!: number;

  @Field(() => Int, { description: 'The biomechanics import: same participant, knee and maneuver.' })
  @IsDefined() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('biomechanicsImport') @OfSameParticipant('biomechanicsImport')
  biomechanicsImportId!: number;

  @Field(() => Knee)
  @IsDefined() @IsEnum(Knee) @MatchesReferenced('audioProcessing', 'knee') @MatchesReferenced('biomechanicsImport', 'knee')
  knee!: Knee;

  @Field(() => Maneuver)
  @IsDefined() @IsEnum(Maneuver) @MatchesReferenced('audioProcessing', 'maneuver') @MatchesReferenced('biomechanicsImport', 'maneuver')
  maneuver!: Maneuver;

  @Field(() => Int, { nullable: true, description: 'Walk pass (1, 2, …): required for walk, absent for fe and sts.' })
  @OptionalUnless(isWalk) @OnlyForWalk() @IsInt() @Min(1) @Max(INT4_MAX)
  passNumber?: number | null;

  @Field(() => WalkSpeed, { nullable: true, description: 'Required for walk, absent for fe and sts.' })
  @OptionalUnless(isWalk) @OnlyForWalk() @IsEnum(WalkSpeed)
  speed?: WalkSpeed | null;

  // Sync times (seconds) and offsets
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) bioLeftSyncTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) bioRightSyncTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) bioSyncOffset?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) alignedSyncTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) consensusTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) rmsTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) onsetTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) freqTime?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required when stompDetectionMethods includes biomechanics.' })
  @OptionalUnless(bioStomp) @RequiredWhen('requiredByStompMethod', bioStomp, 'when stompDetectionMethods includes biomechanics')
  @IsNumber(FINITE) @Min(0)
  bioSelectedSyncTime?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required when stompDetectionMethods includes biomechanics.' })
  @OptionalUnless(bioStomp) @RequiredWhen('requiredByStompMethod', bioStomp, 'when stompDetectionMethods includes biomechanics')
  @IsNumber(FINITE) @Min(0)
  contraBioSelectedSyncTime?: number | null;

  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) audioVisualSyncTime?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) audioVisualSyncTimeContralateral?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) audioSyncTimeLeft?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) audioSyncTimeRight?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required when both audioSyncTimeLeft and audioSyncTimeRight are given.' })
  @OptionalUnless(bothAudioSyncTimes) @RequiredWhen('requiredWithBothAudioSyncTimes', bothAudioSyncTimes, 'when both audioSyncTimeLeft and audioSyncTimeRight are given')
  @IsNumber(FINITE)
  audioSyncOffset?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required when stompDetectionMethods includes audio.' })
  @OptionalUnless(audioStomp) @RequiredWhen('requiredByStompMethod', audioStomp, 'when stompDetectionMethods includes audio')
  @IsNumber(FINITE) @Min(0)
  selectedAudioSyncTime?: number | null;

  @Field(() => Float, { nullable: true, description: 'Required when stompDetectionMethods includes audio.' })
  @OptionalUnless(audioStomp) @RequiredWhen('requiredByStompMethod', audioStomp, 'when stompDetectionMethods includes audio')
  @IsNumber(FINITE) @Min(0)
  contraSelectedAudioSyncTime?: number | null;

  // Methods
  @Field(() => SyncMethod, { nullable: true }) @IsOptional() @IsEnum(SyncMethod) syncMethod?: SyncMethod | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(100) consensusMethods?: string | null;
  @Field(() => [StompDetectionMethod], { nullable: true })
  @IsOptional() @IsArray() @IsEnum(StompDetectionMethod, { each: true })
  stompDetectionMethods?: StompDetectionMethod[] | null;
  @Field(() => StompDetectionMethod, { nullable: true }) @IsOptional() @IsEnum(StompDetectionMethod) selectedStompMethod?: StompDetectionMethod | null;

  // Sync file
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(255) syncFileName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(500) syncFilePath?: string | null;
  @Field(() => String, { nullable: true, description: 'Hex SHA-256: 64 lowercase hex characters.' }) @IsOptional() @IsSha256Hex() syncFileChecksum?: string | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) syncFileSizeMb?: number | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() syncFileModified?: Date | null;

  // Cycle statistics
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) syncDuration?: number | null;
  @Field(() => Int) @IsInt() @Min(0) @Max(INT4_MAX) totalCyclesExtracted: number = 0;
  @Field(() => Int) @IsInt() @Min(0) @Max(INT4_MAX) cleanCycles: number = 0;
  @Field(() => Int) @IsInt() @Min(0) @Max(INT4_MAX) outlierCycles: number = 0;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) meanCycleDurationS?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) medianCycleDurationS?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) minCycleDurationS?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) maxCycleDurationS?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) methodAgreementSpan?: number | null;

  @Field(() => Boolean) @IsBoolean() syncQcFail: boolean = false;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() syncQcNotes?: string | null;
}

const hasBiomechanics = (o: MovementCycleInput) => given(o.biomechanicsImportId);

@InputType({ description: 'One movement cycle; matched on participant, knee, maneuver, passNumber, speed and cycleIndex.' })
export class MovementCycleInput extends ProcessingRecordInput {
  @Field(() => Int, { description: 'The audio recording the cycle was cut from: same participant, knee and maneuver.' })
  @IsDefined() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('audioProcessing') @OfSameParticipant('audioProcessing')
  audioProcessingId!: number;

  @Field(() => Int, { nullable: true, description: 'When set, bioStartTime and bioEndTime are required.' })
  @IsOptional() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('biomechanicsImport') @OfSameParticipant('biomechanicsImport')
  biomechanicsImportId?: number | null;

  @Field(() => Int, { nullable: true, description: 'When set, knee, maneuver, passNumber and speed must equal its own.' })
  @IsOptional() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('synchronization') @OfSameParticipant('synchronization')
  synchronizationId?: number | null;

  @Field(() => Knee)
  @IsDefined() @IsEnum(Knee)
  @MatchesReferenced('audioProcessing', 'knee') @MatchesReferenced('synchronization', 'knee') @MatchesReferenced('biomechanicsImport', 'knee')
  knee!: Knee;

  @Field(() => Maneuver)
  @IsDefined() @IsEnum(Maneuver)
  @MatchesReferenced('audioProcessing', 'maneuver') @MatchesReferenced('synchronization', 'maneuver') @MatchesReferenced('biomechanicsImport', 'maneuver')
  maneuver!: Maneuver;

  @Field(() => Int, { nullable: true, description: 'Walk pass: required for walk, absent for fe and sts.' })
  @OptionalUnless(isWalk) @OnlyForWalk() @IsInt() @Min(1) @Max(INT4_MAX) @MatchesReferenced('synchronization', 'passNumber')
  passNumber?: number | null;

  @Field(() => WalkSpeed, { nullable: true, description: 'Required for walk, absent for fe and sts.' })
  @OptionalUnless(isWalk) @OnlyForWalk() @IsEnum(WalkSpeed) @MatchesReferenced('synchronization', 'speed')
  speed?: WalkSpeed | null;

  @Field(() => String) @IsDefined() @IsString() @IsNotEmpty() @MaxChars(255) cycleFile!: string;
  @Field(() => Int) @IsDefined() @IsInt() @Min(0) @Max(INT4_MAX) cycleIndex!: number;
  @Field(() => Boolean) @IsBoolean() isOutlier: boolean = false;

  @Field(() => Float) @IsDefined() @IsNumber(FINITE) @Min(0) startTimeS!: number;
  @Field(() => Float, { description: 'Must be ≥ startTimeS.' }) @IsDefined() @IsNumber(FINITE) @Min(0) @NotLessThan('startTimeS') endTimeS!: number;
  @Field(() => Float) @IsDefined() @IsNumber(FINITE) @Min(0) durationS!: number;
  @Field(() => Date) @IsDefined() @IsDate() audioStartTime!: Date;
  @Field(() => Date) @IsDefined() @IsDate() audioEndTime!: Date;

  @Field(() => Date, { nullable: true, description: 'Required when biomechanicsImportId is set.' })
  @OptionalUnless(hasBiomechanics) @RequiredWhen('requiredWithBiomechanicsImport', hasBiomechanics, 'when biomechanicsImportId is set') @IsDate()
  bioStartTime?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Required when biomechanicsImportId is set.' })
  @OptionalUnless(hasBiomechanics) @RequiredWhen('requiredWithBiomechanicsImport', hasBiomechanics, 'when biomechanicsImportId is set') @IsDate()
  bioEndTime?: Date | null;

  @Field(() => Boolean) @IsBoolean() biomechanicsQcFail: boolean = false;
  @Field(() => Boolean) @IsBoolean() syncQcFail: boolean = false;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(20) biomechanicsQcVersion?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(20) syncQcVersion?: string | null;

  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxChars(500) cycleFilePath?: string | null;
  @Field(() => String, { nullable: true, description: 'Hex SHA-256: 64 lowercase hex characters.' }) @IsOptional() @IsSha256Hex() cycleFileChecksum?: string | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) @Min(0) cycleFileSizeMb?: number | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() cycleFileModified?: Date | null;
}

/** `linkRecordings`: both ids link the pair (on both sides); one id alone clears that record's link. */
@ArgsType()
export class RecordingLinkInput {
  @Field(() => Int, { nullable: true })
  @OptionalUnless((o: RecordingLinkInput) => !given(o.biomechanicsImportId))
  @RequiredWhen('oneOfTwoRequired', (o: RecordingLinkInput) => !given(o.biomechanicsImportId), 'when biomechanicsImportId is not given')
  @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('audioProcessing')
  audioProcessingId?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional() @IsInt() @IsPositive() @Max(INT4_MAX) @RecordExists('biomechanicsImport') @RecordedWithAudio()
  biomechanicsImportId?: number | null;
}

@ArgsType()
export class RecordIdInput {
  @Field(() => Int)
  @IsDefined() @IsInt() @IsPositive() @Max(INT4_MAX)
  id!: number;
}

@ArgsType()
export class RecordIdsInput {
  @Field(() => [Int])
  @IsDefined() @IsArray() @ArrayMaxSize(MAX_CYCLE_BATCH) @IsInt({ each: true }) @IsPositive({ each: true }) @Max(INT4_MAX, { each: true })
  ids!: number[];
}
