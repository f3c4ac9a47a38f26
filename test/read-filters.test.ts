/**
 * Every filter of every list, against the fixture's rows: the API returns exactly the
 * ids an independent SQL query names, that set is neither empty nor the whole table
 * (so the filter really discriminates), and the rows changed or inserted for the filter
 * are on the right side of it.
 */
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, markers: m } = useReadFixture();

/** The expected SQL's joins from a row (alias `x`) to its participant `p` and study `s`, audio `a`, import `b`. */
const ofParticipant = (x: string) =>
  `join participant p on p.id = ${x}.participant_id join study s on s.id = p.study_id`;
// Left joins: a link may be empty, and a condition on the linked record then drops the row as an inner join would.
const toAudio = (x: string) => `left join audio_processing a on a.id = ${x}.audio_processing_id`;
const toBiomechanics = (x: string) => `left join biomechanics_import b on b.id = ${x}.biomechanics_import_id`;

/** Each list: its table, its filter's GraphQL type, the rows the expected SQL's conditions see (the row as `as`). */
const LISTS = {
  participants: {
    table: 'participant',
    filterType: 'ParticipantFilter',
    as: 'p',
    rows: 'participant p join study s on s.id = p.study_id',
  },
  audioProcessings: {
    table: 'audio_processing',
    filterType: 'AudioProcessingFilter',
    as: 'a',
    rows: `audio_processing a ${ofParticipant('a')} ${toBiomechanics('a')}`,
  },
  biomechanicsImports: {
    table: 'biomechanics_import',
    filterType: 'BiomechanicsImportFilter',
    as: 'b',
    rows: `biomechanics_import b ${ofParticipant('b')} ${toAudio('b')}`,
  },
  synchronizations: {
    table: 'synchronization',
    filterType: 'SynchronizationFilter',
    as: 'y',
    rows: `synchronization y ${ofParticipant('y')} ${toAudio('y')} ${toBiomechanics('y')}`,
  },
  movementCycles: {
    table: 'movement_cycles',
    filterType: 'MovementCycleFilter',
    as: 'm',
    rows: `movement_cycles m ${ofParticipant('m')} ${toAudio('m')} ${toBiomechanics('m')}
      left join synchronization y on y.id = m.synchronization_id`,
  },
} as const;
type ListName = keyof typeof LISTS;

async function apiIds(list: ListName, filter: object): Promise<number[]> {
  const res = await gql.query(
    `query($f: ${LISTS[list].filterType}) { ${list}(filter: $f, first: 10000) { pageInfo { hasNextPage } nodes { id } } }`,
    { f: filter },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data[list].pageInfo.hasNextPage).toBe(false);
  return res.data[list].nodes.map((n: { id: number }) => n.id).sort((a: number, b: number) => a - b);
}

