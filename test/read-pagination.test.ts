/**
 * Lookups, ordering and keyset pagination: pages concatenated are exactly the ordered
 * set (checked against ORDER BY in SQL, nulls included), cursors are exact for
 * microsecond timestamps, rows inserted between pages are neither skipped nor repeated,
 * totalCount is counted only when asked for, and only the selected columns are read.
 */
import { countWireStatements } from './helpers/statements';
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, markers: m } = useReadFixture();

const TYPE_OF: Record<string, string> = {
  participants: 'Participant',
  audioProcessings: 'AudioProcessing',
  biomechanicsImports: 'BiomechanicsImport',
  synchronizations: 'Synchronization',
  movementCycles: 'MovementCycle',
};

interface PageResult {
  ids: number[];
  hasNextPage: boolean;
  endCursor: string | null;
}

async function page(
  list: string,
  args: { filter?: object; orderBy?: object[]; first?: number; after?: string | null },
): Promise<PageResult> {
  const t = TYPE_OF[list];
  const res = await gql.query(
    `query($f: ${t}Filter, $o: [${t}Order!], $first: Int, $after: String) {
       ${list}(filter: $f, orderBy: $o, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`,
    { f: args.filter ?? null, o: args.orderBy ?? null, first: args.first ?? null, after: args.after ?? null },
  );
  expect(res.errors).toBeUndefined();
  const conn = res.data[list];
  return { ids: conn.nodes.map((n: { id: number }) => n.id), ...conn.pageInfo };
}

/** Every page from the start; `between` runs after each page (to insert rows mid-walk). */
async function walk(
  list: string,
  args: { filter?: object; orderBy?: object[]; first: number },
  between?: (pageNo: number, lastId: number) => Promise<void>,
) {
  const ids: number[] = [];
  let after: string | null = null;
  for (let pageNo = 1; pageNo < 1000; pageNo++) {
    const p = await page(list, { ...args, after });
    ids.push(...p.ids);
    if (!p.hasNextPage) return ids;
    expect(p.ids).toHaveLength(args.first);
    after = p.endCursor;
    await between?.(pageNo, p.ids[p.ids.length - 1]);
  }
  throw new Error('did not finish');
}

const sqlIds = async (sql: string) => (await c.query(sql)).rows.map((r) => Number(r.id));

describe('lookups', () => {
  it('participant(study, number), study(name) and each record by id; null when absent', async () => {
    const ids = (
      await c.query(`select (select min(id) from audio_processing) a, (select min(id) from biomechanics_import) b,
      (select min(id) from synchronization) y, (select min(id) from movement_cycles) m`)
    ).rows[0];
    const res = await gql.query(`{
      participant(study: preOA, number: 2002) { id studyParticipantId study { name } }
      missing: participant(study: preOA, number: 2999) { id }
      study(name: SMoCK) { name }
      audioProcessing(id: ${ids.a}) { id knee maneuver } noAudio: audioProcessing(id: 999999) { id }
      biomechanicsImport(id: ${ids.b}) { id } noBio: biomechanicsImport(id: 999999) { id }
      synchronization(id: ${ids.y}) { id } noSync: synchronization(id: 999999) { id }
      movementCycle(id: ${ids.m}) { id cycleIndex } noCycle: movementCycle(id: 999999) { id } }`);
    expect(res.errors).toBeUndefined();
    const d = res.data;
    const [p] = (
      await c.query(
        `select p.id from participant p join study s on s.id = p.study_id where s.name = 'preOA' and p.study_participant_id = 2002`,
      )
    ).rows;
    expect(d.participant).toEqual({ id: p.id, studyParticipantId: 2002, study: { name: 'preOA' } });
    expect(d.study).toEqual({ name: 'SMoCK' });
    const [a] = (await c.query(`select knee, maneuver from audio_processing where id = $1`, [ids.a])).rows;
    expect(d.audioProcessing).toEqual({ id: ids.a, knee: a.knee, maneuver: a.maneuver });
    expect([d.biomechanicsImport.id, d.synchronization.id, d.movementCycle.id]).toEqual([ids.b, ids.y, ids.m]);
    expect([d.missing, d.noAudio, d.noBio, d.noSync, d.noCycle]).toEqual([null, null, null, null, null]);
  });

  it('studies stays a plain list, by name', async () => {
    const res = await gql.query(`{ studies { name } }`);
    expect(res.data.studies.map((s: { name: string }) => s.name)).toEqual(['AOA', 'SMoCK', 'preOA']);
  });
});

