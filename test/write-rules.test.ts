/**
 * Every write rule of docs/data-model.md, broken once: the write is refused with a violation that
 * names the field and the rule, and the database is byte-for-byte as it was. The inputs
 * come in as plain objects, the way the CLI or a CSV import hands them to the service
 * (GraphQL's own type checks would stop some of them earlier; see 'through GraphQL' in
 * write-upserts.test.ts, and fuzz.test.ts).
 */
import {
  audioInput,
  biomechanicsInput,
  cycleBatch,
  cycleInput,
  expectRejected,
  findParents,
  synchronizationInput,
  type Parents,
  type Plain,
} from './helpers/records';
import { fieldOf, NON_NEGATIVE_SYNC_TIMES, SYNC_FLOAT_STATS } from './helpers/data-model';
import { useTestDatabase } from './helpers/test-database';
import { StudyName } from '../src/entities';
import type { ParticipantKey } from '../src/services/write/record-inputs';

const { ctx, sql: c } = useTestDatabase({
  seed: { participantsPerStudy: 1, studies: [StudyName.AOA, StudyName.preOA] },
  asRealParticipants: true,
  sql: true,
});
let p: Parents;

beforeAll(async () => {
  p = await findParents(c);
});

type Kind = 'participant' | 'audio' | 'biomechanics' | 'synchronization' | 'cycle';
type Case = [string, Kind, (p: Parents) => Plain, { field: string; rule: string }];

/** Sends the baseline input of `kind` with `overrides` through the service. */
function write(kind: Kind, overrides: Plain) {
  const r = ctx.services.records;
  switch (kind) {
    case 'participant':
      // The overrides break the key's types on purpose: the service's own checks are under test.
      return r.upsertParticipant({ study: StudyName.AOA, number: 1001, ...overrides } as ParticipantKey);
    case 'audio':
      return r.upsertAudioProcessing(audioInput(overrides));
    case 'biomechanics':
      return r.upsertBiomechanicsImport(biomechanicsInput(overrides));
    case 'synchronization':
      return r.upsertSynchronization(synchronizationInput(p, overrides));
    case 'cycle':
      return r.upsertMovementCycles([cycleInput(p, overrides)]);
  }
}

/** `kind`'s baseline input with `overrides`, refused by `rule` naming `field`. */
const brokenBy = (name: string, kind: Kind, overrides: Case[2], field: string, rule: string): Case => [
  name,
  kind,
  overrides,
  { field, rule },
];
/** `kind`'s baseline input with `field` set to `value`, refused by `rule` naming that field. */
const refused = (name: string, kind: Kind, field: string, value: unknown, rule: string) =>
  brokenBy(name, kind, () => ({ [field]: value }), field, rule);
/** `kind`'s baseline input with each of `fields` set to `value`, refused by 'min' naming that field. */
const belowZero = (kind: Kind, fields: readonly string[], value = -1) =>
  fields.map((f) => refused(`${kind} ${f}`, kind, f, value, 'min'));
/** `kind`'s baseline input with `field` set to the fixture's record `id`, refused by `rule` naming `named`. */
const linkedTo = (name: string, kind: Kind, field: string, id: keyof Parents, rule: string, named = field) =>
  brokenBy(name, kind, (x) => ({ [field]: x[id] }), named, rule);
/** `kind`'s baseline input linked by `field` to preOA 2001's record `id`: refused naming that link. */
const ofAnotherParticipant = (name: string, kind: Kind, field: string, id: keyof Parents) =>
  linkedTo(name, kind, field, id, 'belongsToParticipant');
/** `kind`'s baseline (walk) input linked to the fe recording's audio or biomechanics: its maneuver is refused. */
const maneuverUnlike = (name: string, kind: Kind, parent: 'audio' | 'biomechanics') =>
  parent === 'audio'
    ? linkedTo(name, kind, 'audioProcessingId', 'feAudioId', 'matchesAudioProcessing', 'maneuver')
    : linkedTo(name, kind, 'biomechanicsImportId', 'feBioId', 'matchesBiomechanicsImport', 'maneuver');

/** Values outside each field's vocabulary, `kind` by `kind`: (name, field, value), each refused by 'isEnum'. */
const notInVocabulary = (kind: Kind, cases: [string, string, unknown][]) =>
  cases.map(([name, field, value]) => refused(name, kind, field, value, 'isEnum'));