async function sqlIds(sql: string): Promise<number[]> {
  return (await c.query(sql)).rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Asserts the filter returns exactly the ids of the rows `where` holds for, a proper non-empty subset of the table. */
async function expectFilter(list: ListName, filter: object, where: string): Promise<number[]> {
  const { table, as, rows } = LISTS[list];
  const expected = await sqlIds(`select ${as}.id from ${rows} where ${where}`);
  const total = Number((await c.query(`select count(*) from ${table}`)).rows[0].count);
  expect(expected.length).toBeGreaterThan(0);
  expect(expected.length).toBeLessThan(total);
  expect(await apiIds(list, filter)).toEqual(expected);
  return expected;
}

/** `expectFilter` for each [filter, where] case in turn; each case's ids. */
async function expectFilters(list: ListName, cases: [object, string][]): Promise<number[][]> {
  const ids: number[][] = [];
  for (const [filter, where] of cases) ids.push(await expectFilter(list, filter, where));
  return ids;
}

/** Whether the participant, audio record or import `x` has a synchronization (`key`: its column there). */
const synced = (x: string, key: string) => `exists (select 1 from synchronization z where z.${key} = ${x}.id)`;
const ANY_AUDIO_QC_FAIL_CHANNEL =
  'a.audio_qc_fail_ch1 or a.audio_qc_fail_ch2 or a.audio_qc_fail_ch3 or a.audio_qc_fail_ch4';

describe('participants', () => {
  it('id', () => expectFilter('participants', { id: [1, 3] }, `p.id in (1, 3)`));
  it('study (one value or several)', () =>
    expectFilters('participants', [
      [{ study: 'preOA' }, `s.name = 'preOA'`],
      [{ study: ['AOA', 'SMoCK'] }, `s.name in ('AOA', 'SMoCK')`],
    ]));
  it('participantNumber, alone and with study', () =>
    expectFilters('participants', [
      [{ participantNumber: [1001, 3002] }, `p.study_participant_id in (1001, 3002)`],
      [{ study: 'AOA', participantNumber: [1001, 3002] }, `s.name = 'AOA' and p.study_participant_id in (1001, 3002)`],
    ]));
  it('hasBiomechanics and hasSynchronization exclude the participant with nothing recorded', async () => {
    const [withBio, withoutBio] = await expectFilters('participants', [
      [{ hasBiomechanics: true }, `exists (select 1 from biomechanics_import b where b.participant_id = p.id)`],
      [{ hasBiomechanics: false }, `p.id = ${m.emptyParticipant}`],
      [{ hasSynchronization: false }, `not ${synced('p', 'participant_id')}`],
      [{ hasSynchronization: true, study: 'AOA' }, `s.name = 'AOA' and ${synced('p', 'participant_id')}`],
    ]);
    expect(withBio).not.toContain(m.emptyParticipant);
    expect(withoutBio).toEqual([m.emptyParticipant]);
  });
});

describe('audioProcessings', () => {
  it('knee, maneuver, study and participantNumber', () =>
    expectFilters('audioProcessings', [
      [{ knee: 'left' }, `a.knee = 'left'`],
      [{ maneuver: ['fe', 'sts'] }, `a.maneuver in ('fe', 'sts')`],
      [
        { study: 'SMoCK', participantNumber: 3002, knee: 'right' },
        `s.name = 'SMoCK' and p.study_participant_id = 3002 and a.knee = 'right'`,
      ],
    ]));
  it('processingStatus and processingDate (timestamptz, inclusive bounds)', async () => {
    const range = { from: '2023-01-01T00:00:00Z', to: '2023-06-01T12:00:00.124Z' };
    const [errored, inRange] = await expectFilters('audioProcessings', [
      [{ processingStatus: 'error' }, `a.processing_status = 'error'`],
      [{ processingDate: range }, `a.processing_date between '2023-01-01T00:00:00Z' and '2023-06-01T12:00:00.124Z'`],
      [{ processingDate: { from: '2024-09-01T00:00:00Z' } }, `a.processing_date >= '2024-09-01T00:00:00Z'`],
    ]);
    expect(errored).toEqual([m.erroredAudio]);
    expect(inRange).toEqual([m.erroredAudio]);
  });
  it('recordingDate (UTC wall-clock timestamp; a one-day range holds that day)', async () => {
    const { rows } = await c.query(
      `select to_char(recording_date, 'YYYY-MM-DD') as day from audio_processing where id = $1`,
      [m.channel3Audio],
    );
    const day = rows[0].day;
    const [got] = await expectFilters('audioProcessings', [
      [{ recordingDate: { from: `${day}T00:00:00Z`, to: `${day}T23:59:59Z` } }, `a.recording_date::date = '${day}'`],
      [{ recordingDate: { to: '2024-06-30T23:59:59Z' } }, `a.recording_date <= '2024-06-30 23:59:59'`],
    ]);
    expect(got).toContain(m.channel3Audio);
  });
  it('audio QC: overall, any channel, a given channel', async () => {
    const [failed, passed, , , channel3] = await expectFilters('audioProcessings', [
      [{ audioQcFail: true }, `a.audio_qc_fail`],
      [{ audioQcFail: false }, `not a.audio_qc_fail`],
      [{ audioQcFailAnyChannel: true }, ANY_AUDIO_QC_FAIL_CHANNEL],
      [{ audioQcFailAnyChannel: false }, `not (${ANY_AUDIO_QC_FAIL_CHANNEL})`],
      [{ audioQcFailChannel: 3 }, `a.audio_qc_fail_ch3`],
      [{ audioQcFailChannel: [2, 3] }, `a.audio_qc_fail_ch2 or a.audio_qc_fail_ch3`],
    ]);
    expect(failed).toContain(m.channel3Audio);
    expect(passed).not.toContain(m.channel3Audio);
    expect(channel3).toContain(m.channel3Audio);
  });
  it('signal dropout and artifact, overall and per channel', async () => {
    const [, , artifact, artifactCh3] = await expectFilters('audioProcessings', [
      [{ qcSignalDropout: true }, `a.qc_signal_dropout`],
      [
        { qcSignalDropoutChannel: [1, 2, 3, 4] },
        `a.qc_signal_dropout_ch1 or a.qc_signal_dropout_ch2 or a.qc_signal_dropout_ch3 or a.qc_signal_dropout_ch4`,
      ],
      [{ qcArtifact: true }, `a.qc_artifact`],
      [{ qcArtifactChannel: 3 }, `a.qc_artifact_ch3`],
    ]);
    expect(artifact).toContain(m.channel3Audio);
    expect(artifactCh3).toContain(m.channel3Audio);
  });
  it('biomechanics facts through the recording-time link', async () => {
    const [imu] = await expectFilters('audioProcessings', [
      [{ biomechanicsType: 'IMU' }, `b.biomechanics_type = 'IMU'`],
      [
        { biomechanicsType: 'Motion_Analysis', biomechanicsSyncMethod: 'stomp' },
        `b.biomechanics_type = 'Motion Analysis' and b.biomechanics_sync_method = 'stomp'`,
      ],
      [{ biomechanicsQcFail: true }, `b.biomechanics_qc_fail`],
    ]);
    expect(imu).not.toContain(m.unlinkedAudio);
  });
  it('durationSeconds range', () =>
    expectFilter(
      'audioProcessings',
      { durationSeconds: { min: 50, max: 200 } },
      `a.duration_seconds between 50 and 200`,
    ));
  it('hasBiomechanics and hasSynchronization', async () => {
    const [unlinked, unsynced, withSync] = await expectFilters('audioProcessings', [
      [{ hasBiomechanics: false }, `a.biomechanics_import_id is null`],
      [{ hasSynchronization: false }, `not ${synced('a', 'audio_processing_id')}`],
      [{ hasSynchronization: true }, synced('a', 'audio_processing_id')],
    ]);
    expect(unlinked).toContain(m.unlinkedAudio);
    expect(unsynced).toEqual([m.unsyncedAudio]);
    expect(withSync).not.toContain(m.unsyncedAudio);
  });
});

describe('biomechanicsImports', () => {
  it('knee, maneuver, processingStatus, study', async () => {
    const [, erroredOrNew] = await expectFilters('biomechanicsImports', [
      [{ knee: 'right', maneuver: 'walk' }, `b.knee = 'right' and b.maneuver = 'walk'`],
      [{ processingStatus: ['error', 'not_processed'] }, `b.processing_status in ('error', 'not_processed')`],
      [{ study: 'preOA' }, `s.name = 'preOA'`],
    ]);
    expect(erroredOrNew).toEqual([m.unsyncedBiomechanics]);
  });
  it('biomechanicsType (stored with a space), sync method, QC', async () => {
    const [, , failed] = await expectFilters('biomechanicsImports', [
      [{ biomechanicsType: 'Motion_Analysis' }, `b.biomechanics_type = 'Motion Analysis'`],
      [{ biomechanicsSyncMethod: 'flick' }, `b.biomechanics_sync_method = 'flick'`],
      [{ biomechanicsQcFail: true }, `b.biomechanics_qc_fail`],
    ]);
    expect(failed).toContain(m.failedBiomechanics);
  });
  it('recordingDate through the linked audio record; hasSynchronization', async () => {
    const [, unsynced] = await expectFilters('biomechanicsImports', [
      [{ recordingDate: { from: '2024-06-01T00:00:00Z' } }, `a.recording_date >= '2024-06-01'`],
      [{ hasSynchronization: false }, `not ${synced('b', 'biomechanics_import_id')}`],
    ]);
    expect(unsynced).toEqual([m.unsyncedBiomechanics]);
  });
});

describe('synchronizations', () => {
  it('walk pass and speed', () =>
    expectFilters('synchronizations', [
      [{ passNumber: 2 }, `y.pass_number = 2`],
      [{ speed: ['fast', 'slow'], passNumber: [1, 3] }, `y.speed in ('fast', 'slow') and y.pass_number in (1, 3)`],
    ]));
  it('syncMethod and syncQcFail', async () => {
    const [failed, byBiomechanics] = await expectFilters('synchronizations', [
      [{ syncQcFail: true }, `y.sync_qc_fail`],
      [{ syncMethod: 'biomechanics' }, `y.sync_method = 'biomechanics'`],
    ]);
    expect(failed).toEqual([m.failedSync]);
    expect(byBiomechanics).toContain(m.failedSync);
  });
  it('audio QC and recording date through the audio record; biomechanics facts through the import', () =>
    expectFilters('synchronizations', [
      [{ audioQcFail: true }, `a.audio_qc_fail`],
      [{ audioQcFailChannel: 3, knee: 'left' }, `a.audio_qc_fail_ch3 and y.knee = 'left'`],
      [
        { recordingDate: { from: '2024-01-01T00:00:00Z', to: '2024-10-01T00:00:00Z' } },
        `a.recording_date between '2024-01-01' and '2024-10-01'`,
      ],
      [{ biomechanicsQcFail: true }, `b.biomechanics_qc_fail`],
      [{ biomechanicsType: ['IMU', 'Gonio'] }, `b.biomechanics_type in ('IMU', 'Gonio')`],
    ]));
  it('processingDate', () =>
    expectFilter(
      'synchronizations',
      { processingDate: { to: '2024-08-01T00:00:00Z' } },
      `y.processing_date <= '2024-08-01T00:00:00Z'`,
    ));
});

describe('movementCycles', () => {
  it('isOutlier and duration range', () =>
    expectFilters('movementCycles', [
      [{ isOutlier: true }, `m.is_outlier`],
      [{ durationS: { min: 1.0, max: 1.2 } }, `m.duration_s between 1.0 and 1.2`],
      [{ durationS: { min: 3 } }, `m.duration_s >= 3`],
    ]));
  it('the clean walk cycles of one study at one speed', () =>
    expectFilter(
      'movementCycles',
      { study: 'AOA', maneuver: 'walk', isOutlier: false, speed: 'fast' },
      `s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier and m.speed = 'fast'`,
    ));
  it("QC flags: the cycle's own copies of sync/biomechanics QC, the audio record's QC", async () => {
    const [syncQcFailed] = await expectFilters('movementCycles', [
      [{ syncQcFail: true }, `m.sync_qc_fail`],
      [{ biomechanicsQcFail: true }, `m.biomechanics_qc_fail`],
      [{ audioQcFail: false, knee: 'left' }, `not a.audio_qc_fail and m.knee = 'left'`],
      [{ qcSignalDropout: true }, `a.qc_signal_dropout`],
    ]);
    expect(syncQcFailed).toEqual([m.syncQcFailedCycle]);
  });
  it('syncMethod through the synchronization, biomechanics facts through the import', async () => {
    const [viaSync] = await expectFilters('movementCycles', [
      [{ syncMethod: 'biomechanics' }, `y.sync_method = 'biomechanics'`],
      [
        { biomechanicsSyncMethod: 'flick', passNumber: 1 },
        `b.biomechanics_sync_method = 'flick' and m.pass_number = 1`,
      ],
    ]);
    expect(viaSync).not.toContain(m.looseCycle);
  });
  it('hasSynchronization and hasBiomechanics', async () => {
    const [unsynced, unlinked, linked] = await expectFilters('movementCycles', [
      [{ hasSynchronization: false }, `m.synchronization_id is null`],
      [{ hasBiomechanics: false }, `m.biomechanics_import_id is null`],
      [
        { hasBiomechanics: true, hasSynchronization: true, participantNumber: 1001 },
        `m.biomechanics_import_id is not null and m.synchronization_id is not null and p.study_participant_id = 1001`,
      ],
    ]);
    expect(unsynced).toEqual([m.looseCycle]);
    expect(unlinked).toEqual([m.looseCycle]);
    expect(linked).not.toContain(m.looseCycle);
  });
  it('recordingDate and processingDate', () =>
    expectFilters('movementCycles', [
      [{ recordingDate: { from: '2024-05-01T00:00:00Z' } }, `a.recording_date >= '2024-05-01'`],
      [
        { processingDate: { from: '2024-03-01T00:00:00Z', to: '2024-12-31T23:59:59Z' }, processingStatus: 'success' },
        `m.processing_date between '2024-03-01T00:00:00Z' and '2024-12-31T23:59:59Z' and m.processing_status = 'success'`,
      ],
    ]));
});

it('relationship list fields take the same filter', async () => {
  const res = await gql.query(`{ participant(study: AOA, number: 1001) {
    movementCycles(filter: { maneuver: walk, isOutlier: false, durationS: { max: 1.1 } }) { id }
    audioProcessings(filter: { knee: left }) { id synchronizations(filter: { passNumber: 1 }) { id } } } }`);
  expect(res.errors).toBeUndefined();
  const p = res.data.participant;
  const expectedCycles = await sqlIds(`select m.id from movement_cycles m join participant p on p.id = m.participant_id
     where p.study_participant_id = 1001 and m.maneuver = 'walk' and not m.is_outlier and m.duration_s <= 1.1`);
  expect(expectedCycles.length).toBeGreaterThan(0);
  expect(p.movementCycles.map((x: { id: number }) => x.id)).toEqual(expectedCycles);
  expect(p.audioProcessings.map((a: { id: number }) => a.id)).toEqual(
    await sqlIds(
      `select a.id from audio_processing a join participant p on p.id = a.participant_id where p.study_participant_id = 1001 and a.knee = 'left'`,
    ),
  );
  const syncs = p.audioProcessings.flatMap((a: { synchronizations: { id: number }[] }) =>
    a.synchronizations.map((y) => y.id),
  );
  expect(syncs.sort((a: number, b: number) => a - b)).toEqual(
    await sqlIds(
      `select y.id from synchronization y join audio_processing a on a.id = y.audio_processing_id join participant p on p.id = a.participant_id
      where p.study_participant_id = 1001 and a.knee = 'left' and y.pass_number = 1`,
    ),
  );
});
