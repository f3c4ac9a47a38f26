import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Study, StudyName } from '../../entities';
import type { GraphQLContext } from '../context';

@Resolver()
export class StudyQueries {
  @Query(() => [Study], { description: 'Every study, by name.' })
  studies(@Ctx() { em }: GraphQLContext) {
    return em.find(Study, {}, { orderBy: { name: 'asc' } });
  }

  @Query(() => Study, { nullable: true, description: 'One study by name; null when it has no rows yet.' })
  study(@Arg('name', () => StudyName) name: StudyName, @Ctx() { em }: GraphQLContext) {
    return em.findOne(Study, { name });
  }
}