const vocabulary: Case[] = [
  ...notInVocabulary('participant', [['study name', 'study', 'OAI']]),
  ...notInVocabulary('audio', [
    ['knee', 'knee', 'middle'],
    ['maneuver', 'maneuver', 'jump'],
    ['mic position', 'mic3Position', 'XYZ'],
    ['artifact type', 'qcArtifactTypeCh2', ['Sporadic']],
    ['processing status', 'processingStatus', 'done'],
  ]),
  ...notInVocabulary('biomechanics', [
    ['biomechanics type', 'biomechanicsType', 'Video'],
    ['biomechanics type by its GraphQL name', 'biomechanicsType', 'Motion_Analysis'],
    ['biomechanics sync method', 'biomechanicsSyncMethod', 'clap'],
  ]),
  ...notInVocabulary('synchronization', [
    ['walk speed', 'speed', 'sprint'],
    ['sync method', 'syncMethod', 'manual'],
    ['stomp detection method', 'stompDetectionMethods', ['vibes']],
    ['selected stomp method', 'selectedStompMethod', 'vibes'],
  ]),
  ...notInVocabulary('cycle', [['cycle speed', 'speed', 'jog']]),
];

const positiveIds: Case[] = [
  refused('synchronization audio id 0', 'synchronization', 'audioProcessingId', 0, 'isPositive'),
  refused('synchronization biomechanics id -1', 'synchronization', 'biomechanicsImportId', -1, 'isPositive'),
  refused('cycle synchronization id 0', 'cycle', 'synchronizationId', 0, 'isPositive'),
  refused('cycle biomechanics id -2', 'cycle', 'biomechanicsImportId', -2, 'isPositive'),
  refused('cycle audio id 1.5', 'cycle', 'audioProcessingId', 1.5, 'isInt'),
];

const nonNegative: Case[] = [
  refused('participant number', 'participant', 'number', -1, 'min'),
  ...belowZero('audio', ['firmwareVersion', 'fileSizeMb', 'pklFileSizeMb', 'durationSeconds']),
  ...belowZero('biomechanics', ['numSubRecordings', 'durationSeconds', 'numDataPoints', 'numPasses']),
  ...belowZero('synchronization', [...NON_NEGATIVE_SYNC_TIMES, ...SYNC_FLOAT_STATS].map(fieldOf), -0.5),
  ...belowZero('synchronization', ['totalCyclesExtracted', 'cleanCycles', 'outlierCycles'], -0.5),
  ...belowZero('cycle', ['cycleIndex', 'startTimeS', 'endTimeS', 'durationS', 'cycleFileSizeMb']),
];

const ranges: Case[] = [
  refused('no channels', 'audio', 'numChannels', 0, 'min'),
  refused('five channels', 'audio', 'numChannels', 5, 'max'),
  refused('fractional channels', 'audio', 'numChannels', 2.5, 'isInt'),
  refused('audio sample rate 0', 'audio', 'sampleRate', 0, 'isPositive'),
  refused('biomechanics sample rate < 0', 'biomechanics', 'biomechanicsSampleRate', -100, 'isPositive'),
  refused('a float that is not a number', 'audio', 'fileSizeMb', Number.NaN, 'isNumber'),
];

const checksums: Case[] = [
  refused('short pickle checksum', 'audio', 'pklFileChecksum', 'abc123', 'isSha256Hex'),
  refused('upper-case pickle checksum', 'audio', 'pklFileChecksum', 'AB'.repeat(32), 'isSha256Hex'),
  refused('non-hex sync checksum', 'synchronization', 'syncFileChecksum', 'g'.repeat(64), 'isSha256Hex'),
  refused('63-character cycle checksum', 'cycle', 'cycleFileChecksum', 'a'.repeat(63), 'isSha256Hex'),
];

const lengthsAndPresence: Case[] = [
  refused('audio file name over 255', 'audio', 'audioFileName', 'x'.repeat(256), 'maxLength'),
  refused('empty audio file name', 'audio', 'audioFileName', '', 'isNotEmpty'),
  refused('device serial over 50', 'audio', 'deviceSerial', 'x'.repeat(51), 'maxLength'),
  refused('time zone over 10', 'audio', 'recordingTimezone', 'Europe/Berlin', 'maxLength'),
  refused('sheet name over 100', 'biomechanics', 'sheetName', 'x'.repeat(101), 'maxLength'),
  refused('QC version over 20', 'cycle', 'syncQcVersion', '1.0.0-rc.1+build.123456', 'maxLength'),
  refused('missing device serial', 'audio', 'deviceSerial', undefined, 'isDefined'),
  refused('missing cycle start time', 'cycle', 'audioStartTime', null, 'isDefined'),
  refused('a field the record does not have', 'audio', 'kne', 'left', 'unknownField'),
];

