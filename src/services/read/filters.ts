/**
 * Filters: plain objects in, one SQL condition out. This is the single code path every
 * reader uses (GraphQL lists, relationship fields, aggregates, and later the CSV export),
 * so it knows nothing of GraphQL: values are validated here and a bad one becomes a
 * UserError naming the filter field and the rule.
 *
 * Each filter field reads a column of one "home" table. When the home is the listed
 * table itself the condition applies directly; otherwise it goes through the foreign key
 * (`audio_processing_id in (select id from audio_processing where …)`), all fields that
 * share a home in one subquery.
 */
import {
  BiomechanicsSyncMethod,
  BiomechanicsType,
  Knee,
  Maneuver,
  ProcessingStatus,
  StudyName,
  SyncMethod,
  WalkSpeed,
} from '../../entities/enums';
import type { TableName } from '../../entities';
import { UserError } from '../errors';
import { LIST_NAME, TABLE_OF, type RecordKind } from './model';
import { quote, SqlParams } from './sql';
import { inAcceptedYears, parseIsoTime } from './timestamps';

/** A single value is accepted wherever a list is (`maneuver: walk` ≡ `maneuver: [walk]`). */
export type OneOrMany<T> = T | readonly T[] | null | undefined;

/** Inclusive bounds; either may be left out. */
export interface FloatRange {
  min?: number | null;
  max?: number | null;
}

/** Inclusive bounds (Date or ISO-8601 text); either may be left out. */
export interface TimeRange {
  from?: Date | string | null;
  to?: Date | string | null;
}

export interface StudyFilter {
  id?: OneOrMany<number>;
  study?: OneOrMany<StudyName>;
}

/** The row itself, its study and its participant: every list but the studies' takes these (see `scope`). */
interface ScopeFilter extends StudyFilter {
  participantNumber?: OneOrMany<number>;
}

export interface ParticipantFilter extends ScopeFilter {
  /** The participant has (or, false: has no) biomechanics import. */
  hasBiomechanics?: boolean | null;
  /** The participant has (or has no) synchronization. */
  hasSynchronization?: boolean | null;
}

/** Fields shared by the four tables of recordings and results. */
export interface RecordingFilter extends ScopeFilter {
  knee?: OneOrMany<Knee>;
  maneuver?: OneOrMany<Maneuver>;
  processingStatus?: OneOrMany<ProcessingStatus>;
  processingDate?: TimeRange | null;
  /** The audio recording's date (for biomechanics, synchronizations and cycles: their audio record's). */
  recordingDate?: TimeRange | null;
}

/** QC results of the audio record (for synchronizations and cycles: of their audio record). */
export interface AudioQcFilter {
  audioQcFail?: boolean | null;
  /** Any of channels 1–4 failed QC (false: none did). */
  audioQcFailAnyChannel?: boolean | null;
  /** QC failed on any of the given channels (1–4). */
  audioQcFailChannel?: OneOrMany<number>;
  qcSignalDropout?: boolean | null;
  qcSignalDropoutChannel?: OneOrMany<number>;
  qcArtifact?: boolean | null;
  qcArtifactChannel?: OneOrMany<number>;
}

/** Facts of the biomechanics import (for audio, synchronizations and cycles: of the linked one). */
export interface BiomechanicsFactsFilter {
  biomechanicsType?: OneOrMany<BiomechanicsType>;
  biomechanicsSyncMethod?: OneOrMany<BiomechanicsSyncMethod>;
  biomechanicsQcFail?: boolean | null;
}

export interface AudioProcessingFilter extends RecordingFilter, AudioQcFilter, BiomechanicsFactsFilter {
  durationSeconds?: FloatRange | null;
  /** Linked to a biomechanics import recorded at the same time. */
  hasBiomechanics?: boolean | null;
  /** At least one synchronization uses this recording. */
  hasSynchronization?: boolean | null;
}

export interface BiomechanicsImportFilter extends RecordingFilter, BiomechanicsFactsFilter {
  /** At least one synchronization uses this import. */
  hasSynchronization?: boolean | null;
}

