/**
 * The compiled read path (one SQL statement, JSON built by PostgreSQL, streamed) answers
 * byte for byte what the resolver path answers, sends one statement, and refuses what
 * AE_MAX_ROWS forbids before sending anything.
 */
import { postGraphQL } from './helpers/http';
import { useReadFixture } from './helpers/read-fixture';

const { gql, server } = useReadFixture();

async function both(query: string, variables?: Record<string, unknown>) {
  const { status, text: compiled, logs } = await postGraphQL(server, query, variables);
  expect(logs.filter((l) => l.msg === 'read answered by the resolvers')).toEqual([]);
  expect(logs.filter((l) => l.msg === 'graphql request').at(-1)?.sqlStatements).toBe(1);
  const reference = JSON.stringify(await gql.query(query, variables)) + '\n';
  return { compiled, reference, status };
}

const QUERIES: [string, string][] = [
  [
    'tree',
    `{ studies { id name createdAt participants { id studyParticipantId audioProcessings { id knee maneuver qcFailSegments durationSeconds processingDate recordingDate
      synchronizations { id passNumber speed syncMethod meanCycleDurationS movementCycles { id cycleIndex isOutlier durationS startTimeS } } } } } }`,
  ],
  [
    'connection',
    `{ movementCycles(first: 7, orderBy: [{ field: durationS, direction: DESC }]) { totalCount pageInfo { hasNextPage endCursor } nodes { id durationS knee participant { studyParticipantId study { name } } } } }`,
  ],
  [
    'lookups',
    `query($n: Int!) { a: participant(study: AOA, number: $n) { __typename id movementCycles(filter: { isOutlier: false }) { id } } study(name: preOA) { name } audioProcessing(id: 1) { biomechanicsImport { biomechanicsType audioProcessing { id } } qcFailIntervals { start end duration } } }`,
  ],
  [
    'fragments',
    `query Q($skip: Boolean = true) { ...R } fragment R on Query { __typename synchronizations(first: 3) { nodes { ...S id @skip(if: $skip) } pageInfo { endCursor __typename } } } fragment S on Synchronization { id audioProcessing { audioFileName } }`,
  ],
  [
    'empty page',
    `{ audioProcessings(filter: { id: [999999] }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`,
  ],
  [
    'biomechanics',
    `{ biomechanicsImports(first: 4) { nodes { id biomechanicsType synchronizations { id } movementCycles(orderBy: [{field: cycleIndex}]) { id } } } }`,
  ],
];

describe.each(QUERIES)('%s', (_name, query) => {
  it('answers as the resolvers do', async () => {
    const { compiled, reference, status } = await both(query, { n: 1001 });
    expect(status).toBe(200);
    expect(compiled).toBe(reference);
  });
});
