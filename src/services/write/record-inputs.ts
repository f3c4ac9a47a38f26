/**
 * What a write sends, one class per record type: the GraphQL input type (type-graphql) and
 * the write rules of docs/data-model.md (class-validator) on the same class. Each column's
 * field and rules come from its entity's declaration (column-inputs.ts), so what is written
 * here is what a column alone cannot say: the rules across fields and records, and the words
 * the input uses for them. The RecordService validates these for every caller (GraphQL, the
 * CLI, a CSV or pipeline import), so the write rules live here and in the columns only.
 *
 * Upserts replace the whole record: a field left out is written as its default (null,
 * false, 0), exactly as the pipeline's re-processing means it. The recording-time link
 * between audio and biomechanics is not part of these inputs; `linkRecordings` sets it.
 */
import 'reflect-metadata';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, IsArray, IsDefined, IsInt, IsOptional, IsPositive, Max } from 'class-validator';
import {
  AudioProcessing,
  BiomechanicsImport,
  MovementCycle,
  Participant,
  ProcessingRecord,
  Study,
  Synchronization,
  USE_PARTICIPANT_NUMBER,
} from '../../entities';
import { ProcessingStatus, StompDetectionMethod, type StudyName } from '../../entities/enums';
import { ColumnInput, ColumnInputs, columnFieldsOf, type InputFieldOptions } from './column-inputs';
import {
  CoversFailSegments,
  INT4_MAX,
  MatchesReferenced,
  NotLessThan,
  NotSampleParticipant,
  OnlyForWalk,
  OnSameDateAs,
  OptionalUnless,
  ParticipantExists,
  RecordExists,
  RecordedWithAudio,
  RequiredWhen,
  SameAsDeprecated,
  given,
  isWalk,
  stompMethodsInclude,
  type ReferenceKind,
} from './validation';

/** The most movement cycles one `upsertMovementCycles` call takes. */
export const MAX_CYCLE_BATCH = 10_000;

const PARTICIPANT_NUMBER = "The participant's number inside the study (1011 for folder #AOA1011).";

/** How a write names its participant: as the pipeline knows it, by study and number. */
@InputType()
export abstract class ParticipantRecordInput {
  @ColumnInput(Study, 'name')
  study!: StudyName;

  @ColumnInput(Participant, 'studyParticipantId', {
    description: PARTICIPANT_NUMBER,
    rules: [NotSampleParticipant(), ParticipantExists()],
  })
  participantNumber!: number;
}

/** Bookkeeping shared by the four processing records. */
@InputType()
export abstract class ProcessingRecordInput extends ParticipantRecordInput {
  @ColumnInput(ProcessingRecord, 'processingStatus')
  processingStatus: ProcessingStatus = ProcessingStatus.not_processed;

  @ColumnInput(ProcessingRecord, 'processingDate', {
    description: 'When the pipeline processed the record; now when not given.',
  })
  processingDate?: Date | null;

  @ColumnInput(ProcessingRecord, 'errorMessage')
  errorMessage?: string | null;
}

/**
 * `upsertParticipant(study, participantNumber)` and `deleteParticipant(study, participantNumber)`. `number`
 * is participantNumber's deprecated name: one of the two is required, and given both, they must agree.
 */
@ArgsType()
export class ParticipantKey {
  @ColumnInput(Study, 'name')
  study!: StudyName;

  @ColumnInput(Participant, 'studyParticipantId', {
    description: PARTICIPANT_NUMBER,
    nullable: true,
    presence: [OptionalUnless((k: ParticipantKey) => !given(k.number)), IsDefined()],
    rules: [NotSampleParticipant(), SameAsDeprecated('number')],
  })
  participantNumber?: number | null;

  @ColumnInput(Participant, 'studyParticipantId', {
    description: PARTICIPANT_NUMBER,
    nullable: true,
    deprecationReason: USE_PARTICIPANT_NUMBER,
    presence: [IsOptional()],
    rules: [NotSampleParticipant()],
  })
  number?: number | null;
}

/** A ParticipantKey as the CLI, tests and imports write it: the number under either name. */
export type ParticipantKeyValue = Pick<ParticipantKey, 'study' | 'participantNumber' | 'number'>;

