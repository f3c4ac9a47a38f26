/**
 * `<record>Groups` on the resolver path (the compiled path answers them in its one statement,
 * src/graphql/compiled/groups.ts): thin doors onto GroupService. Nested under a record, the
 * groups of every parent in the batch come from one statement (a DataLoader per request).
 */
import DataLoader from 'dataloader';
import { getNamedType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Float, Info, Query, Resolver, Root } from 'type-graphql';
import {
  checkGroupRequest,
  checkPercentile,
  GROUP_KINDS,
  statisticSlot,
  type GroupKind,
  type GroupRow,
} from '../../services/read/groups';
import type { GraphQLContext } from '../context';
import { planGroups } from '../groups-plan';
import { GROUP_TYPES, groupsFieldName } from '../types/groups';
import { LISTED_LINKS } from './relations';

interface GroupArgsValue {
  filter?: object | null;
  groupBy: string[];
}

/** A group as graphql-js reads it: key, count, and one object per statistic slot. */
type GroupValue = { key: Record<string, unknown>; count: number } & Record<string, unknown>;

const SLOTS = ['sum', 'avg', 'min', 'max', 'stddev'] as const;
const toValue = (g: GroupRow): GroupValue => ({
  ...Object.fromEntries(SLOTS.map((s) => [s, {}])),
  ...g.values,
  key: g.key,
  count: g.count,
});

function requestOf(kind: GroupKind, args: GroupArgsValue, info: GraphQLResolveInfo) {
  const plan = planGroups(
    { schema: info.schema, fragments: info.fragments, variables: info.variableValues },
    getNamedType(info.returnType) as GraphQLObjectType,
    info.fieldNodes,
  );
  return checkGroupRequest(kind, args.groupBy, args.filter, plan.aggregates);
}

const loaders = new WeakMap<object, Map<string, DataLoader<number, GroupRow[]>>>();

function groupsOfParent(
  ctx: GraphQLContext,
  kind: GroupKind,
  relation: string,
  id: number,
  args: GroupArgsValue,
  info: GraphQLResolveInfo,
) {
  const request = requestOf(kind, args, info);
  const byRequest = loaders.get(ctx.loaders) ?? new Map<string, DataLoader<number, GroupRow[]>>();
  loaders.set(ctx.loaders, byRequest);
  const name = JSON.stringify([kind, relation, args.groupBy, args.filter ?? null, request.aggregates]);
  let loader = byRequest.get(name);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const groups = await ctx.services.groups.groupsByParent(request, relation, ids);
      return ids.map((i) => groups.get(i) ?? []);
    });
    byRequest.set(name, loader);
  }
  return loader.load(id).then((groups) => groups.map(toValue));
}

function resolversOf(kind: GroupKind) {
  const { Group, Statistics, GroupArgs } = GROUP_TYPES[kind];
  const name = groupsFieldName(kind);

  @Resolver()
  class RootGroups {
    @Query(() => [Group], {
      description: `${kind} rows matching filter, grouped by groupBy (ordered by key), with counts and statistics.`,
    })
    async [name](
      @Args(() => GroupArgs) args: GroupArgsValue,
      @Ctx() ctx: GraphQLContext,
      @Info() info: GraphQLResolveInfo,
    ) {
      return (await ctx.services.groups.groups(requestOf(kind, args, info))).map(toValue);
    }
  }

  @Resolver(() => Group)
  class GroupFields {
    @FieldResolver(() => Statistics, {
      description:
        'percentile_cont(p) of each numeric field: the value below which a fraction p (0 to 1) of the values lie; 0.5 is the median.',
    })
    percentile(@Root() g: GroupValue, @Arg('p', () => Float) p: number) {
      return g[statisticSlot({ statistic: 'percentile', p: checkPercentile(p, 'percentile(p)') })] ?? {};
    }
  }

  // On every record type that lists `kind` rows (relations.ts), the groups of its own rows.
  const nested = LISTED_LINKS.filter((link) => link.fromKind === kind).map((link) => {
    @Resolver(() => link.to)
    class NestedGroups {
      @FieldResolver(() => [Group], { description: `This record's ${kind} rows, grouped as ${name} groups them.` })
      [name](
        @Root() parent: { id: number },
        @Args(() => GroupArgs) args: GroupArgsValue,
        @Ctx() ctx: GraphQLContext,
        @Info() info: GraphQLResolveInfo,
      ) {
        return groupsOfParent(ctx, kind, link.relation, parent.id, args, info);
      }
    }
    return NestedGroups;
  });
  return [RootGroups, GroupFields, ...nested];
}

export const GROUP_RESOLVERS = GROUP_KINDS.flatMap(resolversOf);
