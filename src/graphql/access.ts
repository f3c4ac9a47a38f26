/**
 * Who may run what. Reads are open unless AE_READ_TOKEN is set; record mutations need the
 * write token (or the admin one); admin mutations and deletes need the admin token. A
 * caller sends it as `Authorization: Bearer <token>`.
 *
 * The check runs once per request, after the operation is parsed and before any field
 * executes, over every root field of the operation: a refused request (missing token →
 * UNAUTHENTICATED, wrong or weaker token → FORBIDDEN) never reaches the database, even
 * when it batches an allowed mutation with a forbidden one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Extensions } from 'type-graphql';
import {
  GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AccessTokens } from '../config';

export type AccessLevel = 'none' | 'read' | 'write' | 'admin';
const RANK: Record<AccessLevel, number> = { none: 0, read: 1, write: 2, admin: 3 };

/** Marks a root field with the access it needs; unmarked mutations need admin, unmarked queries read. */
export const RequiresAccess = (level: Exclude<AccessLevel, 'none'>) => Extensions({ access: level });

export interface Caller {
  /** Whether an `Authorization: Bearer …` token came with the request. */
  presented: boolean;
  /** What the token grants: `none` when absent or matching no configured token. */
  level: AccessLevel;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant time: both sides are hashed to equal length, and every configured token is compared. */
function matches(presented: Buffer, token: string | undefined): boolean {
  return token !== undefined && timingSafeEqual(presented, digest(token));
}

export function identifyCaller(tokens: AccessTokens, authorization: string | undefined | null): Caller {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!token) return { presented: false, level: 'none' };
  const presented = digest(token);
  const [admin, write, read] = [matches(presented, tokens.admin), matches(presented, tokens.write), matches(presented, tokens.read)];
  return { presented: true, level: admin ? 'admin' : write ? 'write' : read ? 'read' : 'none' };
}

/** A root field an operation selects: its name, and its alias when it has one. */
export interface RootSelection {
  name: string;
  alias?: string;
}

/** The root fields an operation selects, through fragments; introspection fields excluded. */
export function rootSelections(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): RootSelection[] {
  return selectionSet.selections.flatMap((s): RootSelection[] => {
    if (s.kind === Kind.FIELD) return s.name.value.startsWith('__') ? [] : [{ name: s.name.value, alias: s.alias?.value }];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootSelections(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    return rootSelections(fragment.selectionSet, fragments, seen);
  });
}

/** The named fragments of a document. */
export const namedFragments = (document: DocumentNode) =>
  new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));

/** The access an operation needs: the most any of its root fields needs. */
export function requiredAccess(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, tokens: AccessTokens): AccessLevel {
  const fragments = namedFragments(document);
  const isMutation = operation.operation === 'mutation';
  const type: GraphQLObjectType | null | undefined = isMutation ? schema.getMutationType() : schema.getQueryType();
  const fallback: AccessLevel = isMutation ? 'admin' : tokens.read ? 'read' : 'none';
  let needed: AccessLevel = 'none';
  for (const { name } of rootSelections(operation.selectionSet, fragments)) {
    const marked = type?.getFields()[name]?.extensions?.access as AccessLevel | undefined;
    const level = marked === 'read' && !tokens.read ? 'none' : (marked ?? fallback);
    if (RANK[level] > RANK[needed]) needed = level;
  }
  return needed;
}

const TOKEN_NAME: Record<AccessLevel, string> = { none: 'no token', read: 'the read token', write: 'the write token', admin: 'the admin token' };

function refuse(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: code === 'UNAUTHENTICATED' ? 401 : 403 } } });
}

/** Apollo plugin enforcing the rules above on every HTTP request. */
export function accessControl(tokens: AccessTokens): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const caller = identifyCaller(tokens, request.http?.headers.get('authorization'));
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (caller.presented && caller.level === 'none') {
            throw refuse('FORBIDDEN', 'The bearer token sent is not valid for this server.');
          }
          const needed = operation ? requiredAccess(schema, document, operation, tokens) : 'none';
          if (RANK[caller.level] >= RANK[needed]) return;
          const how = 'Send it as the header  Authorization: Bearer <token>  (in the explorer at /graphql, or Sandbox: the Headers tab under the operation).';
          if (!caller.presented) throw refuse('UNAUTHENTICATED', `This operation needs ${TOKEN_NAME[needed]}. ${how}`);
          throw refuse('FORBIDDEN', `This operation needs ${TOKEN_NAME[needed]}; the token sent grants ${caller.level} access only.`);
        },
      };
    },
  };
}
