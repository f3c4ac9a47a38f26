/**
 * The dataset the read-API tests share: the seed (2 participants per study) plus rows
 * changed or inserted so that every filter has rows it must return and rows it must not.
 */
import type { Client } from 'pg';
import type { AppContext } from '../../src/context';
import { seedAsRealParticipants } from './db';
import { useTestDatabase } from './test-database';

export interface Markers {
  erroredAudio: number;
  channel3Audio: number;
  unlinkedAudio: number;
  unsyncedAudio: number;
  failedBiomechanics: number;
  unsyncedBiomechanics: number;
  failedSync: number;
  looseCycle: number;
  syncQcFailedCycle: number;
  emptyParticipant: number;
}

const one = async (c: Client, sql: string): Promise<number> => (await c.query(sql)).rows[0].id;

export async function seedReadFixture(ctx: AppContext, c: Client): Promise<Markers> {
  await seedAsRealParticipants(ctx, { participantsPerStudy: 2 });
  const audio = (await c.query(`select id from audio_processing order by id`)).rows.map((r) => r.id);
  const erroredAudio = audio[0];
  await c.query(
    `update audio_processing set processing_status = 'error', error_message = 'decoder failed',
            processing_date = '2023-06-01 12:00:00.123456+00' where id = $1`,
    [erroredAudio],
  );
  const channel3Audio = audio[1];
  await c.query(
    `update audio_processing set audio_qc_fail = true, qc_fail_segments = '{1.0,2.5,4,4.25}',
            audio_qc_fail_ch3 = true, qc_fail_segments_ch3 = '{1.0,2.5,4,4.25}',
            qc_artifact = true, qc_artifact_ch3 = true, qc_artifact_segments_ch3 = '{4,4.25}', qc_artifact_type_ch3 = '{Intermittent}'
      where id = $1`,
    [channel3Audio],
  );
  const unlinkedAudio = audio[2];
  await c.query(`update audio_processing set biomechanics_import_id = null where id = $1`, [unlinkedAudio]);
  const unsyncedAudio = await one(
    c,
    `insert into audio_processing (participant_id, audio_file_name, device_serial, firmware_version, file_time, file_size_mb,
            recording_date, recording_time, knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position)
     select participant_id, 'retake_' || audio_file_name, device_serial, firmware_version, file_time, file_size_mb,
            recording_date, recording_time, knee, maneuver, num_channels, mic_1_position, mic_2_position, mic_3_position, mic_4_position
       from audio_processing where id = ${audio[3]} returning id`,
  );
  const bio = (await c.query(`select id from biomechanics_import order by id`)).rows.map((r) => r.id);
  const failedBiomechanics = bio[4];
  await c.query(`update biomechanics_import set biomechanics_qc_fail = true where id = $1`, [failedBiomechanics]);
  const unsyncedBiomechanics = await one(
    c,
    `insert into biomechanics_import (participant_id, biomechanics_file, biomechanics_type, knee, maneuver, biomechanics_sync_method,
            biomechanics_sample_rate, num_sub_recordings, duration_seconds, num_data_points, processing_status)
     select participant_id, 'retake.xlsx', biomechanics_type, knee, maneuver, biomechanics_sync_method,
            biomechanics_sample_rate, 1, 10, 1000, 'error' from biomechanics_import where id = ${bio[5]} returning id`,
  );
  const failedSync = await one(
    c,
    `select id from synchronization where maneuver = 'walk' and pass_number = 2 order by id limit 1`,
  );
  await c.query(`update synchronization set sync_qc_fail = true, sync_method = 'biomechanics' where id = $1`, [
    failedSync,
  ]);
  const cycles = (await c.query(`select id from movement_cycles order by id`)).rows.map((r) => r.id);
  const looseCycle = cycles[7];
  await c.query(
    `update movement_cycles set synchronization_id = null, biomechanics_import_id = null, bio_start_time = null, bio_end_time = null where id = $1`,
    [looseCycle],
  );
  const syncQcFailedCycle = cycles[8];
  await c.query(`update movement_cycles set sync_qc_fail = true where id = $1`, [syncQcFailedCycle]);
  const emptyParticipant = await one(
    c,
    `insert into participant (study_id, study_participant_id) select id, 1999 from study where name = 'AOA' returning id`,
  );
  return {
    erroredAudio,
    channel3Audio,
    unlinkedAudio,
    unsyncedAudio,
    failedBiomechanics,
    unsyncedBiomechanics,
    failedSync,
    looseCycle,
    syncQcFailedCycle,
    emptyParticipant,
  };
}

/**
 * The read fixture as a file's set-up (useTestDatabase): a fresh database holding it, a SQL
 * client, the in-process GraphQL client and the HTTP server. `prepare` changes the data
 * further before the clients start.
 */
export function useReadFixture(prepare?: (sql: Client) => Promise<void>) {
  const markers = {} as Markers;
  const db = useTestDatabase({
    sql: true,
    graphql: true,
    server: true,
    // The seed and the server start take a while on a loaded machine.
    timeoutMs: 120_000,
    prepare: async ({ ctx, sql }) => {
      Object.assign(markers, await seedReadFixture(ctx, sql!));
      await prepare?.(sql!);
    },
  });
  return { ...db, markers };
}
