/**
 * Relationship fields in both directions, all batched through the request's loaders.
 * The entity classes stay plain column lists; what links them lives here.
 */
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import {
  AudioProcessing, BiomechanicsImport, MovementCycle, Participant, Study, Synchronization,
} from '../../entities';
import type { GraphQLContext } from '../context';

@Resolver(() => Study)
export class StudyRelations {
  @FieldResolver(() => [Participant], { description: 'Participants of this study, by id.' })
  participants(@Root() study: Study, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(Participant, 'study').load(study.id);
  }
}

@Resolver(() => Participant)
export class ParticipantRelations {
  @FieldResolver(() => Study)
  study(@Root() p: Participant, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(Study).load(p.study.id);
  }

  @FieldResolver(() => [AudioProcessing])
  audioProcessings(@Root() p: Participant, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(AudioProcessing, 'participant').load(p.id);
  }

  @FieldResolver(() => [BiomechanicsImport])
  biomechanicsImports(@Root() p: Participant, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(BiomechanicsImport, 'participant').load(p.id);
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() p: Participant, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(Synchronization, 'participant').load(p.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() p: Participant, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(MovementCycle, 'participant').load(p.id);
  }
}

@Resolver(() => AudioProcessing)
export class AudioProcessingRelations {
  @FieldResolver(() => Participant)
  participant(@Root() a: AudioProcessing, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(Participant).load(a.participant.id);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true, description: 'The biomechanics recorded at the same time.' })
  biomechanicsImport(@Root() a: AudioProcessing, @Ctx() { loaders }: GraphQLContext) {
    return a.biomechanicsImport ? loaders.byId(BiomechanicsImport).load(a.biomechanicsImport.id) : null;
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() a: AudioProcessing, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(Synchronization, 'audioProcessing').load(a.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() a: AudioProcessing, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(MovementCycle, 'audioProcessing').load(a.id);
  }
}

@Resolver(() => BiomechanicsImport)
export class BiomechanicsImportRelations {
  @FieldResolver(() => Participant)
  participant(@Root() b: BiomechanicsImport, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(Participant).load(b.participant.id);
  }

  @FieldResolver(() => AudioProcessing, { nullable: true, description: 'The audio recorded at the same time.' })
  audioProcessing(@Root() b: BiomechanicsImport, @Ctx() { loaders }: GraphQLContext) {
    return b.audioProcessing ? loaders.byId(AudioProcessing).load(b.audioProcessing.id) : null;
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() b: BiomechanicsImport, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(Synchronization, 'biomechanicsImport').load(b.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() b: BiomechanicsImport, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(MovementCycle, 'biomechanicsImport').load(b.id);
  }
}

@Resolver(() => Synchronization)
export class SynchronizationRelations {
  @FieldResolver(() => Participant)
  participant(@Root() s: Synchronization, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(Participant).load(s.participant.id);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() s: Synchronization, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(AudioProcessing).load(s.audioProcessing.id);
  }

  @FieldResolver(() => BiomechanicsImport)
  biomechanicsImport(@Root() s: Synchronization, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(BiomechanicsImport).load(s.biomechanicsImport.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() s: Synchronization, @Ctx() { loaders }: GraphQLContext) {
    return loaders.children(MovementCycle, 'synchronization').load(s.id);
  }
}

@Resolver(() => MovementCycle)
export class MovementCycleRelations {
  @FieldResolver(() => Participant)
  participant(@Root() c: MovementCycle, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(Participant).load(c.participant.id);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() c: MovementCycle, @Ctx() { loaders }: GraphQLContext) {
    return loaders.byId(AudioProcessing).load(c.audioProcessing.id);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true })
  biomechanicsImport(@Root() c: MovementCycle, @Ctx() { loaders }: GraphQLContext) {
    return c.biomechanicsImport ? loaders.byId(BiomechanicsImport).load(c.biomechanicsImport.id) : null;
  }

  @FieldResolver(() => Synchronization, { nullable: true })
  synchronization(@Root() c: MovementCycle, @Ctx() { loaders }: GraphQLContext) {
    return c.synchronization ? loaders.byId(Synchronization).load(c.synchronization.id) : null;
  }
}

export const RELATION_RESOLVERS = [
  StudyRelations, ParticipantRelations, AudioProcessingRelations, BiomechanicsImportRelations,
  SynchronizationRelations, MovementCycleRelations,
] as const;
