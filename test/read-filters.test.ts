/**
 * Every filter of every list, against the fixture's rows: the API returns exactly the
 * ids an independent SQL query names, that set is neither empty nor the whole table
 * (so the filter really discriminates), and the rows changed or inserted for the filter
 * are on the right side of it.
 */
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, markers: m } = useReadFixture();

const LISTS = {
  participants: { table: 'participant', filterType: 'ParticipantFilter' },
  audioProcessings: { table: 'audio_processing', filterType: 'AudioProcessingFilter' },
  biomechanicsImports: { table: 'biomechanics_import', filterType: 'BiomechanicsImportFilter' },
  synchronizations: { table: 'synchronization', filterType: 'SynchronizationFilter' },
  movementCycles: { table: 'movement_cycles', filterType: 'MovementCycleFilter' },
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

/** Asserts the filter returns exactly `expectedSql`'s ids, a proper non-empty subset of the table. */
async function expectFilter(list: ListName, filter: object, expectedSql: string): Promise<number[]> {
  const expected = await sqlIds(expectedSql);
  const total = Number((await c.query(`select count(*) from ${LISTS[list].table}`)).rows[0].count);
  expect(expected.length).toBeGreaterThan(0);
  expect(expected.length).toBeLessThan(total);
  expect(await apiIds(list, filter)).toEqual(expected);
  return expected;
}

describe('participants', () => {
  it('id', () => expectFilter('participants', { id: [1, 3] }, `select id from participant where id in (1, 3)`));
  it('study (one value or several)', async () => {
    await expectFilter(
      'participants',
      { study: 'preOA' },
      `select p.id from participant p join study s on s.id = p.study_id where s.name = 'preOA'`,
    );
    await expectFilter(
      'participants',
      { study: ['AOA', 'SMoCK'] },
      `select p.id from participant p join study s on s.id = p.study_id where s.name in ('AOA', 'SMoCK')`,
    );
  });
  it('participantNumber, alone and with study', async () => {
    await expectFilter(
      'participants',
      { participantNumber: [1001, 3002] },
      `select id from participant where study_participant_id in (1001, 3002)`,
    );
    await expectFilter(
      'participants',
      { study: 'AOA', participantNumber: [1001, 3002] },
      `select p.id from participant p join study s on s.id = p.study_id where s.name = 'AOA' and study_participant_id in (1001, 3002)`,
    );
  });
  it('hasBiomechanics and hasSynchronization exclude the participant with nothing recorded', async () => {
    const withBio = await expectFilter(
      'participants',
      { hasBiomechanics: true },
      `select p.id from participant p where exists (select 1 from biomechanics_import b where b.participant_id = p.id)`,
    );
    expect(withBio).not.toContain(m.emptyParticipant);
    expect(
      await expectFilter(
        'participants',
        { hasBiomechanics: false },
        `select id from participant where id = ${m.emptyParticipant}`,
      ),
    ).toEqual([m.emptyParticipant]);
    await expectFilter(
      'participants',
      { hasSynchronization: false },
      `select p.id from participant p where not exists (select 1 from synchronization y where y.participant_id = p.id)`,
    );
    await expectFilter(
      'participants',
      { hasSynchronization: true, study: 'AOA' },
      `select p.id from participant p join study s on s.id = p.study_id where s.name = 'AOA' and exists (select 1 from synchronization y where y.participant_id = p.id)`,
    );
  });
});

describe('audioProcessings', () => {
  it('knee, maneuver, study and participantNumber', async () => {
    await expectFilter('audioProcessings', { knee: 'left' }, `select id from audio_processing where knee = 'left'`);
    await expectFilter(
      'audioProcessings',
      { maneuver: ['fe', 'sts'] },
      `select id from audio_processing where maneuver in ('fe', 'sts')`,
    );
    await expectFilter(
      'audioProcessings',
      { study: 'SMoCK', participantNumber: 3002, knee: 'right' },
      `select a.id from audio_processing a join participant p on p.id = a.participant_id join study s on s.id = p.study_id
        where s.name = 'SMoCK' and p.study_participant_id = 3002 and a.knee = 'right'`,
    );
  });
  it('processingStatus and processingDate (timestamptz, inclusive bounds)', async () => {
    const errored = await expectFilter(
      'audioProcessings',
      { processingStatus: 'error' },
      `select id from audio_processing where processing_status = 'error'`,
    );
    expect(errored).toEqual([m.erroredAudio]);
    const range = { from: '2023-01-01T00:00:00Z', to: '2023-06-01T12:00:00.124Z' };
    expect(
      await expectFilter(
        'audioProcessings',
        { processingDate: range },
        `select id from audio_processing where processing_date between '2023-01-01T00:00:00Z' and '2023-06-01T12:00:00.124Z'`,
      ),
    ).toEqual([m.erroredAudio]);
    await expectFilter(
      'audioProcessings',
      { processingDate: { from: '2024-09-01T00:00:00Z' } },
      `select id from audio_processing where processing_date >= '2024-09-01T00:00:00Z'`,
    );
  });
  it('recordingDate (UTC wall-clock timestamp; a one-day range holds that day)', async () => {
    const { rows } = await c.query(
      `select to_char(recording_date, 'YYYY-MM-DD') as day from audio_processing where id = $1`,
      [m.channel3Audio],
    );
    const day = rows[0].day;
    const got = await expectFilter(
      'audioProcessings',
      { recordingDate: { from: `${day}T00:00:00Z`, to: `${day}T23:59:59Z` } },
      `select id from audio_processing where recording_date::date = '${day}'`,
    );
    expect(got).toContain(m.channel3Audio);
    await expectFilter(
      'audioProcessings',
      { recordingDate: { to: '2024-06-30T23:59:59Z' } },
      `select id from audio_processing where recording_date <= '2024-06-30 23:59:59'`,
    );
  });
  it('audio QC: overall, any channel, a given channel', async () => {
    expect(
      await expectFilter(
        'audioProcessings',
        { audioQcFail: true },
        `select id from audio_processing where audio_qc_fail`,
      ),
    ).toContain(m.channel3Audio);
    expect(
      await expectFilter(
        'audioProcessings',
        { audioQcFail: false },
        `select id from audio_processing where not audio_qc_fail`,
      ),
    ).not.toContain(m.channel3Audio);
    await expectFilter(
      'audioProcessings',
      { audioQcFailAnyChannel: true },
      `select id from audio_processing where audio_qc_fail_ch1 or audio_qc_fail_ch2 or audio_qc_fail_ch3 or audio_qc_fail_ch4`,
    );
    await expectFilter(
      'audioProcessings',
      { audioQcFailAnyChannel: false },
      `select id from audio_processing where not (audio_qc_fail_ch1 or audio_qc_fail_ch2 or audio_qc_fail_ch3 or audio_qc_fail_ch4)`,
    );
    expect(
      await expectFilter(
        'audioProcessings',
        { audioQcFailChannel: 3 },
        `select id from audio_processing where audio_qc_fail_ch3`,
      ),
    ).toContain(m.channel3Audio);
    await expectFilter(
      'audioProcessings',
      { audioQcFailChannel: [2, 3] },
      `select id from audio_processing where audio_qc_fail_ch2 or audio_qc_fail_ch3`,
    );
  });
  it('signal dropout and artifact, overall and per channel', async () => {
    await expectFilter(
      'audioProcessings',
      { qcSignalDropout: true },
      `select id from audio_processing where qc_signal_dropout`,
    );
    await expectFilter(
      'audioProcessings',
      { qcSignalDropoutChannel: [1, 2, 3, 4] },
      `select id from audio_processing where qc_signal_dropout_ch1 or qc_signal_dropout_ch2 or qc_signal_dropout_ch3 or qc_signal_dropout_ch4`,
    );
    expect(
      await expectFilter('audioProcessings', { qcArtifact: true }, `select id from audio_processing where qc_artifact`),
    ).toContain(m.channel3Audio);
    expect(
      await expectFilter(
        'audioProcessings',
        { qcArtifactChannel: 3 },
        `select id from audio_processing where qc_artifact_ch3`,
      ),
    ).toContain(m.channel3Audio);
  });
  it('biomechanics facts through the recording-time link', async () => {
    const imu = await expectFilter(
      'audioProcessings',
      { biomechanicsType: 'IMU' },
      `select a.id from audio_processing a join biomechanics_import b on b.id = a.biomechanics_import_id where b.biomechanics_type = 'IMU'`,
    );
    expect(imu).not.toContain(m.unlinkedAudio);
    await expectFilter(
      'audioProcessings',
      { biomechanicsType: 'Motion_Analysis', biomechanicsSyncMethod: 'stomp' },
      `select a.id from audio_processing a join biomechanics_import b on b.id = a.biomechanics_import_id
        where b.biomechanics_type = 'Motion Analysis' and b.biomechanics_sync_method = 'stomp'`,
    );
    await expectFilter(
      'audioProcessings',
      { biomechanicsQcFail: true },
      `select a.id from audio_processing a join biomechanics_import b on b.id = a.biomechanics_import_id where b.biomechanics_qc_fail`,
    );
  });
  it('durationSeconds range', () =>
    expectFilter(
      'audioProcessings',
      { durationSeconds: { min: 50, max: 200 } },
      `select id from audio_processing where duration_seconds between 50 and 200`,
    ));
  it('hasBiomechanics and hasSynchronization', async () => {
    expect(
      await expectFilter(
        'audioProcessings',
        { hasBiomechanics: false },
        `select id from audio_processing where biomechanics_import_id is null`,
      ),
    ).toContain(m.unlinkedAudio);
    expect(
      await expectFilter(
        'audioProcessings',
        { hasSynchronization: false },
        `select a.id from audio_processing a where not exists (select 1 from synchronization y where y.audio_processing_id = a.id)`,
      ),
    ).toEqual([m.unsyncedAudio]);
    expect(
      await expectFilter(
        'audioProcessings',
        { hasSynchronization: true },
        `select a.id from audio_processing a where exists (select 1 from synchronization y where y.audio_processing_id = a.id)`,
      ),
    ).not.toContain(m.unsyncedAudio);
  });
});

describe('biomechanicsImports', () => {
  it('knee, maneuver, processingStatus, study', async () => {
    await expectFilter(
      'biomechanicsImports',
      { knee: 'right', maneuver: 'walk' },
      `select id from biomechanics_import where knee = 'right' and maneuver = 'walk'`,
    );
    expect(
      await expectFilter(
        'biomechanicsImports',
        { processingStatus: ['error', 'not_processed'] },
        `select id from biomechanics_import where processing_status in ('error', 'not_processed')`,
      ),
    ).toEqual([m.unsyncedBiomechanics]);
    await expectFilter(
      'biomechanicsImports',
      { study: 'preOA' },
      `select b.id from biomechanics_import b join participant p on p.id = b.participant_id join study s on s.id = p.study_id where s.name = 'preOA'`,
    );
  });
  it('biomechanicsType (stored with a space), sync method, QC', async () => {
    await expectFilter(
      'biomechanicsImports',
      { biomechanicsType: 'Motion_Analysis' },
      `select id from biomechanics_import where biomechanics_type = 'Motion Analysis'`,
    );
    await expectFilter(
      'biomechanicsImports',
      { biomechanicsSyncMethod: 'flick' },
      `select id from biomechanics_import where biomechanics_sync_method = 'flick'`,
    );
    expect(
      await expectFilter(
        'biomechanicsImports',
        { biomechanicsQcFail: true },
        `select id from biomechanics_import where biomechanics_qc_fail`,
      ),
    ).toContain(m.failedBiomechanics);
  });
  it('recordingDate through the linked audio record; hasSynchronization', async () => {
    await expectFilter(
      'biomechanicsImports',
      { recordingDate: { from: '2024-06-01T00:00:00Z' } },
      `select b.id from biomechanics_import b join audio_processing a on a.id = b.audio_processing_id where a.recording_date >= '2024-06-01'`,
    );
    expect(
      await expectFilter(
        'biomechanicsImports',
        { hasSynchronization: false },
        `select b.id from biomechanics_import b where not exists (select 1 from synchronization y where y.biomechanics_import_id = b.id)`,
      ),
    ).toEqual([m.unsyncedBiomechanics]);
  });
});

describe('synchronizations', () => {
  it('walk pass and speed', async () => {
    await expectFilter('synchronizations', { passNumber: 2 }, `select id from synchronization where pass_number = 2`);
    await expectFilter(
      'synchronizations',
      { speed: ['fast', 'slow'], passNumber: [1, 3] },
      `select id from synchronization where speed in ('fast', 'slow') and pass_number in (1, 3)`,
    );
  });
  it('syncMethod and syncQcFail', async () => {
    expect(
      await expectFilter('synchronizations', { syncQcFail: true }, `select id from synchronization where sync_qc_fail`),
    ).toEqual([m.failedSync]);
    expect(
      await expectFilter(
        'synchronizations',
        { syncMethod: 'biomechanics' },
        `select id from synchronization where sync_method = 'biomechanics'`,
      ),
    ).toContain(m.failedSync);
  });
  it('audio QC and recording date through the audio record; biomechanics facts through the import', async () => {
    await expectFilter(
      'synchronizations',
      { audioQcFail: true },
      `select y.id from synchronization y join audio_processing a on a.id = y.audio_processing_id where a.audio_qc_fail`,
    );
    await expectFilter(
      'synchronizations',
      { audioQcFailChannel: 3, knee: 'left' },
      `select y.id from synchronization y join audio_processing a on a.id = y.audio_processing_id where a.audio_qc_fail_ch3 and y.knee = 'left'`,
    );
    await expectFilter(
      'synchronizations',
      { recordingDate: { from: '2024-01-01T00:00:00Z', to: '2024-10-01T00:00:00Z' } },
      `select y.id from synchronization y join audio_processing a on a.id = y.audio_processing_id where a.recording_date between '2024-01-01' and '2024-10-01'`,
    );
    await expectFilter(
      'synchronizations',
      { biomechanicsQcFail: true },
      `select y.id from synchronization y join biomechanics_import b on b.id = y.biomechanics_import_id where b.biomechanics_qc_fail`,
    );
    await expectFilter(
      'synchronizations',
      { biomechanicsType: ['IMU', 'Gonio'] },
      `select y.id from synchronization y join biomechanics_import b on b.id = y.biomechanics_import_id where b.biomechanics_type in ('IMU', 'Gonio')`,
    );
  });
  it('processingDate', () =>
    expectFilter(
      'synchronizations',
      { processingDate: { to: '2024-08-01T00:00:00Z' } },
      `select id from synchronization where processing_date <= '2024-08-01T00:00:00Z'`,
    ));
});

describe('movementCycles', () => {
  it('isOutlier and duration range', async () => {
    await expectFilter('movementCycles', { isOutlier: true }, `select id from movement_cycles where is_outlier`);
    await expectFilter(
      'movementCycles',
      { durationS: { min: 1.0, max: 1.2 } },
      `select id from movement_cycles where duration_s between 1.0 and 1.2`,
    );
    await expectFilter(
      'movementCycles',
      { durationS: { min: 3 } },
      `select id from movement_cycles where duration_s >= 3`,
    );
  });
  it('the clean walk cycles of one study at one speed', () =>
    expectFilter(
      'movementCycles',
      { study: 'AOA', maneuver: 'walk', isOutlier: false, speed: 'fast' },
      `select m.id from movement_cycles m join participant p on p.id = m.participant_id join study s on s.id = p.study_id
        where s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier and m.speed = 'fast'`,
    ));
  it("QC flags: the cycle's own copies of sync/biomechanics QC, the audio record's QC", async () => {
    expect(
      await expectFilter('movementCycles', { syncQcFail: true }, `select id from movement_cycles where sync_qc_fail`),
    ).toEqual([m.syncQcFailedCycle]);
    await expectFilter(
      'movementCycles',
      { biomechanicsQcFail: true },
      `select id from movement_cycles where biomechanics_qc_fail`,
    );
    await expectFilter(
      'movementCycles',
      { audioQcFail: false, knee: 'left' },
      `select m.id from movement_cycles m join audio_processing a on a.id = m.audio_processing_id where not a.audio_qc_fail and m.knee = 'left'`,
    );
    await expectFilter(
      'movementCycles',
      { qcSignalDropout: true },
      `select m.id from movement_cycles m join audio_processing a on a.id = m.audio_processing_id where a.qc_signal_dropout`,
    );
  });
  it('syncMethod through the synchronization, biomechanics facts through the import', async () => {
    const viaSync = await expectFilter(
      'movementCycles',
      { syncMethod: 'biomechanics' },
      `select m.id from movement_cycles m join synchronization y on y.id = m.synchronization_id where y.sync_method = 'biomechanics'`,
    );
    expect(viaSync).not.toContain(m.looseCycle);
    await expectFilter(
      'movementCycles',
      { biomechanicsSyncMethod: 'flick', passNumber: 1 },
      `select m.id from movement_cycles m join biomechanics_import b on b.id = m.biomechanics_import_id where b.biomechanics_sync_method = 'flick' and m.pass_number = 1`,
    );
  });
  it('hasSynchronization and hasBiomechanics', async () => {
    expect(
      await expectFilter(
        'movementCycles',
        { hasSynchronization: false },
        `select id from movement_cycles where synchronization_id is null`,
      ),
    ).toEqual([m.looseCycle]);
    expect(
      await expectFilter(
        'movementCycles',
        { hasBiomechanics: false },
        `select id from movement_cycles where biomechanics_import_id is null`,
      ),
    ).toEqual([m.looseCycle]);
    expect(
      await expectFilter(
        'movementCycles',
        { hasBiomechanics: true, hasSynchronization: true, participantNumber: 1001 },
        `select m.id from movement_cycles m join participant p on p.id = m.participant_id
        where m.biomechanics_import_id is not null and m.synchronization_id is not null and p.study_participant_id = 1001`,
      ),
    ).not.toContain(m.looseCycle);
  });
  it('recordingDate and processingDate', async () => {
    await expectFilter(
      'movementCycles',
      { recordingDate: { from: '2024-05-01T00:00:00Z' } },
      `select m.id from movement_cycles m join audio_processing a on a.id = m.audio_processing_id where a.recording_date >= '2024-05-01'`,
    );
    await expectFilter(
      'movementCycles',
      { processingDate: { from: '2024-03-01T00:00:00Z', to: '2024-12-31T23:59:59Z' }, processingStatus: 'success' },
      `select id from movement_cycles where processing_date between '2024-03-01T00:00:00Z' and '2024-12-31T23:59:59Z' and processing_status = 'success'`,
    );
  });
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
