/**
 * Every relationship field, in both directions, against the foreign keys in the
 * database; relationship lists take filters and orderings; `…Intervals` mirror the
 * segment arrays.
 */
import { countWireStatements } from './helpers/statements';
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, markers: m } = useReadFixture();
let data: Record<string, { id: number; [field: string]: any }[]>;

const ALL = `{
  studies { id participants { id } }
  participants(first: 10000) { nodes { id studyId study { id }
    audioProcessings { id } biomechanicsImports { id } synchronizations { id } movementCycles { id } } }
  audioProcessings(first: 10000) { nodes { id participantId biomechanicsImportId participant { id } biomechanicsImport { id }
    synchronizations { id } movementCycles { id } } }
  biomechanicsImports(first: 10000) { nodes { id participantId audioProcessingId participant { id } audioProcessing { id }
    synchronizations { id } movementCycles { id } } }
  synchronizations(first: 10000) { nodes { id participantId audioProcessingId biomechanicsImportId participant { id }
    audioProcessing { id } biomechanicsImport { id } movementCycles { id } } }
  movementCycles(first: 10000) { nodes { id participantId audioProcessingId biomechanicsImportId synchronizationId
    participant { id } audioProcessing { id } biomechanicsImport { id } synchronization { id } } }
}`;

beforeAll(async () => {
  const res = await gql.query(ALL);
  expect(res.errors).toBeUndefined();
  data = { studies: res.data.studies };
  for (const list of [
    'participants',
    'audioProcessings',
    'biomechanicsImports',
    'synchronizations',
    'movementCycles',
  ]) {
    data[list] = res.data[list].nodes;
  }
});

const TABLE: Record<string, string> = {
  studies: 'study',
  participants: 'participant',
  audioProcessings: 'audio_processing',
  biomechanicsImports: 'biomechanics_import',
  synchronizations: 'synchronization',
  movementCycles: 'movement_cycles',
};

/**
 * Every foreign key: the child list, the child's field for its parent (its id is that field plus Id),
 * the column, and the parent list, whose rows list their children in a field named like the child
 * list (null: the audio ⟷ biomechanics links, which point at each other and list nothing).
 */
const LINKS: [child: string, field: string, column: string, parent: string | null][] = [
  ['participants', 'study', 'study_id', 'studies'],
  ['audioProcessings', 'participant', 'participant_id', 'participants'],
  ['audioProcessings', 'biomechanicsImport', 'biomechanics_import_id', null],
  ['biomechanicsImports', 'participant', 'participant_id', 'participants'],
  ['biomechanicsImports', 'audioProcessing', 'audio_processing_id', null],
  ['synchronizations', 'participant', 'participant_id', 'participants'],
  ['synchronizations', 'audioProcessing', 'audio_processing_id', 'audioProcessings'],
  ['synchronizations', 'biomechanicsImport', 'biomechanics_import_id', 'biomechanicsImports'],
  ['movementCycles', 'participant', 'participant_id', 'participants'],
  ['movementCycles', 'audioProcessing', 'audio_processing_id', 'audioProcessings'],
  ['movementCycles', 'biomechanicsImport', 'biomechanics_import_id', 'biomechanicsImports'],
  ['movementCycles', 'synchronization', 'synchronization_id', 'synchronizations'],
];
const LISTS = Object.keys(TABLE);

describe('to many: each parent lists exactly the rows whose foreign key points at it, by id', () => {
  const CASES = LINKS.flatMap(([child, , column, parent]) =>
    parent ? [[parent, child, TABLE[child], column]] : [],
  ).sort((a, b) => LISTS.indexOf(a[0]) - LISTS.indexOf(b[0]));
  it.each(CASES)('%s.%s', async (list, field, childTable, fk) => {
    const { rows } = await c.query(
      `select p.id, coalesce(array_agg(ch.id order by ch.id) filter (where ch.id is not null), '{}') as ids
         from ${TABLE[list]} p left join ${childTable} ch on ch.${fk} = p.id group by p.id order by p.id`,
    );
    const got = data[list].map((row) => ({ id: row.id, ids: row[field].map((x: { id: number }) => x.id) }));
    expect(got.sort((a, b) => a.id - b.id)).toEqual(rows);
    expect(rows.some((r) => r.ids.length > 0)).toBe(true);
  });
});

