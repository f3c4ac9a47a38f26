/**
 * Batching, counted where it matters: the statements PostgreSQL receives. A query
 * nesting k relationship levels costs k statements (plus one per totalCount) on a small
 * dataset and on one four times larger alike.
 */
import { countWireStatements } from './helpers/statements';
import { useTestDatabase } from './helpers/test-database';

const { ctx, sql: c, gql } = useTestDatabase({ seed: { participantsPerStudy: 1 }, sql: true, graphql: true });

const TREE = `{ studies { name participants { studyParticipantId audioProcessings { knee maneuver
  synchronizations { passNumber speed movementCycles { cycleIndex isOutlier durationS } } } } } }`;

const TREE_FILTERED = `{ studies { name participants(filter: { hasSynchronization: true }) { studyParticipantId
  audioProcessings(filter: { maneuver: [walk, fe] }, orderBy: [{ field: recordingTime }]) { knee maneuver
    synchronizations(orderBy: [{ field: speed, direction: DESC }]) { passNumber speed
      movementCycles(filter: { isOutlier: false }, orderBy: [{ field: durationS }]) { cycleIndex durationS } } } } } }`;

const PAGED_TREE = `{ participants(first: 1000) { totalCount nodes { studyParticipantId
  audioProcessings { synchronizations { movementCycles { id } } } } } }`;

const UPWARDS = `{ movementCycles(first: 10000) { nodes { id synchronization { id audioProcessing { id
  participant { id study { name } } } } } } }`;

const SIDEWAYS = `{ audioProcessings(first: 10000) { nodes { id participant { id } biomechanicsImport { id }
  synchronizations { id } movementCycles { id } } } }`;

function countCycles(result: any): number {
  let n = 0;
  for (const s of result.data.studies)
    for (const p of s.participants)
      for (const a of p.audioProcessings) for (const y of a.synchronizations) n += y.movementCycles.length;
  return n;
}

async function measure(query: string) {
  const { result, statements } = await countWireStatements(() => gql.query(query));
  expect(result.errors).toBeUndefined();
  return { result, statements: statements.length };
}

let small: Record<string, number>;
let smallCycles: number;

beforeAll(async () => {
  const tree = await measure(TREE);
  smallCycles = countCycles(tree.result);
  small = {
    tree: tree.statements,
    filtered: (await measure(TREE_FILTERED)).statements,
    paged: (await measure(PAGED_TREE)).statements,
    upwards: (await measure(UPWARDS)).statements,
    sideways: (await measure(SIDEWAYS)).statements,
  };
  await ctx.services.seed.seed({ participantsPerStudy: 4 }); // four times the participants
});

it('the larger dataset really is about four times larger', async () => {
  const { rows } = await c.query(`select count(*)::int as n from movement_cycles where synchronization_id is not null`);
  expect(smallCycles).toBeGreaterThan(300);
  expect(rows[0].n).toBeGreaterThan(3 * smallCycles);
});

it('study → participants → audio → synchronizations → cycles: 5 statements on both datasets', async () => {
  const large = await measure(TREE);
  const { rows } = await c.query(`select count(*)::int as n from movement_cycles where synchronization_id is not null`);
  expect(countCycles(large.result)).toBe(rows[0].n);
  expect(small.tree).toBe(5);
  expect(large.statements).toBe(5);
});

it('a paged root with totalCount: 4 levels + 1 count', async () => {
  expect(small.paged).toBe(5);
  const large = await measure(PAGED_TREE);
  expect(large.result.data.participants.totalCount).toBe(12);
  expect(large.statements).toBe(5);
});

it.each([
  ['with filters and orderings on every level: still 5', 'filtered', TREE_FILTERED],
  ['upwards from every cycle to its study: one statement per level', 'upwards', UPWARDS],
  ['four relationships of every audio record: one statement each', 'sideways', SIDEWAYS],
])('%s', async (_title, measured, query) => {
  expect(small[measured]).toBe(5);
  expect((await measure(query)).statements).toBe(5);
});
