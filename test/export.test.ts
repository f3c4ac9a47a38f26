/**
 * GET /export/{table}.csv and .ndjson over real HTTP: every table, the filters (same code
 * path as the GraphQL lists), the read-token rule, bad input, and a large streamed export.
 */
import type { Client } from 'pg';
import { openTestContext, sqlClient } from './helpers/db';
import { startTestServer, type TestServer } from './helpers/http';
import { initORM, type AppContext } from '../src/context';
import { loadConfig } from '../src/config';
import { TABLES } from '../src/entities';

let ctx: AppContext;
let server: TestServer;
let c: Client;
let drop: () => Promise<void>;

const READ_TOKEN = 'read-token-0123456789abcdef';

beforeAll(async () => {
  const seeded = await openTestContext();
  await seeded.services.seed.seed({ participantsPerStudy: 3 });
  drop = () => seeded.db.drop();
  await seeded.orm.close(true);
  ctx = await initORM({ config: loadConfig({}), url: seeded.target.url });
  server = await startTestServer(ctx);
  c = await sqlClient(seeded.target.url);
});
afterAll(async () => {
  await c?.end();
  await server?.close();
  await ctx?.close();
  await drop?.();
});

const base = () => server.url.replace('/graphql', '');
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base()}${path}`, { headers });

/** Minimal CSV reader for the test: quoted fields with doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

async function count(sql: string): Promise<number> {
  return Number((await c.query(sql)).rows[0].n);
}

it.each(TABLES)('exports every row and column of %s as CSV with a header, in id order', async (table) => {
  const res = await get(`/export/${table}.csv`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const rows = parseCsv(await res.text());
  const { rows: cols } = await c.query(`select column_name from information_schema.columns where table_name = $1 order by ordinal_position`, [table]);
  expect(rows[0]).toEqual(cols.map((r) => r.column_name));
  expect(rows.length - 1).toBe(await count(`select count(*) n from ${table}`));
  const ids = rows.slice(1).map((r) => Number(r[0]));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
});

it.each(TABLES)('exports %s as NDJSON whose objects equal the rows', async (table) => {
  const res = await get(`/export/${table}.ndjson`);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  const { rows } = await c.query(`select row_to_json(t) as j from ${table} t order by id`);
  expect(lines).toEqual(rows.map((r) => r.j));
});

it.each<[string, string]>([
  ['study=AOA&maneuver=walk&isOutlier=false',
    `select count(*) n from movement_cycles m join participant p on p.id = m.participant_id join study s on s.id = p.study_id
      where s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier`],
  ['maneuver=fe,sts&knee=left', `select count(*) n from movement_cycles where maneuver in ('fe','sts') and knee = 'left'`],
  ['speed=slow&speed=fast&passNumber=2', `select count(*) n from movement_cycles where speed in ('slow','fast') and pass_number = 2`],
  ['durationS.min=1&durationS.max=1.2', `select count(*) n from movement_cycles where duration_s between 1 and 1.2`],
  ['participantNumber=2001,3002', `select count(*) n from movement_cycles m join participant p on p.id = m.participant_id where p.study_participant_id in (2001, 3002)`],
  ['audioQcFailAnyChannel=true', `select count(*) n from movement_cycles m join audio_processing a on a.id = m.audio_processing_id
      where a.audio_qc_fail_ch1 or a.audio_qc_fail_ch2 or a.audio_qc_fail_ch3 or a.audio_qc_fail_ch4`],
  ['biomechanicsType=Motion_Analysis', `select count(*) n from movement_cycles m join biomechanics_import b on b.id = m.biomechanics_import_id where b.biomechanics_type = 'Motion Analysis'`],
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
])('answers bad input %s with HTTP 400 naming the parameter', async (path, parameter, message) => {
  const res = await get(path);
  expect(res.status).toBe(400);
  const body = await res.json();
  expect(body.error.code).toBe('BAD_USER_INPUT');
  expect(body.error.parameter).toBe(parameter);
  expect(body.error.message).toMatch(message);
  expect(await count('select count(*) n from study')).toBe(3);
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

it('streams a large export without holding it in memory, and reads back every row', async () => {
  // ~70k cycles: 23 × the seeded set, inserted as copies with distinct cycle indexes.
  await c.query(`insert into movement_cycles (participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver,
      pass_number, speed, cycle_file, cycle_index, is_outlier, start_time_s, end_time_s, duration_s, audio_start_time, audio_end_time,
      bio_start_time, bio_end_time)
    select participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver, pass_number, speed,
      cycle_file, cycle_index + 1000 * g, is_outlier, start_time_s, end_time_s, duration_s, audio_start_time, audio_end_time, bio_start_time, bio_end_time
    from movement_cycles, generate_series(1, 22) g`);
  const expected = await count('select count(*) n from movement_cycles');
  expect(expected).toBeGreaterThan(50_000);
  const res = await get('/export/movement_cycles.csv');
  const reader = res.body!.getReader();
  let chunks = 0;
  let newlines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    for (const byte of value) if (byte === 10) newlines++;
  }
  expect(newlines).toBe(expected + 1); // header + one line per row (no field holds a newline)
  expect(chunks).toBeGreaterThan(10); // arrived in pieces, as PostgreSQL produced them
});
