/**
 * GET /export/{table}.csv and .ndjson over real HTTP: every table, every filter field of
 * every table (the same ids as the GraphQL list with the same filter), the read-token rule,
 * bad input, and a large export that is streamed with backpressure.
 */
import http from 'node:http';
import { getNamedType, type GraphQLInputObjectType } from 'graphql';
import { startTestServer } from './helpers/http';
import { useTestDatabase } from './helpers/test-database';
import { initORM } from '../src/context';
import { loadConfig } from '../src/config';
import { TABLES, type TableName } from '../src/entities';
import { buildAppSchema } from '../src/graphql/schema';
import { filterFieldNames, LIST_NAME, RECORD_KINDS, TABLE_OF } from '../src/services/read';

const {
  ctx,
  sql: c,
  server,
} = useTestDatabase({
  seed: { participantsPerStudy: 3 },
  asRealParticipants: true,
  init: { config: loadConfig({}) },
  sql: true,
  server: true,
});
beforeAll(() => varyTheSeededData());

const READ_TOKEN = 'read-token-0123456789abcdef';

const base = () => server.url.replace('/graphql', '');
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base()}${path}`, { headers });

/** Minimal CSV reader for the test: quoted fields with doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRow();
    else field += ch;
  }
  if (field || row.length) endRow();
  return rows;
}

async function count(sql: string): Promise<number> {
  return Number((await c.query(sql)).rows[0].n);
}

// ---------------------------------------------------------------------------------------
// The seeded sample is uniform in places (every status is success, every participant and
// recording is linked to everything, no sync QC fails). These changes give every filter
// value rows on both sides, so each case below can be checked for being selective.

/** Inserts a copy of row `id` of `table` with some columns replaced; returns the new id. */
async function copyRow(table: TableName, id: number, replace: Record<string, unknown>): Promise<number> {
  const { rows: cols } = await c.query(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = $1::regclass and attnum > 0 and not attisdropped and attname <> 'id' order by attnum`,
    [table],
  );
  const values: unknown[] = [];
  const select = cols.map(({ name, type }) =>
    name in replace ? (values.push(replace[name]), `$${values.length}::${type}`) : `"${name}"`,
  );
  values.push(id);
  const { rows } = await c.query(
    `insert into ${table} (${cols.map(({ name }) => `"${name}"`).join(', ')}) select ${select.join(', ')} from ${table} where id = $${values.length} returning id`,
    values,
  );
  expect(rows).toHaveLength(1);
  return rows[0].id;
}

async function varyTheSeededData(): Promise<void> {
  const first = async (table: TableName) => Number((await c.query(`select min(id) id from ${table}`)).rows[0].id);
  // A participant with an audio recording and nothing else, and an import no synchronization uses.
  const {
    rows: [lone],
  } = await c.query(
    `insert into participant (study_id, study_participant_id) select id, 1099 from study where name = 'AOA' returning id`,
  );
  await copyRow('audio_processing', await first('audio_processing'), {
    participant_id: lone.id,
    biomechanics_import_id: null,
    processing_status: 'not_processed',
  });
  await copyRow('biomechanics_import', await first('biomechanics_import'), {
    biomechanics_file: 'unsynchronized.xlsx',
    audio_processing_id: null,
    processing_status: 'error',
  });
  for (const table of ['audio_processing', 'biomechanics_import', 'synchronization', 'movement_cycles']) {
    await c.query(
      `update ${table} set processing_status = case when id % 7 = 0 then 'error' when id % 11 = 0 then 'not_processed' else processing_status end`,
    );
  }
  await c.query(`update synchronization set sync_qc_fail = true where id % 5 = 0`);
  // A cycle carries its own copy of the flag; most copy their synchronization's, a few differ.
  await c.query(
    `update movement_cycles set sync_qc_fail = true where synchronization_id in (select id from synchronization where sync_qc_fail) or id % 23 = 0`,
  );
  await c.query(`update movement_cycles set synchronization_id = null where id % 17 = 0`);
  await c.query(`update movement_cycles set biomechanics_import_id = null where id % 19 = 0`);
}

