/**
 * Writes of the lab's records: validated upserts on the natural keys of docs/data-model.md, the
 * audio ⟷ biomechanics link, and deletes that report what their cascades removed.
 *
 * Every write is one transaction that (1) looks up, in one statement per table, the
 * participant and the parent records its inputs name, (2) runs the class-validator rules
 * of record-inputs.ts with those records attached, and (3) only when nothing is broken,
 * writes every row in one `INSERT … ON CONFLICT` statement. A rejected write therefore
 * writes nothing, and two concurrent upserts of one key end in one row.
 */
import {
  CheckConstraintViolationException,
  DeadlockException,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  ReferenceKind as OrmKind,
  UniqueConstraintViolationException,
  type EntityProperty,
} from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  AudioProcessing,
  BiomechanicsImport,
  MovementCycle,
  Participant,
  Synchronization,
  TABLES,
  type TableName,
} from '../../entities';
import { upsertRows } from './bulk';
import { inputValue } from './column-inputs';
import { SQLSTATE } from '../../db/sqlstate';
import { asDriverException } from '../ops/diagnose';
import { ConflictError, UserError, ValidationFailedError, type FieldViolation } from '../errors';
import type { InspectionService } from '../ops/inspection';
import {
  AudioProcessingInput,
  BiomechanicsImportInput,
  MAX_CYCLE_BATCH,
  MovementCycleInput,
  numberOfKey,
  ParticipantKey,
  type ParticipantKeyValue,
  RecordIdInput,
  RecordIdsInput,
  RecordingLinkInput,
  SynchronizationInput,
  type ProcessingRecordInput,
} from './record-inputs';
import {
  INT4_MAX,
  assertValid,
  attachReferences,
  toInput,
  violationsOf,
  type ReferenceKind,
  type ReferencedRecord,
  type ResolvedReferences,
} from './validation';
import { emptyCounts, type TableCounts } from '../seed/seed';

/** How one record type is upserted. */
interface UpsertPlan<I extends ProcessingRecordInput> {
  entity: { name: string };
  input: new () => I;
  table: TableName;
  /** The unique constraint of docs/data-model.md the upsert matches on. */
  constraint: string;
  /** The natural key's properties after the participant, in the constraint's order. */
  key: (keyof I & string)[];
  /** The records the input names by id (`audioProcessingId`, …). */
  references: ReferenceKind[];
}

const AUDIO: UpsertPlan<AudioProcessingInput> = {
  entity: AudioProcessing,
  input: AudioProcessingInput,
  table: 'audio_processing',
  constraint: 'audio_processing_participant_file_knee_maneuver_key',
  key: ['audioFileName', 'knee', 'maneuver'],
  references: [],
};
const BIOMECHANICS: UpsertPlan<BiomechanicsImportInput> = {
  entity: BiomechanicsImport,
  input: BiomechanicsImportInput,
  table: 'biomechanics_import',
  constraint: 'biomechanics_import_participant_file_knee_maneuver_key',
  key: ['biomechanicsFile', 'knee', 'maneuver'],
  references: [],
};
const SYNCHRONIZATION: UpsertPlan<SynchronizationInput> = {
  entity: Synchronization,
  input: SynchronizationInput,
  table: 'synchronization',
  constraint: 'synchronization_natural_key',
  key: ['knee', 'maneuver', 'passNumber', 'speed'],
  references: ['audioProcessing', 'biomechanicsImport'],
};
const CYCLES: UpsertPlan<MovementCycleInput> = {
  entity: MovementCycle,
  input: MovementCycleInput,
  table: 'movement_cycles',
  constraint: 'movement_cycles_natural_key',
  key: ['knee', 'maneuver', 'passNumber', 'speed', 'cycleIndex'],
  references: ['audioProcessing', 'biomechanicsImport', 'synchronization'],
};

const REFERENCE_TABLE: Record<ReferenceKind, TableName> = {
  audioProcessing: 'audio_processing',
  biomechanicsImport: 'biomechanics_import',
  synchronization: 'synchronization',
};