describe('to one: each row points at the parent its foreign key names (null when unset)', () => {
  const CASES = LINKS.map(([child, field, column]) => [child, field, `${field}Id`, column]);
  it.each(CASES)('%s.%s', async (list, field, idField, column) => {
    const { rows } = await c.query(`select id, ${column} as parent from ${TABLE[list]} order by id`);
    const got = data[list].map((row) => ({ id: row.id, parent: row[field]?.id ?? null, idField: row[idField] }));
    expect(got.sort((a, b) => a.id - b.id)).toEqual(rows.map((r) => ({ ...r, idField: r.parent })));
  });

  it('unset optional links are null', () => {
    const audio = data.audioProcessings.find((a) => a.id === m.unlinkedAudio)!;
    expect([audio.biomechanicsImportId, audio.biomechanicsImport]).toEqual([null, null]);
    const cycle = data.movementCycles.find((x) => x.id === m.looseCycle)!;
    expect([cycle.synchronization, cycle.biomechanicsImport, cycle.synchronizationId]).toEqual([null, null, null]);
  });
});

describe('relationship lists take filter and orderBy', () => {
  it('audioProcessing.movementCycles ordered by start time, descending', async () => {
    const res = await gql.query(`{ audioProcessings(first: 3, filter: { maneuver: walk }) { nodes { id
      movementCycles(orderBy: [{ field: startTimeS, direction: DESC }], filter: { isOutlier: false }) { id } } } }`);
    expect(res.errors).toBeUndefined();
    for (const a of res.data.audioProcessings.nodes) {
      const { rows } = await c.query(
        `select id from movement_cycles where audio_processing_id = $1 and not is_outlier order by start_time_s desc, id desc`,
        [a.id],
      );
      expect(rows.length).toBeGreaterThan(5);
      expect(a.movementCycles.map((x: { id: number }) => x.id)).toEqual(rows.map((r) => r.id));
    }
  });

  it('study.participants with a filter and an order', async () => {
    const res = await gql.query(`{ study(name: AOA) {
      empty: participants(filter: { hasSynchronization: false }) { id }
      byNumber: participants(orderBy: [{ field: studyParticipantId, direction: DESC }]) { studyParticipantId } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.study.empty).toEqual([{ id: m.emptyParticipant }]);
    expect(res.data.study.byNumber.map((p: { studyParticipantId: number }) => p.studyParticipantId)).toEqual([
      1999, 1002, 1001,
    ]);
  });

  it('two differently filtered lists of the same relation in one query stay apart', async () => {
    const res = await gql.query(`{ synchronizations(first: 5, filter: { maneuver: walk }) { nodes { id
      outliers: movementCycles(filter: { isOutlier: true }) { id isOutlier }
      clean: movementCycles(filter: { isOutlier: false }) { id isOutlier } } } }`);
    expect(res.errors).toBeUndefined();
    for (const y of res.data.synchronizations.nodes) {
      const { rows } = await c.query(
        `select id, is_outlier from movement_cycles where synchronization_id = $1 order by id`,
        [y.id],
      );
      expect(y.outliers.map((x: { id: number }) => x.id)).toEqual(rows.filter((r) => r.is_outlier).map((r) => r.id));
      expect(y.clean.map((x: { id: number }) => x.id)).toEqual(rows.filter((r) => !r.is_outlier).map((r) => r.id));
    }
  });
});

describe('…Intervals', () => {
  it('mirror the segment arrays as { start end duration }, and are null where the array is', async () => {
    const { result, statements } = await countWireStatements(() =>
      gql.query(`{
      failing: audioProcessing(id: ${m.channel3Audio}) { qcFailIntervalsCh3 { start end duration } qcArtifactIntervalsCh3 { start end duration } qcFailIntervalsCh1 { start } }
      retake: audioProcessing(id: ${m.unsyncedAudio}) { qcFailIntervals { start } qcSignalDropoutIntervalsCh2 { start } } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.failing).toEqual({
      qcFailIntervalsCh3: [
        { start: 1, end: 2.5, duration: 1.5 },
        { start: 4, end: 4.25, duration: 0.25 },
      ],
      qcArtifactIntervalsCh3: [{ start: 4, end: 4.25, duration: 0.25 }],
      qcFailIntervalsCh1: [],
    });
    expect(result.data.retake).toEqual({ qcFailIntervals: null, qcSignalDropoutIntervalsCh2: null });
    // Both lookups are one statement, reading the segment columns the intervals need.
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/"qc_fail_segments_ch3"/);
    expect(statements[0]).toMatch(/"qc_signal_dropout_segments_ch2"/);
    expect(statements[0]).not.toMatch(/"qc_artifact_segments_ch1"/);
  });
});