export interface SynchronizationFilter extends RecordingFilter, AudioQcFilter, BiomechanicsFactsFilter {
  passNumber?: OneOrMany<number>;
  speed?: OneOrMany<WalkSpeed>;
  syncMethod?: OneOrMany<SyncMethod>;
  syncQcFail?: boolean | null;
}

/** A cycle's synchronization's fields (a cycle carries their values), and its own. */
export interface MovementCycleFilter extends SynchronizationFilter {
  isOutlier?: boolean | null;
  durationS?: FloatRange | null;
  hasSynchronization?: boolean | null;
  hasBiomechanics?: boolean | null;
}

export interface FilterOf {
  study: StudyFilter;
  participant: ParticipantFilter;
  audioProcessing: AudioProcessingFilter;
  biomechanicsImport: BiomechanicsImportFilter;
  synchronization: SynchronizationFilter;
  movementCycle: MovementCycleFilter;
}

// ---------------------------------------------------------------------------------------
// Field definitions: how a value is checked, and the condition it puts on its home table.

type Condition = (alias: string, p: SqlParams) => string;

// A field table mixes value types; V is both returned by check and taken by condition, so only `any`
// (not `unknown`) lets FilterField<string[]> stand in the table as FilterField.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
interface FilterField<V = any> {
  /** Checks and normalises a raw value; `undefined` means "no condition". */
  check(raw: unknown, path: string): V | undefined;
  /** The condition on the home table (aliased), or on the listed table for 'self'. */
  condition(value: V, table: TableName): Condition;
}

const col = (alias: string, column: string) => `${alias}.${quote(column)}`;

function present(raw: unknown): boolean {
  return raw !== undefined && raw !== null;
}

function listOf(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : [raw];
}

function oneOf<E extends Record<string, string>>(vocabulary: E, column: string): FilterField<string[]> {
  const values = Object.values(vocabulary);
  // GraphQL hands over stored values; the CSV export may pass GraphQL names (Motion_Analysis).
  const byName = new Map(Object.entries(vocabulary));
  return {
    check(raw, path) {
      if (!present(raw)) return undefined;
      return listOf(raw).map((item, i) => {
        const value = typeof item === 'string' ? (values.includes(item) ? item : byName.get(item)) : undefined;
        if (value === undefined) {
          throw new UserError(
            `${path}${Array.isArray(raw) ? `[${i}]` : ''}: ${JSON.stringify(item)} is not one of ${values.join(', ')}.`,
          );
        }
        return value;
      });
    },
    condition: (value) => (a, p) => `${col(a, column)} = any(${p.bindArray(value, 'text')})`,
  };
}

function checkIntegers(min: number, max: number) {
  return (raw: unknown, path: string): number[] | undefined => {
    if (!present(raw)) return undefined;
    return listOf(raw).map((item, i) => {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < min || item > max) {
        const where = `${path}${Array.isArray(raw) ? `[${i}]` : ''}`;
        throw new UserError(`${where}: must be an integer from ${min} to ${max} (got ${JSON.stringify(item)}).`);
      }
      return item;
    });
  };
}

function integers(column: string, min: number, max = 2_147_483_647): FilterField<number[]> {
  return {
    check: checkIntegers(min, max),
    condition: (value) => (a, p) => `${col(a, column)} = any(${p.bindArray(value, 'int')})`,
  };
}

function checkBoolean(raw: unknown, path: string): boolean | undefined {
  if (!present(raw)) return undefined;
  if (typeof raw !== 'boolean') throw new UserError(`${path}: must be true or false (got ${JSON.stringify(raw)}).`);
  return raw;
}

function flag(column: string): FilterField<boolean> {
  return { check: checkBoolean, condition: (value) => (a) => `${col(a, column)} is ${value ? 'true' : 'false'}` };
}

const CHANNELS = [1, 2, 3, 4];

/** `prefix_ch1 … _ch4`: true when any of them is (false: when none is). */
function anyChannel(prefix: string): FilterField<boolean> {
  return {
    check: checkBoolean,
    condition: (value) => (a) => {
      const any = CHANNELS.map((n) => `${col(a, `${prefix}_ch${n}`)}`).join(' or ');
      return value ? `(${any})` : `not (${any})`;
    },
  };
}