/** Columns the database sets itself; never written by an upsert. */
const BOOKKEEPING = new Set(['id', 'createdAt', 'updatedAt']);

export interface UpsertSummary {
  /** Ids of the written rows, in input order. */
  ids: number[];
  inserted: number;
  updated: number;
}

export interface RecordingLink {
  audioProcessing: AudioProcessing | null;
  biomechanicsImport: BiomechanicsImport | null;
}

type Row = Record<string, unknown>;
interface ScalarColumn {
  property: string;
  column: string;
}

/** Ids worth looking up (and safe in an int[] literal); any other value breaks its field's own rules. */
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= INT4_MAX;
const intArray = (ids: number[]) => `{${ids.join(',')}}`;

export class RecordService {
  private cascadeEdges?: { parent: TableName; child: TableName; column: string }[];

  constructor(
    private readonly orm: MikroORM,
    private readonly inspection: InspectionService,
  ) {}

  // ------------------------------------------------------------------ upserts

  /** Creates the study on first use, then the participant; the same pair twice gives the same row. */
  async upsertParticipant(key: ParticipantKey | ParticipantKeyValue): Promise<Participant> {
    const input = toInput(ParticipantKey, key);
    assertValid(input);
    const id = await this.write(async (em) => {
      const [study] = await upsertRows(em, { table: 'study', constraint: 'study_name_key' }, [{ name: input.study }]);
      const [participant] = await upsertRows(
        em,
        { table: 'participant', constraint: 'participant_study_id_study_participant_id_key' },
        [{ study_id: study.id, study_participant_id: numberOfKey(input) }],
      );
      return participant.id;
    });
    return this.orm.em.fork().findOneOrFail(Participant, id);
  }

  async upsertAudioProcessing(input: AudioProcessingInput | Row): Promise<AudioProcessing> {
    return this.upsertOne(AUDIO, input) as Promise<AudioProcessing>;
  }

  async upsertBiomechanicsImport(input: BiomechanicsImportInput | Row): Promise<BiomechanicsImport> {
    return this.upsertOne(BIOMECHANICS, input) as Promise<BiomechanicsImport>;
  }

  async upsertSynchronization(input: SynchronizationInput | Row): Promise<Synchronization> {
    return this.upsertOne(SYNCHRONIZATION, input) as Promise<Synchronization>;
  }

  /** Up to MAX_CYCLE_BATCH cycles in one transaction: all are written, or (any rule broken) none. */
  async upsertMovementCycles(inputs: (MovementCycleInput | Row)[]): Promise<UpsertSummary> {
    if (!Array.isArray(inputs))
      throw new ValidationFailedError([
        { field: 'inputs', rule: 'isArray', message: 'inputs must be a list of movement cycles' },
      ]);
    if (inputs.length > MAX_CYCLE_BATCH) {
      throw new ValidationFailedError([
        {
          field: 'inputs',
          rule: 'maxBatchSize',
          message: `inputs: at most ${MAX_CYCLE_BATCH} cycles per call (got ${inputs.length}); split the batch`,
        },
      ]);
    }
    return this.upsertMany(CYCLES, inputs, true);
  }

  private async upsertOne<I extends ProcessingRecordInput>(plan: UpsertPlan<I>, input: I | Row) {
    const { ids } = await this.upsertMany(plan, [input], false);
    return this.orm.em.fork().findOneOrFail(plan.entity, ids[0]);
  }