/** A valid sit-to-stand synchronization (overrides) and cycle (whole input) of AOA 1001's left knee. */
const sts = (x: Parents): Plain => ({
  audioProcessingId: x.stsAudioId,
  biomechanicsImportId: x.stsBioId,
  maneuver: 'sts',
  passNumber: null,
  speed: null,
});
const stsCycle = (x: Parents): Plain => ({ ...sts(x), synchronizationId: x.stsSyncId });
/** The flexion-extension synchronization (overrides) and the biomechanics- and sync-less cycle (overrides). */
const fe = (x: Parents): Plain => ({ audioProcessingId: x.feAudioId, biomechanicsImportId: x.feBioId, maneuver: 'fe' });
const feCycle = (x: Parents): Plain => ({ ...fe(x), biomechanicsImportId: null, synchronizationId: null });
/** A `kind` of a maneuver other than walking (its overrides from `base`) with `field`, a pass number or a speed. */
const notWalk = (name: string, kind: Kind, base: (x: Parents) => Plain, field: string, value: unknown) =>
  brokenBy(
    name,
    kind,
    (x) => ({ ...base(x), passNumber: null, speed: null, [field]: value }),
    field,
    'walkPassAndSpeed',
  );
/** Fields a stomp detection method needs (the method, the field, its missing value). */
const REQUIRED_BY_STOMP_METHOD: [string, string, null | undefined][] = [
  ['biomechanics', 'bioSelectedSyncTime', null],
  ['biomechanics', 'contraBioSelectedSyncTime', undefined],
  ['audio', 'selectedAudioSyncTime', null],
  ['audio', 'contraSelectedAudioSyncTime', null],
];
/** Fields a cycle with biomechanics needs (the field, its missing value). */
const REQUIRED_WITH_BIOMECHANICS: [string, null | undefined][] = [
  ['bioStartTime', null],
  ['bioEndTime', undefined],
];

const crossField: Case[] = [
  refused(
    'recording time on the next day',
    'audio',
    'recordingTime',
    new Date('2024-03-06T00:10:00Z'),
    'sameCalendarDate',
  ),
  refused('walk sync without pass number', 'synchronization', 'passNumber', null, 'walkPassAndSpeed'),
  refused('walk sync without speed', 'synchronization', 'speed', undefined, 'walkPassAndSpeed'),
  refused('walk sync with pass 0', 'synchronization', 'passNumber', 0, 'min'),
  notWalk('fe sync with a pass number', 'synchronization', fe, 'passNumber', 1),
  notWalk('fe sync with a speed', 'synchronization', fe, 'speed', 'slow'),
  refused('walk cycle without speed', 'cycle', 'speed', null, 'walkPassAndSpeed'),
  refused('walk cycle without pass number', 'cycle', 'passNumber', null, 'walkPassAndSpeed'),
  [
    'walk cycle with pass 0',
    'cycle',
    () => ({ passNumber: 0, synchronizationId: null }),
    { field: 'passNumber', rule: 'min' },
  ],
  notWalk('fe cycle with a speed', 'cycle', feCycle, 'speed', 'slow'),
  notWalk('sts sync with a pass number', 'synchronization', sts, 'passNumber', 1),
  notWalk('sts sync with a speed', 'synchronization', sts, 'speed', 'medium'),
  notWalk('sts cycle with a pass number', 'cycle', stsCycle, 'passNumber', 3),
  notWalk('sts cycle with a speed', 'cycle', stsCycle, 'speed', 'fast'),
  notWalk('fe cycle with a pass number', 'cycle', feCycle, 'passNumber', 2),
  ...REQUIRED_BY_STOMP_METHOD.map(([method, f, missing]) =>
    refused(`${method} stomp method without ${f}`, 'synchronization', f, missing, 'requiredByStompMethod'),
  ),
  refused(
    'left and right audio sync times without offset',
    'synchronization',
    'audioSyncOffset',
    null,
    'requiredWithBothAudioSyncTimes',
  ),
  [
    'cycle ending before it starts',
    'cycle',
    () => ({ startTimeS: 30, endTimeS: 29.5 }),
    { field: 'endTimeS', rule: 'endNotBeforeStart' },
  ],
  ...REQUIRED_WITH_BIOMECHANICS.map(([f, missing]) =>
    refused(`cycle with biomechanics but no ${f}`, 'cycle', f, missing, 'requiredWithBiomechanicsImport'),
  ),
  ...(['', 'Ch1', 'Ch2', 'Ch3', 'Ch4'] as const).map((ch): Case => [
    `audioQcFail${ch} false with failing segments`,
    'audio',
    () => ({ [`audioQcFail${ch}`]: false, [`qcFailSegments${ch}`]: [3, 4] }),
    { field: `audioQcFail${ch}`, rule: 'qcFailCoversSegments' },
  ]),
];

