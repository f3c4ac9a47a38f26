/**
 * Record mutations: thin doors onto the RecordService, which validates and writes.
 * Upserts and links need the write token; deletes need the admin token.
 */
import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { AudioProcessing, BiomechanicsImport, Participant, Synchronization } from '../../entities';
import {
  AudioProcessingInput,
  BiomechanicsImportInput,
  MovementCycleInput,
  ParticipantKey,
  RecordIdInput,
  RecordIdsInput,
  RecordingLinkInput,
  SynchronizationInput,
} from '../../services/write/record-inputs';
import type { GraphQLContext } from '../context';
import { RequiresAccess } from '../access';
import { IngestResultType, MovementCycleBatchType, RecordingLinkType, TableCountsType } from '../types/write-results';
import { RecordingInput } from '../../services/write/recording-input';

@Resolver()
export class RecordMutations {
  @Mutation(() => Participant, {
    description: 'Creates the participant (and its study on first use), or returns the existing one.',
  })
  @RequiresAccess('write')
  upsertParticipant(@Args(() => ParticipantKey) key: ParticipantKey, @Ctx() { services }: GraphQLContext) {
    return services.records.upsertParticipant(key);
  }

  @Mutation(() => AudioProcessing, {
    description: 'Inserts or replaces the audio recording with this participant, audioFileName, knee and maneuver.',
  })
  @RequiresAccess('write')
  upsertAudioProcessing(
    @Arg('input', () => AudioProcessingInput) input: AudioProcessingInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.records.upsertAudioProcessing(input);
  }

  @Mutation(() => BiomechanicsImport, {
    description:
      'Inserts or replaces the biomechanics import with this participant, biomechanicsFile, knee and maneuver.',
  })
  @RequiresAccess('write')
  upsertBiomechanicsImport(
    @Arg('input', () => BiomechanicsImportInput) input: BiomechanicsImportInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.records.upsertBiomechanicsImport(input);
  }

  @Mutation(() => RecordingLinkType, {
    description:
      "Links an audio recording and the biomechanics recorded with it, on both sides (unlinking earlier partners); with one id only, clears that record's link.",
  })
  @RequiresAccess('write')
  linkRecordings(@Args(() => RecordingLinkInput) link: RecordingLinkInput, @Ctx() { services }: GraphQLContext) {
    return services.records.linkRecordings(link);
  }

  @Mutation(() => Synchronization, {
    description: 'Inserts or replaces the synchronization with this participant, knee, maneuver, passNumber and speed.',
  })
  @RequiresAccess('write')
  upsertSynchronization(
    @Arg('input', () => SynchronizationInput) input: SynchronizationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.records.upsertSynchronization(input);
  }

  @Mutation(() => MovementCycleBatchType, {
    description:
      'Inserts or replaces up to 10,000 movement cycles in one transaction: all of them, or (one rule broken) none.',
  })
  @RequiresAccess('write')
  async upsertMovementCycles(
    @Arg('inputs', () => [MovementCycleInput]) inputs: MovementCycleInput[],
    @Ctx() { services }: GraphQLContext,
  ) {
    const { ids, inserted, updated } = await services.records.upsertMovementCycles(inputs);
    return Object.assign(new MovementCycleBatchType(), { count: ids.length, inserted, updated, ids });
  }

  @Mutation(() => IngestResultType, {
    description:
      'One processed recording in one transaction: upserts the audio record, its biomechanics import, its synchronizations and their cycles ' +
      'by natural keys, removes the synchronizations and cycles of this audio record it no longer contains, and writes nothing that is unchanged.',
  })
  @RequiresAccess('write')
  async ingestRecording(
    @Arg('input', () => RecordingInput) input: RecordingInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.ingest.ingestRecording(input);
  }

  @Mutation(() => TableCountsType, {
    description: 'Deletes the participant and all their records; returns the rows removed per table.',
  })
  @RequiresAccess('admin')
  async deleteParticipant(@Args(() => ParticipantKey) key: ParticipantKey, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.records.deleteParticipant(key));
  }

  @Mutation(() => TableCountsType, {
    description:
      'Deletes the audio recording with its synchronizations and cycles; its biomechanics import stays, unlinked.',
  })
  @RequiresAccess('admin')
  async deleteAudioProcessing(@Args(() => RecordIdInput) args: RecordIdInput, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.records.deleteAudioProcessing(args));
  }

  @Mutation(() => TableCountsType, {
    description:
      'Deletes the biomechanics import with its synchronizations and their cycles; its audio stays, unlinked.',
  })
  @RequiresAccess('admin')
  async deleteBiomechanicsImport(@Args(() => RecordIdInput) args: RecordIdInput, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.records.deleteBiomechanicsImport(args));
  }

  @Mutation(() => TableCountsType, { description: 'Deletes the synchronization and its cycles.' })
  @RequiresAccess('admin')
  async deleteSynchronization(@Args(() => RecordIdInput) args: RecordIdInput, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.records.deleteSynchronization(args));
  }

  @Mutation(() => TableCountsType, { description: 'Deletes these movement cycles (up to 10,000).' })
  @RequiresAccess('admin')
  async deleteMovementCycles(@Args(() => RecordIdsInput) args: RecordIdsInput, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.records.deleteMovementCycles(args));
  }
}