  private async upsertMany<I extends ProcessingRecordInput>(
    plan: UpsertPlan<I>,
    raw: (I | Row)[],
    batch: boolean,
  ): Promise<UpsertSummary> {
    if (raw.length === 0) return { ids: [], inserted: 0, updated: 0 };
    const inputs = raw.map((r) => toInput(plan.input, r as Row));
    return this.write(async (em) => {
      const refs = await this.resolveReferences(em, plan, inputs);
      const violations = inputs.flatMap((input, i) => violationsOf(input, batch ? i : undefined));
      if (batch) violations.push(...this.duplicateKeys(plan, inputs, refs));
      if (violations.length) throw new ValidationFailedError(violations);

      const columns = this.scalarColumns(plan);
      const rows = inputs.map((input, i) => this.toRow(plan, columns, input, refs[i]));
      const keyColumns = plan.key.map((p) => columns.find((c) => c.property === p)!.column);
      const keyOf = (row: Row) => JSON.stringify([row.participant_id, ...keyColumns.map((c) => row[c] ?? null)]);
      const keys = rows.map(keyOf);
      // Rows go in natural-key order, so concurrent batches lock shared keys in the same order and cannot deadlock.
      const order = rows.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
      const written = await upsertRows<Row & { inserted: boolean }>(
        em,
        {
          table: plan.table,
          constraint: plan.constraint,
          returning: ['participant_id', ...keyColumns],
          reportInserted: true,
        },
        order.map((i) => rows[i]),
      );
      const idByKey = new Map(written.map((w) => [keyOf(w), w.id]));
      const inserted = written.filter((w) => w.inserted).length;
      return { ids: keys.map((k) => idByKey.get(k)!), inserted, updated: written.length - inserted };
    }, plan.table);
  }

  /**
   * Finds each input's participant and referenced records (one statement per table) and attaches them for the rules.
   */
  private async resolveReferences<I extends ProcessingRecordInput>(
    em: EntityManager,
    plan: UpsertPlan<I>,
    inputs: I[],
  ): Promise<ResolvedReferences[]> {
    const participants = await this.participantIds(em, inputs);
    const records = new Map<ReferenceKind, Map<number, ReferencedRecord>>();
    for (const kind of plan.references) {
      const ids = inputs.map((i) => inputValue(i, `${kind}Id`)).filter(isId);
      records.set(kind, await this.referencedRecords(em, kind, ids));
    }
    return inputs.map((input) => {
      const refs: ResolvedReferences = { participantId: participants.get(`${input.study}/${input.participantNumber}`) };
      for (const kind of plan.references) {
        const id = inputValue(input, `${kind}Id`);
        refs[kind] = isId(id) ? (records.get(kind)!.get(id) ?? null) : undefined;
      }
      attachReferences(input, refs);
      return refs;
    });
  }

  /**
   * Participant ids by `study/number`, null for a pair with no participant. Pairs that break
   * ParticipantKey's own rules are not looked up (left out): the input's rules report them.
   */
  private async participantIds(
    em: EntityManager,
    inputs: ProcessingRecordInput[],
  ): Promise<Map<string, number | null>> {
    const distinct = new Map<string, ParticipantKey>();
    for (const { study, participantNumber } of inputs) {
      const key = `${study}/${participantNumber}`;
      if (!distinct.has(key)) distinct.set(key, toInput(ParticipantKey, { study, participantNumber }));
    }
    const valid = [...distinct].filter(([, key]) => violationsOf(key).length === 0);
    if (valid.length === 0) return new Map();
    const rows = await this.sql<{ id: number; study: string; number: number }>(
      em,
      `select p.id, s.name as study, p.study_participant_id as number
         from jsonb_to_recordset(?::jsonb) as k(study text, number int)
         join study s on s.name = k.study
         join participant p on p.study_id = s.id and p.study_participant_id = k.number`,
      [JSON.stringify(valid.map(([, key]) => ({ study: key.study, number: numberOfKey(key) })))],
    );
    const found = new Map(rows.map((r) => [`${r.study}/${r.number}`, r.id]));
    return new Map(valid.map(([key]) => [key, found.get(key) ?? null]));
  }

