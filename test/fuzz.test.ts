/**
 * Fuzzing every mutation, and the read API's arguments, over real HTTP with fast-check.
 *
 * Each mutation gets three kinds of generated input: valid (which must be accepted and read
 * back equal through the read API), near-valid (a valid input with exactly one rule
 * broken, which must be refused with BAD_USER_INPUT naming that field), and hostile (a
 * valid input with fields replaced by anything: NUL bytes, lone surrogates, 70,000
 * characters, 1e999, strings where numbers go, …), which may go either way. Whatever
 * happens, no response is an INTERNAL_SERVER_ERROR or leaks SQL, and a refused input
 * leaves every table exactly as it was (row counts and an md5 over all rows).
 *
 * Runs per property: FUZZ_RUNS (30 by default; AE_FUZZ_RUNS=1000 for a long run,
 * AE_FUZZ_SEED=<seed> to replay a failure fast-check reported).
 */
import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { startTestServer, type TestServer } from './helpers/http';
import { findParents, type Parents } from './helpers/records';
import {
  FUZZ_RUNS,
  INT4_MAX,
  RawJson,
  anyFiniteDouble,
  defined,
  differences,
  expectedRecord,
  fuzzParameters,
  hostileText,
  hostileValue,
  isoDateTime,
  negativeNumber,
  nonNegativeDouble,
  notAFloat,
  notAnInt,
  optional,
  positiveDouble,
  recordingDay,
  rowCounts,
  segmentList,
  send,
  serializeBody,
  sha256Hex,
  sharedFields,
  storableText,
  tableChecksums,
  tooLongText,
  unstorableText,
  veryLongText,
  type Reply,
} from './helpers/fuzz';
import { useTestDatabase } from './helpers/test-database';
import { buildAppSchema } from '../src/graphql/schema';
import { MAX_PAGE_SIZE } from '../src/services/read';
import type { RecordKind } from '../src/services/read';
import { StudyName } from '../src/entities';
import { inputFieldsOf } from '../src/services/write/column-inputs';
import {
  AudioProcessingInput,
  BiomechanicsImportInput,
  MovementCycleInput,
  SynchronizationInput,
} from '../src/services/write/record-inputs';

// Proportional to the run count, never a timed assertion: a long AE_FUZZ_RUNS run needs the room.
jest.setTimeout(120_000 + FUZZ_RUNS * 8_000);

const TOKENS = { write: 'fuzz-write-token-0123456789abcdef', admin: 'fuzz-admin-token-0123456789abcdef' };

let server: TestServer;
let p: Parents;
let schema: GraphQLSchema;

const { ctx, sql: c } = useTestDatabase({
  seed: { participantsPerStudy: 1, studies: [StudyName.AOA, StudyName.preOA] },
  asRealParticipants: true,
  sql: true,
  prepare: async ({ ctx, sql }) => {
    p = await findParents(sql!);
    schema = await buildAppSchema();
    server = await startTestServer({ ...ctx, config: { ...ctx.config, tokens: TOKENS } });
    return () => server.close();
  },
});

// ---------------------------------------------------------------------------------------
// Cases and how each is judged

type Plain = Record<string, any>;

interface Case {
  vars: Plain;
  /** accept: a valid input; reject: one rule broken; either: hostile. */
  expect: 'accept' | 'reject' | 'either';
  /** For `reject`: the field the refusal must name (and the batch index). */
  field?: string;
  index?: number;
}

const valid = (vars: Plain): Case => ({ vars, expect: 'accept' });
const broken = (vars: Plain, field?: string, index?: number): Case => ({ vars, expect: 'reject', field, index });
const hostile = (vars: Plain): Case => ({ vars, expect: 'either' });

/** Codes a refused request may carry; a near-valid input must get exactly BAD_USER_INPUT. */
const REFUSALS = new Set(['BAD_USER_INPUT', 'BAD_REQUEST', 'REQUEST_TOO_LARGE', 'CONFIRMATION_REQUIRED']);

/**
 * Sends one case and judges it: refused ⇒ an expected code (naming the broken field for a
 * near-valid input) and not one row changed; accepted ⇒ `readBack` finds what was sent.
 */
async function judge(
  query: string,
  k: Case,
  readBack: (reply: Reply) => Promise<void>,
  token = TOKENS.write,
): Promise<void> {
  const before = await tableChecksums(c);
  const reply = await send(server, query, k.vars, token);
  if (reply.errors?.length) {
    if (k.expect === 'accept') throw new Error(`a valid input was refused: ${reply.text.slice(0, 3000)}`);
    for (const code of reply.codes)
      if (!REFUSALS.has(code)) throw new Error(`unexpected error code ${code}: ${reply.text.slice(0, 3000)}`);
    if (k.expect === 'reject') expect(reply.codes).toEqual(['BAD_USER_INPUT']);
    if (k.expect === 'reject' && k.field) {
      const named = (reply.errors[0].extensions?.validationErrors ?? []) as { field: string; index?: number }[];
      const hit = named.some((v) => v.field === k.field && (k.index === undefined || v.index === k.index));
      if (!hit)
        throw new Error(
          `the refusal does not name ${k.field}${k.index === undefined ? '' : ` [${k.index}]`}: ${reply.text.slice(0, 3000)}`,
        );
    }
    expect(await tableChecksums(c)).toEqual(before);
    return;
  }
  if (k.expect === 'reject')
    throw new Error(`an input breaking a rule of ${k.field} was accepted: ${reply.text.slice(0, 3000)}`);
  await readBack(reply);
}

/** Runs `judge` on every generated case. */
function fuzz(
  arb: fc.Arbitrary<Case>,
  query: string,
  readBack: (k: Case, reply: Reply) => Promise<void>,
  token?: string,
  examples: Case[] = [],
) {
  return fc.assert(
    fc.asyncProperty(arb, (k) => judge(query, k, (reply) => readBack(k, reply), token)),
    { ...fuzzParameters(), examples: examples.map((k) => [k] as [Case]) },
  );
}

/** The three kinds of input, in proportions that exercise each. */
const cases = (validArb: fc.Arbitrary<Case>, brokenArb: fc.Arbitrary<Case>, hostileArb: fc.Arbitrary<Case>) =>
  fc.oneof(
    { weight: 3, arbitrary: validArb },
    { weight: 3, arbitrary: brokenArb },
    { weight: 2, arbitrary: hostileArb },
  );

/** A valid input with 1–3 fields replaced by hostile values (or dropped, or an unknown one added). */
function spoil(input: Plain, fields: string[]): fc.Arbitrary<Plain> {
  const edit = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...fields), hostileValue).map(([f, v]) => (o: Plain) => ({ ...o, [f]: v })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...fields).map((f) => (o: Plain) => {
        const { [f]: _, ...rest } = o;
        return rest;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('bogus', 'id', 'participantId', '__proto__', 'constructor', 'createdAt'), hostileValue)
        .map(([f, v]) => (o: Plain) => ({ ...o, [f]: v })),
    },
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce((o, e) => e(o), input));
}

/** Reads one record by id through the read API, with the fields of its input. */
async function readRecord(query: string, output: string, input: string, id: number): Promise<Plain> {
  const fields = sharedFields(schema, input, output);
  const reply = await send(
    server,
    `query($id: Int!) { r: ${query}(id: $id) { ${fields.join(' ')} participant { studyParticipantId study { name } } } }`,
    { id },
  );
  expect(reply.errors).toBeUndefined();
  return reply.data.r;
}

/** The stored record equals the input (defaults where it left fields out), participant included. */
async function expectReadBack(query: string, output: string, input: string, id: number, sent: Plain) {
  const stored = await readRecord(query, output, input, id);
  const fields = sharedFields(schema, input, output);
  const diff = differences(expectedRecord(schema, input, fields, sent), stored);
  if (diff.length) throw new Error(`${output} ${id} does not read back as written:\n${diff.join('\n')}`);
  // The number as the server parsed it: a raw `-0` in the body is the integer 0.
  const number = (JSON.parse(serializeBody(sent)) as Plain).participantNumber as number;
  expect(stored.participant).toEqual({ studyParticipantId: number + 0, study: { name: sent.study } });
}

// ---------------------------------------------------------------------------------------
// Vocabulary and shared pieces

