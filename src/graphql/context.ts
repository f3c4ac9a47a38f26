import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../context';
import { Loaders } from './loaders';
import type { StreamedResponse } from './compiled/front-door';

/** What every resolver receives: a request-scoped EntityManager, its loaders, and the services. */
export interface GraphQLContext {
  em: EntityManager;
  loaders: Loaders;
  services: Services;
  /**
   * Set when the compiled read path answers: PostgreSQL's text, streamed by the HTTP handler.
   * A holder, since Apollo hands plugins a shallow copy of the context.
   */
  reply: { streamed?: StreamedResponse };
}

export function createGraphQLContext(em: EntityManager, services: Services): GraphQLContext {
  const forked = em.fork();
  return { em: forked, loaders: new Loaders(services.read), services, reply: {} };
}