// ---------------------------------------------------------------------------------------
// Every filter field of every table: the export (CSV with lists comma-separated, NDJSON with
// list parameters repeated) returns exactly the ids of the GraphQL list with the same filter.

type Filter = Record<string, unknown>;
interface Fixture {
  /** The 2nd and 4th ids of each table. */
  ids: Record<TableName, number[]>;
}
interface Case {
  name: string;
  filter: Filter | ((fx: Fixture) => Filter);
}

const one = (filter: Filter): Case => ({ name: JSON.stringify(filter), filter });
const flag = (field: string): Case[] => [one({ [field]: true }), one({ [field]: false })];

const scopeCases = (table: TableName): Record<string, Case[]> => ({
  id: [{ name: 'id: the 2nd and 4th ids', filter: (fx) => ({ id: fx.ids[table] }) }],
  study: [one({ study: ['AOA', 'SMoCK'] }), one({ study: 'preOA' })],
  participantNumber: [one({ participantNumber: [1001, 2002, 3003] })],
});
const recordingCases = (table: TableName): Record<string, Case[]> => ({
  ...scopeCases(table),
  knee: [one({ knee: 'left' })],
  maneuver: [one({ maneuver: ['walk', 'sts'] })],
  processingStatus: [one({ processingStatus: ['error', 'not_processed'] }), one({ processingStatus: 'success' })],
  processingDate: [
    one({ processingDate: { from: '2024-06-01T00:00:00Z', to: '2025-03-01T00:00:00Z' } }),
    one({ processingDate: { from: '2025-01-01T00:00:00.000Z' } }),
    // An offset: its "+" must arrive as "+", not as a space.
    one({ processingDate: { to: '2024-06-01T02:00:00+02:00' } }),
  ],
  recordingDate: [
    one({ recordingDate: { from: '2024-05-01T00:00:00Z', to: '2025-02-01T00:00:00Z' } }),
    one({ recordingDate: { from: '2025-01-01T00:00:00Z' } }),
    one({ recordingDate: { to: '2024-06-01T00:00:00Z' } }),
  ],
});
const audioQcCases: Record<string, Case[]> = {
  audioQcFail: flag('audioQcFail'),
  audioQcFailAnyChannel: flag('audioQcFailAnyChannel'),
  audioQcFailChannel: [one({ audioQcFailChannel: [1, 4] }), one({ audioQcFailChannel: 2 })],
  qcSignalDropout: flag('qcSignalDropout'),
  qcSignalDropoutChannel: [one({ qcSignalDropoutChannel: [1, 2] })],
  qcArtifact: flag('qcArtifact'),
  qcArtifactChannel: [one({ qcArtifactChannel: [3, 4] })],
};
const biomechanicsCases: Record<string, Case[]> = {
  biomechanicsType: [one({ biomechanicsType: ['Motion_Analysis', 'Gonio'] }), one({ biomechanicsType: 'IMU' })],
  biomechanicsSyncMethod: [one({ biomechanicsSyncMethod: 'flick' })],
  biomechanicsQcFail: flag('biomechanicsQcFail'),
};
const walkCases: Record<string, Case[]> = {
  passNumber: [one({ passNumber: [2, 3] })],
  speed: [one({ speed: ['slow', 'fast'] })],
  syncMethod: [one({ syncMethod: 'biomechanics' }), one({ syncMethod: ['consensus'] })],
  syncQcFail: flag('syncQcFail'),
};