const STUDIES = ['AOA', 'preOA', 'SMoCK'];
const KNEES = ['left', 'right'];
const MANEUVERS = ['fe', 'sts', 'walk'];
const SPEEDS = ['slow', 'medium', 'fast', 'comfortable'];
const MICS = ['IPM', 'IPL', 'SPM', 'SPL'];
const STATUSES = ['not_processed', 'success', 'error'];
const BIO_TYPES = ['Gonio', 'IMU', 'Motion_Analysis'];
const ALL_ENUM_VALUES = [
  ...STUDIES,
  ...KNEES,
  ...MANEUVERS,
  ...SPEEDS,
  ...MICS,
  ...STATUSES,
  ...BIO_TYPES,
  'flick',
  'stomp',
  'consensus',
  'biomechanics',
  'audio',
  'Intermittent',
  'Continuous',
];

/** A string that is no value of any enum (GraphQL must refuse it). */
const notInVocabulary = fc
  .oneof(hostileText, fc.constantFrom('Motion Analysis', 'LEFT', 'left ', 'walk\u0000', '', 'null', 'fe;--'))
  .filter((s) => !ALL_ENUM_VALUES.includes(s));

const int4 = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, INT4_MAX) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: INT4_MAX }) },
);
const badChecksum = fc.oneof(
  fc.stringMatching(/^[0-9A-F]{64}$/).filter((s) => /[A-F]/.test(s)),
  fc.stringMatching(/^[0-9a-f]{63}$/),
  fc.stringMatching(/^[0-9a-f]{65}$/),
  fc
    .tuple(sha256Hex, fc.integer({ min: 0, max: 63 }), fc.constantFrom('g', "'", '%', ' ', 'é'))
    .map(([s, i, ch]) => s.slice(0, i) + ch + s.slice(i + 1)),
);
/** Segment lists that break a rule: odd length, a pair ending before it starts, a negative value. */
const badSegments = fc.oneof(
  fc.tuple(segmentList, nonNegativeDouble).map(([s, x]) => [...s, x]),
  fc
    .tuple(segmentList, positiveDouble, positiveDouble)
    .filter(([, a, b]) => a !== b)
    .map(([s, a, b]) => [...s, Math.max(a, b), Math.min(a, b)]),
  fc.tuple(segmentList, negativeNumber).map(([s, x]) => [x, 1, ...s]),
);
const badDateTime = fc.constantFrom(
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  'yesterday',
  '',
  '2024-03-05',
  '0000-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '2024-03-05T25:00:00Z',
);

const PARTICIPANTS: [string, number][] = [
  ['AOA', 1001],
  ['preOA', 2001],
];

/** A breaker: one field set to a value that breaks one of its rules. */
const breakWith = (field: string, arb: fc.Arbitrary<unknown>) =>
  arb.map((v) => ({ field, edit: (o: Plain) => ({ ...o, [field]: v }) }));
type Breaker = fc.Arbitrary<{ field: string; edit: (o: Plain) => Plain }>;
/** A breaker: `field`'s rule broken by setting `values` together (a cross-field or cross-record rule). */
const together = (field: string, values: Plain) => fc.constant({ field, edit: (o: Plain) => ({ ...o, ...values }) });

const tooLong = (field: string, max: number) => breakWith(field, tooLongText(max));
const negative = (field: string) => breakWith(field, negativeNumber);
const notInt = (field: string) => breakWith(field, notAnInt);
const notFloat = (field: string) => breakWith(field, notAFloat);
const badEnum = (field: string) => breakWith(field, notInVocabulary);
const required = (field: string) =>
  fc.constant({
    field,
    edit: (o: Plain) => {
      const { [field]: _, ...rest } = o;
      return rest;
    },
  });
const unknownParticipant = breakWith('participantNumber', fc.integer({ min: 900_000, max: INT4_MAX }));

// ---------------------------------------------------------------------------------------
// upsertParticipant

