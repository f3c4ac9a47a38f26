import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../context';
import { Loaders } from './loaders';
import type { StreamedResponse } from './compiled/front-door';
import { ANONYMOUS, type Caller } from './access';

/** What every resolver receives: a request-scoped EntityManager, its loaders, the services, and who is asking. */
export interface GraphQLContext {
  /** Identified once, by the HTTP layer, from the request's Authorization header (src/http/caller.ts). */
  caller: Caller;
  em: EntityManager;
  loaders: Loaders;
  services: Services;
  /**
   * Set when the compiled read path answers: PostgreSQL's text, streamed by the HTTP handler.
   * A holder, since Apollo hands plugins a shallow copy of the context.
   */
  reply: { streamed?: StreamedResponse };
}

/**
 * Built for every request, so what most requests never touch is made on first use: a
 * compiled read reads neither the EntityManager fork nor the loaders. A class, so the lazy
 * getters survive Apollo's shallow copy of the context (it keeps the prototype).
 */
class RequestContext implements GraphQLContext {
  private forked?: EntityManager;
  private batches?: Loaders;
  readonly reply: GraphQLContext['reply'] = {};

  constructor(
    private readonly root: EntityManager,
    readonly services: Services,
    readonly caller: Caller,
  ) {}

  get em(): EntityManager {
    return (this.forked ??= this.root.fork());
  }

  get loaders(): Loaders {
    return (this.batches ??= new Loaders(this.services.read));
  }
}

/** `caller`: anonymous unless told otherwise (operations run in-process present no token). */
export function createGraphQLContext(
  em: EntityManager,
  services: Services,
  caller: Caller = ANONYMOUS,
): GraphQLContext {
  return new RequestContext(em, services, caller);
}
