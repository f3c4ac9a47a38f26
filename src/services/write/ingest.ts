/**
 * The pipeline's write unit: one processed recording (audio record, its biomechanics import,
 * its synchronizations and their movement cycles) in one transaction, by natural keys.
 *
 * - Replace: afterwards exactly the sent synchronizations belong to the audio record, and
 *   exactly the sent cycles to each of them; the others are deleted and counted.
 * - A re-send is a no-op: a row is updated only when a value differs (`… do update … where
 *   (columns) is distinct from (excluded)`), so no `updated_at` moves. A processingDate left
 *   out keeps the stored one rather than becoming "now".
 * - Every nested record is validated as its own write input (record-inputs.ts) with what the
 *   recording determines filled in, before anything is written; a violation names its path
 *   (`synchronizations[2].movementCycles[17].endTimeS`).
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { ReferenceKind as OrmKind, type EntityProperty } from '@mikro-orm/core';
import { AudioProcessing, BiomechanicsImport, MovementCycle, Synchronization, type TableName } from '../../entities';
import { columnsOf } from './bulk';
import { inputValue } from './column-inputs';
import { quote } from '../read/sql';
import { ValidationFailedError, type FieldViolation } from '../errors';
import {
  AudioProcessingInput,
  BiomechanicsImportInput,
  MAX_CYCLE_BATCH,
  MovementCycleInput,
  numberOfKey,
  ParticipantKey,
  SynchronizationInput,
} from './record-inputs';
import { RECORDING_RULES, type RecordingInput } from './recording-input';
import { translateWriteError } from './records';
import { attachReferences, toInput, violationsOf, type ReferencedRecord } from './validation';

type Row = Record<string, unknown>;
/** A stored row as a lookup returns it: every lookup selects the id. */
type Stored = Row & { id: number };

export interface IngestTableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface IngestResult {
  audioProcessingId: number;
  biomechanicsImportId: number | null;
  /** In input order. */
  synchronizationIds: number[];
  audioProcessing: IngestTableCounts;
  biomechanicsImport: IngestTableCounts;
  synchronization: IngestTableCounts;
  movementCycles: IngestTableCounts;
}

