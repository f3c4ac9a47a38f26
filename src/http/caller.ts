/**
 * Who is calling, identified once per request from its `Authorization: Bearer …` header,
 * before anything else reads the request: the body parser sizes its limit by it
 * (body-limit.ts), the GraphQL access check (src/graphql/access.ts, through the context) and
 * the export route decide by it. The configured tokens are digested once, when the server starts.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AccessTokens } from '../config';
import { digestTokens, identifyCaller, type Caller } from '../graphql/access';

/** Where the caller is kept for the rest of the request (`res.locals`). */
const CALLER = 'caller';

export function callerIdentification(tokens: AccessTokens) {
  const digests = digestTokens(tokens);
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals[CALLER] = identifyCaller(digests, req.header('authorization'));
    next();
  };
}

/** The caller callerIdentification found; a route it does not run before has none to give. */
export function callerOf(res: Response): Caller {
  const caller = res.locals[CALLER] as Caller | undefined;
  if (!caller) throw new Error('callerOf: callerIdentification did not run before this handler');
  return caller;
}
