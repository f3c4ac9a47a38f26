/**
 * examples/queries.graphql: every operation in it runs against seeded data without
 * errors, and each top-level result (and every list directly inside it) is non-empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { useTestDatabase } from './helpers/test-database';

const source = readFileSync(join(__dirname, '..', 'examples', 'queries.graphql'), 'utf8');
const operations = parse(source).definitions.filter(
  (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
);

const { sql: c, gql } = useTestDatabase({ seed: { participantsPerStudy: 5 }, sql: true, graphql: true });

it('holds the queries a researcher runs first', () => {
  expect(operations.map((o) => o.name?.value)).toEqual(
    expect.arrayContaining([
      'ParticipantOverview',
      'CleanWalkCycles',
      'AudioFailedQcOnChannel3',
      'SyncStatsByMethod',
      'ParticipantTree',
    ]),
  );
});

it.each(operations.map((o) => [o.name!.value]))('%s runs without errors and returns data', async (name) => {
  const res = await gql.query(source, undefined, name);
  expect(res.errors).toBeUndefined();
  for (const [field, value] of Object.entries(res.data as Record<string, unknown>)) {
    expect(`${field}: ${value === null ? 'null' : 'present'}`).toBe(`${field}: present`);
    if (Array.isArray(value)) expect(value.length).toBeGreaterThan(0);
    else
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(inner)) expect(`${field}.${key}: ${inner.length > 0}`).toBe(`${field}.${key}: true`);
      }
  }
});

it('PageOfCycles, sent again with endCursor until hasNextPage is false, yields every walk cycle once', async () => {
  const ids: number[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await gql.query(source, { after, first: 1000 }, 'PageOfCycles');
    expect(res.errors).toBeUndefined();
    ids.push(...res.data.movementCycles.nodes.map((n: { id: number }) => n.id));
    if (!res.data.movementCycles.pageInfo.hasNextPage) break;
    after = res.data.movementCycles.pageInfo.endCursor;
  }
  const { rows } = await c.query(`select id from movement_cycles where maneuver = 'walk' order by id`);
  expect(rows.length).toBeGreaterThan(2000);
  expect(ids).toEqual(rows.map((r) => r.id));
});