describe('upsertParticipant', () => {
  const QUERY =
    'mutation($study: StudyName!, $number: Int!) { upsertParticipant(study: $study, number: $number) { id studyParticipantId study { name } } }';

  it('accepts valid keys, refuses broken ones, survives hostile ones', async () => {
    const key = fc.record({ study: fc.constantFrom(...STUDIES), number: int4 });
    const arb = cases(
      key.map(valid),
      fc.oneof(
        fc.tuple(key, negativeNumber.filter(Number.isInteger)).map(([k, n]) => broken({ ...k, number: n }, 'number')),
        fc.tuple(key, notAnInt).map(([k, n]) => broken({ ...k, number: n }, 'number')),
        fc.tuple(key, notInVocabulary).map(([k, s]) => broken({ ...k, study: s }, 'study')),
      ),
      fc
        .tuple(key, fc.constantFrom('study', 'number'))
        .chain(([k, f]) => spoil(k, [f]))
        .map(hostile),
    );
    await fuzz(arb, QUERY, async (k, reply) => {
      const written = reply.data.upsertParticipant;
      const read = await send(
        server,
        'query($s: StudyName!, $n: Int!) { participant(study: $s, number: $n) { id studyParticipantId study { name } } }',
        {
          s: k.vars.study,
          n: k.vars.number,
        },
      );
      expect(read.data.participant).toEqual(written);
      // Compared with what the server received: a raw `-0` in the body is the number 0.
      const sent = JSON.parse(serializeBody(k.vars));
      expect(
        differences(
          { studyParticipantId: sent.number, study: sent.study },
          { studyParticipantId: written.studyParticipantId, study: written.study.name },
        ),
      ).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------
// upsertAudioProcessing

const CHANNELS = ['', 'Ch1', 'Ch2', 'Ch3', 'Ch4'];

const audioQc = fc
  .tuple(
    ...CHANNELS.map((ch) =>
      fc
        .record({
          fail: optional(segmentList),
          failFlag: fc.option(fc.boolean(), { nil: undefined }),
          types: optional(fc.array(fc.constantFrom('Intermittent', 'Continuous'), { maxLength: 3 })),
          artifact: fc.option(fc.boolean(), { nil: undefined }),
          artifactSegments: optional(segmentList),
          dropout: fc.option(fc.boolean(), { nil: undefined }),
          dropoutSegments: optional(segmentList),
        })
        .map((q) => ({
          [`qcFailSegments${ch}`]: q.fail,
          // The flag cannot be false while failing segments are listed.
          [`audioQcFail${ch}`]: q.fail && q.fail.length ? true : q.failFlag,
          [`qcArtifactType${ch}`]: q.types,
          [`qcArtifact${ch}`]: q.artifact,
          [`qcArtifactSegments${ch}`]: q.artifactSegments,
          [`qcSignalDropout${ch}`]: q.dropout,
          [`qcSignalDropoutSegments${ch}`]: q.dropoutSegments,
        })),
    ),
  )
  .map((parts) => Object.assign({}, ...parts));

const validAudio: fc.Arbitrary<Plain> = fc
  .record({
    who: fc.constantFrom(...PARTICIPANTS),
    audioFileName: storableText({ min: 1, max: 255 }),
    deviceSerial: storableText({ min: 1, max: 50 }),
    firmwareVersion: int4,
    fileTime: isoDateTime,
    fileSizeMb: nonNegativeDouble,
    day: recordingDay,
    recordingTimezone: optional(storableText({ max: 10 })),
    knee: fc.constantFrom(...KNEES),
    maneuver: fc.constantFrom(...MANEUVERS),
    numChannels: fc.integer({ min: 1, max: 4 }),
    sampleRate: fc.option(positiveDouble, { nil: undefined }),
    mics: fc.tuple(...[1, 2, 3, 4].map(() => fc.constantFrom(...MICS))),
    notes: fc.tuple(...[1, 2, 3, 4, 5].map(() => optional(storableText({ max: 300 })))),
    pklFilePath: optional(storableText({ max: 500 })),
    pklFileChecksum: optional(sha256Hex),
    pklFileSizeMb: optional(nonNegativeDouble),
    pklFileModified: optional(isoDateTime),
    audioQcVersion: optional(storableText({ max: 20 })),
    qc: audioQc,
    durationSeconds: optional(nonNegativeDouble),
    processingStatus: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
    processingDate: optional(isoDateTime),
    errorMessage: optional(storableText({ max: 300 })),
  })
  .map(({ who, day, mics, notes, qc, ...a }) =>
    defined({
      study: who[0],
      participantNumber: who[1],
      ...a,
      ...day,
      mic1Position: mics[0],
      mic2Position: mics[1],
      mic3Position: mics[2],
      mic4Position: mics[3],
      mic1Notes: notes[0],
      mic2Notes: notes[1],
      mic3Notes: notes[2],
      mic4Notes: notes[3],
      notes: notes[4],
      ...defined(qc),
    }),
  );

const audioBreakers: Breaker[] = [
  breakWith('audioFileName', fc.constant('')),
  tooLong('audioFileName', 255),
  tooLong('deviceSerial', 50),
  breakWith('deviceSerial', fc.constant('')),
  negative('firmwareVersion'),
  notInt('firmwareVersion'),
  negative('fileSizeMb'),
  notFloat('fileSizeMb'),
  negative('pklFileSizeMb'),
  negative('durationSeconds'),
  notFloat('durationSeconds'),
  breakWith('sampleRate', fc.oneof(fc.constant(0), negativeNumber)),
  breakWith('numChannels', fc.constantFrom(0, 5, -1, 1000)),
  notInt('numChannels'),
  tooLong('recordingTimezone', 10),
  tooLong('audioQcVersion', 20),
  tooLong('pklFilePath', 500),
  breakWith('pklFileChecksum', badChecksum),
  badEnum('knee'),
  badEnum('maneuver'),
  badEnum('mic3Position'),
  badEnum('processingStatus'),
  breakWith(
    'qcArtifactTypeCh2',
    notInVocabulary.map((s) => ['Intermittent', s]),
  ),
  ...[
    'qcFailSegments',
    'qcFailSegmentsCh3',
    'qcArtifactSegmentsCh1',
    'qcSignalDropoutSegments',
    'qcSignalDropoutSegmentsCh4',
  ].map((f) => breakWith(f, badSegments)),
  ...CHANNELS.map((ch) =>
    fc.tuple(segmentList.filter((s) => s.length > 0)).map(([s]) => ({
      field: `audioQcFail${ch}`,
      edit: (o: Plain) => ({ ...o, [`audioQcFail${ch}`]: false, [`qcFailSegments${ch}`]: s }),
    })),
  ),
  fc.integer({ min: 1, max: 400 }).map((days) => ({
    field: 'recordingTime',
    edit: (o: Plain) => ({
      ...o,
      recordingTime: new Date(
        new Date(o.recordingDate).getTime() + days * 86_400_000 - (days % 2) * 1000,
      ).toISOString(),
    }),
  })),
  breakWith('fileTime', badDateTime),
  breakWith('pklFileModified', badDateTime),
  breakWith('recordingDate', badDateTime),
  required('audioFileName'),
  required('knee'),
  required('fileTime'),
  unknownParticipant,
  breakWith('participantNumber', negativeNumber.filter(Number.isInteger)),
  breakWith('notes', unstorableText),
  breakWith('audioFileName', unstorableText),
  breakWith('mic2Notes', unstorableText),
];

/** The three kinds of case for one input-object mutation argument. */
function inputCases(arg: string, validArb: fc.Arbitrary<Plain>, breakers: Breaker[], fields: string[]) {
  return cases(
    validArb.map((input) => valid({ [arg]: input })),
    fc.tuple(validArb, fc.oneof(...breakers)).map(([input, b]) => broken({ [arg]: b.edit(input) }, b.field)),
    validArb.chain((input) => spoil(input, fields)).map((input) => hostile({ [arg]: input })),
  );
}

const UPSERT_INPUTS = {
  AudioProcessing: AudioProcessingInput,
  BiomechanicsImport: BiomechanicsImportInput,
  Synchronization: SynchronizationInput,
};

/**
 * Fuzzes `upsert<record>(input:)` with the three kinds of case (`examples` first; a hostile one
 * spoils any field of the input, as its declarations give them): an accepted input reads back
 * through `record`'s single-record query as it was sent.
 */
function fuzzUpsert(
  record: keyof typeof UPSERT_INPUTS,
  validArb: fc.Arbitrary<Plain>,
  breakers: Breaker[],
  examples: Case[] = [],
) {
  const mutation = `upsert${record}`;
  return fuzz(
    inputCases('input', validArb, breakers, inputFieldsOf(UPSERT_INPUTS[record])),
    `mutation($input: ${record}Input!) { ${mutation}(input: $input) { id } }`,
    (k, reply) =>
      expectReadBack(
        record[0].toLowerCase() + record.slice(1),
        record,
        `${record}Input`,
        reply.data[mutation].id,
        k.vars.input,
      ),
    undefined,
    examples,
  );
}

describe('upsertAudioProcessing', () => {
  it('accepts valid recordings, refuses broken ones, survives hostile ones', async () => {
    // A case CI found: a raw `-0` participant number is participant 0 and must read back as 0.
    await send(server, 'mutation { upsertParticipant(study: preOA, number: 0) { id } }', {}, TOKENS.write);
    const minusZero = hostile({
      input: {
        ...fc.sample(validAudio, { numRuns: 1, seed: 7 })[0],
        study: 'preOA',
        participantNumber: new RawJson('-0'),
      },
    });
    await fuzzUpsert('AudioProcessing', validAudio, audioBreakers, [minusZero]);
  });
});

// ---------------------------------------------------------------------------------------
// upsertBiomechanicsImport

const validBiomechanics: fc.Arbitrary<Plain> = fc
  .record({
    who: fc.constantFrom(...PARTICIPANTS),
    biomechanicsFile: storableText({ min: 1, max: 255 }),
    sheetName: optional(storableText({ max: 100 })),
    biomechanicsType: fc.constantFrom(...BIO_TYPES),
    knee: fc.constantFrom(...KNEES),
    maneuver: fc.constantFrom(...MANEUVERS),
    biomechanicsSyncMethod: fc.constantFrom('flick', 'stomp'),
    biomechanicsSampleRate: positiveDouble,
    biomechanicsNotes: optional(storableText({ max: 300 })),
    numSubRecordings: int4,
    durationSeconds: nonNegativeDouble,
    numDataPoints: int4,
    numPasses: fc.option(int4, { nil: undefined }),
    biomechQcVersion: optional(storableText({ max: 20 })),
    biomechanicsQcFail: fc.option(fc.boolean(), { nil: undefined }),
    biomechanicsQcNotes: optional(storableText({ max: 300 })),
    processingStatus: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
    processingDate: optional(isoDateTime),
    errorMessage: optional(storableText({ max: 100 })),
  })
  .map(({ who, ...b }) => defined({ study: who[0], participantNumber: who[1], ...b }));

const biomechanicsBreakers: Breaker[] = [
  breakWith('biomechanicsFile', fc.constant('')),
  tooLong('biomechanicsFile', 255),
  tooLong('sheetName', 100),
  tooLong('biomechQcVersion', 20),
  badEnum('biomechanicsType'),
  breakWith('biomechanicsType', fc.constant('Motion Analysis')),
  badEnum('biomechanicsSyncMethod'),
  badEnum('knee'),
  breakWith('biomechanicsSampleRate', fc.oneof(fc.constant(0), negativeNumber)),
  notFloat('biomechanicsSampleRate'),
  negative('numSubRecordings'),
  negative('durationSeconds'),
  negative('numDataPoints'),
  negative('numPasses'),
  notInt('numDataPoints'),
  required('biomechanicsFile'),
  required('biomechanicsSampleRate'),
  unknownParticipant,
  breakWith('processingDate', badDateTime),
  breakWith('biomechanicsNotes', unstorableText),
  breakWith('sheetName', unstorableText),
];

describe('upsertBiomechanicsImport', () => {
  it('accepts valid imports, refuses broken ones, survives hostile ones', async () => {
    await fuzzUpsert('BiomechanicsImport', validBiomechanics, biomechanicsBreakers);
  });
});

// ---------------------------------------------------------------------------------------
// upsertSynchronization

const syncTimes = [
  'bioLeftSyncTime',
  'bioRightSyncTime',
  'alignedSyncTime',
  'consensusTime',
  'rmsTime',
  'onsetTime',
  'freqTime',
  'audioVisualSyncTime',
  'audioVisualSyncTimeContralateral',
  'syncDuration',
  'meanCycleDurationS',
  'medianCycleDurationS',
  'minCycleDurationS',
  'maxCycleDurationS',
  'methodAgreementSpan',
  'syncFileSizeMb',
];

/** Valid synchronizations of AOA 1001's left walk (a pass and speed) or left fe (neither). */
const validSync = (): fc.Arbitrary<Plain> =>
  fc
    .record({
      walk: fc.boolean(),
      passNumber: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: INT4_MAX })),
      speed: fc.constantFrom(...SPEEDS),
      times: fc.tuple(...syncTimes.map(() => optional(nonNegativeDouble))),
      bioSyncOffset: optional(anyFiniteDouble),
      stomp: optional(fc.subarray(['audio', 'consensus', 'biomechanics'])),
      bioSelected: fc.tuple(nonNegativeDouble, nonNegativeDouble),
      audioSelected: fc.tuple(nonNegativeDouble, nonNegativeDouble),
      audioLeftRight: fc.tuple(optional(nonNegativeDouble), optional(nonNegativeDouble), anyFiniteDouble),
      syncMethod: optional(fc.constantFrom('consensus', 'biomechanics')),
      consensusMethods: optional(storableText({ max: 100 })),
      selectedStompMethod: optional(fc.constantFrom('audio', 'consensus', 'biomechanics')),
      syncFileName: optional(storableText({ max: 255 })),
      syncFilePath: optional(storableText({ max: 500 })),
      syncFileChecksum: optional(sha256Hex),
      syncFileModified: optional(isoDateTime),
      counts: fc.tuple(...[1, 2, 3].map(() => fc.option(int4, { nil: undefined }))),
      syncQcFail: fc.option(fc.boolean(), { nil: undefined }),
      syncQcNotes: optional(storableText({ max: 200 })),
      processingStatus: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
    })
    .map(
      ({
        walk,
        passNumber,
        speed,
        times,
        stomp: methods,
        bioSelected,
        audioSelected,
        audioLeftRight,
        counts,
        ...s
      }) => {
        const [left, right, offset] = audioLeftRight;
        const stomp = methods ?? [];
        return defined({
          study: 'AOA',
          participantNumber: 1001,
          audioProcessingId: walk ? p.walkAudioId : p.feAudioId,
          biomechanicsImportId: walk ? p.walkBioId : p.feBioId,
          knee: 'left',
          maneuver: walk ? 'walk' : 'fe',
          passNumber: walk ? passNumber : undefined,
          speed: walk ? speed : undefined,
          ...s,
          ...Object.fromEntries(syncTimes.map((f, i) => [f, times[i]])),
          stompDetectionMethods: methods,
          ...(stomp.includes('biomechanics')
            ? { bioSelectedSyncTime: bioSelected[0], contraBioSelectedSyncTime: bioSelected[1] }
            : {}),
          ...(stomp.includes('audio')
            ? { selectedAudioSyncTime: audioSelected[0], contraSelectedAudioSyncTime: audioSelected[1] }
            : {}),
          audioSyncTimeLeft: left,
          audioSyncTimeRight: right,
          // Both sides given ⇒ the offset is required.
          audioSyncOffset:
            left !== undefined && left !== null && right !== undefined && right !== null ? offset : undefined,
          totalCyclesExtracted: counts[0],
          cleanCycles: counts[1],
          outlierCycles: counts[2],
        });
      },
    );

const syncBreakers = (): Breaker[] => {
  // The left walk's and the left fe's recordings.
  const walk = { audioProcessingId: p.walkAudioId, biomechanicsImportId: p.walkBioId, maneuver: 'walk' };
  const fe = { audioProcessingId: p.feAudioId, biomechanicsImportId: p.feBioId, maneuver: 'fe' };
  return [
    ...['bioLeftSyncTime', 'consensusTime', 'syncDuration', 'meanCycleDurationS', 'syncFileSizeMb'].map(negative),
    negative('totalCyclesExtracted'),
    notInt('cleanCycles'),
    notFloat('rmsTime'),
    together('bioSelectedSyncTime', {
      stompDetectionMethods: ['biomechanics'],
      bioSelectedSyncTime: null,
      contraBioSelectedSyncTime: 1,
    }),
    together('contraBioSelectedSyncTime', {
      stompDetectionMethods: ['consensus', 'biomechanics'],
      bioSelectedSyncTime: 1,
      contraBioSelectedSyncTime: undefined,
    }),
    together('selectedAudioSyncTime', {
      stompDetectionMethods: ['audio'],
      selectedAudioSyncTime: undefined,
      contraSelectedAudioSyncTime: 2,
    }),
    together('audioSyncOffset', { audioSyncTimeLeft: 1, audioSyncTimeRight: 2, audioSyncOffset: null }),
    together('passNumber', { ...walk, passNumber: null, speed: 'slow' }),
    together('speed', { ...walk, passNumber: 2, speed: undefined }),
    together('speed', { ...fe, passNumber: undefined, speed: 'fast' }),
    fc.constantFrom(0, -3).chain((n) => together('passNumber', { ...walk, passNumber: n, speed: 'slow' })),
    together('audioProcessingId', { audioProcessingId: p.otherAudioId }),
    together('biomechanicsImportId', { biomechanicsImportId: p.otherBioId }),
    together('knee', { knee: 'right' }),
    breakWith('audioProcessingId', fc.oneof(fc.integer({ min: 1_000_000_000, max: INT4_MAX }), fc.constantFrom(0, -1))),
    notInt('biomechanicsImportId'),
    tooLong('consensusMethods', 100),
    tooLong('syncFileName', 255),
    tooLong('syncFilePath', 500),
    breakWith('syncFileChecksum', badChecksum),
    badEnum('syncMethod'),
    badEnum('selectedStompMethod'),
    breakWith(
      'stompDetectionMethods',
      notInVocabulary.map((s) => ['audio', s]),
    ),
    breakWith('syncQcNotes', unstorableText),
    breakWith('consensusMethods', unstorableText),
    unknownParticipant,
  ];
};

describe('upsertSynchronization', () => {
  it('accepts valid synchronizations, refuses broken ones, survives hostile ones', async () => {
    await fuzzUpsert('Synchronization', validSync(), syncBreakers());
  });
});

// ---------------------------------------------------------------------------------------
// upsertMovementCycles

/** One valid cycle; `home` decides its parents (a synchronization, fe audio alone, or a walk with no sync). */
const validCycle = (home: 'sync' | 'fe' | 'loose', index: number): fc.Arbitrary<Plain> =>
  fc
    .record({
      withBio: fc.boolean(),
      passNumber: fc.integer({ min: 1, max: INT4_MAX }),
      speed: fc.constantFrom(...SPEEDS),
      cycleFile: storableText({ min: 1, max: 255 }),
      isOutlier: fc.option(fc.boolean(), { nil: undefined }),
      times: fc.tuple(nonNegativeDouble, nonNegativeDouble),
      durationS: nonNegativeDouble,
      audio: fc.tuple(isoDateTime, isoDateTime),
      bio: fc.tuple(isoDateTime, isoDateTime),
      biomechanicsQcFail: fc.option(fc.boolean(), { nil: undefined }),
      syncQcFail: fc.option(fc.boolean(), { nil: undefined }),
      biomechanicsQcVersion: optional(storableText({ max: 20 })),
      syncQcVersion: optional(storableText({ max: 20 })),
      cycleFilePath: optional(storableText({ max: 500 })),
      cycleFileChecksum: optional(sha256Hex),
      cycleFileSizeMb: optional(nonNegativeDouble),
      cycleFileModified: optional(isoDateTime),
      processingStatus: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      errorMessage: optional(storableText({ max: 100 })),
    })
    .map(({ withBio: bioWanted, passNumber, speed, times, audio, bio, ...x }) => {
      const [a, b] = times;
      const withBio = home !== 'fe' && bioWanted;
      return defined({
        study: 'AOA',
        participantNumber: 1001,
        cycleIndex: index,
        audioProcessingId: home === 'fe' ? p.feAudioId : p.walkAudioId,
        synchronizationId: home === 'sync' ? p.slowSyncId : undefined,
        biomechanicsImportId: withBio ? p.walkBioId : undefined,
        knee: 'left',
        maneuver: home === 'fe' ? 'fe' : 'walk',
        passNumber: home === 'sync' ? 1 : home === 'loose' ? passNumber : undefined,
        speed: home === 'sync' ? 'slow' : home === 'loose' ? speed : undefined,
        ...x,
        startTimeS: Math.min(a, b),
        endTimeS: Math.max(a, b),
        audioStartTime: audio[0],
        audioEndTime: audio[1],
        bioStartTime: withBio ? bio[0] : undefined,
        bioEndTime: withBio ? bio[1] : undefined,
      });
    });

/**
 * A batch of 1–12 valid cycles of one home with distinct indexes. In one batch, a "loose"
 * walk home uses one pass and speed for all, so that index uniqueness is what keys differ by.
 */
const validCycleBatch: fc.Arbitrary<Plain[]> = fc
  .tuple(
    fc.constantFrom('sync', 'fe', 'loose') as fc.Arbitrary<'sync' | 'fe' | 'loose'>,
    fc.uniqueArray(int4, { minLength: 1, maxLength: 12 }),
  )
  .chain(([home, indexes]) => fc.tuple(...indexes.map((i) => validCycle(home, i))))
  .map((batch) =>
    batch[0].maneuver === 'walk' && !batch[0].synchronizationId
      ? batch.map((c) => ({ ...c, passNumber: batch[0].passNumber, speed: batch[0].speed }))
      : batch,
  );

const cycleBreakers = (): Breaker[] => {
  // The left walk's audio, alone or with its slow pass-1 synchronization.
  const walk = { audioProcessingId: p.walkAudioId, maneuver: 'walk' };
  const slowSync = { ...walk, biomechanicsImportId: undefined, synchronizationId: p.slowSyncId };
  return [
    fc
      .tuple(positiveDouble, positiveDouble)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => ({
        field: 'endTimeS',
        edit: (o: Plain) => ({ ...o, startTimeS: Math.max(a, b), endTimeS: Math.min(a, b) }),
      })),
    fc.constant({
      field: 'bioStartTime',
      edit: (o: Plain) => ({
        ...o,
        biomechanicsImportId: o.maneuver === 'fe' ? p.feBioId : p.walkBioId,
        bioStartTime: null,
        bioEndTime: '2024-01-01T00:00:00Z',
      }),
    }),
    fc.constant({
      field: 'bioEndTime',
      edit: (o: Plain) => ({
        ...o,
        biomechanicsImportId: o.maneuver === 'fe' ? p.feBioId : p.walkBioId,
        bioStartTime: '2024-01-01T00:00:00Z',
        bioEndTime: undefined,
      }),
    }),
    together('passNumber', { ...slowSync, passNumber: 2, speed: 'slow' }),
    together('speed', { ...slowSync, passNumber: 1, speed: 'fast' }),
    together('synchronizationId', { ...walk, synchronizationId: p.otherSyncId, passNumber: 1, speed: 'slow' }),
    together('knee', { knee: 'right' }),
    together('maneuver', {
      audioProcessingId: p.feAudioId,
      synchronizationId: undefined,
      biomechanicsImportId: undefined,
      bioStartTime: undefined,
      bioEndTime: undefined,
      maneuver: 'sts',
      passNumber: undefined,
      speed: undefined,
    }),
    breakWith('audioProcessingId', fc.integer({ min: 1_000_000_000, max: INT4_MAX })),
    breakWith('cycleFile', fc.constant('')),
    tooLong('cycleFile', 255),
    tooLong('cycleFilePath', 500),
    tooLong('syncQcVersion', 20),
    negative('cycleIndex'),
    notInt('cycleIndex'),
    negative('startTimeS'),
    negative('durationS'),
    notFloat('durationS'),
    negative('cycleFileSizeMb'),
    breakWith('cycleFileChecksum', badChecksum),
    breakWith('audioStartTime', badDateTime),
    required('audioEndTime'),
    badEnum('speed'),
    breakWith('cycleFile', unstorableText),
    breakWith('errorMessage', unstorableText),
  ];
};

/** Every field of MovementCycleInput, as its declarations give them. */
const CYCLE_FIELDS = inputFieldsOf(MovementCycleInput);

describe('upsertMovementCycles', () => {
  it('accepts valid batches, refuses a batch with one broken cycle, survives hostile ones', async () => {
    const brokenBatch = fc.tuple(validCycleBatch, fc.oneof(...cycleBreakers()), fc.nat()).map(([batch, b, n]) => {
      const i = n % batch.length;
      return broken({ inputs: batch.map((cycle, j) => (j === i ? b.edit(cycle) : cycle)) }, b.field, i);
    });
    // The same natural key twice in one batch.
    const duplicated = validCycleBatch.map((batch) =>
      broken({ inputs: [...batch, { ...batch[0], cycleFile: 'again.pkl' }] }, 'cycleIndex', batch.length),
    );
    const hostileBatch = fc
      .tuple(validCycleBatch, fc.nat())
      .chain(([batch, n]) =>
        spoil(batch[n % batch.length], CYCLE_FIELDS).map((bad) =>
          batch.map((cycle, j) => (j === n % batch.length ? bad : cycle)),
        ),
      );
    const arb = cases(
      validCycleBatch.map((inputs) => valid({ inputs })),
      fc.oneof({ weight: 5, arbitrary: brokenBatch }, { weight: 1, arbitrary: duplicated }),
      fc.oneof(
        hostileBatch.map((inputs) => hostile({ inputs })),
        hostileValue.map((inputs) => hostile({ inputs })),
      ),
    );
    const fields = sharedFields(schema, 'MovementCycleInput', 'MovementCycle');
    await fuzz(
      arb,
      'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { count inserted updated ids } }',
      async (k, reply) => {
        const { count, inserted, updated, ids } = reply.data.upsertMovementCycles;
        const sent = Array.isArray(k.vars.inputs) ? k.vars.inputs : [k.vars.inputs];
        expect(count).toBe(sent.length);
        expect(inserted + updated).toBe(count);
        // The whole batch comes back through one page of the read API.
        const read = await send(
          server,
          `query($ids: [Int!]) { movementCycles(filter: { id: $ids }, first: ${MAX_PAGE_SIZE}) { nodes { id ${fields.join(' ')} participant { studyParticipantId study { name } } } } }`,
          { ids },
        );
        const byId = new Map(read.data.movementCycles.nodes.map((n: Plain) => [n.id, n]));
        sent.forEach((cycle: Plain, i: number) => {
          const stored = byId.get(ids[i]) as Plain;
          const diff = differences(expectedRecord(schema, 'MovementCycleInput', fields, cycle), stored);
          if (diff.length)
            throw new Error(`cycle ${ids[i]} (input ${i}) does not read back as written:\n${diff.join('\n')}`);
          expect(stored.participant).toEqual({ studyParticipantId: 1001, study: { name: 'AOA' } });
        });
      },
    );
  });
});

// ---------------------------------------------------------------------------------------
// linkRecordings

describe('linkRecordings', () => {
  const QUERY = `mutation($a: Int, $b: Int) { linkRecordings(audioProcessingId: $a, biomechanicsImportId: $b) {
    audioProcessing { id biomechanicsImportId } biomechanicsImport { id audioProcessingId } } }`;

  it('links and unlinks valid pairs, refuses mismatched ones, survives hostile ids', async () => {
    // AOA 1001's six recording pairs (audio and biomechanics of one knee and maneuver).
    const pairs = (
      await c.query(
        `select a.id a, b.id b from audio_processing a join biomechanics_import b using (participant_id, knee, maneuver)
          where a.participant_id = $1 and a.audio_file_name not like '%retake%' order by a.knee, a.maneuver, a.id, b.id`,
        [p.participantId],
      )
    ).rows.map((r) => ({ a: r.a as number, b: r.b as number }));
    const pair = fc.constantFrom(...pairs);
    const arb = cases(
      fc.oneof(
        pair.map(valid),
        pair.map(({ a }) => valid({ a })),
        pair.map(({ b }) => valid({ b })),
      ),
      fc.oneof(
        fc.constant(broken({}, 'audioProcessingId')),
        fc.constant(broken({ a: null, b: null }, 'audioProcessingId')),
        pair.map(({ a }) => broken({ a, b: p.otherBioId }, 'biomechanicsImportId')),
        fc.constant(broken({ a: p.walkAudioId, b: p.feBioId }, 'biomechanicsImportId')),
        fc.integer({ min: 1_000_000_000, max: INT4_MAX }).map((id) => broken({ a: id }, 'audioProcessingId')),
        fc
          .integer({ min: 1_000_000_000, max: INT4_MAX })
          .map((id) => broken({ a: p.walkAudioId, b: id }, 'biomechanicsImportId')),
        fc.constantFrom(0, -1, -INT4_MAX).map((id) => broken({ b: id }, 'biomechanicsImportId')),
        notAnInt.map((id) => broken({ a: id }, 'a')),
      ),
      pair.chain((x) => spoil(x, ['a', 'b'])).map(hostile),
    );
    await fuzz(arb, QUERY, async (k) => {
      const { a, b } = k.vars as { a?: number; b?: number };
      const read = await send(
        server,
        'query($a: Int!, $b: Int!) { audioProcessing(id: $a) { biomechanicsImportId } biomechanicsImport(id: $b) { audioProcessingId } }',
        {
          a: a ?? pairs[0].a,
          b: b ?? pairs[0].b,
        },
      );
      if (a && b)
        expect(read.data).toEqual({
          audioProcessing: { biomechanicsImportId: b },
          biomechanicsImport: { audioProcessingId: a },
        });
      else if (a) expect(read.data.audioProcessing.biomechanicsImportId).toBeNull();
      else expect(read.data.biomechanicsImport.audioProcessingId).toBeNull();
      // A link is one-to-one: nobody else points at either record.
      const { rows } = await c.query(
        `select (select count(*) from biomechanics_import where audio_processing_id = $1)::int n_a,
                (select count(*) from audio_processing where biomechanics_import_id = $2)::int n_b`,
        [a ?? -1, b ?? -1],
      );
      expect(rows[0]).toEqual({ n_a: a && b ? 1 : 0, n_b: a && b ? 1 : 0 });
    });
  });
});

// ---------------------------------------------------------------------------------------
// Deletes

describe('deletes', () => {
  const COUNTS = '{ study participant audioProcessing biomechanicsImport synchronization movementCycles }';
  const QUERIES = {
    participant: `mutation($study: StudyName!, $number: Int!) { r: deleteParticipant(study: $study, number: $number) ${COUNTS} }`,
    audio: `mutation($id: Int!) { r: deleteAudioProcessing(id: $id) ${COUNTS} }`,
    biomechanics: `mutation($id: Int!) { r: deleteBiomechanicsImport(id: $id) ${COUNTS} }`,
    sync: `mutation($id: Int!) { r: deleteSynchronization(id: $id) ${COUNTS} }`,
    cycles: `mutation($ids: [Int!]!) { r: deleteMovementCycles(ids: $ids) ${COUNTS} }`,
  };
  type Target = keyof typeof QUERIES;
  const TABLE_OF_COUNT: Record<string, string> = {
    study: 'study',
    participant: 'participant',
    audioProcessing: 'audio_processing',
    biomechanicsImport: 'biomechanics_import',
    synchronization: 'synchronization',
    movementCycles: 'movement_cycles',
  };
  let nextNumber = 700_000;

  /** A throwaway SMoCK participant with one fe recording pair, its synchronization and `n` cycles. */
  async function doomed(n: number) {
    const r = ctx.services.records;
    const number = nextNumber++;
    const key = { study: 'SMoCK', participantNumber: number };
    await r.upsertParticipant({ study: StudyName.SMoCK, number });
    const audio = await r.upsertAudioProcessing({
      ...key,
      audioFileName: `doomed'%_\\${number}`,
      deviceSerial: 'x',
      firmwareVersion: 1,
      fileTime: new Date('2024-01-01T00:00:00Z'),
      fileSizeMb: 1,
      recordingDate: new Date('2024-01-01T00:00:00Z'),
      recordingTime: new Date('2024-01-01T10:00:00Z'),
      knee: 'left',
      maneuver: 'fe',
      numChannels: 4,
      mic1Position: 'IPM',
      mic2Position: 'IPL',
      mic3Position: 'SPM',
      mic4Position: 'SPL',
    });
    const bio = await r.upsertBiomechanicsImport({
      ...key,
      biomechanicsFile: 'doomed.xlsx',
      biomechanicsType: 'IMU',
      knee: 'left',
      maneuver: 'fe',
      biomechanicsSyncMethod: 'stomp',
      biomechanicsSampleRate: 100,
      numSubRecordings: 1,
      durationSeconds: 1,
      numDataPoints: 100,
    });
    const sync = await r.upsertSynchronization({
      ...key,
      audioProcessingId: audio.id,
      biomechanicsImportId: bio.id,
      knee: 'left',
      maneuver: 'fe',
    });
    const cycles = await r.upsertMovementCycles(
      Array.from({ length: n }, (_, i) => ({
        ...key,
        audioProcessingId: audio.id,
        synchronizationId: sync.id,
        knee: 'left',
        maneuver: 'fe',
        cycleFile: `c${i}.pkl`,
        cycleIndex: i,
        startTimeS: i,
        endTimeS: i + 1,
        durationS: 1,
        audioStartTime: new Date('2024-01-01T10:00:00Z'),
        audioEndTime: new Date('2024-01-01T10:00:01Z'),
      })),
    );
    return { number, audio: audio.id, bio: bio.id, sync: sync.id, cycles: cycles.ids };
  }

  /** Ids no row has: no hostile delete below may remove the seeded records the other properties use. */
  const absentId = fc.oneof(fc.integer({ min: 1_000_000_000, max: INT4_MAX }), fc.constantFrom(0, -1, -INT4_MAX - 1));
  const hostileId = fc.oneof(
    absentId,
    notAnInt,
    hostileValue.filter((v) => !(typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1_000_000_000)),
  );
  const target = fc.constantFrom(...(Object.keys(QUERIES) as Target[]));

  it('removes exactly the record and its cascade when valid, nothing otherwise, and never fails internally', async () => {
    type DeleteCase =
      { kind: 'doomed'; target: Target; n: number; pick: number[] } | { kind: 'other'; target: Target; k: Case };
    const validDelete = fc
      .record({ target, n: fc.integer({ min: 0, max: 30 }), pick: fc.array(fc.nat(), { maxLength: 8 }) })
      .map((x) => ({ kind: 'doomed' as const, ...x }));
    const otherDelete = fc.oneof(
      fc
        .tuple(fc.constantFrom<Target>('audio', 'biomechanics', 'sync'), absentId)
        .map(([t, id]) => ({ kind: 'other' as const, target: t, k: id > 0 ? valid({ id }) : broken({ id }, 'id') })),
      fc
        .tuple(fc.constantFrom<Target>('audio', 'biomechanics', 'sync'), hostileId)
        .map(([t, id]) => ({ kind: 'other' as const, target: t, k: hostile({ id }) })),
      fc.array(absentId, { maxLength: 5 }).map((ids) => ({
        kind: 'other' as const,
        target: 'cycles' as Target,
        k: ids.some((i) => i <= 0) ? broken({ ids }, 'ids') : valid({ ids }),
      })),
      fc
        .oneof(fc.array(hostileId, { minLength: 1, maxLength: 4 }), hostileId)
        .map((ids) => ({ kind: 'other' as const, target: 'cycles' as Target, k: hostile({ ids }) })),
      fc.constant({
        kind: 'other' as const,
        target: 'cycles' as Target,
        k: broken({ ids: Array.from({ length: 10_001 }, (_, i) => 1_000_000_000 + i) }, 'ids'),
      }),
      fc
        .record({ study: fc.constantFrom(...STUDIES), number: fc.integer({ min: 800_000_000, max: INT4_MAX }) })
        .map((v) => ({ kind: 'other' as const, target: 'participant' as Target, k: valid(v) })),
      fc
        .record({
          study: fc.oneof(notInVocabulary, fc.constantFrom(...STUDIES)),
          number: fc.oneof(negativeNumber, notAnInt, hostileValue),
        })
        .filter((v) => !(typeof v.number === 'number' && Number.isInteger(v.number) && v.number >= 0))
        .map((v) => ({ kind: 'other' as const, target: 'participant' as Target, k: hostile(v) })),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(validDelete, otherDelete) as fc.Arbitrary<DeleteCase>, async (d) => {
        if (d.kind === 'other') {
          // Nothing these can name exists: accepted or not, no row changes.
          await judge(
            QUERIES[d.target],
            d.k,
            async (reply) => {
              expect(Object.values(reply.data.r).every((n) => n === 0)).toBe(true);
            },
            TOKENS.admin,
          );
          return;
        }
        const rec = await doomed(d.n);
        const picked = [
          ...new Set(d.pick.map((i) => rec.cycles[i % Math.max(rec.cycles.length, 1)]).filter((x) => x !== undefined)),
        ];
        const vars: Record<Target, Plain> = {
          participant: { study: 'SMoCK', number: rec.number },
          audio: { id: rec.audio },
          biomechanics: { id: rec.bio },
          sync: { id: rec.sync },
          cycles: { ids: picked },
        };
        const expected: Record<Target, Record<string, number>> = {
          participant: {
            participant: 1,
            audioProcessing: 1,
            biomechanicsImport: 1,
            synchronization: 1,
            movementCycles: d.n,
          },
          audio: { audioProcessing: 1, synchronization: 1, movementCycles: d.n },
          biomechanics: { biomechanicsImport: 1, synchronization: 1, movementCycles: d.n },
          sync: { synchronization: 1, movementCycles: d.n },
          cycles: { movementCycles: picked.length },
        };
        const before = await rowCounts(c);
        const reply = await send(server, QUERIES[d.target], vars[d.target], TOKENS.admin);
        expect(reply.errors).toBeUndefined();
        const want = {
          study: 0,
          participant: 0,
          audioProcessing: 0,
          biomechanicsImport: 0,
          synchronization: 0,
          movementCycles: 0,
          ...expected[d.target],
        };
        expect(reply.data.r).toEqual(want);
        // What the mutation reports is what left the tables.
        const after = await rowCounts(c);
        for (const [field, n] of Object.entries(want))
          expect(before[TABLE_OF_COUNT[field]] - after[TABLE_OF_COUNT[field]]).toBe(n);
        // And the read API no longer finds it (nor, through cascades, what hung from it).
        const read = await send(
          server,
          `query($a: Int!, $b: Int!, $s: Int!, $n: Int!, $ids: [Int!]) {
          participant(study: SMoCK, number: $n) { id } audioProcessing(id: $a) { id } biomechanicsImport(id: $b) { id } synchronization(id: $s) { id }
          movementCycles(filter: { id: $ids }) { totalCount } }`,
          { a: rec.audio, b: rec.bio, s: rec.sync, n: rec.number, ids: rec.cycles },
        );
        expect({
          participant: !!read.data.participant,
          audio: !!read.data.audioProcessing,
          bio: !!read.data.biomechanicsImport,
          sync: !!read.data.synchronization,
          cycles: read.data.movementCycles.totalCount,
        }).toEqual({
          participant: d.target !== 'participant',
          audio: !['participant', 'audio'].includes(d.target),
          bio: !['participant', 'biomechanics'].includes(d.target),
          sync: d.target === 'cycles',
          cycles: d.target === 'cycles' ? d.n - picked.length : 0,
        });
      }),
      fuzzParameters(),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Admin mutations

describe('admin mutations', () => {
  it('refuse hostile arguments without changing anything', async () => {
    const known = (await c.query('select name from mikro_orm_migrations')).rows.map((r) => r.name as string);
    /** Text naming no migration and no relative target: nothing may be migrated or rolled back. */
    const notATarget = hostileText.filter(
      (s) => s !== 'head' && s !== 'base' && !/^[+-]\d+$/.test(s) && !known.some((n) => n.startsWith(s)),
    );
    const arb = fc.oneof(
      notATarget.map((to) => ({ q: 'mutation($to: String!) { migrate(to: $to) { migrations } }', k: broken({ to }) })),
      fc.oneof(notAnInt, fc.constantFrom(0, -1, -INT4_MAX - 1, INT4_MAX)).map((steps) => ({
        q: 'mutation($steps: Int) { rollback(steps: $steps) { migrations } }',
        k: hostile({ steps }),
      })),
      fc.tuple(notATarget, fc.option(hostileText)).map(([to, confirm]) => ({
        q: 'mutation($to: String, $confirm: String) { rollback(to: $to, confirm: $confirm) { migrations } }',
        k: hostile({ to, confirm }),
      })),
      fc.tuple(fc.integer({ min: 1, max: 5 }), notATarget).map(([steps, to]) => ({
        q: 'mutation($steps: Int, $to: String) { rollback(steps: $steps, to: $to) { migrations } }',
        k: broken({ steps, to }),
      })),
      hostileValue
        .filter((v) => v !== 'DELETE ALL DATA')
        .map((confirm) => ({
          q: 'mutation($confirm: String!) { resetDatabase(confirm: $confirm) { study } }',
          k: hostile({ confirm }),
        })),
      fc
        .record({
          n: fc.oneof(
            fc.constantFrom(0, -1, 5001, INT4_MAX, -INT4_MAX - 1),
            notAnInt,
            hostileValue.filter((v) => !(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5000)),
          ),
          seed: fc.oneof(fc.constant(undefined), fc.integer(), notAnInt),
          studies: fc.oneof(
            fc.constant(undefined),
            fc.array(fc.oneof(fc.constantFrom(...STUDIES), notInVocabulary), { maxLength: 3 }),
          ),
        })
        .map((v) => ({
          q: 'mutation($n: Int!, $seed: Int, $studies: [StudyName!]) { seedSampleData(participantsPerStudy: $n, seed: $seed, studies: $studies) { study } }',
          k: hostile(defined(v)),
        })),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ q, k }) => {
        const before = await tableChecksums(c);
        await judge(
          q,
          { ...k, expect: k.expect === 'reject' ? 'reject' : 'either' },
          async () => {
            // Accepted only as a no-op (rollback of 0 steps): still nothing changed.
            expect(await tableChecksums(c)).toEqual(before);
          },
          TOKENS.admin,
        );
      }),
      fuzzParameters(),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Reads

describe('reads with hostile arguments', () => {
  const LISTS = [
    { list: 'participants', filter: 'ParticipantFilter', order: 'ParticipantOrder', field: 'ParticipantOrderField' },
    {
      list: 'audioProcessings',
      filter: 'AudioProcessingFilter',
      order: 'AudioProcessingOrder',
      field: 'AudioProcessingOrderField',
    },
    {
      list: 'biomechanicsImports',
      filter: 'BiomechanicsImportFilter',
      order: 'BiomechanicsImportOrder',
      field: 'BiomechanicsImportOrderField',
    },
    {
      list: 'synchronizations',
      filter: 'SynchronizationFilter',
      order: 'SynchronizationOrder',
      field: 'SynchronizationOrderField',
    },
    {
      list: 'movementCycles',
      filter: 'MovementCycleFilter',
      order: 'MovementCycleOrder',
      field: 'MovementCycleOrderField',
    },
  ];
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const READ_REFUSALS = new Set([
    'BAD_USER_INPUT',
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    'BAD_REQUEST',
    'QUERY_TOO_COMPLEX',
  ]);

  const b64 = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
  const orderFields = (type: string) =>
    (schema.getType(type) as any).getValues().map((v: { name: string }) => v.name) as string[];
  const filterFields = (type: string) =>
    Object.entries((schema.getType(type) as any).getFields()) as [string, { type: any }][];

  /** A value for one filter field: mostly of its own shape, hostile now and then. */
  function filterValue(type: any): fc.Arbitrary<unknown> {
    const named = type.ofType ? (type.ofType.ofType ?? type.ofType) : type;
    const name = String(named);
    const own: fc.Arbitrary<unknown> =
      name === 'Int'
        ? fc.oneof(
            fc.integer({ min: -5, max: 3000 }),
            fc.array(fc.integer({ min: -5, max: 3000 }), { maxLength: 3 }),
            notAnInt,
          )
        : name === 'Boolean'
          ? fc.boolean()
          : name === 'FloatRange'
            ? fc.record({ min: optional(anyFiniteDouble), max: optional(anyFiniteDouble) }, { requiredKeys: [] })
            : name === 'DateTimeRange'
              ? fc.record(
                  {
                    from: optional(fc.oneof(isoDateTime, fc.constantFrom('2024-02-30T00:00:00Z'))),
                    to: optional(isoDateTime),
                  },
                  { requiredKeys: [] },
                )
              : fc.oneof(
                  fc.constantFrom(...(schema.getType(name) as any).getValues().map((v: { name: string }) => v.name)),
                  notInVocabulary,
                );
    return fc.oneof({ weight: 4, arbitrary: own }, { weight: 1, arbitrary: hostileValue });
  }

  /** Cursors: real ones of the list, garbage, and well-formed payloads carrying hostile values. */
  function cursor(list: string, order: { field: string; direction?: string }[] | undefined): fc.Arbitrary<unknown> {
    const signature = [
      ...(order ?? []).map((o) => `${o.field} ${o.direction ?? 'ASC'}`),
      ...((order ?? []).some((o) => o.field === 'id') ? [] : [`id ${order?.at(-1)?.direction ?? 'ASC'}`]),
    ].join(', ');
    const keyValue = fc.oneof(
      hostileValue,
      unstorableText,
      veryLongText,
      fc.constantFrom(
        '2024-02-30 00:00:00',
        '99999-01-01 00:00:00',
        '2024-13-45 99:99:99.1234567',
        '2024-01-01 00:00:00+99:99',
        'infinity',
      ),
      fc.constantFrom(1.5, 1e300, -1e300, 2 ** 31, -(2 ** 31) - 1, 2 ** 63),
    );
    const n = signature.split(', ').length;
    return fc.oneof(
      hostileText,
      fc.constantFrom(
        '',
        '=',
        'e30',
        'AAAA',
        b64('null'),
        b64('[]'),
        b64({}),
        b64({ list, order: signature }),
        b64({ list: 'studies', order: signature, values: [1] }),
      ),
      fc.array(keyValue, { minLength: n, maxLength: n }).map((values) => b64({ list, order: signature, values })),
      fc.array(keyValue, { minLength: 0, maxLength: n + 1 }).map((values) => b64({ list, order: signature, values })),
    );
  }

  it('lists: filters, page sizes, cursors and orders never cause an internal or SQL error', async () => {
    const arb = fc.constantFrom(...LISTS).chain((l) => {
      const fields = filterFields(l.filter);
      const order = fc.option(
        fc.array(
          fc.record(
            {
              field: fc.oneof(
                { weight: 5, arbitrary: fc.constantFrom(...orderFields(l.field)) },
                { weight: 1, arbitrary: notInVocabulary },
              ),
              direction: fc.option(fc.oneof(fc.constantFrom('ASC', 'DESC'), notInVocabulary), { nil: undefined }),
            },
            { requiredKeys: ['field'] },
          ),
          { maxLength: 3 },
        ),
        { nil: undefined },
      );
      return fc
        .record({
          l: fc.constant(l),
          filter: fc.option(
            fc
              .tuple(
                ...fields.map(([f, def]) =>
                  fc.option(filterValue(def.type), { nil: undefined, freq: 3 }).map((v) => [f, v] as const),
                ),
              )
              .map((kv) => defined(Object.fromEntries(kv))),
            { nil: undefined },
          ),
          first: fc.option(
            fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(-1, MAX_PAGE_SIZE + 1, INT4_MAX), notAnInt),
            { nil: undefined },
          ),
          order,
        })
        .chain((x) =>
          fc.record({
            x: fc.constant(x),
            after: fc.option(cursor(l.list, x.order as any), { nil: undefined, freq: 2 }),
          }),
        );
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ x, after }) => {
        const query = `query($f: ${x.l.filter}, $first: Int, $after: String, $o: [${x.l.order}!]) { r: ${x.l.list}(filter: $f, first: $first, after: $after, orderBy: $o) { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }`;
        const reply = await send(server, query, defined({ f: x.filter, first: x.first, after, o: x.order }));
        for (const code of reply.codes) expect(READ_REFUSALS).toContain(code);
        // Rules that apply, whatever else was sent: a page size out of range or a cursor this API never issued.
        const badFirst =
          typeof x.first === 'number' && Number.isInteger(x.first) && (x.first < 0 || x.first > MAX_PAGE_SIZE);
        if (badFirst) expect([...new Set(reply.codes)]).toEqual(['BAD_USER_INPUT']);
        if (typeof after === 'string' && !reply.errors) {
          // Accepted: the cursor must have decoded to values of the right list and order.
          const payload = JSON.parse(Buffer.from(after, 'base64url').toString());
          expect(payload.list).toBe(x.l.list);
        }
        if (!reply.errors && reply.data.r.pageInfo.hasNextPage) {
          // A cursor the API issued always works for the next page.
          const next = await send(
            server,
            query,
            defined({ f: x.filter, first: x.first, after: reply.data.r.pageInfo.endCursor, o: x.order }),
          );
          expect(next.errors).toBeUndefined();
        }
      }),
      fuzzParameters(),
    );
  });

  it('a well-formed cursor carrying values its columns cannot hold is BAD_USER_INPUT, never an SQL error', async () => {
    const KIND: Record<string, RecordKind> = {
      participants: 'participant',
      audioProcessings: 'audioProcessing',
      biomechanicsImports: 'biomechanicsImport',
      synchronizations: 'synchronization',
      movementCycles: 'movementCycle',
    };
    const keyValue = fc.oneof(
      fc.integer({ min: -5, max: 5000 }),
      fc.constantFrom(1.5, -0.5, 1e10, 2 ** 31, -(2 ** 31) - 1, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE),
      anyFiniteDouble,
      fc.boolean(),
      fc.constant(null),
      storableText({ max: 40 }),
      unstorableText,
      fc.constant('é'.repeat(1001)),
      fc.constantFrom(
        '2024-03-05 09:30:00.123456+00',
        '2024-03-05 09:30:00',
        '2024-02-29 00:00:00',
        '2023-02-29 00:00:00',
        '2024-02-30 00:00:00',
        '2024-13-45 99:99:99',
        '2024-01-01 24:00:00',
        '0000-01-01 00:00:00',
        '99999-01-01 00:00:00',
        '2024-01-01 00:00:00+16',
        '2024-01-01 00:00:00.1234567',
        '2024-03-05T09:30:00Z',
        'infinity',
        'yesterday',
      ),
    );
    const arb = fc.constantFrom(...LISTS).chain((l) =>
      fc.record({
        l: fc.constant(l),
        order: fc.uniqueArray(fc.constantFrom(...orderFields(l.field)), { minLength: 1, maxLength: 2 }),
        desc: fc.boolean(),
        values: fc.array(keyValue, { minLength: 3, maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ l, order, desc, values }) => {
        const model = ctx.services.read.model(KIND[l.list]);
        const fields = order.includes('id') ? order.slice(0, order.indexOf('id') + 1) : [...order, 'id'];
        const direction = desc ? 'DESC' : 'ASC';
        const keys = fields.map((f) => model.fields.get(f)!);
        const sent = keys.map((_, i) => values[i]);
        const after = Buffer.from(
          JSON.stringify({ list: l.list, order: fields.map((f) => `${f} ${direction}`).join(', '), values: sent }),
        ).toString('base64url');
        const reply = await send(
          server,
          `query($after: String, $o: [${l.order}!]) { r: ${l.list}(after: $after, orderBy: $o) { nodes { id } } }`,
          {
            after,
            o: order.map((field) => ({ field, direction })),
          },
        );
        for (const code of reply.codes) expect(code).toBe('BAD_USER_INPUT');
        // PostgreSQL itself says which values its columns can take: one it refuses must be refused as a bad cursor.
        const cast = (k: (typeof keys)[number]) =>
          k.type === 'date'
            ? k.value
            : k.type === 'number'
              ? k.integer
                ? 'int'
                : 'float8'
              : k.type === 'boolean'
                ? 'boolean'
                : 'text';
        for (const [i, k] of keys.entries()) {
          const v = sent[i];
          const pgTakes = await c.query(`select $1::${cast(k)}`, [v]).then(
            () => true,
            () => false,
          );
          if (!pgTakes) expect(reply.codes).toEqual(['BAD_USER_INPUT']);
        }
      }),
      fuzzParameters(),
    );
  });

  it('a hostile cursor or page size is BAD_USER_INPUT, as a variable or written into the query', async () => {
    const arb = fc.record({
      l: fc.constantFrom(...LISTS),
      after: fc.oneof(
        hostileText.filter((s) => s.length > 0),
        fc.constantFrom('AAAA', b64('null'), b64({ list: 'x', order: 'id ASC', values: [1] })),
      ),
      inline: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ l, after, inline }) => {
        const reply = inline
          ? await send(server, `{ r: ${l.list}(after: ${JSON.stringify(after)}) { nodes { id } } }`, {})
          : await send(server, `query($after: String) { r: ${l.list}(after: $after) { nodes { id } } }`, { after });
        // A literal GraphQL cannot parse (a lone surrogate escape) fails parsing; everything else is a refused cursor.
        if (reply.codes[0] === 'GRAPHQL_PARSE_FAILED') expect(inline && LONE_SURROGATE.test(after)).toBe(true);
        else expect(reply.codes).toEqual(['BAD_USER_INPUT']);
      }),
      fuzzParameters(),
    );
  });

  it('lookups by key and id: hostile study names, numbers and ids', async () => {
    const arb = fc.oneof(
      fc
        .record({
          s: fc.oneof(fc.constantFrom(...STUDIES), notInVocabulary, hostileValue),
          n: fc.oneof(int4, negativeNumber, notAnInt, hostileValue),
        })
        .map((v) => ({
          q: 'query($s: StudyName!, $n: Int!) { participant(study: $s, number: $n) { id } study(name: $s) { name } }',
          v,
        })),
      fc
        .record({
          id: fc.oneof(fc.integer({ min: -5, max: 5000 }), notAnInt, hostileValue),
          kind: fc.constantFrom('audioProcessing', 'biomechanicsImport', 'synchronization', 'movementCycle'),
        })
        .map(({ id, kind }) => ({ q: `query($id: Int!) { r: ${kind}(id: $id) { id } }`, v: { id } })),
      fc
        .record({
          f: fc.oneof(hostileValue, fc.record({ maneuver: fc.oneof(fc.constantFrom(...MANEUVERS), notInVocabulary) })),
        })
        .map((v) => ({ q: 'query($f: AudioProcessingFilter) { audioQcSummary(filter: $f) { failedQc } }', v })),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ q, v }) => {
        const reply = await send(server, q, v);
        for (const code of reply.codes) expect(READ_REFUSALS).toContain(code);
        // Out-of-range ids and numbers are the caller's mistake, reported as such.
        const ints = Object.values(v).filter((x): x is number => typeof x === 'number' && Number.isInteger(x));
        if (ints.some((x) => x < 0)) expect(reply.codes.length).toBeGreaterThan(0);
      }),
      fuzzParameters(),
    );
  });
});
