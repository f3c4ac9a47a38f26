/**
 * Relationship fields in both directions, all batched through the request's loaders.
 * The entity classes stay plain column lists; what links them lives here. Parents arrive
 * either as entities (root queries) or as read-only rows (loaders); both expose foreign
 * keys as `<relation>Id`, which is all these resolvers read.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import {
  AudioProcessing, BiomechanicsImport, MovementCycle, Participant, Study, Synchronization,
} from '../../entities';
import type { GraphQLContext } from '../context';

/**
 * What a relationship resolver reads from its parent: the foreign keys, which rows carry
 * as properties and entities as getters. Typed as an interface on purpose:
 * for a class-typed `@Root()`, type-graphql copies every plain-object parent into a new
 * class instance (which also fails on the entities' read-only getters).
 */
interface Parent {
  id: number;
  studyId?: number;
  participantId?: number;
  audioProcessingId?: number | null;
  biomechanicsImportId?: number | null;
  synchronizationId?: number | null;
}

@Resolver(() => Study)
export class StudyRelations {
  @FieldResolver(() => [Participant], { description: 'Participants of this study, by id.' })
  participants(@Root() study: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(Participant, 'study', info).load(study.id);
  }
}

@Resolver(() => Participant)
export class ParticipantRelations {
  @FieldResolver(() => Int)
  studyId(@Root() p: Parent) {
    return p.studyId;
  }

  @FieldResolver(() => Study)
  study(@Root() p: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(Study, info).load(p.studyId!);
  }

  @FieldResolver(() => [AudioProcessing])
  audioProcessings(@Root() p: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(AudioProcessing, 'participant', info).load(p.id);
  }

  @FieldResolver(() => [BiomechanicsImport])
  biomechanicsImports(@Root() p: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(BiomechanicsImport, 'participant', info).load(p.id);
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() p: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(Synchronization, 'participant', info).load(p.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() p: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(MovementCycle, 'participant', info).load(p.id);
  }
}

@Resolver(() => AudioProcessing)
export class AudioProcessingRelations {
  @FieldResolver(() => Int)
  participantId(@Root() a: Parent) {
    return a.participantId;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The biomechanics import recorded at the same time.' })
  biomechanicsImportId(@Root() a: Parent) {
    return a.biomechanicsImportId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() a: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(Participant, info).load(a.participantId!);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true, description: 'The biomechanics recorded at the same time.' })
  biomechanicsImport(@Root() a: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return a.biomechanicsImportId ? loaders.byId(BiomechanicsImport, info).load(a.biomechanicsImportId!) : null;
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() a: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(Synchronization, 'audioProcessing', info).load(a.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() a: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(MovementCycle, 'audioProcessing', info).load(a.id);
  }
}

@Resolver(() => BiomechanicsImport)
export class BiomechanicsImportRelations {
  @FieldResolver(() => Int)
  participantId(@Root() b: Parent) {
    return b.participantId;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The audio recording made at the same time.' })
  audioProcessingId(@Root() b: Parent) {
    return b.audioProcessingId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() b: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(Participant, info).load(b.participantId!);
  }

  @FieldResolver(() => AudioProcessing, { nullable: true, description: 'The audio recorded at the same time.' })
  audioProcessing(@Root() b: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return b.audioProcessingId ? loaders.byId(AudioProcessing, info).load(b.audioProcessingId!) : null;
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() b: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(Synchronization, 'biomechanicsImport', info).load(b.id);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() b: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(MovementCycle, 'biomechanicsImport', info).load(b.id);
  }
}

@Resolver(() => Synchronization)
export class SynchronizationRelations {
  @FieldResolver(() => Int)
  participantId(@Root() s: Parent) {
    return s.participantId;
  }

  @FieldResolver(() => Int)
  audioProcessingId(@Root() s: Parent) {
    return s.audioProcessingId;
  }

  @FieldResolver(() => Int)
  biomechanicsImportId(@Root() s: Parent) {
    return s.biomechanicsImportId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() s: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(Participant, info).load(s.participantId!);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() s: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(AudioProcessing, info).load(s.audioProcessingId!);
  }

  @FieldResolver(() => BiomechanicsImport)
  biomechanicsImport(@Root() s: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(BiomechanicsImport, info).load(s.biomechanicsImportId!);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() s: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.children(MovementCycle, 'synchronization', info).load(s.id);
  }
}

@Resolver(() => MovementCycle)
export class MovementCycleRelations {
  @FieldResolver(() => Int)
  participantId(@Root() c: Parent) {
    return c.participantId;
  }

  @FieldResolver(() => Int)
  audioProcessingId(@Root() c: Parent) {
    return c.audioProcessingId;
  }

  @FieldResolver(() => Int, { nullable: true })
  biomechanicsImportId(@Root() c: Parent) {
    return c.biomechanicsImportId;
  }

  @FieldResolver(() => Int, { nullable: true })
  synchronizationId(@Root() c: Parent) {
    return c.synchronizationId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() c: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(Participant, info).load(c.participantId!);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() c: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return loaders.byId(AudioProcessing, info).load(c.audioProcessingId!);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true })
  biomechanicsImport(@Root() c: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return c.biomechanicsImportId ? loaders.byId(BiomechanicsImport, info).load(c.biomechanicsImportId!) : null;
  }

  @FieldResolver(() => Synchronization, { nullable: true })
  synchronization(@Root() c: Parent, @Ctx() { loaders }: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return c.synchronizationId ? loaders.byId(Synchronization, info).load(c.synchronizationId!) : null;
  }
}

export const RELATION_RESOLVERS = [
  StudyRelations, ParticipantRelations, AudioProcessingRelations, BiomechanicsImportRelations,
  SynchronizationRelations, MovementCycleRelations,
] as const;
