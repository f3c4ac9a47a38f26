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
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AccessTokens } from '../config';
import type { GraphQLContext } from './context';

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

/** A caller who sent no token. */
export const ANONYMOUS: Caller = Object.freeze({ presented: false, level: 'none' });

type TokenLevel = Exclude<AccessLevel, 'none'>;
const TOKEN_LEVELS: readonly TokenLevel[] = ['admin', 'write', 'read'];

/** The configured tokens as SHA-256 digests, made once when the server starts. */
export type TokenDigests = Readonly<Partial<Record<TokenLevel, Buffer>>>;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function digestTokens(tokens: AccessTokens): TokenDigests {
  return Object.fromEntries(
    TOKEN_LEVELS.flatMap((level) => (tokens[level] === undefined ? [] : [[level, digest(tokens[level])]])),
  );
}

/**
 * What the request's `Authorization: Bearer …` grants. Constant time: the presented token is
 * hashed to the digests' length, and compared with every configured one.
 */
export function identifyCaller(tokens: TokenDigests, authorization: string | undefined | null): Caller {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!token) return ANONYMOUS;
  const presented = digest(token);
  const [admin, write, read] = TOKEN_LEVELS.map(
    (level) => tokens[level] !== undefined && timingSafeEqual(presented, tokens[level]),
  );
  return { presented: true, level: admin ? 'admin' : write ? 'write' : read ? 'read' : 'none' };
}

/** A root field an operation selects: its name, and its alias when it has one. */
export interface RootSelection {
  name: string;
  alias?: string;
}

/** The root fields an operation selects, through fragments; introspection fields excluded. */
export function rootSelections(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): RootSelection[] {
  return selectionSet.selections.flatMap((s): RootSelection[] => {
    if (s.kind === Kind.FIELD)
      return s.name.value.startsWith('__') ? [] : [{ name: s.name.value, alias: s.alias?.value }];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootSelections(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    return rootSelections(fragment.selectionSet, fragments, seen);
  });
}

/** The named fragments of a document. */
export const namedFragments = (document: DocumentNode) =>
  new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );

/** The access an operation needs: the most any of its root fields needs. */
export function requiredAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  tokens: AccessTokens,
): AccessLevel {
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

const TOKEN_NAME: Record<AccessLevel, string> = {
  none: 'no token',
  read: 'the read token',
  write: 'the write token',
  admin: 'the admin token',
};

function refuse(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: code === 'UNAUTHENTICATED' ? 401 : 403 } } });
}

/**
 * Apollo plugin enforcing the rules above on every HTTP request, for the caller the HTTP layer
 * identified (src/http/caller.ts) and put on the context.
 */
export function accessControl(tokens: AccessTokens): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue: { caller } }) {
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (caller.presented && caller.level === 'none') {
            throw refuse('FORBIDDEN', 'The bearer token sent is not valid for this server.');
          }
          const needed = operation ? requiredAccess(schema, document, operation, tokens) : 'none';
          if (RANK[caller.level] >= RANK[needed]) return;
          const how =
            'Send it as the header  Authorization: Bearer <token>  (in the explorer at /graphql, or Sandbox: the Headers tab under the operation).';
          if (!caller.presented) throw refuse('UNAUTHENTICATED', `This operation needs ${TOKEN_NAME[needed]}. ${how}`);
          throw refuse(
            'FORBIDDEN',
            `This operation needs ${TOKEN_NAME[needed]}; the token sent grants ${caller.level} access only.`,
          );
        },
      };
    },
  };
}
