/**
 * The inspection queries, each checked against an independent computation: the
 * operations guide's own SQL where it has one, GROUP BY queries or plain rows otherwise.
 */
import { countWireStatements } from './helpers/statements';
import { useReadFixture } from './helpers/read-fixture';

const { sql: c, gql, markers: m } = useReadFixture();

async function query(q: string, variables?: Record<string, unknown>) {
  const res = await gql.query(q, variables);
  expect(res.errors).toBeUndefined();
  return res.data;
}

describe('databaseSummary', () => {
  it("tables: the guide's UNION ALL count", async () => {
    // Verbatim from the operations guide ("Count records in each table").
    const { rows } = await c.query(`SELECT 'audio_processing' as table, COUNT(*) FROM audio_processing
      UNION ALL SELECT 'biomechanics_import', COUNT(*) FROM biomechanics_import
      UNION ALL SELECT 'synchronization', COUNT(*) FROM synchronization
      UNION ALL SELECT 'movement_cycles', COUNT(*) FROM movement_cycles
      UNION ALL SELECT 'participant', COUNT(*) FROM participant
      UNION ALL SELECT 'study', COUNT(*) FROM study;`);
    const d = await query(`{ databaseSummary { tables { table rows } } }`);
    const expected = Object.fromEntries(rows.map((r) => [r.table, Number(r.count)]));
    expect(
      Object.fromEntries(d.databaseSummary.tables.map((t: { table: string; rows: number }) => [t.table, t.rows])),
    ).toEqual(expected);
    expect(expected.movement_cycles).toBeGreaterThan(1000);
  });

  it('studies: rows of each study in each table', async () => {
    const perStudy = async (table: string) => {
      const { rows } =
        await c.query(`select s.name, count(*)::int as n from ${table} x join participant p on p.id = x.participant_id
        join study s on s.id = p.study_id group by s.name`);
      return Object.fromEntries(rows.map((r) => [r.name, r.n]));
    };
    const participants = Object.fromEntries(
      (
        await c.query(
          `select s.name, count(p.id)::int as n from study s left join participant p on p.study_id = s.id group by s.name`,
        )
      ).rows.map((r) => [r.name, r.n]),
    );
    const [audio, bio, sync, cycles] = await Promise.all(
      ['audio_processing', 'biomechanics_import', 'synchronization', 'movement_cycles'].map(perStudy),
    );
    const d = await query(
      `{ databaseSummary { studies { study participants audioProcessings biomechanicsImports synchronizations movementCycles } } }`,
    );
    expect(d.databaseSummary.studies).toEqual(
      ['AOA', 'SMoCK', 'preOA'].map((s) => ({
        study: s,
        participants: participants[s],
        audioProcessings: audio[s],
        biomechanicsImports: bio[s],
        synchronizations: sync[s],
        movementCycles: cycles[s],
      })),
    );
    expect(participants.AOA).toBe(3);
  });
});

describe('audioQcSummary', () => {
  const channels = [1, 2, 3, 4];
  const qcSql = (where: string) => `SELECT COUNT(*) as total_files,
      SUM(CASE WHEN audio_qc_fail THEN 1 ELSE 0 END) as failed_qc,
      SUM(CASE WHEN qc_signal_dropout THEN 1 ELSE 0 END) as signal_dropout,
      SUM(CASE WHEN qc_artifact THEN 1 ELSE 0 END) as artifacts,
      ${channels
        .map(
          (n) => `SUM(CASE WHEN audio_qc_fail_ch${n} THEN 1 ELSE 0 END) as f${n},
        SUM(CASE WHEN qc_signal_dropout_ch${n} THEN 1 ELSE 0 END) as d${n}, SUM(CASE WHEN qc_artifact_ch${n} THEN 1 ELSE 0 END) as a${n}`,
        )
        .join(', ')}
    FROM audio_processing a ${where}`;
  const expected = (r: Record<string, string>) => ({
    totalFiles: Number(r.total_files),
    failedQc: Number(r.failed_qc ?? 0),
    signalDropout: Number(r.signal_dropout ?? 0),
    artifacts: Number(r.artifacts ?? 0),
    channels: channels.map((n) => ({
      channel: n,
      failedQc: Number(r[`f${n}`] ?? 0),
      signalDropout: Number(r[`d${n}`] ?? 0),
      artifacts: Number(r[`a${n}`] ?? 0),
    })),
  });
  const FIELDS = `totalFiles failedQc signalDropout artifacts channels { channel failedQc signalDropout artifacts }`;

  it("overall: the guide's QC summary, and the same per channel", async () => {
    const { rows } = await c.query(qcSql(''));
    const d = await query(`{ audioQcSummary { ${FIELDS} } }`);
    expect(d.audioQcSummary).toEqual(expected(rows[0]));
    expect(d.audioQcSummary.failedQc).toBeGreaterThan(0);
    expect(d.audioQcSummary.channels[2].failedQc).toBeGreaterThan(0);
  });

  it('with a filter (the list filter of audioProcessings)', async () => {
    const { rows } = await c.query(
      qcSql(
        `join participant p on p.id = a.participant_id join study s on s.id = p.study_id where s.name = 'AOA' and a.knee = 'left'`,
      ),
    );
    const d = await query(`{ audioQcSummary(filter: { study: AOA, knee: left }) { ${FIELDS} } }`);
    expect(d.audioQcSummary).toEqual(expected(rows[0]));
    const [{ n }] = (await c.query(`select count(*)::int as n from audio_processing`)).rows;
    expect(d.audioQcSummary.totalFiles).toBeGreaterThan(0);
    expect(d.audioQcSummary.totalFiles).toBeLessThan(n);
  });

  it('is one statement', async () => {
    const { statements } = await countWireStatements(() => gql.query(`{ audioQcSummary { ${FIELDS} } }`));
    expect(statements).toHaveLength(1);
  });
});