  private async referencedRecords(
    em: EntityManager,
    kind: ReferenceKind,
    ids: number[],
  ): Promise<Map<number, ReferencedRecord>> {
    if (ids.length === 0) return new Map();
    const walkColumns =
      kind === 'synchronization' ? 'pass_number, speed' : 'null::int as pass_number, null::text as speed';
    const rows = await this.sql<{
      id: number;
      participant_id: number;
      knee: string;
      maneuver: string;
      pass_number: number | null;
      speed: string | null;
    }>(
      em,
      `select id, participant_id, knee, maneuver, ${walkColumns} from "${REFERENCE_TABLE[kind]}" where id = any(?::int[])`,
      [intArray([...new Set(ids)])],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          participantId: r.participant_id,
          knee: r.knee,
          maneuver: r.maneuver,
          passNumber: r.pass_number,
          speed: r.speed,
        },
      ]),
    );
  }

  /** A batch may name each natural key once: INSERT … ON CONFLICT cannot update one row twice. */
  private duplicateKeys<I extends ProcessingRecordInput>(
    plan: UpsertPlan<I>,
    inputs: I[],
    refs: ResolvedReferences[],
  ): FieldViolation[] {
    const first = new Map<string, number>();
    const out: FieldViolation[] = [];
    inputs.forEach((input, index) => {
      if (!refs[index].participantId) return;
      const key = JSON.stringify([refs[index].participantId, ...plan.key.map((p) => input[p] ?? null)]);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, index);
      else {
        const field = plan.key[plan.key.length - 1];
        out.push({
          field,
          rule: 'uniqueInBatch',
          message: `${field}: same record (participant, ${plan.key.join(', ')}) as inputs[${seen}]; send each record once`,
          index,
        });
      }
    });
    return out;
  }

  /** The full row an input stands for: every column of the entity, defaults for what it leaves out. */
  private toRow<I extends ProcessingRecordInput>(
    plan: UpsertPlan<I>,
    columns: ScalarColumn[],
    input: I,
    refs: ResolvedReferences,
  ): Row {
    const row: Row = { participant_id: refs.participantId };
    for (const { property, column } of columns) row[column] = inputValue(input, property) ?? null;
    row.processing_date = input.processingDate ?? new Date();
    for (const kind of plan.references) row[`${REFERENCE_TABLE[kind]}_id`] = inputValue(input, `${kind}Id`) ?? null;
    return row;
  }

  /** The entity's own columns (no relations, no bookkeeping), as the ORM maps them. */
  private scalarColumns<I extends ProcessingRecordInput>(plan: UpsertPlan<I>): ScalarColumn[] {
    return this.orm
      .getMetadata()
      .get(plan.entity.name)
      .props.filter((p: EntityProperty) => p.kind === OrmKind.SCALAR && !BOOKKEEPING.has(p.name))
      .map((p: EntityProperty) => ({ property: p.name, column: p.fieldNames[0] }));
  }

  // ------------------------------------------------------------------ the recording-time link

  /**
   * With both ids, links the audio recording and the biomechanics import to each other and
   * unlinks whatever either was linked to before; with one id, clears that record's link
   * on both sides.
   */
  async linkRecordings(
    args: RecordingLinkInput | { audioProcessingId?: number | null; biomechanicsImportId?: number | null },
  ): Promise<RecordingLink> {
    const input = toInput(RecordingLinkInput, args);
    const a = input.audioProcessingId ?? null;
    const b = input.biomechanicsImportId ?? null;
    await this.write(async (em) => {
      attachReferences(input, {
        audioProcessing: isId(a)
          ? ((await this.referencedRecords(em, 'audioProcessing', [a])).get(a) ?? null)
          : undefined,
        biomechanicsImport: isId(b)
          ? ((await this.referencedRecords(em, 'biomechanicsImport', [b])).get(b) ?? null)
          : undefined,
      });
      assertValid(input);
      if (a !== null)
        await this.sql(
          em,
          'update biomechanics_import set audio_processing_id = null where audio_processing_id = ? and id is distinct from ?::int',
          [a, b],
        );
      if (b !== null)
        await this.sql(
          em,
          'update audio_processing set biomechanics_import_id = null where biomechanics_import_id = ? and id is distinct from ?::int',
          [b, a],
        );
      if (a !== null) await this.sql(em, 'update audio_processing set biomechanics_import_id = ? where id = ?', [b, a]);
      if (b !== null) await this.sql(em, 'update biomechanics_import set audio_processing_id = ? where id = ?', [a, b]);
    });
    const em = this.orm.em.fork();
    return {
      audioProcessing: a === null ? null : await em.findOne(AudioProcessing, a),
      biomechanicsImport: b === null ? null : await em.findOne(BiomechanicsImport, b),
    };
  }

  // ------------------------------------------------------------------ deletes

  /** Removes the participant and, by cascade, all their records. Unknown participants remove nothing. */
  async deleteParticipant(key: ParticipantKey | ParticipantKeyValue): Promise<TableCounts> {
    const input = toInput(ParticipantKey, key);
    assertValid(input);
    return this.write(async (em) => {
      const rows = await this.sql<{ id: number }>(
        em,
        'select p.id from participant p join study s on s.id = p.study_id where s.name = ? and p.study_participant_id = ?',
        [input.study, numberOfKey(input)],
      );
      return this.deleteCascading(
        em,
        'participant',
        rows.map((r) => r.id),
      );
    });
  }

  async deleteAudioProcessing(id: number | RecordIdInput): Promise<TableCounts> {
    return this.deleteById('audio_processing', id);
  }

  async deleteBiomechanicsImport(id: number | RecordIdInput): Promise<TableCounts> {
    return this.deleteById('biomechanics_import', id);
  }

  async deleteSynchronization(id: number | RecordIdInput): Promise<TableCounts> {
    return this.deleteById('synchronization', id);
  }

  async deleteMovementCycles(ids: number[] | RecordIdsInput): Promise<TableCounts> {
    const input = toInput(RecordIdsInput, Array.isArray(ids) ? { ids } : ids);
    assertValid(input);
    return this.write((em) => this.deleteCascading(em, 'movement_cycles', input.ids));
  }

  private async deleteById(table: TableName, id: number | RecordIdInput): Promise<TableCounts> {
    const input = toInput(RecordIdInput, typeof id === 'number' ? { id } : id);
    assertValid(input);
    return this.write((em) => this.deleteCascading(em, table, [input.id]));
  }

  /**
   * Deletes `ids` of `table` and returns how many rows of each table went with them. The
   * rows ON DELETE CASCADE will reach are found (and locked, so nobody adds to them) first,
   * following the foreign keys the entities declare; the database then does the cascade.
   */
  private async deleteCascading(em: EntityManager, table: TableName, ids: number[]): Promise<TableCounts> {
    const counts = emptyCounts();
    const doomed = new Map<TableName, number[]>();
    const locked = await this.sql<{ id: number }>(
      em,
      `select id from "${table}" where id = any(?::int[]) order by id for update`,
      [intArray(ids)],
    );
    doomed.set(
      table,
      locked.map((r) => r.id),
    );
    // TABLES lists parents before children, so each table's doomed parents are known when it is reached.
    for (const child of TABLES.slice(TABLES.indexOf(table) + 1)) {
      const edges = this.edges().filter((e) => e.child === child && doomed.get(e.parent)?.length);
      if (edges.length === 0) continue;
      const rows = await this.sql<{ id: number }>(
        em,
        `select id from "${child}" where ${edges.map((e) => `"${e.column}" = any(?::int[])`).join(' or ')} order by id for update`,
        edges.map((e) => intArray(doomed.get(e.parent)!)),
      );
      doomed.set(
        child,
        rows.map((r) => r.id),
      );
    }
    if (doomed.get(table)!.length)
      await this.sql(em, `delete from "${table}" where id = any(?::int[])`, [intArray(doomed.get(table)!)]);
    for (const [t, rows] of doomed) counts[t] = rows.length;
    return counts;
  }

  /** The ON DELETE CASCADE foreign keys, read from the entities. */
  private edges() {
    this.cascadeEdges ??= Object.values(this.orm.getMetadata().getAll()).flatMap((meta) =>
      Object.values(meta.properties)
        .filter((p) => p.kind === OrmKind.MANY_TO_ONE && p.deleteRule === 'cascade')
        .map((p) => ({
          parent: p.targetMeta!.tableName as TableName,
          child: meta.tableName as TableName,
          column: p.fieldNames[0],
        })),
    );
    return this.cascadeEdges;
  }

  // ------------------------------------------------------------------ plumbing

  private sql<T = Row>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
    return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
  }

  /** One transaction; database errors that slip past validation become clear errors, never internal ones. */
  private async write<T>(fn: (em: EntityManager) => Promise<T>, table?: TableName): Promise<T> {
    try {
      return await this.orm.em.fork().transactional(fn);
    } catch (e) {
      throw translateWriteError(e, table);
    }
  }
}