/** Per table, per filter field: the cases. A filter field without an entry fails the coverage test. */
const CASES: Record<TableName, Record<string, Case[]>> = {
  study: {
    id: [{ name: 'id: the 2nd and 4th ids', filter: (fx) => ({ id: fx.ids.study }) }],
    study: [one({ study: ['AOA', 'preOA'] })],
  },
  participant: {
    ...scopeCases('participant'),
    hasBiomechanics: flag('hasBiomechanics'),
    hasSynchronization: flag('hasSynchronization'),
  },
  audio_processing: {
    ...recordingCases('audio_processing'),
    ...audioQcCases,
    ...biomechanicsCases,
    durationSeconds: [one({ durationSeconds: { min: 60.5, max: 150 } }), one({ durationSeconds: { max: 100 } })],
    hasBiomechanics: flag('hasBiomechanics'),
    hasSynchronization: flag('hasSynchronization'),
  },
  biomechanics_import: {
    ...recordingCases('biomechanics_import'),
    ...biomechanicsCases,
    hasSynchronization: flag('hasSynchronization'),
  },
  synchronization: { ...recordingCases('synchronization'), ...audioQcCases, ...biomechanicsCases, ...walkCases },
  movement_cycles: {
    ...recordingCases('movement_cycles'),
    ...audioQcCases,
    ...biomechanicsCases,
    ...walkCases,
    isOutlier: flag('isOutlier'),
    durationS: [
      one({ durationS: { min: 1, max: 1.5 } }),
      one({ durationS: { min: 2 } }),
      one({ durationS: { max: 0.95 } }),
    ],
    hasSynchronization: flag('hasSynchronization'),
    hasBiomechanics: flag('hasBiomechanics'),
  },
};

const KIND_OF = Object.fromEntries(RECORD_KINDS.map((k) => [TABLE_OF[k], k])) as Record<
  TableName,
  (typeof RECORD_KINDS)[number]
>;

/** The filter input of the GraphQL list for `table` and its field names; undefined when the list takes no filter. */
async function graphqlFilterOf(
  table: TableName,
): Promise<{ list: string; type: string; fields: string[] } | undefined> {
  const list = LIST_NAME[KIND_OF[table]];
  const arg = (await buildAppSchema())
    .getQueryType()!
    .getFields()
    [list]?.args.find((a) => a.name === 'filter');
  if (!arg) return undefined;
  const type = getNamedType(arg.type) as GraphQLInputObjectType;
  return { list, type: type.name, fields: Object.keys(type.getFields()) };
}

it.each(TABLES)(
  'has a filter case for every filter field of %s, and the export takes exactly the GraphQL filter fields',
  async (table) => {
    const gql = await graphqlFilterOf(table);
    const exported = filterFieldNames(KIND_OF[table]);
    if (gql) expect([...exported].sort()).toEqual([...gql.fields].sort());
    else expect(table).toBe('study'); // `studies` takes no filter; the export's study filter is checked against SQL
    expect(Object.keys(CASES[table]).sort()).toEqual([...(gql?.fields ?? exported)].sort());
  },
);

/** `maneuver=walk,sts` (or, repeated, `maneuver=walk&maneuver=sts`), `durationS.min=1&durationS.max=1.5`. */
function queryOf(filter: Filter, lists: 'comma' | 'repeated'): string {
  const parts: string[] = [];
  const enc = (v: unknown) => encodeURIComponent(String(v));
  for (const [name, value] of Object.entries(filter)) {
    if (Array.isArray(value)) {
      if (lists === 'comma') parts.push(`${name}=${value.map(enc).join(',')}`);
      else for (const v of value) parts.push(`${name}=${enc(v)}`);
    } else if (value !== null && typeof value === 'object') {
      for (const [bound, v] of Object.entries(value)) parts.push(`${name}.${bound}=${enc(v)}`);
    } else parts.push(`${name}=${enc(value)}`);
  }
  return parts.join('&');
}

async function exportedIds(table: TableName, format: 'csv' | 'ndjson', query: string): Promise<number[]> {
  const res = await get(`/export/${table}.${format}?${query}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /export/${table}.${format}?${query}: HTTP ${res.status} ${text}`);
  if (format === 'csv') {
    const [header, ...rows] = parseCsv(text);
    expect(header[0]).toBe('id');
    return rows.map((r) => Number(r[0]));
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l).id);
}

