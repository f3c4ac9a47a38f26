/**
 * `<record>Groups` on the resolver path (the compiled path answers them in its one statement,
 * src/graphql/compiled/groups.ts): thin doors onto GroupService. Nested under a record, the
 * groups of every parent in the batch come from one statement (a DataLoader per request).
 */
import DataLoader from 'dataloader';
import { getNamedType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Float, Info, Query, Resolver, Root } from 'type-graphql';
import { AudioProcessing, BiomechanicsImport, Participant, Study, Synchronization } from '../../entities';
import { checkGroupRequest, checkPercentile, GROUP_KINDS, statisticSlot, type GroupKind, type GroupRow } from '../../services/read/groups';
import type { RecordKind } from '../../services/read';
import type { GraphQLContext } from '../context';
import { planGroups } from '../groups-plan';
import { GROUP_TYPES, groupsFieldName } from '../types/groups';

interface GroupArgsValue {
  filter?: object | null;
  groupBy: string[];
}

/** A group as graphql-js reads it: key, count, and one object per statistic slot. */
type GroupValue = { key: Record<string, unknown>; count: number } & Record<string, unknown>;

const SLOTS = ['sum', 'avg', 'min', 'max', 'stddev'] as const;
const toValue = (g: GroupRow): GroupValue => ({ ...Object.fromEntries(SLOTS.map((s) => [s, {}])), ...g.values, key: g.key, count: g.count });

function requestOf(kind: GroupKind, args: GroupArgsValue, info: GraphQLResolveInfo) {
  const plan = planGroups(
    { schema: info.schema, fragments: info.fragments, variables: info.variableValues },
    getNamedType(info.returnType) as GraphQLObjectType,
    info.fieldNodes,
  );
  return checkGroupRequest(kind, args.groupBy, args.filter, plan.aggregates);
}

/** Record types that list `kind` rows below them, and the relation those rows link by. */
const PARENTS: Record<GroupKind, [parent: RecordKind, type: Function][]> = {
  participant: [['study', Study]],
  audioProcessing: [['participant', Participant]],
  biomechanicsImport: [['participant', Participant]],
  synchronization: [['participant', Participant], ['audioProcessing', AudioProcessing], ['biomechanicsImport', BiomechanicsImport]],
  movementCycle: [
    ['participant', Participant], ['audioProcessing', AudioProcessing], ['biomechanicsImport', BiomechanicsImport], ['synchronization', Synchronization],
  ],
};

const loaders = new WeakMap<object, Map<string, DataLoader<number, GroupRow[]>>>();

function groupsOfParent(ctx: GraphQLContext, kind: GroupKind, relation: string, id: number, args: GroupArgsValue, info: GraphQLResolveInfo) {
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

function resolversOf(kind: GroupKind): Function[] {
  const { Group, Statistics, GroupArgs } = GROUP_TYPES[kind];
  const name = groupsFieldName(kind);

  @Resolver()
  class RootGroups {}
  Object.defineProperty(RootGroups.prototype, name, {
    value: async (args: GroupArgsValue, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
      (await ctx.services.groups.groups(requestOf(kind, args, info))).map(toValue),
  });
  type ParamDecorator = (target: object, key: string, index: number) => void;
  const method = (cls: Function, decorate: MethodDecorator, field: string, params: ParamDecorator[]) => {
    params.forEach((d, i) => d(cls.prototype, field, i));
    decorate(cls.prototype, field, Object.getOwnPropertyDescriptor(cls.prototype, field)!);
  };
  method(
    RootGroups,
    Query(() => [Group], { name, description: `${kind} rows matching filter, grouped by groupBy (ordered by key), with counts and statistics.` }),
    name,
    [Args(() => GroupArgs), Ctx(), Info()] as ParamDecorator[],
  );

  @Resolver(() => Group)
  class GroupFields {
    @FieldResolver(() => Statistics, { description: 'percentile_cont(p) of each numeric field: the value below which a fraction p (0 to 1) of the values lie; 0.5 is the median.' })
    percentile(@Root() g: GroupValue, @Arg('p', () => Float) p: number) {
      return g[statisticSlot({ statistic: 'percentile', p: checkPercentile(p, 'percentile(p)') })] ?? {};
    }
  }

  const nested = PARENTS[kind].map(([relation, parentType]) => {
    @Resolver(() => parentType as new () => object)
    class NestedGroups {}
    Object.defineProperty(NestedGroups.prototype, name, {
      value: (parent: { id: number }, args: GroupArgsValue, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
        groupsOfParent(ctx, kind, relation, parent.id, args, info),
    });
    method(
      NestedGroups,
      FieldResolver(() => [Group], { name, description: `This record's ${kind} rows, grouped as ${name} groups them.` }),
      name,
      [Root(), Args(() => GroupArgs), Ctx(), Info()] as ParamDecorator[],
    );
    return NestedGroups;
  });
  return [RootGroups, GroupFields, ...nested];
}

export const GROUP_RESOLVERS = GROUP_KINDS.flatMap(resolversOf);
