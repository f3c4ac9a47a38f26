/**
 * Top-level reads: lookups (null when absent) and paged lists. Thin doors onto
 * ReadService; the selection decides which columns are fetched.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import { Participant, Study, StudyName } from '../../entities';
import { UserError } from '../../services/errors';
import { LIST_NAME, type FilterOf } from '../../services/read';
import type { GraphQLContext } from '../context';
import { fieldsToRead } from '../selection';
import { ParticipantNumberArgs, participantNumberOf } from '../participant-number';
import { CONNECTIONS } from '../types/connections';
import { LIST_ARGS, type PageArgsValue } from '../types/inputs';
import { LIST_KINDS, RECORD_TYPES, ROW_NOUNS, type ListKind } from '../types/record-types';

@Resolver()
class RecordQueries {
  @Query(() => [Study], { description: 'Every study, by name.' })
  async studies(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    const all = await ctx.services.read.list('study', {
      orderBy: [{ field: 'name' }],
      fields: fieldsToRead(ctx.services.read, 'study', info),
    });
    return all.nodes;
  }

  @Query(() => Study, { nullable: true, description: 'One study by name; null when it has no rows yet.' })
  study(@Arg('name', () => StudyName) name: StudyName, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.services.read.findOne('study', { study: name }, fieldsToRead(ctx.services.read, 'study', info));
  }

  @Query(() => Participant, {
    nullable: true,
    description: 'One participant by study and number (1011 for #AOA1011); null when absent.',
  })
  participant(
    @Args(() => ParticipantNumberArgs) args: ParticipantNumberArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const { name, value } = participantNumberOf(args);
    if (!Number.isInteger(value) || value < 0) {
      throw new UserError(`${name}: must be a non-negative integer (got ${value}).`);
    }
    const fields = fieldsToRead(ctx.services.read, 'participant', info);
    return ctx.services.read.findOne('participant', { study: args.study, participantNumber: value }, fields);
  }
}

/** `audioProcessing(id)`, …: one record by id (the participant is looked up by study and number instead). */
function lookupById(kind: Exclude<ListKind, 'participant'>) {
  @Resolver()
  class LookupById {
    @Query(() => RECORD_TYPES[kind], {
      nullable: true,
      description: `One ${ROW_NOUNS[kind].one} by id; null when absent.`,
    })
    [kind](@Arg('id', () => Int) id: number, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
      if (!Number.isInteger(id) || id < 1) throw new UserError(`id: must be a positive integer (got ${id}).`);
      return ctx.loaders.byId(kind).load({ id, fields: fieldsToRead(ctx.services.read, kind, info) });
    }
  }
  return LookupById;
}

/** `participants`, `audioProcessings`, …: one page of a list. */
function listQuery(kind: ListKind) {
  const Connection = CONNECTIONS[kind];
  const rows = ROW_NOUNS[kind].many;
  @Resolver()
  class ListQuery {
    @Query(() => Connection, {
      description: `${rows[0].toUpperCase()}${rows.slice(1)} matching filter, one page at a time (keyset pagination).`,
    })
    async [LIST_NAME[kind]](
      @Args(() => LIST_ARGS[kind].page) args: PageArgsValue<FilterOf[ListKind]>,
      @Ctx() ctx: GraphQLContext,
      @Info() info: GraphQLResolveInfo,
    ) {
      return new Connection(
        await ctx.services.read.list(kind, { ...args, fields: fieldsToRead(ctx.services.read, kind, info, ['nodes']) }),
      );
    }
  }
  return ListQuery;
}

export const QUERY_RESOLVERS = [
  RecordQueries,
  ...LIST_KINDS.filter((kind) => kind !== 'participant').map(lookupById),
  ...LIST_KINDS.map(listQuery),
];
