/**
 * One name for the participant's number inside its study: `participantNumber` everywhere the
 * API used `studyParticipantId` or `number` (output fields, order fields, group statistics,
 * the arguments of participant / participantOverview / upsertParticipant / deleteParticipant),
 * the old names kept as deprecated aliases. The new names give the same answers as the old
 * ones (byte for byte, on the compiled path over HTTP and on the resolvers); the deprecations
 * show in introspection; two different numbers under both names are refused; neither name is
 * refused as a missing required argument is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoDeprecatedCustomRule, parse, validate } from 'graphql';
import { postGraphQL } from './helpers/http';
import { useReadFixture } from './helpers/read-fixture';
import { buildAppSchema } from '../src/graphql/schema';

const { sql: c, gql, server } = useReadFixture();

const USE = 'Use participantNumber.';

/** The answer over HTTP (compiled path), after checking it is the resolvers' answer byte for byte. */
async function read(query: string, variables?: Record<string, unknown>, o: { compiled?: boolean } = {}) {
  const { text, logs } = await postGraphQL(server, query, variables);
  const fellBack = logs.some((l) => l.msg === 'read answered by the resolvers');
  if (o.compiled ?? true) expect(fellBack).toBe(false);
  expect(text).toBe(JSON.stringify(await gql.query(query, variables)) + '\n');
  return JSON.parse(text) as {
    data?: Record<string, any>;
    errors?: { message: string; extensions?: Record<string, any> }[];
  };
}

/** Both spellings answer the same (the new one's text with the old name put back is the old one's text). */
async function sameAnswer(
  newQuery: string,
  oldQuery: string,
  variables?: Record<string, unknown>,
  o: { compiled?: boolean } = {},
) {
  const fresh = await read(newQuery, variables, o);
  const old = await read(oldQuery, variables, o);
  expect(fresh.errors).toBeUndefined();
  expect(old.errors).toBeUndefined();
  return { fresh: fresh.data!, old: old.data! };
}

const numbersInDb = async () =>
  (await c.query(`select p.id, p.study_participant_id as n from participant p order by p.id`)).rows.map((r) => ({
    id: r.id,
    participantNumber: r.n,
  }));

describe('Participant.participantNumber', () => {
  it('is the participant number, wherever a participant is read, on both paths', async () => {
    const { fresh, old } = await sameAnswer(
      `{ participants(first: 100) { nodes { id participantNumber } } }`,
      `{ participants(first: 100) { nodes { id studyParticipantId } } }`,
    );
    expect(fresh.participants.nodes).toEqual(await numbersInDb());
    expect(fresh.participants.nodes).toEqual(
      old.participants.nodes.map((n: any) => ({ id: n.id, participantNumber: n.studyParticipantId })),
    );

    const both = await read(
      `{ studies { participants { participantNumber studyParticipantId n: participantNumber } } }`,
    );
    const all = both.data!.studies.flatMap((s: any) => s.participants);
    expect(all.length).toBeGreaterThan(3);
    for (const p of all) expect([p.participantNumber, p.n]).toEqual([p.studyParticipantId, p.studyParticipantId]);

    const nested = await read(
      `{ movementCycles(first: 50) { nodes { id participant { participantNumber studyParticipantId } } } }`,
    );
    const { rows } = await c.query(
      `select m.id, p.study_participant_id as n from movement_cycles m join participant p on p.id = m.participant_id order by m.id limit 50`,
    );
    expect(nested.data!.movementCycles.nodes).toEqual(
      rows.map((r) => ({ id: r.id, participant: { participantNumber: r.n, studyParticipantId: r.n } })),
    );
  });

  it('is answered by a mutation returning the participant', async () => {
    const res = await gql.query(
      `mutation { upsertParticipant(study: SMoCK, number: 3777) { participantNumber studyParticipantId } }`,
    );
    expect(res).toEqual({ data: { upsertParticipant: { participantNumber: 3777, studyParticipantId: 3777 } } });
  });
});

describe('orderBy participantNumber', () => {
  it('orders as studyParticipantId does, with the same cursors, which page either spelling', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const q = (field: string, after?: string) =>
        `{ participants(first: 2, orderBy: [{ field: ${field}, direction: ${direction} }]${after ? `, after: "${after}"` : ''}) { pageInfo { endCursor hasNextPage } nodes { id } } }`;
      const { fresh, old } = await sameAnswer(q('participantNumber'), q('studyParticipantId'));
      expect(fresh).toEqual(old);
      const cursor = fresh.participants.pageInfo.endCursor;
      const next = await sameAnswer(q('participantNumber', cursor), q('studyParticipantId', cursor));
      expect(next.fresh).toEqual(next.old);
      const { rows } = await c.query(
        `select id from participant order by study_participant_id ${direction}, id ${direction} offset 2 limit 2`,
      );
      expect(next.fresh.participants.nodes).toEqual(rows);
    }
    const nested = await sameAnswer(
      `{ studies { participants(orderBy: [{ field: participantNumber, direction: DESC }]) { id } } }`,
      `{ studies { participants(orderBy: [{ field: studyParticipantId, direction: DESC }]) { id } } }`,
    );
    expect(nested.fresh).toEqual(nested.old);
  });
});

