/**
 * Seeding never modifies or attaches to rows it did not create. The sample's participants
 * are numbered in a range no other write may use; a database holding other participants is
 * refused unless --force (seedSampleData(force: true)), and even then their rows, and the
 * study rows, stay exactly as they were.
 */
import { aeDb } from './helpers/cli';
import { useTestDatabase } from './helpers/test-database';
import { Knee, Maneuver, StudyName, TABLES } from '../src/entities';

const {
  ctx,
  sql: c,
  gql,
} = useTestDatabase({
  // The lab's database: real participants AOA 1001 and 1011 with their recordings, syncs and cycles.
  seed: { participantsPerStudy: 11, studies: [StudyName.AOA], seed: 5 },
  asRealParticipants: true,
  sql: true,
  graphql: true,
});
let realIds: number[];

beforeAll(async () => {
  await c.query('delete from participant where study_participant_id not in (1001, 1011)');
  realIds = (await c.query('select id from participant order by id')).rows.map((r) => r.id);
  expect(realIds).toHaveLength(2);
});

/** Every row of the real participants and of their study, as JSON: any change shows. */
async function realRows(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) {
    const where =
      t === 'study'
        ? 'where id in (select study_id from participant where id = any($1))'
        : t === 'participant'
          ? 'where id = any($1)'
          : 'where participant_id = any($1)';
    const { rows } = await c.query(`select to_jsonb(x)::text as j from "${t}" x ${where} order by id`, [realIds]);
    out[t] = rows.map((r) => r.j);
  }
  return out;
}
const counts = async () =>
  Object.fromEntries(
    await Promise.all(TABLES.map(async (t) => [t, (await c.query(`select count(*)::int as n from "${t}"`)).rows[0].n])),
  );

it('ae-db seed on a database holding AOA 1001 and 1011 refuses, names them, and writes nothing', async () => {
  const before = { rows: await realRows(), counts: await counts() };
  const r = await aeDb(['seed'], { AE_DATABASE_URL: ctx.db.url });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /^Error: This database holds 2 participant\(s\) the sample data did not write \(AOA 1001, AOA 1011\), so seeding was refused and nothing was written\. .*--force/,
  );
  expect({ rows: await realRows(), counts: await counts() }).toEqual(before);
});

it('ae-db seed --force seeds next to them, in its own number range, and leaves their rows and the study rows exactly as they were', async () => {
  const before = await realRows();
  const r = await aeDb(['seed', '--force', '--participants', '2'], { AE_DATABASE_URL: ctx.db.url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Sample participants: AOA 901001–901002, preOA 902001–902002, SMoCK 903001–903002');
  expect(r.stdout).toContain(
    'Left untouched: 2 participant(s) the sample did not write (AOA 1001, AOA 1011) and all their rows.',
  );
  expect(await realRows()).toEqual(before);
  const { rows } = await c.query(
    `select s.name, array_agg(p.study_participant_id order by 1) as numbers from participant p join study s on s.id = p.study_id
                                   where not (p.id = any($1)) group by 1 order by 1`,
    [realIds],
  );
  expect(rows).toEqual([
    { name: 'AOA', numbers: [901001, 901002] },
    { name: 'SMoCK', numbers: [903001, 903002] },
    { name: 'preOA', numbers: [902001, 902002] },
  ]);
  // Nothing of the sample hangs off a real participant.
  for (const t of TABLES.filter((t) => !['study', 'participant'].includes(t))) {
    const {
      rows: [{ n }],
    } = await c.query(`select count(*)::int as n from "${t}" where participant_id = any($1)`, [realIds]);
    expect([t, n]).toEqual([t, before[t].length]);
  }
});

it('seedSampleData follows the same rules: CONFIRMATION_REQUIRED without force, and force: true leaves the real rows alone', async () => {
  const before = { rows: await realRows(), counts: await counts() };
  const refused = await gql.query(
    'mutation { seedSampleData(participantsPerStudy: 1, studies: [preOA]) { participant } }',
  );
  expect(refused.errors?.[0].extensions?.code).toBe('CONFIRMATION_REQUIRED');
  expect(refused.errors![0].message).toMatch(/AOA 1001, AOA 1011/);
  expect({ rows: await realRows(), counts: await counts() }).toEqual(before);
  const forced = await gql.query(
    'mutation { seedSampleData(participantsPerStudy: 3, studies: [preOA], force: true) { participant } }',
  );
  expect(forced.errors).toBeUndefined();
  expect(forced.data.seedSampleData.participant).toBe(3);
  expect(await realRows()).toEqual(before.rows);
});

it("real writes cannot use the sample's numbers: upsertParticipant and record writes naming 900000–999999 are refused", async () => {
  const before = await counts();
  const participant = await gql.query('mutation { upsertParticipant(study: AOA, number: 901003) { id } }');
  // Without a token the in-process client is the admin's door; the rule refuses it all the same.
  expect(participant.errors?.[0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    validationErrors: [
      {
        field: 'number',
        rule: 'notSampleRange',
        message: expect.stringMatching(/901003 is in 900000–999999, the range reserved for the sample data/),
      },
    ],
  });
  await expect(
    ctx.services.records.upsertSynchronization({
      study: StudyName.AOA,
      participantNumber: 901001,
      knee: Knee.left,
      maneuver: Maneuver.sts,
    }),
  ).rejects.toMatchObject({
    violations: expect.arrayContaining([
      expect.objectContaining({ field: 'participantNumber', rule: 'notSampleRange' }),
    ]),
  });
  await expect(
    ctx.services.records.upsertParticipant({ study: StudyName.AOA, number: 899_999 }),
  ).resolves.toMatchObject({ studyParticipantId: 899_999 });
  expect((await counts()).participant).toBe(before.participant + 1);
});
