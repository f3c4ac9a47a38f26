/**
 * Top-level reads: lookups (null when absent) and paged lists. Thin doors onto
 * ReadService; the selection decides which columns are fetched.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import {
  AudioProcessing, BiomechanicsImport, MovementCycle, Participant, Study, StudyName, Synchronization,
} from '../../entities';
import { UserError } from '../../services/errors';
import type {
  AudioProcessingFilter, BiomechanicsImportFilter, FilterOf, MovementCycleFilter, ParticipantFilter, RecordKind, SynchronizationFilter,
} from '../../services/read';
import type { GraphQLContext } from '../context';
import { fieldsToRead } from '../selection';
import {
  AudioProcessingConnection, BiomechanicsImportConnection, MovementCycleConnection, ParticipantConnection,
  SynchronizationConnection,
} from '../types/connections';
import {
  AudioProcessingPageArgs, BiomechanicsImportPageArgs, MovementCyclePageArgs, ParticipantPageArgs, SynchronizationPageArgs,
  type PageArgsValue,
} from '../types/inputs';

function byId(ctx: GraphQLContext, info: GraphQLResolveInfo, kind: RecordKind, id: number) {
  if (!Number.isInteger(id) || id < 1) throw new UserError(`id: must be a positive integer (got ${id}).`);
  return ctx.loaders.byId(kind).load({ id, fields: fieldsToRead(ctx.services.read, kind, info) });
}

function page<K extends RecordKind>(ctx: GraphQLContext, info: GraphQLResolveInfo, kind: K, args: PageArgsValue<FilterOf[K]>) {
  return ctx.services.read.list(kind, { ...args, fields: fieldsToRead(ctx.services.read, kind, info, ['nodes']) });
}

@Resolver()
export class RecordQueries {
  @Query(() => [Study], { description: 'Every study, by name.' })
  async studies(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const all = await ctx.services.read.list('study', { orderBy: [{ field: 'name' }], fields: fieldsToRead(ctx.services.read, 'study', info) });
    return all.nodes;
  }

  @Query(() => Study, { nullable: true, description: 'One study by name; null when it has no rows yet.' })
  study(@Arg('name', () => StudyName) name: StudyName, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.services.read.findOne('study', { study: name }, fieldsToRead(ctx.services.read, 'study', info));
  }

  @Query(() => Participant, { nullable: true, description: 'One participant by study and number (1011 for #AOA1011); null when absent.' })
  participant(
    @Arg('study', () => StudyName) study: StudyName,
    @Arg('number', () => Int) number: number,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    if (!Number.isInteger(number) || number < 0) throw new UserError(`number: must be a non-negative integer (got ${number}).`);
    return ctx.services.read.findOne('participant', { study, participantNumber: number }, fieldsToRead(ctx.services.read, 'participant', info));
  }

  @Query(() => AudioProcessing, { nullable: true, description: 'One audio recording by id; null when absent.' })
  audioProcessing(@Arg('id', () => Int) id: number, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return byId(ctx, info, 'audioProcessing', id);
  }

  @Query(() => BiomechanicsImport, { nullable: true, description: 'One biomechanics import by id; null when absent.' })
  biomechanicsImport(@Arg('id', () => Int) id: number, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return byId(ctx, info, 'biomechanicsImport', id);
  }

  @Query(() => Synchronization, { nullable: true, description: 'One synchronization by id; null when absent.' })
  synchronization(@Arg('id', () => Int) id: number, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return byId(ctx, info, 'synchronization', id);
  }

  @Query(() => MovementCycle, { nullable: true, description: 'One movement cycle by id; null when absent.' })
  movementCycle(@Arg('id', () => Int) id: number, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return byId(ctx, info, 'movementCycle', id);
  }

  @Query(() => ParticipantConnection, { description: 'Participants matching filter, one page at a time (keyset pagination).' })
  async participants(@Args(() => ParticipantPageArgs) args: PageArgsValue<ParticipantFilter>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return new ParticipantConnection(await page(ctx, info, 'participant', args));
  }

  @Query(() => AudioProcessingConnection, { description: 'Audio recordings matching filter, one page at a time (keyset pagination).' })
  async audioProcessings(@Args(() => AudioProcessingPageArgs) args: PageArgsValue<AudioProcessingFilter>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return new AudioProcessingConnection(await page(ctx, info, 'audioProcessing', args));
  }

  @Query(() => BiomechanicsImportConnection, { description: 'Biomechanics imports matching filter, one page at a time (keyset pagination).' })
  async biomechanicsImports(@Args(() => BiomechanicsImportPageArgs) args: PageArgsValue<BiomechanicsImportFilter>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return new BiomechanicsImportConnection(await page(ctx, info, 'biomechanicsImport', args));
  }

  @Query(() => SynchronizationConnection, { description: 'Synchronizations matching filter, one page at a time (keyset pagination).' })
  async synchronizations(@Args(() => SynchronizationPageArgs) args: PageArgsValue<SynchronizationFilter>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return new SynchronizationConnection(await page(ctx, info, 'synchronization', args));
  }

  @Query(() => MovementCycleConnection, { description: 'Movement cycles matching filter, one page at a time (keyset pagination).' })
  async movementCycles(@Args(() => MovementCyclePageArgs) args: PageArgsValue<MovementCycleFilter>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return new MovementCycleConnection(await page(ctx, info, 'movementCycle', args));
  }
}
