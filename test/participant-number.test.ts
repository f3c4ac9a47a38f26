/**
 * One name for the participant's number inside its study: `participantNumber` everywhere the
 * API used `studyParticipantId` or `number` (output fields, order fields, group statistics,
 * the arguments of participant / participantOverview / upsertParticipant / deleteParticipant),
 * the old names kept as deprecated aliases. The new names give the same answers as the old
 * ones (byte for byte, on the compiled path over HTTP and on the resolvers); the deprecations
 * show in introspection; two different numbers under both names are refused; neither name is
 * refused as a missing required argument is.
 */
import { postGraphQL } from './helpers/http';
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, server } = useReadFixture();

const USE = 'Use participantNumber.';

/** The answer over HTTP (compiled path), after checking it is the resolvers' answer byte for byte. */
async function read(query: string, variables?: Record<string, unknown>, o: { compiled?: boolean } = {}) {
  const { text, logs } = await postGraphQL(server, query, variables);
  const fellBack = logs.some((l) => l.msg === 'read answered by the resolvers');
  if (o.compiled ?? true) expect(fellBack).toBe(false);
  expect(text).toBe(JSON.stringify(await gql.query(query, variables)) + '\n');
  return JSON.parse(text) as { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, any> }[] };
}

/** Both spellings answer the same (the new one's text with the old name put back is the old one's text). */
async function sameAnswer(newQuery: string, oldQuery: string, variables?: Record<string, unknown>) {
  const fresh = await read(newQuery, variables);
  const old = await read(oldQuery, variables);
  expect(fresh.errors).toBeUndefined();
  expect(old.errors).toBeUndefined();
  return { fresh: fresh.data!, old: old.data! };
}

const numbersInDb = async () =>
  (await c.query(`select p.id, p.study_participant_id as n from participant p order by p.id`)).rows.map((r) => ({ id: r.id, participantNumber: r.n }));

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
    expect(fresh.participantGroups.map((g: any) => ({ study: g.key.study, sum: g.sum.participantNumber }))).toEqual(rows);
    const nested = await read(`{ studies { participantGroups(groupBy: []) { max { participantNumber studyParticipantId } } } }`);
    for (const s of nested.data!.studies) expect(s.participantGroups[0].max.participantNumber).toBe(s.participantGroups[0].max.studyParticipantId);
  });
});