/** The number a valid ParticipantKey gives, under either of its names. */
export const numberOfKey = (key: ParticipantKey): number => (key.participantNumber ?? key.number)!;

/** Given when `when(input)` holds (the presence rule `name` says so), else optional. */
const requiredWhen = <I>(name: string, when: (input: I) => boolean, why: string): InputFieldOptions => ({
  description: `Required ${why}.`,
  presence: [OptionalUnless(when), RequiredWhen(name, when, why)],
});

/** Walks have a pass and a speed; fe and sts have neither. */
const onlyForWalk = (description: string, rules: PropertyDecorator[] = []): InputFieldOptions => ({
  description,
  presence: [OptionalUnless(isWalk), OnlyForWalk()],
  rules,
});

const coversFailSegments = (segments: string): InputFieldOptions => ({ rules: [CoversFailSegments(segments)] });

/** The field equals the one of each record the input references. */
const sameAsReferenced = (field: 'knee' | 'maneuver', references: ReferenceKind[]): InputFieldOptions => ({
  rules: references.map((kind) => MatchesReferenced(kind, field)),
});

// Segment lists are flattened [start1, end1, start2, end2, …] in seconds.
export const AudioProcessingInput = ColumnInputs(ProcessingRecordInput, AudioProcessing, {
  name: 'AudioProcessingInput',
  description:
    'One audio recording (participant × knee × maneuver); matched on participant, audioFileName, knee and maneuver.',
  fields: {
    participant: false, // named by study and participantNumber
    biomechanicsImport: false, // linkRecordings sets it
    recordingTime: {
      description: 'Must fall on the calendar date of recordingDate.',
      rules: [OnSameDateAs('recordingDate')],
    },
    audioQcFail: {
      description: 'Cannot be false while qcFailSegments is non-empty.',
      ...coversFailSegments('qcFailSegments'),
    },
    audioQcFailCh1: coversFailSegments('qcFailSegmentsCh1'),
    audioQcFailCh2: coversFailSegments('qcFailSegmentsCh2'),
    audioQcFailCh3: coversFailSegments('qcFailSegmentsCh3'),
    audioQcFailCh4: coversFailSegments('qcFailSegmentsCh4'),
  },
});
export type AudioProcessingInput = InstanceType<typeof AudioProcessingInput>;

export const BiomechanicsImportInput = ColumnInputs(ProcessingRecordInput, BiomechanicsImport, {
  name: 'BiomechanicsImportInput',
  description:
    'One biomechanics file or sheet (participant × knee × maneuver); matched on participant, biomechanicsFile, knee and maneuver.',
  fields: {
    participant: false, // named by study and participantNumber
    audioProcessing: false, // linkRecordings sets it
  },
});
export type BiomechanicsImportInput = InstanceType<typeof BiomechanicsImportInput>;

const bothAudioSyncTimes = (o: { audioSyncTimeLeft?: unknown; audioSyncTimeRight?: unknown }) =>
  given(o.audioSyncTimeLeft) && given(o.audioSyncTimeRight);
const bioStomp = requiredWhen(
  'requiredByStompMethod',
  stompMethodsInclude(StompDetectionMethod.biomechanics),
  'when stompDetectionMethods includes biomechanics',
);
const audioStomp = requiredWhen(
  'requiredByStompMethod',
  stompMethodsInclude(StompDetectionMethod.audio),
  'when stompDetectionMethods includes audio',
);

export const SynchronizationInput = ColumnInputs(ProcessingRecordInput, Synchronization, {
  name: 'SynchronizationInput',
  description: 'Audio ⟷ biomechanics alignment; matched on participant, knee, maneuver, passNumber and speed.',
  fields: {
    participant: false, // named by study and participantNumber
    audioProcessing: { description: 'The audio recording: same participant, knee and maneuver.' },
    biomechanicsImport: { description: 'The biomechanics import: same participant, knee and maneuver.' },
    knee: sameAsReferenced('knee', ['audioProcessing', 'biomechanicsImport']),
    maneuver: sameAsReferenced('maneuver', ['audioProcessing', 'biomechanicsImport']),
    passNumber: onlyForWalk('Walk pass (1, 2, …): required for walk, absent for fe and sts.'),
    speed: onlyForWalk('Required for walk, absent for fe and sts.'),
    bioSelectedSyncTime: bioStomp,
    contraBioSelectedSyncTime: bioStomp,
    audioSyncOffset: requiredWhen(
      'requiredWithBothAudioSyncTimes',
      bothAudioSyncTimes,
      'when both audioSyncTimeLeft and audioSyncTimeRight are given',
    ),
    selectedAudioSyncTime: audioStomp,
    contraSelectedAudioSyncTime: audioStomp,
  },
});
export type SynchronizationInput = InstanceType<typeof SynchronizationInput>;

