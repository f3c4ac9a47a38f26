/**
 * The sample-data generator: deterministic, idempotent, realistic in shape, consistent
 * across records, and atomic per study.
 */
import type { Client } from 'pg';
import { openTestContext, sqlClient } from './helpers/db';
import { useTestDatabase } from './helpers/test-database';
import { StudyName, TABLES } from '../src/entities';

/** md5 over every row of every data table (ids excluded: they depend on insertion order only). */
async function contentChecksum(c: Client): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const { rows } = await c.query(
      `select md5(coalesce(string_agg(r, '|' order by r), '')) as h from (
         select (to_jsonb(x) - 'id' - 'created_at' - 'updated_at' - 'study_id' - 'participant_id' - 'audio_processing_id'
                 - 'biomechanics_import_id' - 'synchronization_id')::text as r from ${t} x) s`,
    );
    parts.push(rows[0].h);
  }
  return parts.join(':');
}

describe('seed', () => {
  const { ctx: a, sql: ca } = useTestDatabase({ sql: true });
  const { ctx: b, sql: cb } = useTestDatabase({ sql: true });

  it('writes the realistic shape of docs/data-model.md', async () => {
    const counts = await a.services.seed.seed({ participantsPerStudy: 4, seed: 7 });
    expect(counts.study).toBe(3);
    expect(counts.participant).toBe(12);
    expect(counts.audio_processing).toBe(72); // 2 knees × 3 maneuvers each
    expect(counts.biomechanics_import).toBe(72);
    const perParticipant = counts.movement_cycles / 12;
    expect(perParticipant).toBeGreaterThan(120);
    expect(perParticipant).toBeLessThan(300);
    const { rows } = await ca.query(`select
        (select count(*) from synchronization where maneuver in ('fe','sts')) as fixed,
        (select count(*) from participant) * 4 as expected_fixed,
        (select avg(is_outlier::int) from movement_cycles) as outlier_rate,
        (select avg(audio_qc_fail::int) from audio_processing) as qc_fail_rate,
        (select count(*) from audio_processing where biomechanics_import_id is null) as unlinked`);
    expect(Number(rows[0].fixed)).toBe(Number(rows[0].expected_fixed));
    expect(Number(rows[0].outlier_rate)).toBeGreaterThan(0.02);
    expect(Number(rows[0].outlier_rate)).toBeLessThan(0.15);
    expect(Number(rows[0].qc_fail_rate)).toBeGreaterThan(0);
    expect(Number(rows[0].unlinked)).toBe(0);
  });

  it('is deterministic: the same seed gives the same rows in another database', async () => {
    await b.services.seed.seed({ participantsPerStudy: 4, seed: 7 });
    expect(await contentChecksum(cb)).toBe(await contentChecksum(ca));
  });

  it('is idempotent: seeding again updates in place and never duplicates', async () => {
    const before = (await ca.query('select id from movement_cycles order by id')).rows.map((r) => r.id);
    const checksum = await contentChecksum(ca);
    await a.services.seed.seed({ participantsPerStudy: 4, seed: 7 });
    expect((await ca.query('select id from movement_cycles order by id')).rows.map((r) => r.id)).toEqual(before);
    expect(await contentChecksum(ca)).toBe(checksum);
  });

  it('keeps every cross-record rule of docs/data-model.md', async () => {
    const { rows } = await ca.query(`select
      (select count(*) from synchronization y join audio_processing a on a.id = y.audio_processing_id
         where a.participant_id <> y.participant_id or a.knee <> y.knee or a.maneuver <> y.maneuver) as sync_vs_audio,
      (select count(*) from synchronization y join biomechanics_import b on b.id = y.biomechanics_import_id
         where b.participant_id <> y.participant_id or b.knee <> y.knee or b.maneuver <> y.maneuver) as sync_vs_bio,
      (select count(*) from movement_cycles m join synchronization y on y.id = m.synchronization_id
         where m.knee <> y.knee or m.maneuver <> y.maneuver or m.pass_number is distinct from y.pass_number
            or m.speed is distinct from y.speed or m.participant_id <> y.participant_id) as cycle_vs_sync,
      (select count(*) from synchronization y where total_cycles_extracted <>
         (select count(*) from movement_cycles m where m.synchronization_id = y.id)) as cycle_counts,
      (select count(*) from synchronization y where outlier_cycles <>
         (select count(*) from movement_cycles m where m.synchronization_id = y.id and m.is_outlier)) as outlier_counts,
      (select count(*) from audio_processing a join biomechanics_import b on b.id = a.biomechanics_import_id
         where b.audio_processing_id <> a.id) as broken_links`);
    expect(rows[0]).toEqual({
      sync_vs_audio: '0',
      sync_vs_bio: '0',
      cycle_vs_sync: '0',
      cycle_counts: '0',
      outlier_counts: '0',
      broken_links: '0',
    });
  });

  it('writes each study atomically: a failure part-way leaves no partial study behind', async () => {
    const fresh = await openTestContext();
    const c = await sqlClient(fresh.target.url);
    try {
      await expect(
        fresh.services.seed.seed({
          participantsPerStudy: 2,
          onProgress: (p) => {
            if (p.study === StudyName.preOA) throw new Error('interrupted');
          },
        }),
      ).rejects.toThrow('interrupted');
      const { rows } = await c.query(
        `select s.name, count(p.*) as n from study s left join participant p on p.study_id = s.id group by 1 order by 1`,
      );
      expect(rows).toEqual([{ name: 'AOA', n: '2' }]);
    } finally {
      await c.end();
      await fresh.close();
    }
  });

  it('rejects impossible sizes with a clear message', async () => {
    await expect(a.services.seed.seed({ participantsPerStudy: 0 })).rejects.toThrow(
      /participantsPerStudy must be an integer from 1/,
    );
    await expect(a.services.seed.seed({ studies: ['OAI' as StudyName] })).rejects.toThrow(/Unknown study "OAI"/);
  });
});
