/**
 * Writes the sample dataset. Each study is one transaction, so an interrupted or failing
 * seed leaves no partial study behind; re-running upserts on the natural keys and never
 * duplicates.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { StudyName } from '../../entities/enums';
import { upsertRows, upsertRowsCount } from '../write/bulk';
import {
  ALL_STUDIES,
  generateParticipant,
  SAMPLE_PARTICIPANT_NUMBERS,
  type ParticipantBundle,
  type Row,
} from './sample-data';
import { ConfirmationRequiredError, UserError } from '../errors';
import { adminTransaction, NO_ADMIN_LIMITS, type AdminLimits } from '../transactions';
import type { TableName } from '../../entities';

export interface SeedOptions {
  participantsPerStudy?: number;
  studies?: StudyName[];
  seed?: number;
  /** Called after each chunk is written, for progress displays. */
  onProgress?: (p: SeedProgress) => void;
  /**
   * Seed even though the database holds participants the sample did not write. Their rows
   * are still never touched: the sample's numbers are a range no other writer may use.
   */
  force?: boolean;
}

/** Participants outside the sample's number range: real data, which seeding must leave alone. */
export interface ForeignParticipants {
  count: number;
  /** Up to five, as `AOA 1011`. */
  examples: string[];
}

export interface SeedProgress {
  study: StudyName;
  /** Participants of `study` written so far, and how many it will have. */
  participantsDone: number;
  participantsTotal: number;
  /** Studies committed before this one, and how many this run writes. */
  studiesDone: number;
  studiesTotal: number;
  /** Rows written so far in this run, per table. */
  rows: Record<TableName, number>;
}

export type TableCounts = Record<TableName, number>;

export const emptyCounts = (): TableCounts => ({
  study: 0,
  participant: 0,
  audio_processing: 0,
  biomechanics_import: 0,
  synchronization: 0,
  movement_cycles: 0,
});

/** Participants written per statement batch: ~5–10k cycles, well under PostgreSQL's limits. */
const CHUNK = 30;

export class SeedService {
  constructor(
    private readonly orm: MikroORM,
    private readonly limits: AdminLimits = NO_ADMIN_LIMITS,
  ) {}

  /** Generate and upsert the sample dataset; returns the rows written per table. */
  async seed(o: SeedOptions = {}): Promise<TableCounts> {
    const per = o.participantsPerStudy ?? 3;
    const studies = o.studies?.length ? [...new Set(o.studies)] : ALL_STUDIES;
    const seed = o.seed ?? 42;
    if (!Number.isInteger(per) || per < 1 || per > 5000)
      throw new UserError('participantsPerStudy must be an integer from 1 to 5000.');
    if (!Number.isInteger(seed) || seed < 0) throw new UserError('seed must be a non-negative integer.');
    for (const s of studies)
      if (!Object.values(StudyName).includes(s)) throw new UserError(`Unknown study "${s}" (AOA, preOA, SMoCK).`);
    const foreign = await this.foreignParticipants();
    if (foreign.count && !o.force) {
      throw new ConfirmationRequiredError(
        `This database holds ${foreign.count} participant(s) the sample data did not write (${foreign.examples.join(', ')}${foreign.count > foreign.examples.length ? ', …' : ''}), so seeding was refused and nothing was written. ` +
          `To add the sample next to them anyway, use --force (seedSampleData(force: true)): its participants are numbered ${SAMPLE_PARTICIPANT_NUMBERS.min}–${SAMPLE_PARTICIPANT_NUMBERS.max}, a range no other writer may use, and it never changes or attaches to their rows.`,
      );
    }
    const total = emptyCounts();
    for (const [studiesDone, study] of studies.entries()) {
      await adminTransaction(this.orm.em, this.limits, async (em) => {
        const studyId = await this.studyId(em, study);
        total.study++;
        for (let from = 1; from <= per; from += CHUNK) {
          const bundles: ParticipantBundle[] = [];
          for (let i = from; i < Math.min(from + CHUNK, per + 1); i++)
            bundles.push(generateParticipant(study, i, seed));
          const written = await this.writeBundles(em, studyId, bundles);
          for (const k of Object.keys(written) as TableName[]) total[k] += written[k];
          o.onProgress?.({
            study,
            participantsDone: Math.min(from + CHUNK - 1, per),
            participantsTotal: per,
            studiesDone,
            studiesTotal: studies.length,
            rows: { ...total },
          });
        }
      });
    }
    return total;
  }

  /** Participants whose numbers are outside the sample's range, that is, not written by it. */
  async foreignParticipants(): Promise<ForeignParticipants> {
    const rows = await this.orm.em.getConnection().execute<{ count: number; examples: string[] | null }[]>(
      `select count(*)::int as count, (array_agg(s.name || ' ' || p.study_participant_id order by s.name, p.study_participant_id))[1:5] as examples
         from participant p join study s on s.id = p.study_id
        where p.study_participant_id not between ? and ?`,
      [SAMPLE_PARTICIPANT_NUMBERS.min, SAMPLE_PARTICIPANT_NUMBERS.max],
    );
    return { count: rows[0].count, examples: rows[0].examples ?? [] };
  }

