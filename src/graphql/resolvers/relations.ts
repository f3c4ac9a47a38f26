/**
 * Relationship fields in both directions and the link ids, generated from the ORM's
 * many-to-one links. A link `audioProcessing.participant` gives:
 *  - `AudioProcessing.participantId`, a plain field on the entity's getter (rows from the read
 *    layer carry the id as data, ORM entities from mutations through the getter);
 *  - `AudioProcessing.participant`, the parent row, through the request's `byId` loader;
 *  - `Participant.audioProcessings(filter, orderBy)`, the rows linking to it, taking the same
 *    `filter` and `orderBy` as the top-level lists, through the request's `related` loader.
 * Two links pointing at each other (the audio and the biomechanics recorded at the same time)
 * pair two records one-to-one: they list nothing.
 */
import { MetadataStorage, ReferenceKind } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, Field, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import { ENTITIES } from '../../entities';
import { LIST_NAME, type RecordKind, type Row } from '../../services/read';
import type { GraphQLContext } from '../context';
import { fieldsToRead } from '../selection';
import { LIST_ARGS, type RelatedArgsValue } from '../types/inputs';
import { kindOf, type ListKind, type RecordType } from '../types/record-types';

export interface RecordLink {
  /** The record type holding the link (the child), and the one it points at (the parent). */
  from: RecordType;
  to: RecordType;
  fromKind: RecordKind;
  toKind: RecordKind;
  /** The entity property, which is also the GraphQL field of the parent (`participant`). */
  relation: string;
  /** The field holding the parent's id (`participantId`). */
  idField: string;
  nullable: boolean;
}

function linksOf(type: RecordType): RecordLink[] {
  const { properties } = MetadataStorage.getMetadataFromDecorator(type);
  return Object.values(properties)
    .filter((p) => p.kind === ReferenceKind.MANY_TO_ONE)
    .map((p) => {
      const to = (p.entity as () => RecordType)();
      return {
        from: type,
        to,
        fromKind: kindOf(type),
        toKind: kindOf(to),
        relation: p.name,
        idField: `${p.name}Id`,
        nullable: !!p.nullable,
      };
    });
}

/** Every many-to-one link, in the order of ENTITIES and of their declarations. */
export const RECORD_LINKS: readonly RecordLink[] = ENTITIES.flatMap(linksOf);

/** The links whose parent lists the rows linking to it: all but the one-to-one pairs. */
export const LISTED_LINKS = RECORD_LINKS.filter(
  (link) => !RECORD_LINKS.some((back) => back.from === link.to && back.to === link.from),
) as readonly (RecordLink & { fromKind: ListKind })[];

/** The few fields that say more than their name and type. */
const DESCRIPTIONS: Record<string, string> = {
  'Study.participants': 'Participants of this study (by id unless ordered otherwise).',
  'AudioProcessing.biomechanicsImportId': 'The biomechanics import recorded at the same time.',
  'AudioProcessing.biomechanicsImport': 'The biomechanics recorded at the same time.',
  'BiomechanicsImport.audioProcessingId': 'The audio recording made at the same time.',
  'BiomechanicsImport.audioProcessing': 'The audio recorded at the same time.',
};
const descriptionOf = (type: RecordType, field: string) => DESCRIPTIONS[`${type.name}.${field}`];

// Roots are typed as rows, not as the entity classes: type-graphql would copy a root that
// is not an instance of its parameter's class into a new entity instance.

/** `<relation>`: the parent row (null for an unset optional link). */
function parentField(link: RecordLink) {
  @Resolver(() => link.from)
  class ParentField {
    @FieldResolver(() => link.to, { nullable: link.nullable, description: descriptionOf(link.from, link.relation) })
    [link.relation](@Root() row: Row, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
      const id = row[link.idField] as number | null | undefined;
      if (id === null || id === undefined) return null;
      return ctx.loaders.byId(link.toKind).load({ id, fields: fieldsToRead(ctx.services.read, link.toKind, info) });
    }
  }
  return ParentField;
}

/** On the parent: the rows whose link points at it, filtered and ordered. */
function childrenField(link: RecordLink & { fromKind: ListKind }) {
  @Resolver(() => link.to)
  class ChildrenField {
    @FieldResolver(() => [link.from], { description: descriptionOf(link.to, LIST_NAME[link.fromKind]) })
    [LIST_NAME[link.fromKind]](
      @Root() row: Row,
      @Args(() => LIST_ARGS[link.fromKind].related) args: RelatedArgsValue<object>,
      @Ctx() ctx: GraphQLContext,
      @Info() info: GraphQLResolveInfo,
    ) {
      const fields = fieldsToRead(ctx.services.read, link.fromKind, info);
      return ctx.loaders.related(link.fromKind, link.relation, args).load({ id: row.id as number, fields });
    }
  }
  return ChildrenField;
}

// `<relation>Id` is read straight off the root: a column of the row, or the entity's getter.
for (const link of RECORD_LINKS) {
  if (!Object.getOwnPropertyDescriptor(link.from.prototype, link.idField)?.get) {
    throw new Error(`${link.from.name} needs a getter ${link.idField} (the id of its ${link.relation}) for GraphQL`);
  }
  Field(() => Int, { nullable: link.nullable, description: descriptionOf(link.from, link.idField), simple: true })(
    link.from.prototype,
    link.idField,
  );
}

// Per record type its parents, then its lists, as the schema has always ordered them.
export const RELATION_RESOLVERS = ENTITIES.flatMap((type) => [
  ...RECORD_LINKS.filter((link) => link.from === type).map(parentField),
  ...LISTED_LINKS.filter((link) => link.to === type).map(childrenField),
]);
