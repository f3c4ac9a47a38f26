import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../context';
import { Loaders } from './loaders';

/** What every resolver receives: a request-scoped EntityManager, its loaders, and the services. */
export interface GraphQLContext {
  em: EntityManager;
  loaders: Loaders;
  services: Services;
}

export function createGraphQLContext(em: EntityManager, services: Services): GraphQLContext {
  const forked = em.fork();
  return { em: forked, loaders: new Loaders(services.read), services };
}