describe('synchronizationStats', () => {
  const DIMENSION_SQL: Record<string, string> = {
    biomechanicsSyncMethod: 'b.biomechanics_sync_method',
    syncMethod: 'y.sync_method',
    maneuver: 'y.maneuver',
    knee: 'y.knee',
    study: 's.name',
  };
  const GROUPINGS = [
    [],
    ['biomechanicsSyncMethod'],
    ['syncMethod'],
    ['maneuver'],
    ['knee'],
    ['study'],
    ['biomechanicsSyncMethod', 'maneuver'],
    ['study', 'knee', 'syncMethod'],
  ];
  const FIELDS =
    'biomechanicsSyncMethod syncMethod maneuver knee study count meanTotalCycles meanCleanCycles meanOutlierCycles meanCycleDurationS';

  it.each(GROUPINGS.map((g) => [g.join(', ') || '(nothing)', g]))(
    'grouped by %s, as GROUP BY computes it',
    async (_label, groupBy) => {
      const dims = groupBy as string[];
      const select = dims.map((d) => `${DIMENSION_SQL[d]} as "${d}"`);
      const { rows } = await c.query(
        `SELECT ${[
          ...select,
          'COUNT(*) as n',
          'AVG(y.total_cycles_extracted) as total',
          'AVG(y.clean_cycles) as clean',
          'AVG(y.outlier_cycles) as outliers',
          'AVG(y.mean_cycle_duration_s) as duration',
        ].join(', ')}
         FROM synchronization y JOIN biomechanics_import b ON b.id = y.biomechanics_import_id
         JOIN participant p ON p.id = y.participant_id JOIN study s ON s.id = p.study_id
         ${dims.length ? `GROUP BY ${dims.map((d) => DIMENSION_SQL[d]).join(', ')}` : ''}`,
      );
      const d = await query(
        `query($g: [SynchronizationStatsGroupBy!]!) { synchronizationStats(groupBy: $g) { ${FIELDS} } }`,
        { g: dims },
      );
      const key = (r: Record<string, unknown>) => dims.map((x) => String(r[x])).join('/');
      const got = new Map<string, Record<string, any>>(
        d.synchronizationStats.map((r: Record<string, unknown>) => [key(r), r]),
      );
      expect(got.size).toBe(rows.length);
      for (const r of rows) {
        const row = got.get(key(r))!;
        expect(row.count).toBe(Number(r.n));
        expect(row.meanTotalCycles).toBeCloseTo(Number(r.total), 9);
        expect(row.meanCleanCycles).toBeCloseTo(Number(r.clean), 9);
        expect(row.meanOutlierCycles).toBeCloseTo(Number(r.outliers), 9);
        expect(row.meanCycleDurationS).toBeCloseTo(Number(r.duration), 9);
        for (const other of Object.keys(DIMENSION_SQL).filter((x) => !dims.includes(x))) expect(row[other]).toBeNull();
      }
      if (dims.length === 0) expect(rows).toHaveLength(1);
      if (dims.includes('biomechanicsSyncMethod'))
        expect(new Set(rows.map((r) => r.biomechanicsSyncMethod))).toEqual(new Set(['flick', 'stomp']));
    },
  );

  it('takes the synchronization filter', async () => {
    const { rows } = await c.query(
      `SELECT y.sync_method, COUNT(*)::int AS n FROM synchronization y WHERE y.maneuver = 'walk' AND y.pass_number = 2 GROUP BY y.sync_method ORDER BY 1`,
    );
    const d = await query(
      `{ synchronizationStats(groupBy: [syncMethod], filter: { maneuver: walk, passNumber: 2 }) { syncMethod count } }`,
    );
    expect(d.synchronizationStats).toEqual(rows.map((r) => ({ syncMethod: r.sync_method, count: r.n })));
    expect(rows.map((r) => r.sync_method)).toContain('biomechanics');
  });
});