async function expectedIds(table: TableName, filter: Filter): Promise<number[]> {
  const gql = await graphqlFilterOf(table);
  if (!gql) {
    // The study table: its two filter fields in SQL.
    const { rows } = await c.query(
      `select id from study where ($1::int[] is null or id = any($1)) and ($2::text[] is null or name = any($2)) order by id`,
      [filter.id ?? null, filter.study === undefined ? null : [filter.study].flat()],
    );
    return rows.map((r) => r.id);
  }
  const r = await server.post({
    query: `query($f: ${gql.type}) { ${gql.list}(filter: $f, first: 10000) { nodes { id } pageInfo { hasNextPage } } }`,
    variables: { f: filter },
  });
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data[gql.list].pageInfo.hasNextPage).toBe(false);
  return r.body.data[gql.list].nodes.map((n: { id: number }) => n.id);
}

let fixture: Fixture | undefined;
async function loadFixture(): Promise<Fixture> {
  if (!fixture) {
    const ids = {} as Record<TableName, number[]>;
    for (const t of TABLES)
      ids[t] = (await c.query(`select id from ${t} order by id offset 1 limit 3`)).rows
        .filter((_, i) => i !== 1)
        .map((r) => r.id);
    fixture = { ids };
  }
  return fixture;
}

const FILTER_CASES = TABLES.flatMap((table) =>
  Object.entries(CASES[table]).flatMap(([field, cases]) => cases.map((k) => [table, field, k.name, k] as const)),
);