  /** The study's id, creating the row if missing; an existing study row (perhaps real data's) is left as it is. */
  private async studyId(em: EntityManager, name: StudyName): Promise<number> {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    await conn.execute(
      'insert into study (name) values (?) on conflict on constraint study_name_key do nothing',
      [name],
      'run',
      tx,
    );
    const [{ id }] = await conn.execute<{ id: number }[]>('select id from study where name = ?', [name], 'all', tx);
    return id;
  }

  /** Insert the bundles of one study, parents first, resolving natural keys to ids. */
  async writeBundles(em: EntityManager, studyId: number, bundles: ParticipantBundle[]): Promise<TableCounts> {
    const counts = emptyCounts();
    const participants = await upsertRows<{ study_participant_id: number }>(
      em,
      {
        table: 'participant',
        constraint: 'participant_study_id_study_participant_id_key',
        returning: ['study_participant_id'],
      },
      bundles.map((b) => ({ study_id: studyId, study_participant_id: b.studyParticipantId })),
    );
    counts.participant = participants.length;
    const pid = new Map(participants.map((p) => [p.study_participant_id, p.id]));
    const keyOf = (participantId: unknown, knee: unknown, maneuver: unknown) => `${participantId}/${knee}/${maneuver}`;

    // The bundles are this call's own: parent ids are written into their rows in place
    // rather than into copies, which for ~7k cycles a chunk saves real allocation time.
    const audioRows: Row[] = [];
    for (const b of bundles)
      for (const a of b.audio) audioRows.push(Object.assign(a, { participant_id: pid.get(b.studyParticipantId) }));
    const audio = await upsertRows<Row>(
      em,
      {
        table: 'audio_processing',
        constraint: 'audio_processing_participant_file_knee_maneuver_key',
        returning: ['participant_id', 'knee', 'maneuver'],
      },
      audioRows,
    );
    const audioId = new Map(audio.map((a) => [keyOf(a.participant_id, a.knee, a.maneuver), a.id]));

    const bioRows: Row[] = [];
    for (const b of bundles) {
      const participant_id = pid.get(b.studyParticipantId);
      for (const x of b.biomechanics)
        bioRows.push(
          Object.assign(x, {
            participant_id,
            audio_processing_id: audioId.get(keyOf(participant_id, x.knee, x.maneuver)),
          }),
        );
    }
    const bio = await upsertRows<Row>(
      em,
      {
        table: 'biomechanics_import',
        constraint: 'biomechanics_import_participant_file_knee_maneuver_key',
        returning: ['participant_id', 'knee', 'maneuver', 'audio_processing_id'],
      },
      bioRows,
    );
    const bioId = new Map(bio.map((x) => [keyOf(x.participant_id, x.knee, x.maneuver), x.id]));
    // Close the circular recording-time link from the audio side.
    await em
      .getConnection()
      .execute(
        'update audio_processing a set biomechanics_import_id = b.id from biomechanics_import b ' +
          'where b.audio_processing_id = a.id and b.id = any(?::int[]) and a.biomechanics_import_id is distinct from b.id',
        [`{${bio.map((b) => b.id).join(',')}}`],
        'run',
        em.getTransactionContext(),
      );
    counts.audio_processing = audio.length;
    counts.biomechanics_import = bio.length;

    const syncRows: Row[] = [];
    const cycleRows: Row[] = [];
    for (const b of bundles) {
      const participant_id = pid.get(b.studyParticipantId);
      const base = syncRows.length;
      for (const s of b.synchronizations) {
        const k = keyOf(participant_id, s.knee, s.maneuver);
        syncRows.push(
          Object.assign(s, {
            participant_id,
            audio_processing_id: audioId.get(k),
            biomechanics_import_id: bioId.get(k),
          }),
        );
      }
      for (const c of b.cycles) {
        const k = keyOf(participant_id, c.knee, c.maneuver);
        cycleRows.push(
          Object.assign(c, {
            _sync: base + (c._sync as number),
            participant_id,
            audio_processing_id: audioId.get(k),
            biomechanics_import_id: bioId.get(k),
          }),
        );
      }
    }
    const syncs = await upsertRows<Row>(
      em,
      {
        table: 'synchronization',
        constraint: 'synchronization_natural_key',
        returning: ['participant_id', 'knee', 'maneuver', 'pass_number', 'speed'],
      },
      syncRows,
    );
    const syncKey = (r: Row) => `${r.participant_id}/${r.knee}/${r.maneuver}/${r.pass_number ?? ''}/${r.speed ?? ''}`;
    const syncId = new Map(syncs.map((s) => [syncKey(s), s.id]));
    for (const c of cycleRows) c.synchronization_id = syncId.get(syncKey(syncRows[c._sync as number]));
    counts.synchronization = syncs.length;
    counts.movement_cycles = await upsertRowsCount(
      em,
      { table: 'movement_cycles', constraint: 'movement_cycles_natural_key' },
      cycleRows,
    );
    return counts;
  }
}
