/**
 * The read layer without GraphQL, as the CLI and the coming CSV export use it: plain
 * filter objects (single values, enum names, ISO strings), plain rows out, the same
 * checks and field-named errors, values always bound as parameters.
 */
import { GraphQLInputObjectType } from 'graphql';
import { useTestDatabase } from './helpers/test-database';
import { UserError } from '../src/services/errors';
import {
  buildWhere,
  filterFieldNames,
  ORDER_FIELDS,
  parsePgTimestamp,
  RECORD_KINDS,
  SqlParams,
  type RecordKind,
} from '../src/services/read';
import { buildAppSchema } from '../src/graphql/schema';

const { ctx, sql: c } = useTestDatabase({ seed: { participantsPerStudy: 1 }, sql: true });

const sqlIds = async (sql: string) => (await c.query(sql)).rows.map((r) => Number(r.id));

it('takes single values, GraphQL enum names and ISO strings; returns plain rows of the asked fields', async () => {
  const page = await ctx.services.read.list('movementCycle', {
    filter: {
      study: 'AOA' as never,
      maneuver: 'walk' as never,
      isOutlier: false,
      biomechanicsType: 'Motion_Analysis' as never,
      recordingDate: { from: '2020-01-01T00:00:00Z' },
    },
    fields: ['cycleIndex', 'durationS', 'audioStartTime', 'synchronizationId'],
    first: 10_000,
  });
  expect(page.nodes.map((r) => r.id)).toEqual(
    await sqlIds(
      `select m.id from movement_cycles m join participant p on p.id = m.participant_id join study s on s.id = p.study_id
      where s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier order by m.id`,
    ),
  );
  const row = page.nodes[0];
  expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  expect(Object.keys(row).sort()).toEqual(['audioStartTime', 'cycleIndex', 'durationS', 'id', 'synchronizationId']);
  const [raw] = (
    await c.query(
      `select to_char(audio_start_time, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as t, synchronization_id from movement_cycles where id = $1`,
      [row.id],
    )
  ).rows;
  expect((row.audioStartTime as Date).toISOString()).toBe(raw.t);
  expect(row.synchronizationId).toBe(raw.synchronization_id);
  expect(
    await ctx.services.read.count('movementCycle', {
      study: 'AOA' as never,
      maneuver: 'walk' as never,
      isOutlier: false,
    }),
  ).toBe(page.nodes.length);
});

it.each([
  [{ colour: 'red' }, /^filter\.colour: not a filter of movementCycles/],
  [{ isOutlier: 'false' }, /^filter\.isOutlier: must be true or false/],
  [{ durationS: 5 }, /^filter\.durationS: must be a range/],
  [{ durationS: [1, 2] }, /^filter\.durationS: must be a range/],
  [{ durationS: { min: 'a' } }, /^filter\.durationS\.min: must be a finite number/],
  [{ maneuver: "walk'; drop table study; --" }, /^filter\.maneuver: .* is not one of fe, sts, walk/],
  [{ participantNumber: '1001 or 1=1' }, /^filter\.participantNumber: must be an integer/],
  [{ recordingDate: { from: 'yesterday' } }, /^filter\.recordingDate\.from: must be an ISO-8601 date-time/],
  [{ recordingDate: '2024-01-01' }, /^filter\.recordingDate: must be a range/],
])('rejects %j with a UserError naming the field', async (filter, message) => {
  await expect(ctx.services.read.list('movementCycle', { filter: filter as never })).rejects.toThrow(message);
  await expect(ctx.services.read.list('movementCycle', { filter: filter as never })).rejects.toBeInstanceOf(UserError);
});

it('rejects unknown order fields and unknown fields to read', async () => {
  await expect(ctx.services.read.list('participant', { orderBy: [{ field: 'knee' }] })).rejects.toThrow(
    /^orderBy\[0\]\.field: "knee" is not a field participants can be ordered by/,
  );
  await expect(
    ctx.services.read.list('participant', { orderBy: [{ field: 'id', direction: 'UP' as never }] }),
  ).rejects.toThrow(/^orderBy\[0\]\.direction/);
  await expect(ctx.services.read.list('participant', { fields: ['secret'] })).rejects.toThrow(
    /^fields: "secret" is not a field of participants/,
  );
});

it('buildWhere writes no value into the SQL text: every value is a bound parameter', () => {
  const p = new SqlParams();
  const sql = buildWhere(
    'audioProcessing',
    {
      study: ['AOA', 'preOA'] as never,
      participantNumber: [1001],
      durationSeconds: { min: 12.5 },
      processingDate: { to: '2024-02-03T04:05:06Z' },
    },
    't',
    p,
  );
  expect(sql).not.toMatch(/AOA|1001|12\.5|2024/);
  expect(p.values).toEqual(['{"AOA","preOA"}', '{1001}', 12.5, '2024-02-03T04:05:06.000Z']);
});

it('every filter field of the service is in the GraphQL filter input, and nothing else', async () => {
  const schema = await buildAppSchema();
  const inputOf: Partial<Record<RecordKind, string>> = {
    participant: 'ParticipantFilter',
    audioProcessing: 'AudioProcessingFilter',
    biomechanicsImport: 'BiomechanicsImportFilter',
    synchronization: 'SynchronizationFilter',
    movementCycle: 'MovementCycleFilter',
  };
  for (const [kind, name] of Object.entries(inputOf) as [RecordKind, string][]) {
    const input = schema.getType(name) as GraphQLInputObjectType;
    expect(`${name}: ${Object.keys(input.getFields()).sort().join(', ')}`).toBe(
      `${name}: ${filterFieldNames(kind).sort().join(', ')}`,
    );
  }
});

it('every order field names a column of its table', () => {
  for (const kind of RECORD_KINDS) {
    const model = ctx.services.read.model(kind);
    for (const field of ORDER_FIELDS[kind])
      expect(`${kind}.${field}: ${model.fields.has(field)}`).toBe(`${kind}.${field}: true`);
  }
});

it('reads PostgreSQL timestamps exactly: wall-clock time as UTC, offsets honoured', () => {
  expect(parsePgTimestamp('2024-01-08 09:00:00').toISOString()).toBe('2024-01-08T09:00:00.000Z');
  expect(parsePgTimestamp('2024-01-08 09:00:00.123456').toISOString()).toBe('2024-01-08T09:00:00.123Z');
  expect(parsePgTimestamp('2024-01-08 09:00:00.5+00').toISOString()).toBe('2024-01-08T09:00:00.500Z');
  expect(parsePgTimestamp('2024-01-08 09:00:00+05:30').toISOString()).toBe('2024-01-08T03:30:00.000Z');
  expect(Number.isNaN(parsePgTimestamp('infinity').getTime())).toBe(true);
});
