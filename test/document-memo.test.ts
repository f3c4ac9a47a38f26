/**
 * A request seen before skips the compiler and the cost estimate: the statement depends only
 * on the document, the operation and the variables, so the same three give the kept
 * statement, and any other variables a new one; the cost depends only on the variables of
 * page sizes and directives. Both memos are bounded.
 */
import 'reflect-metadata';
import { parse } from 'graphql';
import * as compile from '../src/graphql/compiled/compile';
import { DocumentMemo } from '../src/graphql/document-memo';
import * as inspections from '../src/graphql/inspections';
import { operationCost } from '../src/graphql/limits';
import { buildAppSchema } from '../src/graphql/schema';
import { useReadFixture } from './helpers/read-fixture';

const { server } = useReadFixture();

const LOOKUP =
  'query Lookup($n: Int!) { participant(study: AOA, number: $n) { id studyParticipantId audioProcessings { id knee } } }';

it('compiles a repeated request once and answers it the same', async () => {
  const spy = jest.spyOn(compile, 'compileRead');
  try {
    const first = await server.post({ query: LOOKUP, variables: { n: 1001 } });
    const again = await server.post({ query: LOOKUP, variables: { n: 1001 } });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(again.body).toEqual(first.body);
    expect(first.body.data.participant.studyParticipantId).toBe(1001);

    const other = await server.post({ query: LOOKUP, variables: { n: 1002 } });
    expect(spy).toHaveBeenCalledTimes(2);
    expect(other.body.data.participant?.studyParticipantId ?? null).not.toBe(1001);
  } finally {
    spy.mockRestore();
  }
});

it('keeps at most `max` results, dropping the least recently used', () => {
  const memo = new DocumentMemo<{ sql: string }>({ max: 1_000 });
  const document = parse('{ studies { id } }');
  let compiled = 0;
  const build = () => {
    compiled++;
    return { sql: 'select 1' };
  };
  for (let i = 0; i < 1_000; i++) memo.get(document, null, { i }, build);
  memo.get(document, null, { i: 0 }, build); // used again: now the most recent
  memo.get(document, null, { i: 1_000 }, build); // evicts i = 1
  expect(compiled).toBe(1_001);
  expect(memo.size).toBe(1_000);
  memo.get(document, null, { i: 0 }, build);
  expect(compiled).toBe(1_001);
  memo.get(document, null, { i: 1 }, build);
  expect(compiled).toBe(1_002);
});

it('tells documents, operations and the relevant variables apart, and ignores the others', () => {
  const memo = new DocumentMemo<number>({ max: 10, relevantVariables: () => ['first'] });
  const text = 'query A($first: Int, $id: Int) { a: studies { id } } query B { studies { id } }';
  const one = parse(text);
  const same = parse(text); // equal text, another DocumentNode: Apollo's store hands over one node per text
  let computed = 0;
  const compute = () => ++computed;
  expect(memo.get(one, 'A', { first: 5, id: 1 }, compute)).toBe(1);
  expect(memo.get(one, 'A', { first: 5, id: 2 }, compute)).toBe(1); // id is not relevant
  expect(memo.get(one, 'A', { first: 6, id: 1 }, compute)).toBe(2);
  expect(memo.get(one, 'B', { first: 5, id: 1 }, compute)).toBe(3);
  expect(memo.get(same, 'A', { first: 5, id: 1 }, compute)).toBe(4);
  expect(memo.get(one, 'A', { id: 9 }, compute)).toBe(5); // a left-out variable is null, not 5
});

it('estimates a cost once per document and page sizes, not per looked-up id', async () => {
  const schema = await buildAppSchema();
  // The estimator asks inspectionCost about every field it visits: no calls, no estimate.
  const spy = jest.spyOn(inspections, 'inspectionCost');
  try {
    const document = parse(
      'query Q($n: Int!, $first: Int) { participant(study: AOA, participantNumber: $n) { audioProcessings { id } } ' +
        'synchronizations(first: $first) { nodes { id } } }',
    );
    const small = operationCost(schema, document, 'Q', { n: 1001, first: 10 });
    const visited = spy.mock.calls.length;
    expect(visited).toBeGreaterThan(0);
    expect(operationCost(schema, document, 'Q', { n: 1002, first: 10 })).toBe(small);
    expect(spy).toHaveBeenCalledTimes(visited);
    const large = operationCost(schema, document, 'Q', { n: 1001, first: 1_000 });
    expect(spy.mock.calls.length).toBeGreaterThan(visited);
    expect(large).toBeGreaterThan(small);
  } finally {
    spy.mockRestore();
  }
});