describe('participantOverview', () => {
  /** The overview computed in JavaScript from the participant's raw rows. */
  async function fromRows(study: string, number: number) {
    const [p] = (
      await c.query(
        `select p.id from participant p join study s on s.id = p.study_id where s.name = $1 and p.study_participant_id = $2`,
        [study, number],
      )
    ).rows;
    const get = async (table: string, cols: string) =>
      (await c.query(`select knee, maneuver, ${cols} from ${table} where participant_id = $1`, [p.id])).rows;
    const audio = await get(
      'audio_processing',
      'audio_qc_fail, audio_qc_fail_ch1, audio_qc_fail_ch2, audio_qc_fail_ch3, audio_qc_fail_ch4',
    );
    const bio = await get('biomechanics_import', 'biomechanics_qc_fail');
    const sync = await get('synchronization', 'sync_qc_fail');
    const cycles = await get('movement_cycles', 'is_outlier, duration_s');
    const keys = [...new Set([...audio, ...bio, ...sync, ...cycles].map((r) => `${r.knee}/${r.maneuver}`))].sort();
    const on = <T extends { knee: string; maneuver: string }>(rows: T[], k: string) =>
      rows.filter((r) => `${r.knee}/${r.maneuver}` === k);
    return {
      participantId: p.id,
      rows: keys.map((k) => {
        const [knee, maneuver] = k.split('/');
        const a = on(audio, k);
        const cy = on(cycles, k);
        const clean = cy.filter((x) => !x.is_outlier);
        return {
          knee,
          maneuver,
          audioRecordings: a.length,
          audioQcFailed: a.filter((x) => x.audio_qc_fail).length,
          audioQcFailedChannels: [1, 2, 3, 4].filter((n) => a.some((x) => x[`audio_qc_fail_ch${n}`])),
          biomechanicsImports: on(bio, k).length,
          biomechanicsQcFailed: on(bio, k).filter((x) => x.biomechanics_qc_fail).length,
          synchronizations: on(sync, k).length,
          syncQcFailed: on(sync, k).filter((x) => x.sync_qc_fail).length,
          cycles: cy.length,
          outlierCycles: cy.length - clean.length,
          cleanCycles: clean.length,
          meanCleanCycleDurationS: clean.length ? clean.reduce((s, x) => s + x.duration_s, 0) / clean.length : null,
        };
      }),
    };
  }
  const FIELDS = `participantId study participantNumber rows { knee maneuver audioRecordings audioQcFailed audioQcFailedChannels
    biomechanicsImports biomechanicsQcFailed synchronizations syncQcFailed cycles outlierCycles cleanCycles meanCleanCycleDurationS }`;

  it.each([
    ['AOA', 1001],
    ['AOA', 1002],
    ['preOA', 2001],
    ['SMoCK', 3002],
  ])('%s %i: one row per knee × maneuver, as the raw rows say', async (study, number) => {
    const d = await query(`{ participantOverview(study: ${study}, number: ${number}) { ${FIELDS} } }`);
    const expected = await fromRows(study as string, number as number);
    const got = d.participantOverview;
    expect({ study: got.study, participantNumber: got.participantNumber, participantId: got.participantId }).toEqual({
      study,
      participantNumber: number,
      participantId: expected.participantId,
    });
    expect(got.rows).toHaveLength(6);
    got.rows.forEach((row: Record<string, any>, i: number) => {
      const { meanCleanCycleDurationS, ...rest } = expected.rows[i];
      expect(row).toEqual({ ...rest, meanCleanCycleDurationS: expect.any(Number) });
      expect(row.meanCleanCycleDurationS).toBeCloseTo(meanCleanCycleDurationS!, 9);
    });
  });

  it('shows the failed channel, the failed biomechanics and the failed sync of the fixture', async () => {
    const whose = async (table: string, id: number) =>
      (
        await c.query(
          `select s.name as study, p.study_participant_id as number, x.knee, x.maneuver from ${table} x join participant p on p.id = x.participant_id
        join study s on s.id = p.study_id where x.id = $1`,
          [id],
        )
      ).rows[0];
    const rowOf = async (table: string, id: number) => {
      const w = await whose(table, id);
      const d = await query(
        `{ participantOverview(study: ${w.study}, number: ${w.number}) { rows { knee maneuver audioQcFailedChannels biomechanicsQcFailed syncQcFailed } } }`,
      );
      return d.participantOverview.rows.find(
        (r: { knee: string; maneuver: string }) => r.knee === w.knee && r.maneuver === w.maneuver,
      );
    };
    expect((await rowOf('audio_processing', m.channel3Audio)).audioQcFailedChannels).toContain(3);
    expect((await rowOf('biomechanics_import', m.failedBiomechanics)).biomechanicsQcFailed).toBeGreaterThanOrEqual(1);
    expect((await rowOf('synchronization', m.failedSync)).syncQcFailed).toBe(1);
  });

  it('has no rows for a participant with nothing recorded, and is null for one that does not exist', async () => {
    const d = await query(`{ empty: participantOverview(study: AOA, number: 1999) { participantId rows { knee } }
      none: participantOverview(study: AOA, number: 4242) { participantId } }`);
    expect(d.empty).toEqual({ participantId: m.emptyParticipant, rows: [] });
    expect(d.none).toBeNull();
  });
});
