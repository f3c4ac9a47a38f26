/**
 * Group-by aggregates (`<record>Groups`): every statistic, for many groupings and filters,
 * against the same GROUP BY written here by hand in SQL (to within float rounding), on the
 * compiled path (one statement over HTTP) and the resolver path alike; NULL keys and values,
 * empty results, nesting under a list in one statement, the p rule and AE_MAX_ROWS. Then a
 * property test of random groupings, filters and statistics against SQL.
 */
import fc from 'fast-check';
import { postGraphQL } from './helpers/http';
import { useReadFixture } from './helpers/read-fixture';
import { startApp } from '../src/app';

const {
  ctx,
  sql: c,
  gql,
  server,
  markers,
} = useReadFixture(async (sql) => {
  // NULLs to aggregate over: some cycles without a file size, one walk group without any.
  await sql.query(`update movement_cycles set cycle_file_size_mb = null where id % 3 = 0`);
  await sql.query(
    `update movement_cycles set cycle_file_size_mb = null where maneuver = 'walk' and speed = 'fast' and knee = 'left'`,
  );
});

/**
 * The compiled answer (asserting one statement, no fallback), checked against the resolvers'
 * answer to within float rounding: a sum over the same rows read in another order (an index
 * scan per parent, a hash over all parents) may differ in its last digit.
 */
async function both(query: string, variables?: Record<string, unknown>) {
  const { text, logs } = await postGraphQL(server, query, variables);
  expect(logs.filter((l) => l.msg === 'read answered by the resolvers')).toEqual([]);
  expect(logs.filter((l) => l.msg === 'graphql request').at(-1)?.sqlStatements).toBe(1);
  const reference = await gql.query(query, variables);
  expectClose(JSON.parse(text), JSON.parse(JSON.stringify(reference)), 'resolvers');
  return JSON.parse(text) as { data: Record<string, any>; errors?: unknown };
}

// ------------------------------------------------------------------ the hand-written SQL

interface TableSpec {
  list: string;
  /** FROM clause with `t` the table, `p` its participant and `s` the study. */
  from: string;
  keys: Record<string, string>;
  /** GraphQL enum name of a stored value where they differ. */
  enumNames?: Record<string, string>;
  numeric: Record<string, string>;
}

const viaParticipant = (table: string) =>
  `${table} t join participant p on p.id = t.participant_id join study s on s.id = p.study_id`;

