/**
 * A request seen before skips the compiler: the statement depends only on the document,
 * the operation and the variables, so the same three give the cached statement, and any
 * other variables a new one. The cache is bounded.
 */
import 'reflect-metadata';
import { parse } from 'graphql';
import * as compile from '../src/graphql/compiled/compile';
import { cachedCompile } from '../src/graphql/compiled/statement-cache';
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

it('keeps at most 1,000 statements, dropping the least recently used', () => {
  const document = parse('{ studies { id } }');
  let compiled = 0;
  const build = () => {
    compiled++;
    return { sql: 'select 1', values: [] };
  };
  for (let i = 0; i < 1_000; i++) cachedCompile(document, null, { i }, build);
  cachedCompile(document, null, { i: 0 }, build); // used again: now the most recent
  cachedCompile(document, null, { i: 1_000 }, build); // evicts i = 1
  expect(compiled).toBe(1_001);
  cachedCompile(document, null, { i: 0 }, build);
  expect(compiled).toBe(1_001);
  cachedCompile(document, null, { i: 1 }, build);
  expect(compiled).toBe(1_002);
});