/** QC flag set on any of the given channels. */
function onChannels(prefix: string): FilterField<number[]> {
  return {
    check: checkIntegers(1, 4),
    condition: (value) => (a) =>
      value.length ? `(${[...new Set(value)].map((n) => col(a, `${prefix}_ch${n}`)).join(' or ')})` : 'false',
  };
}

function floatRange(column: string): FilterField<{ min?: number; max?: number }> {
  return {
    check(raw, path) {
      if (!present(raw)) return undefined;
      if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${path}: must be a range { min, max }.`);
      const { min, max } = raw as FloatRange;
      const out: { min?: number; max?: number } = {};
      for (const [key, v] of [
        ['min', min],
        ['max', max],
      ] as const) {
        if (!present(v)) continue;
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new UserError(`${path}.${key}: must be a finite number (got ${JSON.stringify(v)}).`);
        out[key] = v;
      }
      if (out.min !== undefined && out.max !== undefined && out.min > out.max) {
        throw new UserError(`${path}: min (${out.min}) is greater than max (${out.max}); no row can match.`);
      }
      return out;
    },
    condition: (value) => (a, p) => {
      const parts: string[] = [];
      if (value.min !== undefined) parts.push(`${col(a, column)} >= ${p.bind(value.min)}`);
      if (value.max !== undefined) parts.push(`${col(a, column)} <= ${p.bind(value.max)}`);
      return parts.length ? parts.join(' and ') : 'true';
    },
  };
}

/** `cast` says how to compare: `timestamp` columns hold UTC wall-clock time, compared as such. */
function timeRange(column: string, cast: 'timestamp' | 'timestamptz'): FilterField<{ from?: Date; to?: Date }> {
  const toDate = (v: unknown, path: string): Date => {
    const d = v instanceof Date ? v : typeof v === 'string' ? parseIsoTime(v, path) : new Date(NaN);
    if (Number.isNaN(d.getTime()))
      throw new UserError(`${path}: must be an ISO-8601 date-time (got ${JSON.stringify(v)}).`);
    if (!inAcceptedYears(d))
      throw new UserError(`${path}: must lie in the years 0001-9999 (got ${JSON.stringify(v)}).`);
    return d;
  };
  return {
    check(raw, path) {
      if (!present(raw)) return undefined;
      if (typeof raw !== 'object' || raw instanceof Date) throw new UserError(`${path}: must be a range { from, to }.`);
      const { from, to } = raw as TimeRange;
      const out: { from?: Date; to?: Date } = {};
      if (present(from)) out.from = toDate(from, `${path}.from`);
      if (present(to)) out.to = toDate(to, `${path}.to`);
      if (out.from && out.to && out.from > out.to) {
        throw new UserError(
          `${path}: from (${out.from.toISOString()}) is after to (${out.to.toISOString()}); no row can match.`,
        );
      }
      return out;
    },
    condition: (value) => (a, p) => {
      // ISO text with Z: a `timestamp` cast keeps the UTC wall-clock time, `timestamptz` the instant.
      const parts: string[] = [];
      if (value.from) parts.push(`${col(a, column)} >= ${p.bind(value.from.toISOString(), cast)}`);
      if (value.to) parts.push(`${col(a, column)} <= ${p.bind(value.to.toISOString(), cast)}`);
      return parts.length ? parts.join(' and ') : 'true';
    },
  };
}

/** Rows of `child` point at this row through `fk` (false: none do). */
function hasChildren(child: TableName, fk: string): FilterField<boolean> {
  return {
    check: checkBoolean,
    condition: (value) => (a, p) => {
      const c = p.alias();
      return `${value ? '' : 'not '}exists (select 1 from ${quote(child)} ${c} where ${col(c, fk)} = ${col(a, 'id')})`;
    },
  };
}

/** The row's own optional link is set (false: is null). */
function linkSet(fk: string): FilterField<boolean> {
  return { check: checkBoolean, condition: (value) => (a) => `${col(a, fk)} is ${value ? 'not ' : ''}null` };
}

/** A field read on a home table; 'self' is the listed table. */
interface Placed {
  home: TableName | 'self';
  field: FilterField;
}
const on = (home: TableName | 'self', field: FilterField): Placed => ({ home, field });

const scope = (self: 'participant' | 'other'): Record<string, Placed> => ({
  id: on('self', integers('id', 1)),
  study: on('study', oneOf(StudyName, 'name')),
  participantNumber: on(self === 'participant' ? 'self' : 'participant', integers('study_participant_id', 0)),
});

const recording = (): Record<string, Placed> => ({
  ...scope('other'),
  knee: on('self', oneOf(Knee, 'knee')),
  maneuver: on('self', oneOf(Maneuver, 'maneuver')),
  processingStatus: on('self', oneOf(ProcessingStatus, 'processing_status')),
  processingDate: on('self', timeRange('processing_date', 'timestamptz')),
});

const audioQc = (home: TableName | 'self'): Record<string, Placed> => ({
  audioQcFail: on(home, flag('audio_qc_fail')),
  audioQcFailAnyChannel: on(home, anyChannel('audio_qc_fail')),
  audioQcFailChannel: on(home, onChannels('audio_qc_fail')),
  qcSignalDropout: on(home, flag('qc_signal_dropout')),
  qcSignalDropoutChannel: on(home, onChannels('qc_signal_dropout')),
  qcArtifact: on(home, flag('qc_artifact')),
  qcArtifactChannel: on(home, onChannels('qc_artifact')),
});

const biomechanicsFacts = (qcHome: TableName | 'self', factsHome: TableName | 'self'): Record<string, Placed> => ({
  biomechanicsType: on(factsHome, oneOf(BiomechanicsType, 'biomechanics_type')),
  biomechanicsSyncMethod: on(factsHome, oneOf(BiomechanicsSyncMethod, 'biomechanics_sync_method')),
  biomechanicsQcFail: on(qcHome, flag('biomechanics_qc_fail')),
});

const recordingDate = (home: TableName | 'self') => ({
  recordingDate: on(home, timeRange('recording_date', 'timestamp')),
});

/**
 * What a synchronization and its cycles are both filtered by: the recording, the audio
 * record's date and QC, the pass.
 */
const pass = (): Record<string, Placed> => ({
  ...recording(),
  ...recordingDate('audio_processing'),
  passNumber: on('self', integers('pass_number', 1)),
  speed: on('self', oneOf(WalkSpeed, 'speed')),
  ...audioQc('audio_processing'),
});

/** Every filter field each list accepts, and where it is read. */
const FILTER_FIELDS: Record<RecordKind, Record<string, Placed>> = {
  study: { id: on('self', integers('id', 1)), study: on('self', oneOf(StudyName, 'name')) },
  participant: {
    ...scope('participant'),
    hasBiomechanics: on('self', hasChildren('biomechanics_import', 'participant_id')),
    hasSynchronization: on('self', hasChildren('synchronization', 'participant_id')),
  },
  audioProcessing: {
    ...recording(),
    ...recordingDate('self'),
    ...audioQc('self'),
    ...biomechanicsFacts('biomechanics_import', 'biomechanics_import'),
    durationSeconds: on('self', floatRange('duration_seconds')),
    hasBiomechanics: on('self', linkSet('biomechanics_import_id')),
    hasSynchronization: on('self', hasChildren('synchronization', 'audio_processing_id')),
  },
  biomechanicsImport: {
    ...recording(),
    ...recordingDate('audio_processing'),
    ...biomechanicsFacts('self', 'self'),
    hasSynchronization: on('self', hasChildren('synchronization', 'biomechanics_import_id')),
  },
  synchronization: {
    ...pass(),
    ...biomechanicsFacts('biomechanics_import', 'biomechanics_import'),
    syncMethod: on('self', oneOf(SyncMethod, 'sync_method')),
    syncQcFail: on('self', flag('sync_qc_fail')),
  },
  movementCycle: {
    ...pass(),
    // A cycle carries its own copies of the biomechanics and sync QC flags.
    ...biomechanicsFacts('self', 'biomechanics_import'),
    syncMethod: on('synchronization', oneOf(SyncMethod, 'sync_method')),
    syncQcFail: on('self', flag('sync_qc_fail')),
    isOutlier: on('self', flag('is_outlier')),
    durationS: on('self', floatRange('duration_s')),
    hasSynchronization: on('self', linkSet('synchronization_id')),
    hasBiomechanics: on('self', linkSet('biomechanics_import_id')),
  },
};

/** The filter field names a list accepts (GraphQL input types and the CSV export mirror these). */
export function filterFieldNames(kind: RecordKind): string[] {
  return Object.keys(FILTER_FIELDS[kind]);
}

/** Foreign keys by which a table reaches the tables above it. */
const LINKS: Record<TableName, Partial<Record<TableName, string>>> = {
  study: {},
  participant: { study: 'study_id' },
  audio_processing: { participant: 'participant_id', biomechanics_import: 'biomechanics_import_id' },
  biomechanics_import: { participant: 'participant_id', audio_processing: 'audio_processing_id' },
  synchronization: {
    participant: 'participant_id',
    audio_processing: 'audio_processing_id',
    biomechanics_import: 'biomechanics_import_id',
  },
  movement_cycles: {
    participant: 'participant_id',
    audio_processing: 'audio_processing_id',
    biomechanics_import: 'biomechanics_import_id',
    synchronization: 'synchronization_id',
  },
};

/** `condition` applied to the `home` row that the `table` row (aliased) links to. */
function through(table: TableName, alias: string, home: TableName, condition: Condition, p: SqlParams): string {
  if (table === home) return condition(alias, p);
  const fk = LINKS[table][home];
  if (fk) {
    const h = p.alias();
    return `${col(alias, fk)} in (select ${col(h, 'id')} from ${quote(home)} ${h} where ${condition(h, p)})`;
  }
  // Only the study is more than one link away: reach it through the participant.
  if (!LINKS[table].participant) throw new Error(`No link from ${table} to ${home}`);
  return through(table, alias, 'participant', (pa, pp) => through('participant', pa, home, condition, pp), p);
}

/** A filter after validation: the conditions to apply, grouped by the table they read. */
export interface CheckedFilter {
  kind: RecordKind;
  byHome: Map<TableName, Condition[]>;
}

/**
 * Validates `filter` for a list of `kind` (errors name `path.field`) and returns it in a
 * form `whereClause` turns into SQL.
 */
export function checkFilter(kind: RecordKind, filter: object | null | undefined, path = 'filter'): CheckedFilter {
  const table = TABLE_OF[kind];
  const fields = FILTER_FIELDS[kind];
  const byHome = new Map<TableName, Condition[]>();
  if (filter === null || filter === undefined) return { kind, byHome };
  if (typeof filter !== 'object' || Array.isArray(filter))
    throw new UserError(`${path}: must be an object of filter fields.`);
  for (const [name, raw] of Object.entries(filter)) {
    const placed = fields[name];
    if (!placed) {
      if (raw === undefined) continue;
      throw new UserError(
        `${path}.${name}: not a filter of ${LIST_NAME[kind]} (known: ${Object.keys(fields).join(', ') || 'none'}).`,
      );
    }
    const value = placed.field.check(raw, `${path}.${name}`);
    if (value === undefined) continue;
    const home = placed.home === 'self' ? table : placed.home;
    byHome.set(home, [...(byHome.get(home) ?? []), placed.field.condition(value, table)]);
  }
  return { kind, byHome };
}

/** The SQL condition of a checked filter on the listed table under `alias` ('true' when empty). */
export function whereClause(filter: CheckedFilter, alias: string, p: SqlParams): string {
  const table = TABLE_OF[filter.kind];
  const parts: string[] = [];
  for (const [home, conditions] of filter.byHome) {
    const all: Condition = (a, pp) => conditions.map((c) => c(a, pp)).join(' and ');
    parts.push(through(table, alias, home, all, p));
  }
  return parts.length ? parts.map((s) => `(${s})`).join(' and ') : 'true';
}

/** Convenience for callers holding a plain filter: validate and render in one step. */
export function buildWhere(
  kind: RecordKind,
  filter: object | null | undefined,
  alias: string,
  p: SqlParams,
  path = 'filter',
): string {
  return whereClause(checkFilter(kind, filter, path), alias, p);
}
