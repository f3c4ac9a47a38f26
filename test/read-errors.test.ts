/**
 * Bad input to the read API, over real HTTP with stack traces switched on (as in
 * development): always a BAD_USER_INPUT error whose message names the argument, never
 * an internal error, a stack trace, or data from a wrongly applied argument.
 */
import { useTestDatabase } from './helpers/test-database';
import { startApp, type RunningApp } from '../src/app';

let app: RunningApp;
const savedEnv = process.env.NODE_ENV;

useTestDatabase({
  seed: { participantsPerStudy: 1 },
  prepare: async ({ ctx }) => {
    process.env.NODE_ENV = 'development'; // Apollo then puts stack traces into errors unless told otherwise
    app = await startApp(ctx, 0, '127.0.0.1');
    return () => app.close();
  },
});
afterAll(() => {
  process.env.NODE_ENV = savedEnv;
});

interface GqlError {
  message: string;
  extensions?: Record<string, unknown>;
}

async function post(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: GqlError[] }> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: GqlError[] };
}

/** The one error of `query`: BAD_USER_INPUT, message matching `message`, no stack trace. */
async function expectBadInput(query: string, message: RegExp, variables?: Record<string, unknown>): Promise<GqlError> {
  const body = await post(query, variables);
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error.message).toMatch(message);
  expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  expect(JSON.stringify(error)).not.toMatch(/stacktrace|\.ts:\d+|at \w+ \(/);
  return error;
}

const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

describe('unknown enum values', () => {
  it('in a top-level argument', () =>
    expectBadInput(`{ study(name: OAI) { name } }`, /^Argument name: .*"OAI".*StudyName/));
  it('in a filter field', () =>
    expectBadInput(
      `{ movementCycles(filter: { maneuver: [walk, jump] }) { nodes { id } } }`,
      /^Argument filter\.maneuver\[1\]: .*"jump"/,
    ));
  it('in the filter of a relationship field', () =>
    expectBadInput(
      `{ participants { nodes { movementCycles(filter: { speed: sprint }) { id } } } }`,
      /^Argument filter\.speed: .*"sprint"/,
    ));
  it('in orderBy', () =>
    expectBadInput(
      `{ audioProcessings(orderBy: [{ field: colour }]) { nodes { id } } }`,
      /^Argument orderBy\[0\]\.field: .*"colour"/,
    ));
  it('in groupBy', () =>
    expectBadInput(`{ synchronizationStats(groupBy: [weather]) { count } }`, /^Argument groupBy\[0\]: .*"weather"/));
  it('in a variable', () =>
    expectBadInput(
      `query($f: MovementCycleFilter) { movementCycles(filter: $f) { nodes { id } } }`,
      /\$f.*f\.maneuver.*"jump"/,
      { f: { maneuver: 'jump' } },
    ));
  it('an unknown filter field', () =>
    expectBadInput(
      `{ synchronizations(filter: { isOutlier: true }) { nodes { id } } }`,
      /^Argument filter\.isOutlier: .*not defined by type "SynchronizationFilter"/,
    ));
});

describe('first', () => {
  it('over the limit', () =>
    expectBadInput(
      `{ movementCycles(first: 10001) { nodes { id } } }`,
      /^first: must be an integer from 0 to 10000 \(got 10001\)/,
    ));
  it('negative', () => expectBadInput(`{ participants(first: -1) { nodes { id } } }`, /^first: .*\(got -1\)/));
  it('not an integer', () => expectBadInput(`{ participants(first: 2.5) { nodes { id } } }`, /^Argument first: /));
});

