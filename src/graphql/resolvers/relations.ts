/**
 * Relationship fields in both directions, plus the link ids (`participantId`, …). All
 * batched through the request's loaders; list fields take the same `filter` and
 * `orderBy` as the top-level lists. Roots are rows from the read layer or ORM entities
 * (from mutations): both carry the link ids under the same names.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import {
  AudioProcessing, BiomechanicsImport, MovementCycle, Participant, Study, Synchronization,
} from '../../entities';
import type { RecordKind } from '../../services/read';
import type { GraphQLContext } from '../context';
import { fieldsToRead } from '../selection';
import {
  AudioProcessingRelatedArgs, BiomechanicsImportRelatedArgs, MovementCycleRelatedArgs, ParticipantRelatedArgs,
  SynchronizationRelatedArgs, type RelatedArgsValue,
} from '../types/inputs';

// Roots are typed with these aliases, not the entity classes: type-graphql would copy a
// root that is not an instance of its parameter's class into a new entity instance.
type StudyRoot = Pick<Study, 'id'>;
type ParticipantRoot = Pick<Participant, 'id' | 'studyId'>;
type AudioProcessingRoot = Pick<AudioProcessing, 'id' | 'participantId' | 'biomechanicsImportId'>;
type BiomechanicsImportRoot = Pick<BiomechanicsImport, 'id' | 'participantId' | 'audioProcessingId'>;
type SynchronizationRoot = Pick<Synchronization, 'id' | 'participantId' | 'audioProcessingId' | 'biomechanicsImportId'>;
type MovementCycleRoot = Pick<MovementCycle, 'id' | 'participantId' | 'audioProcessingId' | 'biomechanicsImportId' | 'synchronizationId'>;

/** The parent row a link id points at (null for an unset optional link). */
function parent(ctx: GraphQLContext, info: GraphQLResolveInfo, kind: RecordKind, id: number | null | undefined) {
  if (id === null || id === undefined) return null;
  return ctx.loaders.byId(kind).load({ id, fields: fieldsToRead(ctx.services.read, kind, info) });
}

/** The `kind` rows whose `relation` link points at `id`, filtered and ordered. */
function children(ctx: GraphQLContext, info: GraphQLResolveInfo, kind: RecordKind, relation: string, id: number, args: RelatedArgsValue<object>) {
  return ctx.loaders.related(kind, relation, args).load({ id, fields: fieldsToRead(ctx.services.read, kind, info) });
}

@Resolver(() => Study)
export class StudyRelations {
  @FieldResolver(() => [Participant], { description: 'Participants of this study (by id unless ordered otherwise).' })
  participants(@Root() s: StudyRoot, @Args(() => ParticipantRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'participant', 'study', s.id, args);
  }
}

@Resolver(() => Participant)
export class ParticipantRelations {
  @FieldResolver(() => Int)
  studyId(@Root() p: ParticipantRoot) {
    return p.studyId;
  }

  @FieldResolver(() => Study)
  study(@Root() p: ParticipantRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'study', p.studyId);
  }

  @FieldResolver(() => [AudioProcessing])
  audioProcessings(@Root() p: ParticipantRoot, @Args(() => AudioProcessingRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'audioProcessing', 'participant', p.id, args);
  }

  @FieldResolver(() => [BiomechanicsImport])
  biomechanicsImports(@Root() p: ParticipantRoot, @Args(() => BiomechanicsImportRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'biomechanicsImport', 'participant', p.id, args);
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() p: ParticipantRoot, @Args(() => SynchronizationRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'synchronization', 'participant', p.id, args);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() p: ParticipantRoot, @Args(() => MovementCycleRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'movementCycle', 'participant', p.id, args);
  }
}

