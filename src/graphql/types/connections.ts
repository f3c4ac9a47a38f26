/**
 * Connections: one page of a top-level list, `{ totalCount pageInfo { hasNextPage endCursor } nodes }`.
 * `totalCount` is a method, so GraphQL calls it (and the count statement runs) only when
 * a query selects it.
 */
import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from '../../services/read';
import { LIST_KINDS, RECORD_TYPES, ROW_NOUNS, type ListKind } from './record-types';

@ObjectType({ description: 'Where this page ends, and whether more rows follow.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Another page follows: ask again with after: endCursor.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last row of this page (the given after when the page is empty).',
  })
  endCursor!: string | null;
}

export interface Connection {
  nodes: unknown[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

function connectionOf(node: ClassType<object>, name: string, rows: string) {
  @ObjectType(name, { description: `One page of ${rows}.` })
  class ConnectionType implements Connection {
    @Field(() => [node], { description: `The ${rows} of this page, in order.` })
    nodes: object[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    constructor(private readonly page: Page) {
      this.nodes = page.nodes as object[];
      this.pageInfo = { hasNextPage: page.hasNextPage, endCursor: page.endCursor };
    }

    @Field(() => Int, {
      description: `All ${rows} matching the filter, on every page (one more SQL statement, run only when asked for).`,
    })
    totalCount(): Promise<number> {
      return this.page.totalCount();
    }
  }
  return ConnectionType;
}

/** The connection type of each top-level list (`ParticipantConnection`, …). */
export const CONNECTIONS = Object.fromEntries(
  LIST_KINDS.map((kind) => [
    kind,
    connectionOf(RECORD_TYPES[kind], `${RECORD_TYPES[kind].name}Connection`, ROW_NOUNS[kind].many),
  ]),
) as Record<ListKind, ReturnType<typeof connectionOf>>;