describe('first and pageInfo', () => {
  it('defaults to 100 rows in id order', async () => {
    const p = await page('movementCycles', {});
    expect(p.ids).toEqual(await sqlIds(`select id from movement_cycles order by id limit 100`));
    expect(p.hasNextPage).toBe(true);
  });

  it('the last page says no more follow; first: 0 returns no rows; an empty page keeps the cursor', async () => {
    const all = await sqlIds(`select id from movement_cycles where speed = 'fast' order by id`);
    const p = await page('movementCycles', { filter: { speed: 'fast' }, first: all.length });
    expect(p).toMatchObject({ ids: all, hasNextPage: false });
    const none = await page('movementCycles', { filter: { speed: 'fast' }, first: 0 });
    expect(none).toEqual({ ids: [], hasNextPage: true, endCursor: null });
    const beyond = await page('movementCycles', { filter: { speed: 'fast' }, after: p.endCursor });
    expect(beyond).toEqual({ ids: [], hasNextPage: false, endCursor: p.endCursor });
  });

  it('totalCount counts the whole filtered set, with one more statement, only when selected', async () => {
    const q = (withCount: boolean) =>
      gql.query(
        `{ movementCycles(first: 5, filter: { maneuver: walk, isOutlier: true }) { ${withCount ? 'totalCount' : ''} nodes { id } } }`,
      );
    const counted = await countWireStatements(() => q(true));
    const [{ n }] = (
      await c.query(`select count(*)::int as n from movement_cycles where maneuver = 'walk' and is_outlier`)
    ).rows;
    expect(n).toBeGreaterThan(5);
    expect(counted.result.data.movementCycles.totalCount).toBe(n);
    expect(counted.statements).toHaveLength(2);
    const plain = await countWireStatements(() => q(false));
    expect(plain.result.data.movementCycles.nodes).toHaveLength(5);
    expect(plain.statements).toHaveLength(1);
  });

  it('reads only the columns the query selects (plus id and the order keys)', async () => {
    const { statements } = await countWireStatements(() =>
      gql.query(
        `{ movementCycles(first: 3, orderBy: [{ field: durationS }]) { nodes { id cycleIndex participant { id } } } }`,
      ),
    );
    const [cycles, participants] = statements;
    expect(cycles).toMatch(/"cycle_index"/);
    expect(cycles).toMatch(/"participant_id"/);
    expect(cycles).not.toMatch(/cycle_file_path|audio_start_time|is_outlier|"knee"/);
    expect(participants).not.toMatch(/study_participant_id|created_at/);
  });
});

describe('ordering and full page walks', () => {
  const direction = (d: string) => (d === 'DESC' ? 'desc nulls first' : 'asc nulls last');
  const CASES: [string, string, object, [string, string, 'ASC' | 'DESC'][]][] = [
    // list, table, filter, [GraphQL field, column, direction]
    ['movementCycles', 'movement_cycles', { study: 'AOA' }, [['durationS', 'duration_s', 'DESC']]],
    [
      'movementCycles',
      'movement_cycles',
      { participantNumber: [1001, 2001] },
      [
        ['speed', 'speed', 'ASC'],
        ['passNumber', 'pass_number', 'DESC'],
        ['cycleIndex', 'cycle_index', 'ASC'],
      ],
    ],
    [
      'movementCycles',
      'movement_cycles',
      { study: 'preOA' },
      [
        ['isOutlier', 'is_outlier', 'DESC'],
        ['knee', 'knee', 'ASC'],
      ],
    ],
    [
      'movementCycles',
      'movement_cycles',
      { study: 'SMoCK', maneuver: 'fe' },
      [['audioStartTime', 'audio_start_time', 'ASC']],
    ],
    [
      'synchronizations',
      'synchronization',
      {},
      [
        ['speed', 'speed', 'DESC'],
        ['meanCycleDurationS', 'mean_cycle_duration_s', 'ASC'],
      ],
    ],
    ['audioProcessings', 'audio_processing', {}, [['processingDate', 'processing_date', 'DESC']]],
    [
      'biomechanicsImports',
      'biomechanics_import',
      {},
      [
        ['biomechanicsType', 'biomechanics_type', 'ASC'],
        ['durationSeconds', 'duration_seconds', 'DESC'],
      ],
    ],
    ['participants', 'participant', {}, [['studyParticipantId', 'study_participant_id', 'DESC']]],
  ];

  const named = CASES.map((k) => [`${k[0]} by ${k[3].map(([f, , d]) => `${f} ${d}`).join(', ')}`, ...k] as const);
  it.each(named)(
    '%s: pages concatenated are the SQL order, without duplicates',
    async (_name, list, table, filter, keys) => {
      const where = await whereFor(table, filter);
      const last = keys[keys.length - 1][2];
      const expected = await sqlIds(
        `select t.id from ${table} t where ${where} order by ${keys.map(([, col, d]) => `t.${col} ${direction(d)}`).join(', ')}, t.id ${last.toLowerCase()}`,
      );
      expect(expected.length).toBeGreaterThan(6);
      const first = Math.max(2, Math.floor(expected.length / 12)); // a dozen pages or so
      const got = await walk(list, { filter, orderBy: keys.map(([field, , d]) => ({ field, direction: d })), first });
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(expected);
    },
  );

  it('a cursor on a timestamp keeps microseconds: rows a millisecond apart in JS still page exactly', async () => {
    const ids = await sqlIds(`select id from audio_processing order by id limit 5`);
    for (const [i, id] of ids.entries()) {
      await c.query(`update audio_processing set processing_date = $1 where id = $2`, [
        `2030-01-01 00:00:00.12300${i}+00`,
        id,
      ]);
    }
    const got = await walk('audioProcessings', {
      filter: { id: ids },
      orderBy: [{ field: 'processingDate', direction: 'ASC' }],
      first: 1,
    });
    expect(got).toEqual(ids);
  });
});