describe('participantGroups statistics', () => {
  it('has participantNumber beside studyParticipantId, with the same values', async () => {
    const stats = 'sum { S } avg { S } min { S } max { S } stddev { S } percentile(p: 0.5) { S }';
    const { fresh, old } = await sameAnswer(
      `{ participantGroups(groupBy: [study]) { key { study } count ${stats.replaceAll('S', 'participantNumber')} } }`,
      `{ participantGroups(groupBy: [study]) { key { study } count ${stats.replaceAll('S', 'studyParticipantId')} } }`,
    );
    expect(JSON.stringify(fresh).replaceAll('participantNumber', 'studyParticipantId')).toBe(JSON.stringify(old));
    const { rows } = await c.query(
      `select s.name as study, sum(p.study_participant_id)::float8 as sum from participant p join study s on s.id = p.study_id group by 1 order by 1`,
    );
    expect(fresh.participantGroups.map((g: any) => ({ study: g.key.study, sum: g.sum.participantNumber }))).toEqual(
      rows,
    );
    const nested = await read(
      `{ studies { participantGroups(groupBy: []) { max { participantNumber studyParticipantId } } } }`,
    );
    for (const s of nested.data!.studies)
      expect(s.participantGroups[0].max.participantNumber).toBe(s.participantGroups[0].max.studyParticipantId);
  });
});

