/**
 * Valid write inputs built around the sample data (participant AOA 1001 and its records),
 * and the assertions the write tests share: what a rejected write must look like, and
 * that it left the database exactly as it was.
 */
import type { Client } from 'pg';
import { TABLES } from '../../src/entities';
import { ValidationFailedError, type FieldViolation } from '../../src/services/errors';
import { LAB_SETUP } from '../../bench/lib/recording';

export type Plain = Record<string, any>;

/**
 * Ids of AOA 1001's seeded records: left-knee walk audio and biomechanics and its slow pass-1
 * synchronization, left fe and sts records.
 */
export interface Parents {
  participantId: number;
  walkAudioId: number;
  walkBioId: number;
  slowSyncId: number;
  feAudioId: number;
  feBioId: number;
  /** Left-knee sit-to-stand audio, biomechanics and its (pass- and speed-less) synchronization. */
  stsAudioId: number;
  stsBioId: number;
  stsSyncId: number;
  /** A record of another participant (preOA 2001), left walk. */
  otherAudioId: number;
  otherBioId: number;
  otherSyncId: number;
}

export async function findParents(c: Client): Promise<Parents> {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await c.query(sql, params);
    if (rows.length !== 1) throw new Error(`fixture query found ${rows.length} rows: ${sql} ${params}`);
    return rows[0].id as number;
  };
  const pid = (study: string, n: number) =>
    one(
      'select p.id from participant p join study s on s.id = p.study_id where s.name = $1 and p.study_participant_id = $2',
      [study, n],
    );
  const participantId = await pid('AOA', 1001);
  const other = await pid('preOA', 2001);
  const rec = (table: string, p: number, maneuver: string) =>
    one(`select id from ${table} where participant_id = $1 and knee = 'left' and maneuver = $2`, [p, maneuver]);
  const sync = (p: number) =>
    one(
      `select id from synchronization where participant_id = $1 and knee = 'left' and maneuver = 'walk' and pass_number = 1 and speed = 'slow'`,
      [p],
    );
  return {
    participantId,
    walkAudioId: await rec('audio_processing', participantId, 'walk'),
    walkBioId: await rec('biomechanics_import', participantId, 'walk'),
    slowSyncId: await sync(participantId),
    feAudioId: await rec('audio_processing', participantId, 'fe'),
    feBioId: await rec('biomechanics_import', participantId, 'fe'),
    stsAudioId: await rec('audio_processing', participantId, 'sts'),
    stsBioId: await rec('biomechanics_import', participantId, 'sts'),
    stsSyncId: await rec('synchronization', participantId, 'sts'),
    otherAudioId: await rec('audio_processing', other, 'walk'),
    otherBioId: await rec('biomechanics_import', other, 'walk'),
    otherSyncId: await sync(other),
  };
}

const CHECKSUM = 'ab'.repeat(32);

/** The participant every input below belongs to. */
const AOA_1001 = { study: 'AOA', participantNumber: 1001 };

/** AOA 1001's left-walk recording pair, which the new synchronization and cycle below are made from. */
const leftWalk = (p: Parents): Plain => ({
  ...AOA_1001,
  audioProcessingId: p.walkAudioId,
  biomechanicsImportId: p.walkBioId,
  knee: 'left',
  maneuver: 'walk',
});

export function audioInput(overrides: Plain = {}): Plain {
  return {
    ...AOA_1001,
    audioFileName: 'AOA1001_left_fe_retake.bin',
    deviceSerial: 'HP_W11.2-3',
    firmwareVersion: 6,
    fileTime: new Date('2024-03-05T09:30:00Z'),
    fileSizeMb: 21.4,
    recordingDate: new Date('2024-03-05T00:00:00Z'),
    recordingTime: new Date('2024-03-05T09:30:00Z'),
    recordingTimezone: 'UTC',
    knee: 'left',
    maneuver: 'fe',
    ...LAB_SETUP,
    mic3Notes: 'tape re-applied',
    notes: 'retake after a loose cable',
    pklFilePath: '/data/AOA/#AOA1001/left/fe/AOA1001_left_fe_retake.pkl',
    pklFileChecksum: CHECKSUM,
    pklFileSizeMb: 85.2,
    pklFileModified: new Date('2024-03-07T12:00:00Z'),
    audioQcVersion: '2.1.0',
    audioQcFail: true,
    audioQcFailCh2: true,
    qcFailSegments: [1.5, 2.25, 10, 11],
    qcFailSegmentsCh2: [1.5, 2.25, 10, 11],
    qcArtifact: true,
    qcArtifactCh2: true,
    qcArtifactType: ['Intermittent'],
    qcArtifactTypeCh2: ['Intermittent'],
    qcArtifactSegments: [10, 11],
    qcArtifactSegmentsCh2: [10, 11],
    qcSignalDropout: true,
    qcSignalDropoutCh2: true,
    qcSignalDropoutSegments: [1.5, 2.25],
    qcSignalDropoutSegmentsCh2: [1.5, 2.25],
    durationSeconds: 57.1,
    processingStatus: 'success',
    processingDate: new Date('2024-03-07T12:00:00Z'),
    ...overrides,
  };
}