@Resolver(() => AudioProcessing)
export class AudioProcessingRelations {
  @FieldResolver(() => Int)
  participantId(@Root() a: AudioProcessingRoot) {
    return a.participantId;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The biomechanics import recorded at the same time.' })
  biomechanicsImportId(@Root() a: AudioProcessingRoot) {
    return a.biomechanicsImportId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() a: AudioProcessingRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'participant', a.participantId);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true, description: 'The biomechanics recorded at the same time.' })
  biomechanicsImport(@Root() a: AudioProcessingRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'biomechanicsImport', a.biomechanicsImportId);
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() a: AudioProcessingRoot, @Args(() => SynchronizationRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'synchronization', 'audioProcessing', a.id, args);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() a: AudioProcessingRoot, @Args(() => MovementCycleRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'movementCycle', 'audioProcessing', a.id, args);
  }
}

@Resolver(() => BiomechanicsImport)
export class BiomechanicsImportRelations {
  @FieldResolver(() => Int)
  participantId(@Root() b: BiomechanicsImportRoot) {
    return b.participantId;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The audio recording made at the same time.' })
  audioProcessingId(@Root() b: BiomechanicsImportRoot) {
    return b.audioProcessingId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() b: BiomechanicsImportRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'participant', b.participantId);
  }

  @FieldResolver(() => AudioProcessing, { nullable: true, description: 'The audio recorded at the same time.' })
  audioProcessing(@Root() b: BiomechanicsImportRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'audioProcessing', b.audioProcessingId);
  }

  @FieldResolver(() => [Synchronization])
  synchronizations(@Root() b: BiomechanicsImportRoot, @Args(() => SynchronizationRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'synchronization', 'biomechanicsImport', b.id, args);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() b: BiomechanicsImportRoot, @Args(() => MovementCycleRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'movementCycle', 'biomechanicsImport', b.id, args);
  }
}

@Resolver(() => Synchronization)
export class SynchronizationRelations {
  @FieldResolver(() => Int)
  participantId(@Root() s: SynchronizationRoot) {
    return s.participantId;
  }

  @FieldResolver(() => Int)
  audioProcessingId(@Root() s: SynchronizationRoot) {
    return s.audioProcessingId;
  }

  @FieldResolver(() => Int)
  biomechanicsImportId(@Root() s: SynchronizationRoot) {
    return s.biomechanicsImportId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() s: SynchronizationRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'participant', s.participantId);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() s: SynchronizationRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'audioProcessing', s.audioProcessingId);
  }

  @FieldResolver(() => BiomechanicsImport)
  biomechanicsImport(@Root() s: SynchronizationRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'biomechanicsImport', s.biomechanicsImportId);
  }

  @FieldResolver(() => [MovementCycle])
  movementCycles(@Root() s: SynchronizationRoot, @Args(() => MovementCycleRelatedArgs) args: RelatedArgsValue<object>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return children(ctx, info, 'movementCycle', 'synchronization', s.id, args);
  }
}

@Resolver(() => MovementCycle)
export class MovementCycleRelations {
  @FieldResolver(() => Int)
  participantId(@Root() c: MovementCycleRoot) {
    return c.participantId;
  }

  @FieldResolver(() => Int)
  audioProcessingId(@Root() c: MovementCycleRoot) {
    return c.audioProcessingId;
  }

  @FieldResolver(() => Int, { nullable: true })
  biomechanicsImportId(@Root() c: MovementCycleRoot) {
    return c.biomechanicsImportId;
  }

  @FieldResolver(() => Int, { nullable: true })
  synchronizationId(@Root() c: MovementCycleRoot) {
    return c.synchronizationId;
  }

  @FieldResolver(() => Participant)
  participant(@Root() c: MovementCycleRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'participant', c.participantId);
  }

  @FieldResolver(() => AudioProcessing)
  audioProcessing(@Root() c: MovementCycleRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'audioProcessing', c.audioProcessingId);
  }

  @FieldResolver(() => BiomechanicsImport, { nullable: true })
  biomechanicsImport(@Root() c: MovementCycleRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'biomechanicsImport', c.biomechanicsImportId);
  }

  @FieldResolver(() => Synchronization, { nullable: true })
  synchronization(@Root() c: MovementCycleRoot, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return parent(ctx, info, 'synchronization', c.synchronizationId);
  }
}

export const RELATION_RESOLVERS = [
  StudyRelations, ParticipantRelations, AudioProcessingRelations, BiomechanicsImportRelations,
  SynchronizationRelations, MovementCycleRelations,
] as const;