describe('participant(study, participantNumber)', () => {
  it('finds the participant as participant(study, number) does, given literally or as a variable', async () => {
    const fields = 'id participantNumber study { name } audioProcessings { id knee }';
    const { fresh, old } = await sameAnswer(
      `{ participant(study: preOA, participantNumber: 2002) { ${fields} } }`,
      `{ participant(study: preOA, number: 2002) { ${fields} } }`,
    );
    expect(fresh).toEqual(old);
    expect(fresh.participant).toMatchObject({ participantNumber: 2002, study: { name: 'preOA' } });
    const byVariable = await sameAnswer(
      `query($n: Int!) { participant(study: preOA, participantNumber: $n) { ${fields} } }`,
      `query($n: Int!) { participant(study: preOA, number: $n) { ${fields} } }`,
      { n: 2002 },
    );
    expect(byVariable.fresh).toEqual(old);
    const absent = await sameAnswer(
      `{ participant(study: preOA, participantNumber: 2999) { id } }`,
      `{ participant(study: preOA, number: 2999) { id } }`,
    );
    expect(absent.fresh).toEqual({ participant: null });
  });

  it('takes both names when they give the same number', async () => {
    const res = await read(
      `query($n: Int!) { participant(study: preOA, participantNumber: 2002, number: $n) { participantNumber } }`,
      { n: 2002 },
    );
    expect(res).toEqual({ data: { participant: { participantNumber: 2002 } } });
  });

  it('refuses two different numbers with BAD_USER_INPUT naming both', async () => {
    for (const [query, variables] of [
      [`{ participant(study: preOA, participantNumber: 2002, number: 2001) { id } }`, undefined],
      [
        `query($a: Int!, $b: Int!) { participant(study: preOA, participantNumber: $a, number: $b) { id } }`,
        { a: 2002, b: 2001 },
      ],
    ] as const) {
      const res = await read(query, variables, { compiled: false });
      expect(res.data).toEqual({ participant: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/participantNumber \(2002\).*number \(2001\)/);
    }
  });

  it('refuses a negative participantNumber as it refuses a negative number, naming the argument given', async () => {
    const fresh = await read(`{ participant(study: preOA, participantNumber: -1) { id } }`, undefined, {
      compiled: false,
    });
    const old = await read(`{ participant(study: preOA, number: -1) { id } }`, undefined, { compiled: false });
    expect(old.errors![0].message).toBe('number: must be a non-negative integer (got -1).');
    expect(fresh.errors![0]).toEqual({
      ...old.errors![0],
      message: 'participantNumber: must be a non-negative integer (got -1).',
    });
  });
});

describe('participantOverview(study, participantNumber)', () => {
  it('answers as participantOverview(study, number) does', async () => {
    const fields = 'participantId participantNumber study rows { knee maneuver audioRecordings cycles }';
    const { fresh, old } = await sameAnswer(
      `{ participantOverview(study: SMoCK, participantNumber: 3002) { ${fields} } }`,
      `{ participantOverview(study: SMoCK, number: 3002) { ${fields} } }`,
      undefined,
      { compiled: false }, // an inspection: answered by the resolvers
    );
    expect(fresh).toEqual(old);
    expect(fresh.participantOverview.participantNumber).toBe(3002);
    const conflict = await gql.query(
      `{ participantOverview(study: SMoCK, participantNumber: 3002, number: 3001) { participantId } }`,
    );
    expect(conflict.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(conflict.errors![0].message).toMatch(/participantNumber \(3002\).*number \(3001\)/);
  });
});

describe('upsertParticipant / deleteParticipant(study, participantNumber)', () => {
  const count = async (n: number) =>
    (await c.query(`select count(*)::int as n from participant where study_participant_id = $1`, [n])).rows[0].n;

  it('write and delete the participant as with number', async () => {
    const fresh = await gql.query(
      `mutation { upsertParticipant(study: SMoCK, participantNumber: 3600) { id participantNumber } }`,
    );
    const old = await gql.query(`mutation { upsertParticipant(study: SMoCK, number: 3600) { id participantNumber } }`);
    expect(fresh.errors).toBeUndefined();
    expect(old).toEqual(fresh);
    expect(fresh.data.upsertParticipant.participantNumber).toBe(3600);
    const same = await gql.query(
      `mutation { upsertParticipant(study: SMoCK, participantNumber: 3600, number: 3600) { id } }`,
    );
    expect(same.data.upsertParticipant.id).toBe(fresh.data.upsertParticipant.id);
    expect(await count(3600)).toBe(1);
    const deleted = await gql.query(
      `mutation { deleteParticipant(study: SMoCK, participantNumber: 3600) { participant } }`,
    );
    expect(deleted).toEqual({ data: { deleteParticipant: { participant: 1 } } });
    expect(await count(3600)).toBe(0);
    await gql.query(`mutation { upsertParticipant(study: SMoCK, participantNumber: 3601) { id } }`);
    expect(await gql.query(`mutation { deleteParticipant(study: SMoCK, number: 3601) { participant } }`)).toEqual({
      data: { deleteParticipant: { participant: 1 } },
    });
  });

  it('refuse two different numbers with BAD_USER_INPUT naming both, writing and deleting nothing', async () => {
    await gql.query(`mutation { upsertParticipant(study: SMoCK, participantNumber: 3602) { id } }`);
    for (const mutation of [
      'upsertParticipant(study: SMoCK, participantNumber: 3603, number: 3602) { id }',
      'deleteParticipant(study: SMoCK, participantNumber: 3603, number: 3602) { participant }',
    ]) {
      const res = await gql.query(`mutation { ${mutation} }`);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(/participantNumber \(3603\).*number \(3602\)/);
      expect(res.errors![0].extensions?.validationErrors).toEqual([
        expect.objectContaining({ field: 'participantNumber', rule: 'sameAsNumber' }),
      ]);
    }
    expect([await count(3602), await count(3603)]).toEqual([1, 0]);
  });

  it('name the argument given in a broken rule', async () => {
    const fresh = await gql.query(`mutation { upsertParticipant(study: SMoCK, participantNumber: 950000) { id } }`);
    const old = await gql.query(`mutation { upsertParticipant(study: SMoCK, number: 950000) { id } }`);
    expect(fresh.errors![0].extensions?.validationErrors).toEqual([
      expect.objectContaining({ field: 'participantNumber', rule: 'notSampleRange' }),
    ]);
    expect(old.errors![0].extensions?.validationErrors).toEqual([
      expect.objectContaining({ field: 'number', rule: 'notSampleRange' }),
    ]);
    const rule = (name: string) =>
      `Invalid input: ${name}: ${name} 950000 is in 900000–999999, the range reserved for the sample data (ae-db seed); ` +
      "give the participant's real number";
    expect([fresh.errors![0].message, old.errors![0].message]).toEqual([rule('participantNumber'), rule('number')]);
  });
});

describe('neither name given', () => {
  const post = async (query: string, variables?: Record<string, unknown>) =>
    (await server.post({ query, variables })).body;

  it.each([
    ['participant', `{ participant(study: AOA) { id } }`],
    ['participantOverview', `{ participantOverview(study: AOA) { participantId } }`],
    ['upsertParticipant', `mutation { upsertParticipant(study: AOA) { id } }`],
    ['deleteParticipant', `mutation { deleteParticipant(study: AOA) { participant } }`],
  ])('%s: refused before anything runs, as a missing required argument', async (field, query) => {
    const res = await post(query);
    expect(res).toEqual({
      errors: [
        expect.objectContaining({
          message: `Field "${field}" argument "participantNumber" of type "Int!" is required, but it was not provided.`,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ],
    });
  });

  it('refuses null for either name, and a nullable variable without a default, as graphql refuses them for a required argument', async () => {
    const literal = await post(`{ participant(study: AOA, participantNumber: null) { id } }`);
    expect(literal.errors).toEqual([
      expect.objectContaining({
        message: 'Argument participantNumber: Expected value of type "Int!", found null.',
        extensions: { code: 'BAD_USER_INPUT', argument: 'participantNumber' },
      }),
    ]);
    const old = await post(`{ participant(study: AOA, number: null) { id } }`);
    expect(old.errors).toEqual([
      expect.objectContaining({ message: 'Argument number: Expected value of type "Int!", found null.' }),
    ]);
    const nullable = await post(`query($n: Int) { participant(study: AOA, participantNumber: $n) { id } }`, {
      n: 1001,
    });
    expect(nullable.errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$n" of type "Int" used in position expecting type "Int!".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    const withDefault = await read(
      `query($n: Int = 1001) { participant(study: AOA, participantNumber: $n) { participantNumber } }`,
    );
    expect(withDefault).toEqual({ data: { participant: { participantNumber: 1001 } } });
  });
});

describe('introspection', () => {
  it('shows participantNumber everywhere, and each old name deprecated with "Use participantNumber."', async () => {
    const res = await gql.query(`{
      participant: __type(name: "Participant") { fields(includeDeprecated: true) { name type { kind ofType { name } } isDeprecated deprecationReason } }
      statistics: __type(name: "ParticipantGroupStatistics") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
      order: __type(name: "ParticipantOrderField") { enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } }
      query: __type(name: "Query") { fields { name args(includeDeprecated: true) { name type { kind name } isDeprecated deprecationReason } } }
      mutation: __type(name: "Mutation") { fields { name args(includeDeprecated: true) { name type { kind name } isDeprecated deprecationReason } } }
    }`);
    expect(res.errors).toBeUndefined();
    const d = res.data;
    const named = (list: any[], name: string) => list.find((x) => x.name === name);
    expect(named(d.participant.fields, 'participantNumber')).toEqual({
      name: 'participantNumber',
      type: { kind: 'NON_NULL', ofType: { name: 'Int' } },
      isDeprecated: false,
      deprecationReason: null,
    });
    expect(named(d.participant.fields, 'studyParticipantId')).toMatchObject({
      isDeprecated: true,
      deprecationReason: USE,
    });
    expect(named(d.statistics.fields, 'participantNumber')).toMatchObject({ isDeprecated: false });
    expect(named(d.statistics.fields, 'studyParticipantId')).toMatchObject({
      isDeprecated: true,
      deprecationReason: USE,
    });
    expect(named(d.order.enumValues, 'participantNumber')).toMatchObject({ isDeprecated: false });
    expect(named(d.order.enumValues, 'studyParticipantId')).toMatchObject({
      isDeprecated: true,
      deprecationReason: USE,
    });
    const fields = [
      ...['participant', 'participantOverview'].map((f) => named(d.query.fields, f)),
      ...['upsertParticipant', 'deleteParticipant'].map((f) => named(d.mutation.fields, f)),
    ];
    for (const f of fields) {
      expect(named(f.args, 'participantNumber')).toEqual({
        name: 'participantNumber',
        type: { kind: 'SCALAR', name: 'Int' },
        isDeprecated: false,
        deprecationReason: null,
      });
      expect(named(f.args, 'number')).toMatchObject({ isDeprecated: true, deprecationReason: USE });
    }
    // The deprecated names are hidden from clients that do not ask for them.
    const plain = await gql.query(`{ __type(name: "Participant") { fields { name } } }`);
    expect(plain.data.__type.fields.map((f: any) => f.name)).not.toContain('studyParticipantId');
  });
});

describe('the examples', () => {
  it('use participantNumber, never a deprecated name', async () => {
    const schema = await buildAppSchema();
    for (const file of ['queries.graphql', 'mutations.graphql']) {
      const document = parse(readFileSync(join(__dirname, '..', 'examples', file), 'utf8'));
      expect(`${file}: ${validate(schema, document, [NoDeprecatedCustomRule]).map((e) => e.message)}`).toBe(
        `${file}: `,
      );
    }
    for (const file of [
      'notebook.ipynb',
      'python/ae_client.py',
      'python/test_ae_client.py',
      'python/ingest_example.py',
    ]) {
      const text = readFileSync(join(__dirname, '..', 'examples', file), 'utf8');
      // The field, or the argument `number` of a lookup or write (a Python parameter of that name is fine).
      expect(
        `${file}: ${/studyParticipantId|\(study: (\$\w+|AOA|preOA|SMoCK)[^)]*\bnumber:/.exec(text)?.[0] ?? 'clean'}`,
      ).toBe(`${file}: clean`);
    }
  });
});
