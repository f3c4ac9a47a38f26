/**
 * `ingestRecording(input)`: one processed recording as the pipeline produces it. The nested
 * records are the write inputs of record-inputs.ts; what the recording determines (the
 * participant, knee, maneuver, the parents' ids, a cycle's pass and speed) may be left out
 * there, and when given must agree. Each nested record is validated as its own write input
 * (so every rule lives once, in record-inputs.ts) with those values filled in.
 */
import 'reflect-metadata';
import { Field, InputType, Int } from 'type-graphql';
import { Knee, Maneuver, StudyName, WalkSpeed } from '../../entities/enums';
import {
  AudioProcessingInput,
  BiomechanicsImportInput,
  MAX_CYCLE_BATCH,
  MovementCycleInput,
  ProcessingRecordInput,
  SynchronizationInput,
} from './record-inputs';
import type { FieldViolation } from '../errors';

const FROM_AUDIO = "Leave out: the audio record's (when given, must be the same).";
const FROM_SYNCHRONIZATION = "Leave out: the synchronization's (when given, must be the same).";
const SET_BY_INGEST = 'Leave out: ingestRecording links the records itself.';

// TypeScript's mixin rule: a class built on a type parameter needs a constructor of `any[]` arguments.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InputClass = new (...args: any[]) => ProcessingRecordInput;

/**
 * `Base` with what the audio record determines (study, participant number, knee, maneuver) left
 * to the recording: optional here, filled in (or compared) before `Base`'s own rules run. One
 * definition for the three nested record types, as type-graphql's mixin classes do it.
 */
function fromAudioRecord<T extends InputClass>(Base: T) {
  // Its own name for each base; like ParticipantRecordInput it never reaches the schema, only its subclasses do.
  @InputType(`${Base.name}FromAudioRecord`)
  class FromAudioRecord extends Base {
    @Field(() => StudyName, { nullable: true, description: FROM_AUDIO }) study: StudyName = undefined!;
    @Field(() => Int, { nullable: true, description: FROM_AUDIO }) participantNumber: number = undefined!;
    @Field(() => Knee, { nullable: true, description: FROM_AUDIO }) knee: Knee = undefined!;
    @Field(() => Maneuver, { nullable: true, description: FROM_AUDIO }) maneuver: Maneuver = undefined!;
  }
  return FromAudioRecord;
}

@InputType({
  description: "The recording's biomechanics import; participant, knee and maneuver are the audio record's.",
})
export class RecordingBiomechanicsInput extends fromAudioRecord(BiomechanicsImportInput) {}

@InputType({
  description: 'One movement cycle of a synchronization; matched on its cycleIndex within that synchronization.',
})
export class RecordingMovementCycleInput extends fromAudioRecord(MovementCycleInput) {
  @Field(() => Int, { nullable: true, description: FROM_SYNCHRONIZATION }) passNumber?: number | null = undefined!;
  @Field(() => WalkSpeed, { nullable: true, description: FROM_SYNCHRONIZATION }) speed?: WalkSpeed | null = undefined!;
  @Field(() => Int, { nullable: true, description: SET_BY_INGEST }) audioProcessingId: number = undefined!;
  @Field(() => Int, { nullable: true, description: SET_BY_INGEST }) biomechanicsImportId?: number | null = undefined!;
  @Field(() => Int, { nullable: true, description: SET_BY_INGEST }) synchronizationId?: number | null = undefined!;
}

@InputType({
  description:
    'One synchronization of the recording (one per walk pass × speed; one for fe or sts), with its movement cycles.',
})
export class RecordingSynchronizationInput extends fromAudioRecord(SynchronizationInput) {
  @Field(() => Int, { nullable: true, description: SET_BY_INGEST }) audioProcessingId: number = undefined!;
  @Field(() => Int, { nullable: true, description: SET_BY_INGEST }) biomechanicsImportId: number = undefined!;

  @Field(() => [RecordingMovementCycleInput], {
    description: 'Every cycle cut from this synchronization: exactly these remain afterwards.',
  })
  movementCycles: RecordingMovementCycleInput[] = [];
}

@InputType({
  description:
    'One processed recording: the audio record, its biomechanics import, its synchronizations and their cycles. Written in one ' +
    'transaction; afterwards exactly these synchronizations and cycles belong to the audio record.',
})
export class RecordingInput {
  @Field(() => AudioProcessingInput, { description: 'Matched on participant, audioFileName, knee and maneuver.' })
  audio!: AudioProcessingInput;

  @Field(() => RecordingBiomechanicsInput, {
    nullable: true,
    description: 'Required when there are synchronizations; linked to the audio record on both sides.',
  })
  biomechanics?: RecordingBiomechanicsInput | null;

  @Field(() => [RecordingSynchronizationInput], {
    description: 'Every synchronization of this audio record: those not sent are removed, with their cycles.',
  })
  synchronizations: RecordingSynchronizationInput[] = [];
}

/**
 * The rules of a recording as a whole, beside each nested record's own (record-inputs.ts). Each
 * builds its violation; docs/data-model.md lists them from here.
 */
export const RECORDING_RULES = {
  isDefined: {
    applies: 'audio',
    violation: (): FieldViolation => ({
      field: 'audio',
      rule: 'isDefined',
      message: 'audio is required: the recording is its audio record',
    }),
  },
  maxBatchSize: {
    applies: 'synchronizations',
    violation: (got: number | string): FieldViolation => ({
      field: 'synchronizations',
      rule: 'maxBatchSize',
      message: `synchronizations: at most ${MAX_CYCLE_BATCH} movement cycles per recording (got ${got})`,
    }),
  },
  isArray: {
    applies: 'synchronizations, movementCycles',
    violation: (path: string): FieldViolation => ({ field: path, rule: 'isArray', message: `${path} must be a list` }),
  },
  requiredWithSynchronizations: {
    applies: 'biomechanics',
    violation: (): FieldViolation => ({
      field: 'biomechanics',
      rule: 'requiredWithSynchronizations',
      message: 'biomechanics is required when the recording has synchronizations',
    }),
  },
  sameAsRecording: {
    applies: "a nested record's study, participantNumber, knee, maneuver; a cycle's passNumber and speed",
    violation: (field: string, value: unknown, own: unknown): FieldViolation => ({
      field,
      rule: 'sameAsRecording',
      message: `${field} (${value}) must be the recording's (${own}); leave it out`,
    }),
  },
  setByIngest: {
    applies: 'audioProcessingId, biomechanicsImportId, synchronizationId of a nested record',
    violation: (field: string): FieldViolation => ({
      field,
      rule: 'setByIngest',
      message: `${field}: leave it out, ingestRecording links the records itself`,
    }),
  },
  uniqueInRecording: {
    applies: 'synchronizations[i].passNumber',
    violation: (path: string, first: number | string): FieldViolation => ({
      field: `${path}passNumber`,
      rule: 'uniqueInRecording',
      message: `${path}passNumber: same pass and speed as synchronizations[${first}]; send each synchronization once`,
    }),
  },
  uniqueInSynchronization: {
    applies: 'synchronizations[i].movementCycles[j].cycleIndex',
    violation: (path: string, index: unknown, first: number | string): FieldViolation => ({
      field: `${path}cycleIndex`,
      rule: 'uniqueInSynchronization',
      message: `${path}cycleIndex (${index}) is also movementCycles[${first}]'s; send each cycle once`,
    }),
  },
};
