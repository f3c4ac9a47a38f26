/**
 * Relationship fields serve read-only rows, not entities. Every scalar field of every
 * record type, reached through a relationship in either direction, must still equal what
 * is stored: checked against the tables' own JSON, for all columns at once.
 */
import { getNamedType, isEnumType, isObjectType, isScalarType, type GraphQLObjectType } from 'graphql';
import { countStatements } from './helpers/graphql';
import { fieldOf } from './helpers/data-model';
import { useTestDatabase } from './helpers/test-database';
import { buildAppSchema } from '../src/graphql/schema';
import { FIELD_ALIASES, type RecordKind } from '../src/services/read/model';

const { ctx, sql: c, gql } = useTestDatabase({ seed: { participantsPerStudy: 2 }, sql: true, graphql: true });
let scalars: Record<string, string[]>;

beforeAll(async () => {
  const schema = await buildAppSchema();
  scalars = {};
  for (const name of ['Participant', 'AudioProcessing', 'BiomechanicsImport', 'Synchronization', 'MovementCycle']) {
    const type = schema.getType(name) as GraphQLObjectType;
    scalars[name] = Object.values(type.getFields())
      .filter((f) => isScalarType(getNamedType(f.type)) || isEnumType(getNamedType(f.type)))
      .map((f) => f.name);
  }
});

const instant = (v: string) => new Date(/(Z|[+-]\d\d:\d\d)$/.test(v) ? v : `${v}Z`).toISOString();

/** Every row of `table` as GraphQL would spell it: camelCase keys, instants for date-times, enum names. */
async function stored(table: string, dateColumns: string[]): Promise<Map<number, Record<string, unknown>>> {
  const { rows } = await c.query(`select to_jsonb(x) as j from ${table} x`);
  return new Map(
    rows.map(({ j }) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(j)) {
        o[fieldOf(k)] =
          dateColumns.includes(k) && typeof v === 'string'
            ? instant(v)
            : k === 'biomechanics_type' && v === 'Motion Analysis'
              ? 'Motion_Analysis'
              : v;
      }
      return [o.id as number, o];
    }),
  );
}

async function dateColumnsOf(table: string): Promise<string[]> {
  const { rows } = await c.query(
    `select column_name from information_schema.columns where table_name = $1 and data_type like 'timestamp%'`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

const TABLE: Record<string, string> = {
  Participant: 'participant',
  AudioProcessing: 'audio_processing',
  BiomechanicsImport: 'biomechanics_import',
  Synchronization: 'synchronization',
  MovementCycle: 'movement_cycles',
};

async function expectStored(type: string, served: Record<string, unknown>[]): Promise<void> {
  const table = TABLE[type];
  const expected = await stored(table, await dateColumnsOf(table));
  expect(served.length).toBeGreaterThan(0);
  // A field's second name (FIELD_ALIASES: participantNumber) serves the column it stands for.
  const aliases = Object.entries(FIELD_ALIASES[(type[0].toLowerCase() + type.slice(1)) as RecordKind] ?? {});
  for (const row of served) {
    const want = expected.get(row.id as number)!;
    expect(want).toBeDefined();
    for (const [alias, of] of aliases) want[alias] = want[of];
    // Served fields are a subset of the columns (plus the foreign keys named `<relation>Id`, and the aliases).
    expect({ type, ...row }).toEqual({ type, ...Object.fromEntries(Object.keys(row).map((k) => [k, want[k]])) });
  }
}

it('serves every scalar column as stored, through child lists and parent links', async () => {
  const f = (t: string) => scalars[t].join(' ');
  const res = await gql.query(`{ studies { participants { ${f('Participant')}
    audioProcessings { ${f('AudioProcessing')} biomechanicsImport { ${f('BiomechanicsImport')} } }
    biomechanicsImports { ${f('BiomechanicsImport')} audioProcessing { ${f('AudioProcessing')} } }
    synchronizations { ${f('Synchronization')} movementCycles { ${f('MovementCycle')} } }
    movementCycles { ${f('MovementCycle')} synchronization { ${f('Synchronization')} } participant { ${f('Participant')} } } } } }`);
  expect(res.errors).toBeUndefined();
  const participants = res.data.studies.flatMap((s: any) => s.participants);
  const pick = (key: string) => participants.flatMap((p: any) => p[key]);
  await expectStored(
    'Participant',
    participants.map(({ audioProcessings, biomechanicsImports, synchronizations, movementCycles, ...p }: any) => p),
  );
  await expectStored(
    'AudioProcessing',
    pick('audioProcessings').map(({ biomechanicsImport, ...a }: any) => a),
  );
  await expectStored(
    'AudioProcessing',
    pick('biomechanicsImports').map((b: any) => b.audioProcessing),
  );
  await expectStored(
    'BiomechanicsImport',
    pick('audioProcessings').map((a: any) => a.biomechanicsImport),
  );
  await expectStored(
    'Synchronization',
    pick('synchronizations').map(({ movementCycles, ...s }: any) => s),
  );
  await expectStored(
    'MovementCycle',
    pick('movementCycles').map(({ synchronization, participant, ...m }: any) => m),
  );
  await expectStored(
    'Synchronization',
    pick('movementCycles').map((m: any) => m.synchronization),
  );
  await expectStored(
    'Participant',
    pick('movementCycles').map((m: any) => m.participant),
  );
});

it('fetches only the columns a query selects', async () => {
  const { result, statements } = await countStatements(ctx, () =>
    gql.query(
      `{ studies { participants { audioProcessings { knee synchronizations { speed movementCycles { durationS } } } } } }`,
    ),
  );
  expect(result.errors).toBeUndefined();
  const cycles = statements.find((s) => /from "movement_cycles"/.test(s))!;
  expect(cycles).toMatch(/"duration_s"/);
  expect(cycles).not.toMatch(/"cycle_file_checksum"|"audio_start_time"|"is_outlier"/);
  const audio = statements.find((s) => /from "audio_processing"/.test(s))!;
  expect(audio).toMatch(/"knee"/);
  expect(audio).not.toMatch(/qc_fail_segments/);
});

it('follows fragments and aliases when choosing columns', async () => {
  const res = await gql.query(`
    fragment Times on MovementCycle { start: startTimeS ... on MovementCycle { endTimeS } }
    { studies { participants { movementCycles { id ...Times } } } }`);
  expect(res.errors).toBeUndefined();
  const cycles = res.data.studies.flatMap((s: any) => s.participants.flatMap((p: any) => p.movementCycles));
  expect(cycles.length).toBeGreaterThan(100);
  const { rows } = await c.query('select id, start_time_s, end_time_s from movement_cycles');
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const m of cycles)
    expect([m.start, m.endTimeS]).toEqual([byId.get(m.id)!.start_time_s, byId.get(m.id)!.end_time_s]);
});

it('keeps type names and objects working for every object type reached', async () => {
  const schema = await buildAppSchema();
  for (const name of Object.keys(TABLE)) expect(isObjectType(schema.getType(name))).toBe(true);
  const res = await gql.query(`{ studies { __typename participants { __typename study { __typename name } } } }`);
  expect(res.errors).toBeUndefined();
  expect(res.data.studies[0].participants[0]).toEqual({
    __typename: 'Participant',
    study: { __typename: 'Study', name: res.data.studies[0].participants[0].study.name },
  });
});