/** The SQL condition for the small filters used above (independent of the API's builder). */
async function whereFor(
  table: string,
  filter: { study?: string; participantNumber?: number[]; maneuver?: string },
): Promise<string> {
  const parts = ['true'];
  if (filter.study)
    parts.push(
      `t.participant_id in (select p.id from participant p join study s on s.id = p.study_id where s.name = '${filter.study}')`,
    );
  if (filter.participantNumber)
    parts.push(
      `t.participant_id in (select id from participant where study_participant_id in (${filter.participantNumber.join(',')}))`,
    );
  if (filter.maneuver) parts.push(`t.maneuver = '${filter.maneuver}'`);
  return parts.join(' and ');
}

describe('paging while rows are inserted', () => {
  /** A copy of cycle `id` with another cycle index and the given duration; returns the new id. */
  async function insertCycle(sourceId: number, cycleIndex: number, duration: number): Promise<number> {
    const { rows } = await c.query(
      `insert into movement_cycles (participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver,
              pass_number, speed, cycle_file, cycle_index, is_outlier, start_time_s, end_time_s, duration_s, audio_start_time,
              audio_end_time, bio_start_time, bio_end_time)
       select participant_id, audio_processing_id, biomechanics_import_id, synchronization_id, knee, maneuver,
              pass_number, speed, 'late.pkl', $2, false, 0, $3, $3, audio_start_time, audio_end_time, bio_start_time, bio_end_time
         from movement_cycles where id = $1 returning id`,
      [sourceId, cycleIndex, duration],
    );
    return rows[0].id;
  }

  it('never skips or repeats a row; rows inserted beyond the cursor appear, those before it do not', async () => {
    const filter = { participantNumber: 3001 };
    const orderBy = [{ field: 'durationS', direction: 'ASC' }];
    const before = await sqlIds(
      `select m.id from movement_cycles m join participant p on p.id = m.participant_id where p.study_participant_id = 3001`,
    );
    const source = before[0];
    const inserted: { early: number[]; late: number[] } = { early: [], late: [] };
    let index = 900;
    const got = await walk('movementCycles', { filter, orderBy, first: 25 }, async (pageNo, lastId) => {
      if (pageNo > 3) return;
      // Where the walk stands: the duration of the last row it was given.
      const { rows } = await c.query(`select duration_s as d from movement_cycles where id = $1`, [lastId]);
      const position = Number(rows[0].d);
      inserted.early.push(await insertCycle(source, index++, position / 2));
      inserted.late.push(await insertCycle(source, index++, position + 10));
      inserted.late.push(await insertCycle(source, index++, position)); // same duration, larger id: after the cursor
    });
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((id) => before.includes(id)).sort((a, b) => a - b)).toEqual([...before].sort((a, b) => a - b));
    for (const id of inserted.late) expect(got).toContain(id);
    for (const id of inserted.early) expect(got).not.toContain(id);
    expect(got).toHaveLength(before.length + inserted.late.length);
  });

  it('in id order, rows inserted during the walk come at its end', async () => {
    const before = await sqlIds(`select id from synchronization order by id`);
    const added: number[] = [];
    const got = await walk('synchronizations', { first: 40 }, async (pageNo) => {
      if (pageNo !== 2) return;
      const { rows } = await c.query(
        `insert into synchronization (participant_id, audio_processing_id, biomechanics_import_id, knee, maneuver, pass_number, speed)
         select participant_id, audio_processing_id, biomechanics_import_id, knee, maneuver, 9, 'comfortable'
           from synchronization where maneuver = 'walk' and pass_number = 1 and speed = 'slow' order by id limit 2 returning id`,
      );
      added.push(...rows.map((r) => r.id));
    });
    expect(added).toHaveLength(2);
    expect(got).toEqual([...before, ...added]);
    expect(m.failedSync).toBeGreaterThan(0);
  });
});