export function biomechanicsInput(overrides: Plain = {}): Plain {
  return {
    ...AOA_1001,
    biomechanicsFile: 'AOA1001_retake.xlsx',
    sheetName: 'Left FE',
    biomechanicsType: 'Motion Analysis',
    knee: 'left',
    maneuver: 'fe',
    biomechanicsSyncMethod: 'stomp',
    biomechanicsSampleRate: 100,
    numSubRecordings: 1,
    durationSeconds: 54.2,
    numDataPoints: 5420,
    numPasses: 0,
    biomechQcVersion: '1.4.0',
    biomechanicsQcFail: false,
    processingStatus: 'success',
    ...overrides,
  };
}

/** A new walk synchronization (pass 9, comfortable) on AOA 1001's left-walk audio and biomechanics. */
export function synchronizationInput(p: Parents, overrides: Plain = {}): Plain {
  return {
    ...leftWalk(p),
    passNumber: 9,
    speed: 'comfortable',
    bioLeftSyncTime: 4.2,
    bioRightSyncTime: 5.1,
    bioSyncOffset: -0.02,
    consensusTime: 4.21,
    stompDetectionMethods: ['audio', 'consensus', 'biomechanics'],
    selectedStompMethod: 'consensus',
    bioSelectedSyncTime: 4.2,
    contraBioSelectedSyncTime: 5.1,
    audioSyncTimeLeft: 4.21,
    audioSyncTimeRight: 5.05,
    audioSyncOffset: 0.84,
    selectedAudioSyncTime: 4.21,
    contraSelectedAudioSyncTime: 5.05,
    syncMethod: 'consensus',
    consensusMethods: 'rms,onset,freq',
    syncFileChecksum: CHECKSUM,
    totalCyclesExtracted: 12,
    cleanCycles: 11,
    outlierCycles: 1,
    processingStatus: 'success',
    ...overrides,
  };
}

/** A new cycle (index 500) of AOA 1001's slow pass-1 walk synchronization. */
export function cycleInput(p: Parents, overrides: Plain = {}): Plain {
  return {
    ...leftWalk(p),
    synchronizationId: p.slowSyncId,
    passNumber: 1,
    speed: 'slow',
    cycleFile: 'slow_p1_c500.pkl',
    cycleIndex: 500,
    isOutlier: false,
    startTimeS: 20.5,
    endTimeS: 21.85,
    durationS: 1.35,
    audioStartTime: new Date('2024-03-05T09:30:20.500Z'),
    audioEndTime: new Date('2024-03-05T09:30:21.850Z'),
    bioStartTime: new Date('2024-03-05T09:30:20.500Z'),
    bioEndTime: new Date('2024-03-05T09:30:21.850Z'),
    cycleFileChecksum: CHECKSUM,
    processingStatus: 'success',
    ...overrides,
  };
}

/** `n` distinct valid cycles (indexes from `from`) on the same synchronization. */
export function cycleBatch(p: Parents, n: number, from = 1000): Plain[] {
  return Array.from({ length: n }, (_, i) =>
    cycleInput(p, { cycleIndex: from + i, cycleFile: `slow_p1_c${from + i}.pkl` }),
  );
}

/** Rows per table, counted with plain SQL (independent of the services under test). */
export async function tableCounts(c: Client): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) out[t] = Number((await c.query(`select count(*) n from ${t}`)).rows[0].n);
  return out;
}

/** md5 of every row of every table: equal before and after means the database did not change at all. */
export async function databaseChecksum(c: Client): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const { rows } = await c.query(`select md5(coalesce(string_agg(x::text, '|' order by x.id), '')) as h from ${t} x`);
    parts.push(rows[0].h);
  }
  return parts.join(':');
}

/**
 * Runs a write that must be refused: it throws ValidationFailedError containing a violation
 * with this field and rule (and index), and the database is byte-for-byte unchanged.
 */
export async function expectRejected(
  c: Client,
  write: () => Promise<unknown>,
  expected: Partial<FieldViolation> & { field: string; rule: string },
): Promise<FieldViolation[]> {
  const before = await databaseChecksum(c);
  const error = await write().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedError);
  const violations = (error as ValidationFailedError).violations;
  expect(violations).toEqual(expect.arrayContaining([expect.objectContaining(expected)]));
  const hit = violations.find((v) => v.field === expected.field && v.rule === expected.rule)!;
  expect(hit.message).toMatch(new RegExp(expected.field.replace(/\W/g, '.')));
  expect(await databaseChecksum(c)).toBe(before);
  return violations;
}