describe('cursors', () => {
  it('malformed: not base64url, not JSON, not our shape, values of the wrong type', async () => {
    const q = (after: string) => `{ movementCycles(after: ${JSON.stringify(after)}) { nodes { id } } }`;
    for (const after of [
      'not a cursor!',
      'abc',
      cursorOf([1, 2]),
      cursorOf({ list: 'movementCycles', order: 'id ASC', values: ['1; drop table study'] }),
      cursorOf({ list: 'movementCycles', order: 'id ASC', values: [1, 2] }),
      '',
    ]) {
      await expectBadInput(q(after), /^after: not a cursor issued by this API/);
    }
  });

  it('foreign: from another list, or issued for another order', async () => {
    const participants = await post(`{ participants(first: 1) { pageInfo { endCursor } } }`);
    const foreign = participants.data.participants.pageInfo.endCursor;
    await expectBadInput(
      `{ movementCycles(after: "${foreign}") { nodes { id } } }`,
      /^after: this cursor belongs to a participants list, not to movementCycles/,
    );
    const byDuration = await post(
      `{ movementCycles(first: 1, orderBy: [{ field: durationS }]) { pageInfo { endCursor } } }`,
    );
    const cursor = byDuration.data.movementCycles.pageInfo.endCursor;
    await expectBadInput(
      `{ movementCycles(after: "${cursor}") { nodes { id } } }`,
      /^after: this cursor was issued for orderBy "durationS ASC, id ASC", not "id ASC"/,
    );
    // The same cursor with its own order is fine.
    const ok = await post(
      `{ movementCycles(after: "${cursor}", first: 1, orderBy: [{ field: durationS }]) { nodes { id } } }`,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data.movementCycles.nodes).toHaveLength(1);
  });
});

describe('contradictory or impossible values', () => {
  it('a range with min above max', () =>
    expectBadInput(
      `{ movementCycles(filter: { durationS: { min: 3, max: 1 } }) { nodes { id } } }`,
      /^filter\.durationS: min \(3\) is greater than max \(1\)/,
    ));
  it('a date range that ends before it starts', () =>
    expectBadInput(
      `{ audioProcessings(filter: { processingDate: { from: "2024-05-01T00:00:00Z", to: "2024-04-01T00:00:00Z" } }) { nodes { id } } }`,
      /^filter\.processingDate: from \(2024-05-01T00:00:00.000Z\) is after to \(2024-04-01T00:00:00.000Z\)/,
    ));
  it('in a relationship field and in an aggregate', async () => {
    await expectBadInput(
      `{ studies { participants { audioProcessings(filter: { durationSeconds: { min: 100, max: 10 } }) { id } } } }`,
      /^filter\.durationSeconds: min/,
    );
    await expectBadInput(
      `{ audioQcSummary(filter: { recordingDate: { from: "2025-01-01T00:00:00Z", to: "2024-01-01T00:00:00Z" } }) { totalFiles } }`,
      /^filter\.recordingDate: from/,
    );
  });
  it('a channel that does not exist', () =>
    expectBadInput(
      `{ audioProcessings(filter: { audioQcFailChannel: [3, 5] }) { nodes { id } } }`,
      /^filter\.audioQcFailChannel\[1\]: must be an integer from 1 to 4 \(got 5\)/,
    ));
  it('a negative participant number or a non-positive id', async () => {
    await expectBadInput(`{ participant(study: AOA, number: -1) { id } }`, /^number: must be a non-negative integer/);
    await expectBadInput(
      `{ participantOverview(study: AOA, number: -3) { participantId } }`,
      /^number: must be a non-negative integer/,
    );
    await expectBadInput(`{ movementCycle(id: 0) { id } }`, /^id: must be a positive integer/);
    await expectBadInput(
      `{ movementCycles(filter: { id: [1, -2] }) { nodes { id } } }`,
      /^filter\.id\[1\]: must be an integer from 1/,
    );
  });
  it('a date that is not a date', () =>
    expectBadInput(
      `{ movementCycles(filter: { recordingDate: { from: "last tuesday" } }) { nodes { id } } }`,
      /^Argument filter\.recordingDate\.from: /,
    ));
});

describe('the cost limit and the read API', () => {
  it('lets a researcher pull the largest page (10,000 cycles) with every column a DataFrame needs', async () => {
    const body = await post(`{ movementCycles(first: 10000) { totalCount pageInfo { hasNextPage endCursor } nodes {
      id participantId audioProcessingId biomechanicsImportId synchronizationId knee maneuver passNumber speed cycleFile cycleIndex
      isOutlier startTimeS endTimeS durationS audioStartTime audioEndTime bioStartTime bioEndTime biomechanicsQcFail syncQcFail } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.movementCycles.nodes.length).toBe(Math.min(10000, body.data.movementCycles.totalCount));
  });

  it('still refuses a page nested under another page', async () => {
    const body = await post(
      `{ participants(first: 10000) { nodes { movementCycles { id knee maneuver durationS } } } }`,
    );
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