/** Each field as its column of `t` (fooBar: t.foo_bar), or as `named` gives it. */
const columns = (fields: string[], named: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(fields.map((f) => [f, named[f] ?? `t.${f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`]));
const SCOPE = { study: 's.name', participantNumber: 'p.study_participant_id' };

const TABLES: Record<string, TableSpec> = {
  movementCycle: {
    list: 'movementCycleGroups',
    from: viaParticipant('movement_cycles'),
    keys: columns(
      [
        'study',
        'participantNumber',
        'knee',
        'maneuver',
        'speed',
        'passNumber',
        'cycleIndex',
        'isOutlier',
        'biomechanicsQcFail',
        'syncQcFail',
        'processingStatus',
      ],
      SCOPE,
    ),
    numeric: columns(['durationS', 'startTimeS', 'endTimeS', 'passNumber', 'cycleIndex', 'cycleFileSizeMb']),
  },
  audioProcessing: {
    list: 'audioProcessingGroups',
    from: viaParticipant('audio_processing'),
    keys: columns(
      [
        'study',
        'participantNumber',
        'knee',
        'maneuver',
        'audioQcFail',
        'audioQcFailCh3',
        'qcArtifact',
        'numChannels',
        'firmwareVersion',
        'mic1Position',
        'processingStatus',
      ],
      { ...SCOPE, mic1Position: 't.mic_1_position' },
    ),
    numeric: columns(['durationSeconds', 'fileSizeMb', 'sampleRate', 'pklFileSizeMb']),
  },
  biomechanicsImport: {
    list: 'biomechanicsImportGroups',
    from: viaParticipant('biomechanics_import'),
    keys: columns(
      ['study', 'biomechanicsType', 'biomechanicsSyncMethod', 'knee', 'biomechanicsQcFail', 'processingStatus'],
      SCOPE,
    ),
    enumNames: { 'Motion Analysis': 'Motion_Analysis' },
    numeric: columns(['durationSeconds', 'numDataPoints', 'biomechanicsSampleRate', 'numPasses']),
  },
  synchronization: {
    list: 'synchronizationGroups',
    from: viaParticipant('synchronization'),
    keys: columns(['study', 'syncMethod', 'maneuver', 'passNumber', 'speed', 'syncQcFail'], SCOPE),
    numeric: columns(['meanCycleDurationS', 'totalCyclesExtracted', 'cleanCycles', 'syncDuration']),
  },
  participant: {
    list: 'participantGroups',
    from: 'participant t join study s on s.id = t.study_id',
    keys: { study: 's.name', participantNumber: 't.study_participant_id' },
    numeric: { studyParticipantId: 't.study_participant_id' },
  },
};

/** A filter in GraphQL and the same condition written in SQL. */
type Filter = [gql: string, sql: string];
const FILTERS: Record<string, Filter[]> = {
  movementCycle: [
    ['', 'true'],
    ['{ isOutlier: false }', 't.is_outlier = false'],
    ['{ maneuver: walk, study: [AOA, SMoCK] }', `t.maneuver = 'walk' and s.name in ('AOA', 'SMoCK')`],
    ['{ durationS: { min: 1, max: 1.3 } }', 't.duration_s between 1 and 1.3'],
    ['{ knee: right, speed: [fast, slow] }', `t.knee = 'right' and t.speed in ('fast', 'slow')`],
    ['{ hasBiomechanics: false }', 't.biomechanics_import_id is null'],
    ['{ id: [999999] }', 't.id = 999999'],
  ],
  audioProcessing: [
    ['', 'true'],
    ['{ audioQcFail: true }', 't.audio_qc_fail'],
    ['{ processingStatus: error }', `t.processing_status = 'error'`],
    ['{ maneuver: [fe, sts] }', `t.maneuver in ('fe', 'sts')`],
  ],
  biomechanicsImport: [
    ['', 'true'],
    ['{ biomechanicsType: Motion_Analysis }', `t.biomechanics_type = 'Motion Analysis'`],
  ],
  synchronization: [
    ['', 'true'],
    ['{ maneuver: walk }', `t.maneuver = 'walk'`],
    ['{ syncQcFail: true }', 't.sync_qc_fail'],
  ],
  participant: [
    ['', 'true'],
    ['{ hasSynchronization: false }', 'not exists (select 1 from synchronization y where y.participant_id = t.id)'],
  ],
};

type Stat = 'sum' | 'avg' | 'min' | 'max' | 'stddev' | number; // a number: percentile(p)
const STAT_SQL = (stat: Stat, column: string) =>
  typeof stat === 'number'
    ? `percentile_cont(${stat}) within group (order by ${column})`
    : `${stat === 'stddev' ? 'stddev_samp' : stat}(${column})`;
const statKey = (stat: Stat) => (typeof stat === 'number' ? `p${String(stat).replace('.', '_')}` : stat);
const statField = (stat: Stat) => (typeof stat === 'number' ? `${statKey(stat)}: percentile(p: ${stat})` : stat);

interface Case {
  kind: string;
  groupBy: string[];
  filter: Filter;
  stats: [Stat, string][];
  /** Asked under every participant of a list (participants: under every study) instead of at the root. */
  nested?: boolean;
}

/** Where a nested case sits: the parent list, its rows in order, and the link column of the grouped table. */
const parentOf = (kind: string) =>
  kind === 'participant'
    ? {
        wrap: (inner: string) => `{ studies { id ${inner} } }`,
        rows: (d: any) => d.studies,
        ids: 'select id from study order by name',
        link: 't.study_id',
      }
    : {
        wrap: (inner: string) => `{ participants(first: 1000) { nodes { id ${inner} } } }`,
        rows: (d: any) => d.participants.nodes,
        ids: 'select id from participant order by id',
        link: 't.participant_id',
      };

function queryOf(k: Case): string {
  const t = TABLES[k.kind];
  const byStat = new Map<string, { field: string; columns: string[] }>();
  for (const [stat, column] of k.stats) {
    const e = byStat.get(statKey(stat)) ?? { field: statField(stat), columns: [] };
    if (!e.columns.includes(column)) e.columns.push(column);
    byStat.set(statKey(stat), e);
  }
  const keys = k.groupBy.length ? k.groupBy : [Object.keys(t.keys)[0]];
  const field = `${t.list}(groupBy: [${k.groupBy.join(', ')}]${k.filter[0] ? `, filter: ${k.filter[0]}` : ''}) {
    key { ${keys.join(' ')} } count ${[...byStat.values()].map((e) => `${e.field} { ${e.columns.join(' ')} }`).join(' ')} }`;
  return k.nested ? parentOf(k.kind).wrap(field) : `{ ${field} }`;
}

/** The groups as the hand-written GROUP BY gives them, shaped like the GraphQL answer (nested: per parent id). */
async function expected(k: Case): Promise<Record<string, any>[]> {
  const t = TABLES[k.kind];
  const keys = [...(k.nested ? [parentOf(k.kind).link] : []), ...k.groupBy.map((f) => t.keys[f])];
  const stats = k.stats.map(([stat, column]) => `(${STAT_SQL(stat, t.numeric[column])})::float8`);
  const select = [
    ...keys.map((e, i) => `${e} as k${i}`),
    'count(*)::int as n',
    ...stats.map((s, i) => `${s} as a${i}`),
  ];
  const sql =
    `select ${select.join(', ')} from ${t.from} where ${k.filter[1]}` +
    (keys.length ? ` group by ${keys.join(', ')} order by ${keys.map((e) => `${e} nulls last`).join(', ')}` : '');
  const rows = (await c.query(sql)).rows;
  const shownKeys = k.groupBy.length ? k.groupBy : [Object.keys(t.keys)[0]];
  const skip = k.nested ? 1 : 0;
  const group = (r: Record<string, any>) => {
    const out: Record<string, any> = { key: Object.fromEntries(shownKeys.map((f) => [f, null])), count: r.n };
    k.groupBy.forEach((f, i) => {
      const v = r[`k${i + skip}`];
      out.key[f] = typeof v === 'string' ? (t.enumNames?.[v] ?? v) : (v ?? null);
    });
    k.stats.forEach(([stat, column], i) => ((out[statKey(stat)] ??= {})[column] = r[`a${i}`] ?? null));
    return out;
  };
  if (!k.nested) return rows.map(group);
  // Per parent, in the parent list's order; with no groupBy, a parent without rows still has its one group.
  const ids = (await c.query(parentOf(k.kind).ids)).rows.map((r) => r.id);
  return ids.map((id) => {
    const mine = rows.filter((r) => r.k0 === id).map(group);
    return mine.length || k.groupBy.length ? mine : [group({ n: 0 })];
  });
}

function expectClose(actual: unknown, wanted: unknown, path = ''): void {
  if (typeof wanted === 'number' && typeof actual === 'number') {
    if (Math.abs(actual - wanted) > 1e-9 * Math.max(1, Math.abs(wanted)))
      throw new Error(`${path}: ${actual} != ${wanted}`);
    return;
  }
  if (wanted && typeof wanted === 'object') {
    expect(actual && typeof actual === 'object').toBe(true);
    const a = actual as Record<string, unknown>;
    expect(Object.keys(a)).toEqual(Object.keys(wanted));
    for (const [key, v] of Object.entries(wanted)) expectClose(a[key], v, `${path}.${key}`);
    return;
  }
  if (actual !== wanted) throw new Error(`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(wanted)}`);
}

async function check(k: Case): Promise<void> {
  const query = queryOf(k);
  const body = await both(query);
  expect(body.errors).toBeUndefined();
  const groups = k.nested
    ? (parentOf(k.kind).rows(body.data) as Record<string, any>[]).map((parent) => parent[TABLES[k.kind].list])
    : (body.data[TABLES[k.kind].list] as Record<string, any>[]);
  const want = await expected(k);
  try {
    expectClose(
      groups.map((g) => ({ ...g })),
      want,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nquery: ${query}\ngot: ${JSON.stringify(groups)}\nwanted: ${JSON.stringify(want)}`,
    );
  }
}

const EVERY_STAT: Stat[] = ['sum', 'avg', 'min', 'max', 'stddev', 0, 0.25, 0.5, 0.9, 1];
const allStats = (kind: string): [Stat, string][] =>
  Object.keys(TABLES[kind].numeric).flatMap((col) => EVERY_STAT.map((s) => [s, col] as [Stat, string]));

describe('every statistic against the hand-written GROUP BY', () => {
  const GROUPINGS: Record<string, string[][]> = {
    movementCycle: [
      [],
      ['study', 'knee', 'maneuver', 'speed'],
      ['speed'],
      ['participantNumber', 'passNumber'],
      ['isOutlier', 'biomechanicsQcFail', 'syncQcFail'],
      ['processingStatus', 'cycleIndex'],
    ],
    audioProcessing: [
      [],
      ['knee', 'maneuver'],
      ['audioQcFail', 'audioQcFailCh3', 'qcArtifact'],
      ['study', 'participantNumber', 'numChannels', 'mic1Position'],
      ['processingStatus', 'firmwareVersion'],
    ],
    biomechanicsImport: [
      [],
      ['biomechanicsType'],
      ['study', 'biomechanicsSyncMethod', 'knee', 'biomechanicsQcFail', 'processingStatus'],
    ],
    synchronization: [[], ['syncMethod', 'maneuver'], ['study', 'passNumber', 'speed', 'syncQcFail']],
    participant: [[], ['study'], ['study', 'participantNumber']],
  };
  const cases = Object.entries(GROUPINGS).flatMap(([kind, groupings]) =>
    groupings.flatMap((groupBy) =>
      FILTERS[kind].map(
        (filter) =>
          [
            kind,
            groupBy.join(' × ') || '(none)',
            filter[0] || '(no filter)',
            { kind, groupBy, filter, stats: allStats(kind) },
          ] as const,
      ),
    ),
  );
  it.each(cases)('%s by %s, %s', async (_kind, _g, _f, k) => {
    await check(k);
  });
});

describe('NULLs and empty groups', () => {
  it('puts the null key last and leaves avg of no values null (all sizes null in a group)', async () => {
    const body = await both(`{ movementCycleGroups(groupBy: [maneuver, speed, knee], filter: { maneuver: walk }) {
      key { maneuver speed knee } count avg { cycleFileSizeMb } sum { cycleFileSizeMb } min { cycleFileSizeMb } stddev { cycleFileSizeMb } } }`);
    const groups = body.data.movementCycleGroups;
    const fastLeft = groups.find((g: any) => g.key.speed === 'fast' && g.key.knee === 'left');
    expect(fastLeft.count).toBeGreaterThan(0);
    expect(fastLeft).toMatchObject({
      avg: { cycleFileSizeMb: null },
      sum: { cycleFileSizeMb: null },
      min: { cycleFileSizeMb: null },
      stddev: { cycleFileSizeMb: null },
    });
    const all = await both(`{ movementCycleGroups(groupBy: [speed]) { key { speed } count } }`);
    expect(all.data.movementCycleGroups.at(-1).key.speed).toBeNull();
    expect(all.data.movementCycleGroups.slice(0, -1).every((g: any) => g.key.speed !== null)).toBe(true);
  });

  it('gives no groups for a filter matching nothing, and one group of count 0 with null statistics when groupBy is empty', async () => {
    const none = await both(`{ movementCycleGroups(groupBy: [knee], filter: { id: [999999] }) { count } }`);
    expect(none.data.movementCycleGroups).toEqual([]);
    const one = await both(
      `{ movementCycleGroups(groupBy: [], filter: { id: [999999] }) { key { knee } count sum { durationS } avg { durationS } percentile(p: 0.5) { durationS } } }`,
    );
    expect(one.data.movementCycleGroups).toEqual([
      {
        key: { knee: null },
        count: 0,
        sum: { durationS: null },
        avg: { durationS: null },
        percentile: { durationS: null },
      },
    ]);
  });
});

describe('nested under a record', () => {
  it('answers every participant of a list in the one statement, as the hand-written GROUP BY per participant', async () => {
    const body = await both(`{ participants(first: 100) { nodes { id studyParticipantId
      movementCycleGroups(groupBy: [knee, maneuver], filter: { isOutlier: false }) { key { knee maneuver } count avg { durationS } med: percentile(p: 0.5) { durationS } }
      all: movementCycleGroups(groupBy: []) { count } } } }`);
    const { rows } = await c.query(
      `select t.participant_id as id, t.knee, t.maneuver, count(*)::int as n, avg(t.duration_s) as avg,
              percentile_cont(0.5) within group (order by t.duration_s) as med
         from movement_cycles t where not t.is_outlier group by 1, 2, 3 order by 1, 2, 3`,
    );
    const nodes = body.data.participants.nodes;
    expect(nodes.length).toBeGreaterThan(3);
    for (const node of nodes) {
      const want = rows
        .filter((r) => r.id === node.id)
        .map((r) => ({
          key: { knee: r.knee, maneuver: r.maneuver },
          count: r.n,
          avg: { durationS: r.avg },
          med: { durationS: r.med },
        }));
      expectClose(node.movementCycleGroups, want, `participant ${node.id}`);
      const total = (
        await c.query(`select count(*)::int as n from movement_cycles where participant_id = $1`, [node.id])
      ).rows[0].n;
      expect(node.all).toEqual([{ count: total }]);
    }
    const empty = nodes.find((n: any) => n.id === markers.emptyParticipant);
    expect(empty).toMatchObject({ movementCycleGroups: [], all: [{ count: 0 }] });
  });

  it('nests under a lookup, a synchronization and an audio record too', async () => {
    const number = (
      await c.query(
        `select p.study_participant_id as n from participant p join study s on s.id = p.study_id where s.name = 'AOA' order by p.id limit 1`,
      )
    ).rows[0].n;
    const lookup = await both(
      `{ participant(study: AOA, number: ${number}) { synchronizationGroups(groupBy: [speed]) { key { speed } count } audioProcessings { movementCycleGroups(groupBy: [knee]) { count max { durationS } } } } }`,
    );
    expect(lookup.data.participant.synchronizationGroups.length).toBeGreaterThan(0);
    expect(lookup.data.participant.audioProcessings[0].movementCycleGroups.length).toBeGreaterThan(0);
    await both(
      `{ synchronizations(first: 5) { nodes { id movementCycleGroups(groupBy: [isOutlier]) { key { isOutlier } count stddev { durationS } } } } }`,
    );
    await both(
      `{ studies { name participantGroups(groupBy: [participantNumber]) { key { participantNumber study } count } } }`,
    );
  });
});

describe('percentile(p)', () => {
  it.each([1.5, -0.01])('refuses p = %s with BAD_USER_INPUT naming p, on either path', async (p) => {
    const query = `query($p: Float!) { movementCycleGroups(groupBy: [knee]) { count percentile(p: $p) { durationS } } }`;
    const res = await server.post({ query, variables: { p } });
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/\bp must be a number from 0 to 1/);
    const reference = await gql.query(query, { p });
    expect(reference.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(reference.errors?.[0].message).toMatch(/\bp must be a number from 0 to 1/);
  });

  it('takes several p under aliases, with fragments and __typename', async () => {
    const body =
      await both(`query { movementCycleGroups(groupBy: [maneuver]) { __typename ...G p10: percentile(p: 0.1) { durationS __typename } p90: percentile(p: 0.9) { durationS } } }
      fragment G on MovementCycleGroup { key { __typename maneuver } c: count }`);
    expect(body.data.movementCycleGroups[0]).toMatchObject({
      __typename: 'MovementCycleGroup',
      key: { __typename: 'MovementCycleGroupKey' },
      p10: { __typename: 'MovementCycleGroupStatistics' },
    });
    for (const g of body.data.movementCycleGroups) expect(g.p10.durationS).toBeLessThanOrEqual(g.p90.durationS);
  });
});

describe('AE_MAX_ROWS', () => {
  it('counts each group (with its key and statistics objects) toward the limit', async () => {
    const groups = (
      await c.query(`select count(distinct (participant_id, cycle_index))::int as n from movement_cycles`)
    ).rows[0].n;
    const query = `{ movementCycleGroups(groupBy: [participantNumber, cycleIndex, study]) { key { cycleIndex } count avg { durationS } } }`;
    const tight = await startApp(
      { ...ctx, config: { ...ctx.config, limits: { ...ctx.config.limits, maxRows: 3 * groups - 1 } } },
      0,
      '127.0.0.1',
    );
    const loose = await startApp(
      { ...ctx, config: { ...ctx.config, limits: { ...ctx.config.limits, maxRows: 3 * groups } } },
      0,
      '127.0.0.1',
    );
    try {
      const post = (url: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        }).then((r) => r.json());
      const refused = await post(tight.url);
      expect(refused.errors[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', rows: 3 * groups });
      const answered = await post(loose.url);
      expect(answered.data.movementCycleGroups).toHaveLength(groups);
    } finally {
      await tight.close();
      await loose.close();
    }
  });
});

describe('property: random groupings, filters and statistics against SQL', () => {
  const RUNS = Number(process.env.AE_GROUPS_RUNS ?? 100);
  const caseArb = fc.constantFrom(...Object.keys(TABLES)).chain((kind) => {
    const t = TABLES[kind];
    const stat: fc.Arbitrary<Stat> = fc.oneof(
      fc.constantFrom<Stat>('sum', 'avg', 'min', 'max', 'stddev'),
      fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    );
    return fc.record({
      kind: fc.constant(kind),
      groupBy: fc.shuffledSubarray(Object.keys(t.keys), { maxLength: Math.min(4, Object.keys(t.keys).length) }),
      filter: fc.constantFrom(...FILTERS[kind]),
      stats: fc.array(fc.tuple(stat, fc.constantFrom(...Object.keys(t.numeric))), { minLength: 1, maxLength: 6 }),
      nested: fc.boolean(),
    });
  });
  it(`holds for ${RUNS} random cases`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (k) => check(k)),
      { numRuns: RUNS },
    );
  }, 600_000);
});