it.each(FILTER_CASES)(
  'filters %s by %s (%s): the export has exactly the ids of the GraphQL list, and the case is selective',
  async (table, field, _name, k) => {
    const filter = typeof k.filter === 'function' ? k.filter(await loadFixture()) : k.filter;
    expect(Object.keys(filter)).toEqual([field]);
    const expected = [...(await expectedIds(table, filter))].sort((a, b) => a - b);
    const total = await count(`select count(*) n from ${table}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(total);
    expect(await exportedIds(table, 'csv', queryOf(filter, 'comma'))).toEqual(expected);
    expect(await exportedIds(table, 'ndjson', queryOf(filter, 'repeated'))).toEqual(expected);
  },
);

it('takes a date without a time as midnight UTC, and combines filters of different tables with "and"', async () => {
  const dates = await exportedIds(
    'synchronization',
    'csv',
    'processingDate.from=2024-06-01&processingDate.to=2025-03-01',
  );
  expect(dates).toEqual(
    await expectedIds('synchronization', {
      processingDate: { from: '2024-06-01T00:00:00Z', to: '2025-03-01T00:00:00Z' },
    }),
  );
  const combined: Filter = {
    study: ['AOA', 'preOA'],
    maneuver: 'walk',
    speed: ['slow', 'medium'],
    syncMethod: 'consensus',
    audioQcFail: false,
    biomechanicsType: ['IMU', 'Motion_Analysis'],
    isOutlier: false,
    durationS: { min: 1 },
    processingDate: { from: '2024-03-01T00:00:00Z' },
  };
  const expected = await expectedIds('movement_cycles', combined);
  expect(expected.length).toBeGreaterThan(0);
  expect(await exportedIds('movement_cycles', 'csv', queryOf(combined, 'comma'))).toEqual(expected);
  expect(await exportedIds('movement_cycles', 'ndjson', queryOf(combined, 'repeated'))).toEqual(expected);
});

it.each(TABLES)('exports every row and column of %s as CSV with a header, in id order', async (table) => {
  const res = await get(`/export/${table}.csv`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const rows = parseCsv(await res.text());
  const { rows: cols } = await c.query(
    `select column_name from information_schema.columns where table_name = $1 order by ordinal_position`,
    [table],
  );
  expect(rows[0]).toEqual(cols.map((r) => r.column_name));
  expect(rows.length - 1).toBe(await count(`select count(*) n from ${table}`));
  const ids = rows.slice(1).map((r) => Number(r[0]));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
});

it.each(TABLES)('exports %s as NDJSON whose objects equal the rows', async (table) => {
  const res = await get(`/export/${table}.ndjson`);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  const lines = (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const { rows } = await c.query(`select row_to_json(t) as j from ${table} t order by id`);
  expect(lines).toEqual(rows.map((r) => r.j));
});

it.each<[string, string]>([
  [
    'study=AOA&maneuver=walk&isOutlier=false',
    `select count(*) n from movement_cycles m join participant p on p.id = m.participant_id join study s on s.id = p.study_id
      where s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier`,
  ],
  [
    'maneuver=fe,sts&knee=left',
    `select count(*) n from movement_cycles where maneuver in ('fe','sts') and knee = 'left'`,
  ],
  [
    'speed=slow&speed=fast&passNumber=2',
    `select count(*) n from movement_cycles where speed in ('slow','fast') and pass_number = 2`,
  ],
  ['durationS.min=1&durationS.max=1.2', `select count(*) n from movement_cycles where duration_s between 1 and 1.2`],
  [
    'participantNumber=2001,3002',
    `select count(*) n from movement_cycles m join participant p on p.id = m.participant_id where p.study_participant_id in (2001, 3002)`,
  ],
  [
    'audioQcFailAnyChannel=true',
    `select count(*) n from movement_cycles m join audio_processing a on a.id = m.audio_processing_id
      where a.audio_qc_fail_ch1 or a.audio_qc_fail_ch2 or a.audio_qc_fail_ch3 or a.audio_qc_fail_ch4`,
  ],
  [
    'biomechanicsType=Motion_Analysis',
    `select count(*) n from movement_cycles m join biomechanics_import b on b.id = m.biomechanics_import_id where b.biomechanics_type = 'Motion Analysis'`,
  ],
])('filters movement_cycles by %s exactly as SQL does', async (query, sql) => {
  const rows = parseCsv(await (await get(`/export/movement_cycles.csv?${query}`)).text());
  const expected = await count(sql);
  expect(expected).toBeGreaterThan(0);
  expect(rows.length - 1).toBe(expected);
});

it('filters other tables with their own filters', async () => {
  const audio = parseCsv(await (await get('/export/audio_processing.csv?audioQcFail=true')).text());
  expect(audio.length - 1).toBe(await count('select count(*) n from audio_processing where audio_qc_fail'));
  const participants = parseCsv(await (await get('/export/participant.csv?study=preOA')).text());
  expect(participants.length - 1).toBe(3);
});

it.each<[string, string, RegExp]>([
  ['/export/movement_cycles.csv?maneuver=jump', 'maneuver', /"jump" is not one of fe, sts, walk/],
  ['/export/movement_cycles.csv?color=red', 'color', /not a filter of movement_cycles/],
  ['/export/movement_cycles.csv?durationS.min=3&durationS.max=1', 'durationS', /min \(3\) is greater than max \(1\)/],
  ['/export/movement_cycles.csv?durationS.avg=1', 'durationS.avg', /a range takes/],
  ["/export/movement_cycles.csv?maneuver=walk'%3B%20drop%20table%20study%3B--", 'maneuver', /is not one of/],
  ['/export/participant.csv?participantNumber=abc', 'participantNumber', /must be an integer/],
  // Times: ISO-8601 only, years 0001-9999 (as the GraphQL DateTime), never the server's local time.
  ['/export/synchronization.csv?processingDate.from=0000-01-01', 'processingDate.from', /years 0001-9999/],
  ['/export/synchronization.csv?processingDate.to=%2B010000-01-01T00:00:00Z', 'processingDate.to', /ISO-8601/],
  ['/export/synchronization.csv?processingDate.from=1', 'processingDate.from', /ISO-8601 date/],
  ['/export/synchronization.csv?processingDate.from=2024%2F06%2F01', 'processingDate.from', /ISO-8601 date/],
  ['/export/synchronization.csv?processingDate.from=June%201%202024', 'processingDate.from', /ISO-8601 date/],
  ['/export/movement_cycles.csv?recordingDate.to=2024-06-01T00:00:00', 'recordingDate.to', /time zone offset/],
  ['/export/movement_cycles.csv?recordingDate.from=2024-02-30', 'recordingDate.from', /no such day/],
  [
    '/export/movement_cycles.csv?processingDate.from=2025-01-01&processingDate.to=2024-01-01',
    'processingDate',
    /is after to/,
  ],
  // A range bound takes one value and has no further parts.
  ['/export/movement_cycles.csv?durationS.min.x=1', 'durationS.min.x', /a range takes/],
  ['/export/movement_cycles.csv?durationS.min=1,2', 'durationS.min', /one value/],
  ['/export/movement_cycles.csv?durationS.min=1&durationS.min=2', 'durationS.min', /one value/],
  ['/export/movement_cycles.csv?durationS.max=abc', 'durationS.max', /must be a finite number/],
  ['/export/movement_cycles.csv?durationS=1', 'durationS', /must be a range/],
  ['/export/movement_cycles.csv?isOutlier=TRUE', 'isOutlier', /must be true or false/],
  ['/export/movement_cycles.csv?audioQcFailChannel=5', 'audioQcFailChannel', /from 1 to 4/],
  ['/export/movement_cycles.csv?maneuver=', 'maneuver', /needs a value/],
])('answers bad input %s with HTTP 400 naming the parameter', async (path, parameter, message) => {
  const res = await get(path);
  expect(res.status).toBe(400);
  const body = (await res.json()) as any;
  expect(body.error.code).toBe('BAD_USER_INPUT');
  expect(body.error.parameter).toBe(parameter);
  expect(body.error.message).toMatch(message);
  expect(await count('select count(*) n from study')).toBe(3);
});

it('reads numbers as Python and JavaScript print them, and a "+" sent unencoded in a time offset', async () => {
  // str(1e-05) in Python is "1e-05"; ".5" and "15e-1" are numbers too.
  expect(await exportedIds('movement_cycles', 'csv', 'durationS.min=.9&durationS.max=15e-1')).toEqual(
    await expectedIds('movement_cycles', { durationS: { min: 0.9, max: 1.5 } }),
  );
  expect(await exportedIds('audio_processing', 'csv', 'durationSeconds.min=1e-05&durationSeconds.max=1E2')).toEqual(
    await expectedIds('audio_processing', { durationSeconds: { min: 0.00001, max: 100 } }),
  );
  // pd.read_csv("…?processingDate.to=2024-06-01T02:00:00+02:00"): the "+" arrives as a space.
  const offset = await expectedIds('synchronization', { processingDate: { to: '2024-06-01T02:00:00+02:00' } });
  expect(offset.length).toBeGreaterThan(0);
  expect(await exportedIds('synchronization', 'csv', 'processingDate.to=2024-06-01T02:00:00+02:00')).toEqual(offset);
  expect(await exportedIds('synchronization', 'csv', 'processingDate.to=2024-06-01T02:00:00%2B02:00')).toEqual(offset);
});

it('answers an unknown table or format with 404', async () => {
  expect((await get('/export/mikro_orm_migrations.csv')).status).toBe(404);
  expect((await get('/export/study.xlsx')).status).toBe(404);
});

it('applies the read-token rule', async () => {
  const locked = await initORM({ config: loadConfig({ AE_READ_TOKEN: READ_TOKEN }), url: ctx.target.url });
  const lockedServer = await startTestServer(locked);
  const url = lockedServer.url.replace('/graphql', '/export/study.csv');
  try {
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(403);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(parseCsv(await ok.text())).toHaveLength(4);
  } finally {
    await lockedServer.close();
    await locked.close();
  }
});

// ---------------------------------------------------------------------------------------
// A large export is streamed: PostgreSQL produces rows only as fast as the client reads them.

interface CopyBackend {
  pid: number;
  state: string;
  waitEvent: string | null;
  query: string;
  tuples: number | null;
  bytes: number | null;
}

/** The export's backends on this database, with COPY progress where there is one. */
async function exportBackends(): Promise<CopyBackend[]> {
  const { rows } = await c.query(
    `select a.pid, a.state, a.wait_event as "waitEvent", a.query, p.tuples_processed as tuples, p.bytes_processed as bytes
       from pg_stat_activity a left join pg_stat_progress_copy p on p.pid = a.pid
      where a.application_name = 'ae-graphql export' and a.datname = current_database()`,
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({ ...r, tuples: num(r.tuples), bytes: num(r.bytes) }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('streams a large export with backpressure: COPY waits while the client pauses, then every row arrives', async () => {
  // Several thousand more cycles, each with a long error message (a stack trace, say): ~60 MB of
  // CSV, several times what the sockets between PostgreSQL, the server and the client buffer
  // (~10 MB here: loopback TCP buffers grow to megabytes).
  const message = 'extract_cycles: no heel strike found between samples; '.repeat(160);
  await c.query(
    `insert into movement_cycles (participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver,
       pass_number, speed, cycle_file, cycle_index, is_outlier, start_time_s, end_time_s, duration_s, audio_start_time, audio_end_time,
       bio_start_time, bio_end_time, processing_status, error_message)
     select participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver, pass_number, speed,
       cycle_file, cycle_index + 100000 * g, is_outlier, start_time_s, end_time_s, duration_s, audio_start_time, audio_end_time,
       bio_start_time, bio_end_time, 'error', $1 || g || ' of cycle ' || id
     from movement_cycles, generate_series(1, 3) g`,
    [message],
  );
  const expected = await count('select count(*) n from movement_cycles');
  expect(expected).toBeGreaterThan(9_000);
  expect(await exportBackends()).toEqual([]);

  const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(`${base()}/export/movement_cycles.csv`, resolve).once('error', reject),
  );
  expect(res.statusCode).toBe(200);
  let bytes = 0;
  let newlines = 0;
  const tally = (chunk: Buffer) => {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) newlines++;
  };
  // The first chunk, then the client stops reading.
  await new Promise<void>((resolve) =>
    res.once('data', (chunk: Buffer) => {
      res.pause();
      tally(chunk);
      resolve();
    }),
  );
  const receivedWhilePaused = bytes;

  // While paused, the COPY stays active, blocked writing to the server (ClientWrite), its
  // row count not moving: it must be seen stalled on three polls in a row, well short of the end.
  const seen: CopyBackend[][] = [];
  let stalled: CopyBackend | undefined;
  for (let i = 0; i < 100 && !stalled; i++) {
    const backends = await exportBackends();
    seen.push(backends);
    const last3 = seen.slice(-3);
    const still = (b: CopyBackend[]) =>
      b.length === 1 &&
      b[0].state === 'active' &&
      b[0].waitEvent === 'ClientWrite' &&
      /^copy \(/.test(b[0].query) &&
      b[0].tuples !== null;
    if (last3.length === 3 && last3.every(still) && last3.every((b) => b[0].tuples === last3[0][0].tuples))
      stalled = last3[0][0];
    else await sleep(100);
  }
  if (!stalled)
    throw new Error(`the COPY did not stall while the client was paused: ${JSON.stringify(seen.slice(-5))}`);
  expect(stalled.tuples).toBeLessThan(expected);
  expect(bytes).toBe(receivedWhilePaused); // paused means paused

  // Resumed: everything arrives, and the export's connection is closed afterwards.
  res.on('data', tally);
  await new Promise<void>((resolve, reject) => {
    res.once('end', resolve);
    res.once('error', reject);
    res.resume();
  });
  expect(newlines).toBe(expected + 1); // header + one line per row (no field holds a newline)
  expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
  // What PostgreSQL had produced when it stalled: less than half of the whole.
  expect(stalled.bytes).toBeLessThan(bytes / 2);
  let after = await exportBackends();
  for (let i = 0; i < 50 && after.length; i++) {
    await sleep(100);
    after = await exportBackends();
  }
  expect(after).toEqual([]);
});