const SEGMENT_FIELDS = ['qcFailSegments', 'qcSignalDropoutSegments', 'qcArtifactSegments'].flatMap((f) =>
  ['', 'Ch1', 'Ch2', 'Ch3', 'Ch4'].map((ch) => f + ch),
);
const segments: Case[] = [
  ...SEGMENT_FIELDS.map((f) => refused(`${f} of odd length`, 'audio', f, [1, 2, 3], 'validSegments')),
  ...SEGMENT_FIELDS.map((f) => refused(`${f} with start > end`, 'audio', f, [1, 2, 5, 4], 'validSegments')),
  refused('negative segment time', 'audio', 'qcArtifactSegmentsCh4', [-1, 2], 'validSegments'),
  refused('NaN in a segment list', 'audio', 'qcArtifactSegmentsCh3', [Number.NaN, 2], 'validSegments'),
];

const crossRecord: Case[] = [
  refused('unknown participant (audio)', 'audio', 'participantNumber', 9999, 'exists'),
  refused('unknown participant (cycle)', 'cycle', 'participantNumber', 9999, 'exists'),
  refused('sync audio that does not exist', 'synchronization', 'audioProcessingId', 99999, 'exists'),
  ofAnotherParticipant('sync audio of another participant', 'synchronization', 'audioProcessingId', 'otherAudioId'),
  ofAnotherParticipant(
    'sync biomechanics of another participant',
    'synchronization',
    'biomechanicsImportId',
    'otherBioId',
  ),
  maneuverUnlike('sync maneuver unlike its audio', 'synchronization', 'audio'),
  maneuverUnlike('sync maneuver unlike its biomechanics', 'synchronization', 'biomechanics'),
  refused('sync knee unlike its audio', 'synchronization', 'knee', 'right', 'matchesAudioProcessing'),
  refused('sync knee unlike its biomechanics', 'synchronization', 'knee', 'right', 'matchesBiomechanicsImport'),
  refused('cycle audio that does not exist', 'cycle', 'audioProcessingId', 99999, 'exists'),
  refused('cycle synchronization that does not exist', 'cycle', 'synchronizationId', 99999, 'exists'),
  ofAnotherParticipant('cycle synchronization of another participant', 'cycle', 'synchronizationId', 'otherSyncId'),
  refused('cycle knee unlike its synchronization', 'cycle', 'knee', 'right', 'matchesSynchronization'),
  refused('cycle knee unlike its audio', 'cycle', 'knee', 'right', 'matchesAudioProcessing'),
  maneuverUnlike('cycle maneuver unlike its audio', 'cycle', 'audio'),
  refused('cycle pass unlike its synchronization', 'cycle', 'passNumber', 2, 'matchesSynchronization'),
  refused('cycle speed unlike its synchronization', 'cycle', 'speed', 'fast', 'matchesSynchronization'),
  ofAnotherParticipant('cycle audio of another participant', 'cycle', 'audioProcessingId', 'otherAudioId'),
  ofAnotherParticipant('cycle biomechanics of another participant', 'cycle', 'biomechanicsImportId', 'otherBioId'),
  refused('cycle biomechanics that does not exist', 'cycle', 'biomechanicsImportId', 99999, 'exists'),
  [
    'cycle maneuver unlike its synchronization',
    'cycle',
    (x) => ({ ...stsCycle(x), ...fe(x) }),
    { field: 'maneuver', rule: 'matchesSynchronization' },
  ],
  maneuverUnlike('cycle biomechanics unlike it', 'cycle', 'biomechanics'),
];

describe.each<[string, Case[]]>([
  ['values from the vocabulary only', vocabulary],
  ['ids positive', positiveIds],
  ['counts, sizes, durations and times ≥ 0', nonNegative],
  ['num_channels 1–4, sample rates > 0, finite numbers', ranges],
  ['checksums are 64 hex characters', checksums],
  ['column lengths, required fields, no unknown fields', lengthsAndPresence],
  ['cross-field rules', crossField],
  ['segment arrays: even length, start ≤ end, ≥ 0', segments],
  ['cross-record rules', crossRecord],
])('%s', (_title, cases) => {
  it.each(cases)('%s → refused, nothing written', async (_name, kind, overrides, expected) => {
    const violations = await expectRejected(c, () => write(kind, overrides(p)), {
      ...expected,
      ...(kind === 'cycle' ? { index: 0 } : {}),
    });
    expect(violations.length).toBeLessThanOrEqual(3);
  });
});