/** `audio_processing_id` → `audioProcessingId`; the participant is named by its number in inputs. */
function fieldOfColumn(column: string | undefined): string {
  if (!column) return 'input';
  if (column === 'participant_id') return 'participantNumber';
  return column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** What each PostgreSQL data exception means for a value that passed validation (MikroORM leaves these unconverted). */
const DATA_ERRORS: Record<string, string> = {
  [SQLSTATE.string_data_right_truncation]: 'a text is longer than its column allows',
  [SQLSTATE.numeric_value_out_of_range]: 'a number is out of the range its column can hold',
  [SQLSTATE.invalid_datetime_format]: 'a date-time is not in a form PostgreSQL accepts',
  [SQLSTATE.datetime_field_overflow]: 'a date-time is outside the range PostgreSQL can store',
  [SQLSTATE.character_not_in_repertoire]: 'a text contains a character PostgreSQL cannot store',
  [SQLSTATE.invalid_text_representation]: 'a value is not in the form its column needs',
  [SQLSTATE.untranslatable_character]: 'a text contains a character PostgreSQL cannot store (NUL or a lone surrogate)',
};

/**
 * Maps what PostgreSQL refused to an error naming the field; anything else passes through
 * unchanged. The refusal is told by MikroORM's exception class (the error comes converted from
 * the ORM's calls, or is converted as the driver would: asDriverException). `table` is the table
 * written, for a CHECK whose error names none.
 */
export function translateWriteError(e: unknown, table?: TableName): unknown {
  if (e instanceof UserError) return e;
  const c = asDriverException(e);
  if (!c) return e;
  const violation = (field: string, rule: string, message: string) =>
    new ValidationFailedError([{ field, rule, message }]);
  if (c instanceof ForeignKeyConstraintViolationException) {
    // A parent vanished between validation and the write (a concurrent delete).
    const m = /Key \(([^)]+)\)=\(([^)]*)\) is not present in table "([^"]+)"/.exec(c.detail ?? '');
    const field = fieldOfColumn(m?.[1]);
    return violation(
      field,
      'exists',
      `${field}: there is no ${m?.[3] ?? 'referenced'} row with id ${m?.[2] ?? '?'} (was it just deleted?)`,
    );
  }
  // cardinality_violation: one upsert reached the same row twice, which a concurrent write can cause.
  if (c instanceof UniqueConstraintViolationException || c.code === SQLSTATE.cardinality_violation) {
    return new ConflictError(
      `Another write changed the same record at the same moment (${c.constraint ?? 'unique key'}); nothing was written, retry.`,
    );
  }
  // deadlock_detected and serialization_failure.
  if (c instanceof DeadlockException) {
    return new ConflictError(
      'The write collided with a concurrent one and was rolled back; nothing was written, retry.',
    );
  }
  if (c instanceof CheckConstraintViolationException) {
    const checked = c.table ?? table ?? '';
    const column = (c.constraint ?? '').replace(new RegExp(`^${checked}_`), '').replace(/_check$/, '');
    return violation(
      fieldOfColumn(column),
      c.constraint ?? 'check',
      `${fieldOfColumn(column)}: rejected by the database rule ${c.constraint}`,
    );
  }
  if (c instanceof NotNullConstraintViolationException) {
    return violation(fieldOfColumn(c.column), 'isDefined', `${fieldOfColumn(c.column)} is required`);
  }
  const dataError = c.code ? DATA_ERRORS[c.code] : undefined;
  if (dataError) {
    // Our own words: knex prefixes the driver's message with the SQL and its inlined values.
    const field = fieldOfColumn(c.column);
    return violation(field, 'databaseType', `${field}: ${dataError}`);
  }
  return e;
}
