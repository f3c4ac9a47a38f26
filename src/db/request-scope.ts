/**
 * Request-scoped facts that code deep below the resolvers needs without threading them
 * through every call: which request this is, and how many SQL statements it sent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  sqlStatements: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Called for every statement the ORM sends (hooked up in initORM). */
export function countStatement(): void {
  const scope = requestScope.getStore();
  if (scope) scope.sqlStatements++;
}
