/**
 * The workloads, written once as field lists and spelled three ways from them: a query for
 * this API, the equivalent query for PostGraphile's schema, and one SQL statement for the
 * floor. Every spelling returns the same JSON shape (after `canonical()`), which the
 * harness checks before it times anything.
 */

/** This API's fields not named after their column (PostGraphile names every field after its column). */
const COLUMN_OF: Record<string, string> = { participantNumber: 'study_participant_id' };

/** GraphQL field name → SQL column: camelCase of the column, but for COLUMN_OF. */
export const column = (field: string) => COLUMN_OF[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One level of a nested read: its table, the scalar fields, and at most one child list. */
export interface Level {
  table: string;
  fields: string[];
  /** SQL ordering of this level's rows (by id unless told). */
  orderBy?: string;
  child?: { field: string; postgraphileField: string; foreignKey: string; level: Level };
}

/** Where a cycle lies in its recording: start, end and length in seconds, and the audio clock's start and end. */
const CYCLE_TIMING = ['startTimeS', 'endTimeS', 'durationS', 'audioStartTime', 'audioEndTime'];

/** An audio record's QC verdict: failed overall and per channel, and the failing segments overall. */
const AUDIO_QC_VERDICT = [
  'audioQcFail',
  'audioQcFailCh1',
  'audioQcFailCh2',
  'audioQcFailCh3',
  'audioQcFailCh4',
  'qcFailSegments',
];

const CYCLE_W1 = [
  'id',
  'cycleIndex',
  'isOutlier',
  ...CYCLE_TIMING,
  'cycleFile',
  'cycleFileChecksum',
  'biomechanicsQcFail',
];
const SYNC_W1 = [
  'id',
  'passNumber',
  'speed',
  'consensusTime',
  'audioSyncOffset',
  'syncMethod',
  'totalCyclesExtracted',
  'cleanCycles',
  'outlierCycles',
  'meanCycleDurationS',
  'syncQcFail',
];
const AUDIO_W1 = [
  'id',
  'knee',
  'maneuver',
  'audioFileName',
  'recordingTime',
  'durationSeconds',
  'sampleRate',
  ...AUDIO_QC_VERDICT,
  'processingStatus',
];

/** W1: all studies → participants → audioProcessings → synchronizations → movementCycles (40 scalar fields). */
export const W1_TREE: Level = {
  table: 'study',
  fields: ['id', 'name'],
  orderBy: 'name',
  child: {
    field: 'participants',
    postgraphileField: 'participantsByStudyId',
    foreignKey: 'study_id',
    level: {
      table: 'participant',
      fields: ['id', 'participantNumber'],
      child: {
        field: 'audioProcessings',
        postgraphileField: 'audioProcessingsByParticipantId',
        foreignKey: 'participant_id',
        level: {
          table: 'audio_processing',
          fields: AUDIO_W1,
          child: {
            field: 'synchronizations',
            postgraphileField: 'synchronizationsByAudioProcessingId',
            foreignKey: 'audio_processing_id',
            level: {
              table: 'synchronization',
              fields: SYNC_W1,
              child: {
                field: 'movementCycles',
                postgraphileField: 'movementCyclesBySynchronizationId',
                foreignKey: 'synchronization_id',
                level: { table: 'movement_cycles', fields: CYCLE_W1 },
              },
            },
          },
        },
      },
    },
  },
};

/** W2: the columns a notebook pulls for each clean walk cycle. */
export const W2_FIELDS = [
  'id',
  'participantId',
  'audioProcessingId',
  'synchronizationId',
  'knee',
  'maneuver',
  'passNumber',
  'speed',
  'cycleIndex',
  'isOutlier',
  ...CYCLE_TIMING,
  'biomechanicsQcFail',
  'syncQcFail',
];
export const W2_PAGE_SIZE = 1000;

/** W3: one participant and the QC of each of its audio records. */
export const W3_PARTICIPANT_FIELDS = ['id', 'participantNumber'];
export const W3_AUDIO_FIELDS = [
  'id',
  'knee',
  'maneuver',
  'audioQcVersion',
  ...AUDIO_QC_VERDICT,
  'qcFailSegmentsCh1',
  'qcFailSegmentsCh2',
  'qcFailSegmentsCh3',
  'qcFailSegmentsCh4',
  'qcSignalDropout',
  'qcSignalDropoutSegments',
  'qcArtifact',
  'qcArtifactType',
  'qcArtifactSegments',
  'durationSeconds',
];

export function countFields(level: Level): number {
  return level.fields.length + (level.child ? countFields(level.child.level) : 0);
}

// ---------------------------------------------------------------- GraphQL spellings

/**
 * PostGraphile's name of a field this API names otherwise, aliased back to this API's name: the primary
 * key is `rowId` (amber, Node interface on), a field of COLUMN_OF is the camelCase of its column.
 */
const pgName = (f: string) =>
  f === 'id' ? 'rowId' : COLUMN_OF[f] ? COLUMN_OF[f].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : f;
const pgFields = (fields: string[]) => fields.map((f) => (pgName(f) === f ? f : `${f}: ${pgName(f)}`)).join(' ');

function thisSelection(level: Level): string {
  const child = level.child ? ` ${level.child.field} { ${thisSelection(level.child.level)} }` : '';
  return `${level.fields.join(' ')}${child}`;
}

function postgraphileSelection(level: Level): string {
  const c = level.child;
  const child = c
    ? ` ${c.field}: ${c.postgraphileField}(orderBy: PRIMARY_KEY_ASC) { nodes { ${postgraphileSelection(c.level)} } }`
    : '';
  return `${pgFields(level.fields)}${child}`;
}

export const W1_QUERY = {
  thisApi: `query W1 { studies { ${thisSelection(W1_TREE)} } }`,
  postgraphile: `query W1 { studies: allStudies(orderBy: NAME_ASC) { nodes { ${postgraphileSelection(W1_TREE)} } } }`,
};

/** As issue 3 specifies the read API; the lead adjusts argument names once it is merged. */
export const W2_QUERY = {
  thisApi: `query W2($study: StudyName!, $after: String) {
    movementCycles(filter: { study: [$study], maneuver: [walk], isOutlier: false }, first: ${W2_PAGE_SIZE}, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { ${W2_FIELDS.join(' ')} } } }`,
  // PostGraphile's conditions are column equalities; the study lives two tables away, so the
  // bench database gets a `@filterable` computed column (see POSTGRAPHILE_SETUP_SQL).
  postgraphile: `query W2($study: String!, $after: Cursor) {
    movementCycles: allMovementCycles(condition: { studyName: $study, maneuver: "walk", isOutlier: false },
      orderBy: PRIMARY_KEY_ASC, first: ${W2_PAGE_SIZE}, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { ${pgFields(W2_FIELDS)} } } }`,
};

export const W3_QUERY = {
  thisApi: `query W3($study: StudyName!, $number: Int!) {
    participant(study: $study, participantNumber: $number) { ${W3_PARTICIPANT_FIELDS.join(' ')} audioProcessings { ${W3_AUDIO_FIELDS.join(' ')} } } }`,
  // PostGraphile has a lookup by (study_id, study_participant_id); the harness knows names,
  // not ids, so it goes through the study's unique name, as a client would.
  postgraphile: `query W3($study: String!, $number: Int!) {
    study: studyByName(name: $study) { participants: participantsByStudyId(condition: { studyParticipantId: $number }) { nodes {
      ${pgFields(W3_PARTICIPANT_FIELDS)} audioProcessings: audioProcessingsByParticipantId(orderBy: PRIMARY_KEY_ASC) { nodes { ${pgFields(W3_AUDIO_FIELDS)} } } } } } }`,
};

/** The root field each server's schema must have for each workload; otherwise the workload is skipped for it. */
export const REQUIRED_ROOT_FIELD = {
  W1: { thisApi: 'studies', postgraphile: 'allStudies' },
  W2: { thisApi: 'movementCycles', postgraphile: 'allMovementCycles' },
  W3: { thisApi: 'participant', postgraphile: 'studyByName' },
} as const;

/** Run in the bench database before PostGraphile starts: what W2 needs to filter cycles by study. */
export const POSTGRAPHILE_SETUP_SQL = [
  `create or replace function movement_cycles_study_name(m movement_cycles) returns varchar
     language sql stable as $$ select s.name from participant p join study s on s.id = p.study_id where p.id = m.participant_id $$`,
  // `@behavior +filterBy` is v5's spelling of v4's `@filterable`: it adds `studyName` to MovementCycleCondition.
  `comment on function movement_cycles_study_name(movement_cycles) is E'@behavior +filterBy\\nThe name of the study the cycle belongs to (for the benchmark).'`,
];

// ---------------------------------------------------------------- the floor: one statement each

const jsonObject = (alias: string, fields: string[], extra = '') =>
  `json_build_object(${fields.map((f) => `'${f}', ${alias}.${column(f)}`).join(', ')}${extra})`;

/** Correlated json_agg per level: the statement PostgreSQL itself needs for the nested tree. */
function floorLevel(level: Level, alias: string, where: string): string {
  const c = level.child;
  const extra = c
    ? `, '${c.field}', ${floorLevel(c.level, `${alias}x`, `${alias}x.${c.foreignKey} = ${alias}.id`)}`
    : '';
  return (
    `(select coalesce(json_agg(${jsonObject(alias, level.fields, extra)} order by ${alias}.${level.orderBy ?? 'id'}), '[]'::json) ` +
    `from ${level.table} ${alias}${where ? ` where ${where}` : ''})`
  );
}

export const FLOOR_SQL = {
  W1: `select json_build_object('data', json_build_object('studies', ${floorLevel(W1_TREE, 's', '')}))::text as body`,
  /** $1 study name, $2 last id of the previous page (0 for the first), $3 page size. */
  W2: `with page as (
      select m.* from movement_cycles m join participant p on p.id = m.participant_id join study s on s.id = p.study_id
       where s.name = $1 and m.maneuver = 'walk' and not m.is_outlier and m.id > $2
       order by m.id limit $3 + 1),
    shown as (select * from page order by id limit $3)
    select json_build_object('data', json_build_object('movementCycles', json_build_object(
      'pageInfo', json_build_object('hasNextPage', (select count(*) > $3 from page), 'endCursor', (select max(id)::text from shown)),
      'nodes', (select coalesce(json_agg(${jsonObject('shown', W2_FIELDS)} order by shown.id), '[]'::json) from shown))))::text as body`,
  /** $1 study name, $2 participant number. */
  W3: `select json_build_object('data', json_build_object('participant', (
      select ${jsonObject('p', W3_PARTICIPANT_FIELDS, `, 'audioProcessings', (select coalesce(json_agg(${jsonObject('a', W3_AUDIO_FIELDS)} order by a.id), '[]'::json) from audio_processing a where a.participant_id = p.id)`)}
        from participant p join study s on s.id = p.study_id where s.name = $1 and p.study_participant_id = $2)))::text as body`,
};

// ---------------------------------------------------------------- comparing answers

const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * One spelling for every server's answer: connection `{ nodes }` wrappers unwrapped, and
 * date-times as ISO instants (this API prints `…Z`; PostgreSQL's JSON and PostGraphile
 * print a `timestamp` without a zone, which the schema stores as UTC wall-clock time).
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'nodes' && Array.isArray(o.nodes)) return canonical(o.nodes);
    return Object.fromEntries(keys.map((k) => [k, canonical(o[k])]));
  }
  if (typeof value === 'string' && DATETIME.test(value)) {
    const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(value);
    return new Date(zoned ? value : `${value}Z`).toISOString();
  }
  return value;
}

/** The first place two canonical answers differ, as a path and both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object).sort();
    const kb = Object.keys(b as object).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka.join(',')} vs ${kb.join(',')}`;
    for (const k of ka) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Rows at every level of a W1 answer (studies + participants + … + cycles). */
export function countTreeRows(studies: any[]): number {
  let n = 0;
  const walk = (items: any[]) => {
    for (const it of items) {
      n++;
      for (const v of Object.values(it)) if (Array.isArray(v) && v.length && typeof v[0] === 'object') walk(v);
    }
  };
  walk(studies);
  return n;
}