describe('batches', () => {
  it('one bad row in a batch of 1,000: refused with its index, the database exactly as before', async () => {
    const batch = cycleBatch(p, 1000);
    batch[537] = { ...batch[537], endTimeS: 1, startTimeS: 2 };
    const violations = await expectRejected(c, () => ctx.services.records.upsertMovementCycles(batch), {
      field: 'endTimeS',
      rule: 'endNotBeforeStart',
      index: 537,
    });
    expect(violations).toHaveLength(1);
  });

  it('the same natural key twice in one batch is refused (index of the repeat)', async () => {
    const batch = [...cycleBatch(p, 3), cycleInput(p, { cycleIndex: 1001, cycleFile: 'again.pkl' })];
    await expectRejected(c, () => ctx.services.records.upsertMovementCycles(batch), {
      field: 'cycleIndex',
      rule: 'uniqueInBatch',
      index: 3,
    });
  });

  it('more than 10,000 cycles in one call are refused', async () => {
    await expectRejected(c, () => ctx.services.records.upsertMovementCycles(cycleBatch(p, 10_001)), {
      field: 'inputs',
      rule: 'maxBatchSize',
    });
  });
});

describe('links and deletes', () => {
  it('linking audio with biomechanics of another participant is refused', async () => {
    await expectRejected(
      c,
      () =>
        ctx.services.records.linkRecordings({ audioProcessingId: p.walkAudioId, biomechanicsImportId: p.otherBioId }),
      {
        field: 'biomechanicsImportId',
        rule: 'sameRecording',
      },
    );
  });

  it('linking audio with biomechanics of another maneuver is refused', async () => {
    await expectRejected(
      c,
      () => ctx.services.records.linkRecordings({ audioProcessingId: p.walkAudioId, biomechanicsImportId: p.feBioId }),
      {
        field: 'biomechanicsImportId',
        rule: 'sameRecording',
      },
    );
  });

  it('linking needs at least one id, and ids that exist', async () => {
    await expectRejected(c, () => ctx.services.records.linkRecordings({}), {
      field: 'audioProcessingId',
      rule: 'oneOfTwoRequired',
    });
    await expectRejected(c, () => ctx.services.records.linkRecordings({ audioProcessingId: 99999 }), {
      field: 'audioProcessingId',
      rule: 'exists',
    });
    await expectRejected(c, () => ctx.services.records.linkRecordings({ audioProcessingId: 0 }), {
      field: 'audioProcessingId',
      rule: 'isPositive',
    });
  });

  it('deletes need positive ids', async () => {
    await expectRejected(c, () => ctx.services.records.deleteAudioProcessing(0), { field: 'id', rule: 'isPositive' });
    await expectRejected(c, () => ctx.services.records.deleteMovementCycles([5, -1]), {
      field: 'ids',
      rule: 'isPositive',
    });
    await expectRejected(c, () => ctx.services.records.deleteParticipant({ study: 'OAI' as StudyName, number: 1001 }), {
      field: 'study',
      rule: 'isEnum',
    });
  });
});

describe('the unbroken inputs', () => {
  it('are accepted (so each refusal above is the rule it names)', async () => {
    const r = ctx.services.records;
    await expect(r.upsertParticipant({ study: StudyName.AOA, number: 1001 })).resolves.toMatchObject({
      studyParticipantId: 1001,
    });
    await expect(r.upsertAudioProcessing(audioInput())).resolves.toMatchObject({
      audioFileName: 'AOA1001_left_fe_retake.bin',
    });
    await expect(r.upsertBiomechanicsImport(biomechanicsInput())).resolves.toMatchObject({
      biomechanicsFile: 'AOA1001_retake.xlsx',
    });
    await expect(r.upsertSynchronization(synchronizationInput(p))).resolves.toMatchObject({ passNumber: 9 });
    await expect(r.upsertMovementCycles([cycleInput(p)])).resolves.toMatchObject({ inserted: 1, updated: 0 });
    await expect(
      r.upsertMovementCycles([
        cycleInput(p, {
          ...feCycle(p),
          passNumber: null,
          speed: null,
          bioStartTime: null,
          bioEndTime: null,
        }),
      ]),
    ).resolves.toMatchObject({ inserted: 1 });
    await expect(r.upsertMovementCycles([cycleInput(p, stsCycle(p))])).resolves.toMatchObject({ inserted: 1 });
    await expect(r.upsertSynchronization(synchronizationInput(p, sts(p)))).resolves.toMatchObject({
      id: p.stsSyncId,
      passNumber: null,
      speed: null,
    });
  });
});