const zero = (): IngestTableCounts => ({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

/** Columns the database keeps for itself, and columns of a record that the recording's structure sets. */
const BOOKKEEPING = new Set(['id', 'createdAt', 'updatedAt']);

const given = (v: unknown) => v !== null && v !== undefined;

/** A nested record as its own write input: what the recording determines is filled in, or must agree when sent. */
function nestedInput<T extends object>(
  cls: new () => T,
  raw: object | null | undefined,
  path: string,
  sameAs: Record<string, unknown>,
  setByIngest: Record<string, unknown>,
  omit: string[],
  violations: FieldViolation[],
): T {
  const plain: Row = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined && !omit.includes(k)) plain[k] = v;
  for (const [k, v] of Object.entries(sameAs)) {
    if (!given(plain[k])) plain[k] = v;
    else if (plain[k] !== v) {
      violations.push(RECORDING_RULES.sameAsRecording.violation(`${path}${k}`, plain[k], v));
      plain[k] = v; // reported once, here, rather than again by the rules that compare it with the parents
    }
  }
  for (const [k, v] of Object.entries(setByIngest)) {
    if (given(plain[k])) violations.push(RECORDING_RULES.setByIngest.violation(`${path}${k}`));
    plain[k] = v;
  }
  return toInput(cls, plain);
}

/** The violations of one input, with its path in front of the field (and of the message that starts with it). */
function violationsAt(input: object, path: string): FieldViolation[] {
  return violationsOf(input).map((v) => ({
    ...v,
    field: path + v.field,
    message: v.message.startsWith(v.field) ? path + v.message : `${path}${v.field}: ${v.message}`,
  }));
}

/** The natural keys (docs/data-model.md) the upserts match on. */
const AUDIO_KEY = ['participant_id', 'audio_file_name', 'knee', 'maneuver'];
const BIO_KEY = ['participant_id', 'biomechanics_file', 'knee', 'maneuver'];
const SYNC_KEY = ['participant_id', 'knee', 'maneuver', 'pass_number', 'speed'];

/** Placeholder id for records the ingest will create: valid for the id rules, never written. */
const NEW = 1;

export class IngestService {
  private columns = new Map<string, { property: string; column: string }[]>();

  constructor(private readonly orm: MikroORM) {}

  async ingestRecording(input: RecordingInput | Row): Promise<IngestResult> {
    try {
      return await this.orm.em.fork().transactional((em) => this.ingest(em, input as RecordingInput));
    } catch (e) {
      throw translateWriteError(e);
    }
  }

  private async ingest(em: EntityManager, input: RecordingInput): Promise<IngestResult> {
    const violations: FieldViolation[] = [];
    if (!input || typeof input !== 'object' || !input.audio || typeof input.audio !== 'object') {
      throw new ValidationFailedError([RECORDING_RULES.isDefined.violation()]);
    }
    const syncsIn = Array.isArray(input.synchronizations) ? input.synchronizations : [];
    if (input.synchronizations !== undefined && !Array.isArray(input.synchronizations)) {
      violations.push(RECORDING_RULES.isArray.violation('synchronizations'));
    }
    const cycleCount = syncsIn.reduce(
      (n, s) => n + (Array.isArray(s?.movementCycles) ? s.movementCycles.length : 0),
      0,
    );
    if (cycleCount > MAX_CYCLE_BATCH) {
      throw new ValidationFailedError([RECORDING_RULES.maxBatchSize.violation(cycleCount)]);
    }

    // 1. The audio record, its participant, and what the database already holds for this recording.
    const audio = toInput(AudioProcessingInput, { ...(input.audio as object) } as Row);
    const participantId = await this.participantId(em, audio);
    attachReferences(audio, { participantId });
    violations.push(...violationsAt(audio, 'audio.'));
    const recording = {
      study: audio.study,
      participantNumber: audio.participantNumber,
      knee: audio.knee,
      maneuver: audio.maneuver,
    };
    // What the recording's references look like to the id rules, before anything is written.
    const referenceTo = (existing: Stored | undefined): ReferencedRecord => ({
      id: existing?.id ?? NEW,
      participantId: participantId ?? -1,
      knee: recording.knee,
      maneuver: recording.maneuver,
    });
    // The audio row is locked: a concurrent ingest of the same recording waits for this one.
    const existingAudio = participantId
      ? await this.existing(
          em,
          'audio_processing',
          AUDIO_KEY,
          [participantId, audio.audioFileName, audio.knee, audio.maneuver],
          true,
        )
      : undefined;
    const audioRef = referenceTo(existingAudio);

    // 2. The biomechanics import: required by synchronizations.
    let bio: BiomechanicsImportInput | undefined;
    if (given(input.biomechanics)) {
      bio = nestedInput(BiomechanicsImportInput, input.biomechanics, 'biomechanics.', recording, {}, [], violations);
      attachReferences(bio, { participantId });
      violations.push(...violationsAt(bio, 'biomechanics.'));
    } else if (syncsIn.length) {
      violations.push(RECORDING_RULES.requiredWithSynchronizations.violation());
    }
    const existingBio =
      bio && participantId
        ? await this.existing(em, 'biomechanics_import', BIO_KEY, [
            participantId,
            bio.biomechanicsFile,
            recording.knee,
            recording.maneuver,
          ])
        : undefined;
    const bioRef = referenceTo(existingBio);

    // 3. Synchronizations and their cycles, each checked as its own write.
    const syncs: SynchronizationInput[] = [];
    const cycles: { sync: number; input: MovementCycleInput; path: string }[] = [];
    const syncKeys = new Map<string, number>();
    syncsIn.forEach((raw, i) => {
      const path = `synchronizations[${i}].`;
      const sync = nestedInput(
        SynchronizationInput,
        raw,
        path,
        recording,
        { audioProcessingId: NEW, biomechanicsImportId: NEW },
        ['movementCycles'],
        violations,
      );
      attachReferences(sync, { participantId, audioProcessing: audioRef, biomechanicsImport: bioRef });
      violations.push(...violationsAt(sync, path));
      const key = JSON.stringify([sync.passNumber ?? null, sync.speed ?? null]);
      if (syncKeys.has(key)) {
        violations.push(RECORDING_RULES.uniqueInRecording.violation(path, syncKeys.get(key)!));
      } else syncKeys.set(key, i);
      syncs.push(sync);
      const syncRef: ReferencedRecord = { ...audioRef, passNumber: sync.passNumber ?? null, speed: sync.speed ?? null };
      const indexes = new Map<unknown, number>();
      const rawCycles = Array.isArray(raw?.movementCycles) ? raw.movementCycles : [];
      if (raw?.movementCycles !== undefined && !Array.isArray(raw.movementCycles))
        violations.push(RECORDING_RULES.isArray.violation(`${path}movementCycles`));
      rawCycles.forEach((rc, j) => {
        const cpath = `${path}movementCycles[${j}].`;
        const cycle = nestedInput(
          MovementCycleInput,
          rc,
          cpath,
          { ...recording, passNumber: sync.passNumber ?? null, speed: sync.speed ?? null },
          { audioProcessingId: NEW, biomechanicsImportId: NEW, synchronizationId: NEW },
          [],
          violations,
        );
        attachReferences(cycle, {
          participantId,
          audioProcessing: audioRef,
          biomechanicsImport: bioRef,
          synchronization: syncRef,
        });
        violations.push(...violationsAt(cycle, cpath));
        if (indexes.has(cycle.cycleIndex)) {
          violations.push(
            RECORDING_RULES.uniqueInSynchronization.violation(cpath, cycle.cycleIndex, indexes.get(cycle.cycleIndex)!),
          );
        } else indexes.set(cycle.cycleIndex, j);
        cycles.push({ sync: i, input: cycle, path: cpath });
      });
    });
    if (violations.length) throw new ValidationFailedError(violations);

    // 4. Write, parents first, each table in one statement; unchanged rows are left alone.
    const result: IngestResult = {
      audioProcessingId: 0,
      biomechanicsImportId: null,
      synchronizationIds: [],
      audioProcessing: zero(),
      biomechanicsImport: zero(),
      synchronization: zero(),
      movementCycles: zero(),
    };
    const audioRow = this.toRow(AudioProcessing.name, audio, { participant_id: participantId }, existingAudio);
    const [audioId] = await this.upsertChanged(
      em,
      'audio_processing',
      'audio_processing_participant_file_knee_maneuver_key',
      AUDIO_KEY,
      [audioRow],
      [existingAudio?.id ?? null],
      result.audioProcessing,
    );
    result.audioProcessingId = audioId;

    if (bio) {
      const bioRow = this.toRow(
        BiomechanicsImport.name,
        bio,
        { participant_id: participantId, audio_processing_id: audioId },
        existingBio,
      );
      const [bioId] = await this.upsertChanged(
        em,
        'biomechanics_import',
        'biomechanics_import_participant_file_knee_maneuver_key',
        BIO_KEY,
        [bioRow],
        [existingBio?.id ?? null],
        result.biomechanicsImport,
      );
      result.biomechanicsImportId = bioId;
      // The recording-time link, on both sides, as linkRecordings makes it; each statement
      // touches only rows that differ.
      await this.run(
        em,
        'update biomechanics_import set audio_processing_id = null where audio_processing_id = ? and id <> ?',
        [audioId, bioId],
      );
      await this.run(
        em,
        'update audio_processing set biomechanics_import_id = null where biomechanics_import_id = ? and id <> ?',
        [bioId, audioId],
      );
      await this.run(
        em,
        'update audio_processing set biomechanics_import_id = ? where id = ? and biomechanics_import_id is distinct from ?',
        [bioId, audioId, bioId],
      );
    }

    const storedSyncs = await this.rows(
      em,
      'select id, pass_number, speed, processing_date from synchronization where audio_processing_id = ? order by id for update',
      [audioId],
    );
    const storedSync = new Map(storedSyncs.map((s) => [JSON.stringify([s.pass_number, s.speed]), s]));
    const syncRows = syncs.map((s) =>
      this.toRow(
        Synchronization.name,
        s,
        {
          participant_id: participantId,
          audio_processing_id: audioId,
          biomechanics_import_id: result.biomechanicsImportId,
        },
        storedSync.get(JSON.stringify([s.passNumber ?? null, s.speed ?? null])),
      ),
    );
    const syncExisting = syncs.map(
      (s) => storedSync.get(JSON.stringify([s.passNumber ?? null, s.speed ?? null]))?.id ?? null,
    );
    result.synchronizationIds = await this.upsertChanged(
      em,
      'synchronization',
      'synchronization_natural_key',
      SYNC_KEY,
      syncRows,
      syncExisting,
      result.synchronization,
    );
    // Synchronizations of this audio record no longer produced go, and their cycles with them (ON DELETE CASCADE).
    const goneSyncs = storedSyncs.map((s) => s.id as number).filter((id) => !result.synchronizationIds.includes(id));
    if (goneSyncs.length) {
      result.movementCycles.deleted += Number(
        (await this.one(em, 'select count(*) as n from movement_cycles where synchronization_id = any(?::int[])', [
          `{${goneSyncs}}`,
        ]))!.n,
      );
      result.synchronization.deleted = await this.run(em, 'delete from synchronization where id = any(?::int[])', [
        `{${goneSyncs}}`,
      ]);
    }

    const syncIds = result.synchronizationIds;
    const storedCycles = syncIds.length
      ? await this.rows(
          em,
          'select id, synchronization_id, cycle_index, processing_date from movement_cycles where synchronization_id = any(?::int[]) order by id for update',
          [`{${syncIds}}`],
        )
      : [];
    const storedCycle = new Map(storedCycles.map((c) => [`${c.synchronization_id}/${c.cycle_index}`, c]));
    const cycleRows = cycles.map(({ sync, input: c }) =>
      this.toRow(
        MovementCycle.name,
        c,
        {
          participant_id: participantId,
          audio_processing_id: audioId,
          biomechanics_import_id: result.biomechanicsImportId,
          synchronization_id: syncIds[sync],
        },
        storedCycle.get(`${syncIds[sync]}/${c.cycleIndex}`),
      ),
    );
    const cycleExisting = cycles.map(
      ({ sync, input: c }) => storedCycle.get(`${syncIds[sync]}/${c.cycleIndex}`)?.id ?? null,
    );
    const cycleIds = await this.upsertChanged(
      em,
      'movement_cycles',
      'movement_cycles_natural_key',
      [...SYNC_KEY, 'cycle_index'],
      cycleRows,
      cycleExisting,
      result.movementCycles,
    );
    const kept = new Set(cycleIds);
    const goneCycles = storedCycles.map((c) => c.id as number).filter((id) => !kept.has(id));
    if (goneCycles.length)
      result.movementCycles.deleted += await this.run(em, 'delete from movement_cycles where id = any(?::int[])', [
        `{${goneCycles}}`,
      ]);
    return result;
  }

  /**
   * Inserts new rows and updates existing ones only where a value differs; returns the ids in
   * input order (`existing[i]`: the stored row's id when known) and counts what happened.
   */
  private async upsertChanged(
    em: EntityManager,
    table: TableName,
    constraint: string,
    key: string[],
    rows: Row[],
    existing: (number | null)[],
    counts: IngestTableCounts,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    const cols = columnsOf(rows);
    const data = cols.filter((c) => c !== 'created_at');
    const sql =
      `insert into ${quote(table)} as t (${cols.map(quote).join(', ')}) ` +
      `select ${cols.map(quote).join(', ')} from json_populate_recordset(null::${quote(table)}, ?::json) ` +
      `on conflict on constraint ${quote(constraint)} do update set ${data.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')} ` +
      `where (${data.map((c) => `t.${quote(c)}`).join(', ')}) is distinct from (${data.map((c) => `excluded.${quote(c)}`).join(', ')}) ` +
      `returning t.id, (t.xmax = 0) as inserted, ${key.map((k) => `t.${quote(k)}`).join(', ')}`;
    const written = (await this.runner(em).raw(sql, [JSON.stringify(rows)])).rows as (Row & {
      id: number;
      inserted: boolean;
    })[];
    const inserted = written.filter((w) => w.inserted).length;
    counts.inserted += inserted;
    counts.updated += written.length - inserted;
    counts.unchanged += rows.length - written.length;
    const keyOf = (r: Row) => JSON.stringify(key.map((k) => r[k] ?? null));
    const byKey = new Map(written.map((w) => [keyOf(w), w.id]));
    const ids = rows.map((r, i) => byKey.get(keyOf(r)) ?? existing[i] ?? null);
    const unknown = rows.filter((_, i) => ids[i] === null);
    if (unknown.length) {
      // Unchanged rows this transaction did not see before the upsert: a concurrent ingest of
      // the same recording wrote them.
      const found = (
        await this.runner(em).raw(
          `select t.id, ${key.map((k) => `t.${quote(k)}`).join(', ')} from ${quote(table)} t
           join json_populate_recordset(null::${quote(table)}, ?::json) r on ${key.map((k) => `t.${quote(k)} is not distinct from r.${quote(k)}`).join(' and ')}`,
          [JSON.stringify(unknown.map((r) => Object.fromEntries(key.map((k) => [k, r[k]]))))],
        )
      ).rows as Row[];
      for (const f of found) byKey.set(keyOf(f), f.id as number);
    }
    return rows.map((r, i) => ids[i] ?? byKey.get(keyOf(r))!);
  }

  /** The full row an input stands for (every column; a processingDate left out keeps the stored one, else now). */
  private toRow(entity: string, input: object, links: Row, stored?: Row): Row {
    const row: Row = {};
    for (const { property, column } of this.scalarColumns(entity)) row[column] = inputValue(input, property) ?? null;
    Object.assign(row, links);
    row.processing_date = inputValue(input, 'processingDate') ?? stored?.processing_date ?? new Date();
    return row;
  }

  private scalarColumns(entity: string) {
    let cols = this.columns.get(entity);
    if (!cols) {
      cols = this.orm
        .getMetadata()
        .get(entity)
        .props.filter((p: EntityProperty) => p.kind === OrmKind.SCALAR && !BOOKKEEPING.has(p.name))
        .map((p: EntityProperty) => ({ property: p.name, column: p.fieldNames[0] }));
      this.columns.set(entity, cols);
    }
    return cols;
  }

  private async participantId(em: EntityManager, audio: AudioProcessingInput): Promise<number | null | undefined> {
    const key = toInput(ParticipantKey, { study: audio.study, participantNumber: audio.participantNumber });
    if (violationsOf(key).length) return undefined; // the audio input's own rules report it
    const row = await this.one(
      em,
      'select p.id from participant p join study s on s.id = p.study_id where s.name = ? and p.study_participant_id = ?',
      [key.study, numberOfKey(key)],
    );
    return row ? (row.id as number) : null;
  }

  private runner(em: EntityManager): Knex {
    return (em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()) as Knex;
  }

  private async rows(em: EntityManager, sql: string, params: unknown[]): Promise<Stored[]> {
    return (await this.runner(em).raw(sql, params as readonly Knex.RawBinding[])).rows;
  }

  /** The row of `table` whose natural key holds `values`, if there is one (its id and processing date). */
  private existing(em: EntityManager, table: TableName, key: string[], values: unknown[], forUpdate = false) {
    const where = key.map((column) => `${quote(column)} = ?`).join(' and ');
    const lock = forUpdate ? ' for update' : '';
    return this.one(em, `select id, processing_date from ${quote(table)} where ${where}${lock}`, values);
  }

  private async one(em: EntityManager, sql: string, params: unknown[]): Promise<Stored | undefined> {
    return (await this.rows(em, sql, params))[0];
  }

  private async run(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
    return (await this.runner(em).raw(sql, params as readonly Knex.RawBinding[])).rowCount ?? 0;
  }
}