const hasBiomechanics = (o: { biomechanicsImportId?: unknown }) => given(o.biomechanicsImportId);
const withBiomechanics = requiredWhen(
  'requiredWithBiomechanicsImport',
  hasBiomechanics,
  'when biomechanicsImportId is set',
);

export const MovementCycleInput = ColumnInputs(ProcessingRecordInput, MovementCycle, {
  name: 'MovementCycleInput',
  description: 'One movement cycle; matched on participant, knee, maneuver, passNumber, speed and cycleIndex.',
  fields: {
    participant: false, // named by study and participantNumber
    audioProcessing: {
      description: 'The audio recording the cycle was cut from: same participant, knee and maneuver.',
    },
    biomechanicsImport: { description: 'When set, bioStartTime and bioEndTime are required.' },
    synchronization: { description: 'When set, knee, maneuver, passNumber and speed must equal its own.' },
    knee: sameAsReferenced('knee', ['audioProcessing', 'synchronization', 'biomechanicsImport']),
    maneuver: sameAsReferenced('maneuver', ['audioProcessing', 'synchronization', 'biomechanicsImport']),
    passNumber: onlyForWalk('Walk pass: required for walk, absent for fe and sts.', [
      MatchesReferenced('synchronization', 'passNumber'),
    ]),
    speed: onlyForWalk('Required for walk, absent for fe and sts.', [MatchesReferenced('synchronization', 'speed')]),
    endTimeS: { description: 'Must be ≥ startTimeS.', rules: [NotLessThan('startTimeS')] },
    bioStartTime: withBiomechanics,
    bioEndTime: withBiomechanics,
  },
});
export type MovementCycleInput = InstanceType<typeof MovementCycleInput>;

/** Each processing record's table and the input that writes its rows. */
export const PROCESSING_RECORD_INPUTS = {
  audio_processing: AudioProcessingInput,
  biomechanics_import: BiomechanicsImportInput,
  synchronization: SynchronizationInput,
  movement_cycles: MovementCycleInput,
} as const;

/** MovementCycleInput's fields that MovementCycle has under the same name (all but the participant's key). */
export const MOVEMENT_CYCLE_COLUMN_INPUTS: readonly string[] = columnFieldsOf(MovementCycleInput, MovementCycle);

/** `linkRecordings`: both ids link the pair (on both sides); one id alone clears that record's link. */
@ArgsType()
export class RecordingLinkInput {
  @Field(() => Int, { nullable: true })
  @OptionalUnless((o: RecordingLinkInput) => !given(o.biomechanicsImportId))
  @RequiredWhen(
    'oneOfTwoRequired',
    (o: RecordingLinkInput) => !given(o.biomechanicsImportId),
    'when biomechanicsImportId is not given',
  )
  @IsInt()
  @IsPositive()
  @Max(INT4_MAX)
  @RecordExists('audioProcessing')
  audioProcessingId?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @IsPositive()
  @Max(INT4_MAX)
  @RecordExists('biomechanicsImport')
  @RecordedWithAudio()
  biomechanicsImportId?: number | null;
}

@ArgsType()
export class RecordIdInput {
  @Field(() => Int)
  @IsDefined()
  @IsInt()
  @IsPositive()
  @Max(INT4_MAX)
  id!: number;
}

@ArgsType()
export class RecordIdsInput {
  @Field(() => [Int])
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(MAX_CYCLE_BATCH)
  @IsInt({ each: true })
  @IsPositive({ each: true })
  @Max(INT4_MAX, { each: true })
  ids!: number[];
}
