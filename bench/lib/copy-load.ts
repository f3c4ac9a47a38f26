/**
 * The reference for W4: the same generated rows loaded with PostgreSQL's COPY FROM STDIN
 * into an empty clone, with every constraint, index and foreign key in place. Like the
 * seed it writes one transaction per study and closes the circular audio ⟷ biomechanics
 * link with one UPDATE; unlike the seed it assigns ids itself and cannot upsert, so it is
 * the floor a bulk writer on this schema can reach, not a replacement for the seed.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { columnsOf } from '../../src/services/write/bulk';
import { generateParticipant, type Row } from '../../src/services/seed/sample-data';
import type { StudyName } from '../../src/entities/enums';
import { TABLES, type TableName } from '../../src/entities';

/** COPY text format: tab-separated, `\N` for null, backslash escapes. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v))
    return escape(
      `{${v.map((x) => (typeof x === 'number' ? String(x) : `"${String(x).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`,
    );
  return escape(String(v));
}

function escape(s: string): string {
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

async function copyRows(client: Client, table: string, cols: string[], rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `copy "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) from stdin`;
  function* chunks() {
    const BATCH = 500;
    for (let i = 0; i < rows.length; i += BATCH) {
      let out = '';
      for (const r of rows.slice(i, i + BATCH)) out += cols.map((c) => field(r[c])).join('\t') + '\n';
      yield out;
    }
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
}

export type TableCounts = Record<TableName, number>;

/** Generate the dataset and COPY it into `url` (an empty, migrated database). Returns rows per table. */
export async function copyLoad(
  url: string,
  o: { studies: StudyName[]; participantsPerStudy: number; seed: number },
): Promise<TableCounts> {
  const counts = Object.fromEntries(TABLES.map((t) => [t, 0])) as TableCounts;
  const nextId = Object.fromEntries(TABLES.map((t) => [t, 1])) as Record<TableName, number>;
  const take = (t: TableName) => nextId[t]++;
  const client = new Client({ connectionString: url, application_name: 'ae-bench copy' });
  await client.connect();
  try {
    for (const study of o.studies) {
      await client.query('begin');
      const studyRow = { id: take('study'), name: study };
      await copyRows(client, 'study', ['id', 'name'], [studyRow]);
      const participants: Row[] = [];
      const audio: Row[] = [];
      const bio: Row[] = [];
      const syncs: Row[] = [];
      const cycles: Row[] = [];
      for (let i = 1; i <= o.participantsPerStudy; i++) {
        const b = generateParticipant(study, i, o.seed);
        const participant_id = take('participant');
        participants.push({ id: participant_id, study_id: studyRow.id, study_participant_id: b.studyParticipantId });
        const audioId = new Map<string, number>();
        const bioId = new Map<string, number>();
        for (const a of b.audio) {
          const id = take('audio_processing');
          audioId.set(`${a.knee}/${a.maneuver}`, id);
          audio.push(Object.assign(a, { id, participant_id }));
        }
        for (const x of b.biomechanics) {
          const id = take('biomechanics_import');
          bioId.set(`${x.knee}/${x.maneuver}`, id);
          bio.push(
            Object.assign(x, { id, participant_id, audio_processing_id: audioId.get(`${x.knee}/${x.maneuver}`) }),
          );
        }
        const syncIds: number[] = [];
        for (const s of b.synchronizations) {
          const id = take('synchronization');
          syncIds.push(id);
          const k = `${s.knee}/${s.maneuver}`;
          syncs.push(
            Object.assign(s, {
              id,
              participant_id,
              audio_processing_id: audioId.get(k),
              biomechanics_import_id: bioId.get(k),
            }),
          );
        }
        for (const c of b.cycles) {
          const k = `${c.knee}/${c.maneuver}`;
          cycles.push(
            Object.assign(c, {
              id: take('movement_cycles'),
              participant_id,
              audio_processing_id: audioId.get(k),
              biomechanics_import_id: bioId.get(k),
              synchronization_id: syncIds[c._sync as number],
            }),
          );
        }
      }
      await copyRows(client, 'participant', columnsOf(participants), participants);
      await copyRows(client, 'audio_processing', columnsOf(audio), audio);
      await copyRows(client, 'biomechanics_import', columnsOf(bio), bio);
      await client.query(
        'update audio_processing a set biomechanics_import_id = b.id from biomechanics_import b ' +
          'where b.audio_processing_id = a.id and b.participant_id = any($1::int[])',
        [participants.map((p) => p.id)],
      );
      await copyRows(client, 'synchronization', columnsOf(syncs), syncs);
      await copyRows(client, 'movement_cycles', columnsOf(cycles), cycles);
      await client.query('commit');
      counts.study += 1;
      counts.participant += participants.length;
      counts.audio_processing += audio.length;
      counts.biomechanics_import += bio.length;
      counts.synchronization += syncs.length;
      counts.movement_cycles += cycles.length;
    }
    // Ids were given explicitly: move the sequences past them, as a real load would have to.
    for (const t of TABLES)
      await client.query(`select setval(pg_get_serial_sequence('"${t}"', 'id'), $1)`, [nextId[t]]);
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
  return counts;
}
