/**
 * Every cross-record rule of the integrity report finds a row planted to break it: on sample
 * data, one link or count is changed so that exactly that rule is broken for that row (others
 * may be broken with it), the report names the row under the rule's key, and once the change
 * is undone every check passes again.
 */
import { useTestDatabase } from './helpers/test-database';

const { ctx, sql: c } = useTestDatabase({ seed: { participantsPerStudy: 1 }, sql: true });

interface Plant {
  /** The rule's key in the report. */
  key: string;
  table: string;
  column: string;
  /** Chooses the row (`id`) and the column's new value (`value`). */
  choose: string;
}

/** Points the row's (`x`) `column` at a row `p` of `parent` that meets `on`. */
function relink(key: string, column: string, parent: string, on: string): Plant {
  const table = key.split('.')[0];
  return { key, table, column, choose: `select x.id, p.id as value from ${table} x join ${parent} p on ${on}` };
}

/** Counts one more in the synchronization's `column`. */
const miscount = (key: string, column: string): Plant => ({
  key,
  table: 'synchronization',
  column,
  choose: `select x.id, x.${column} + 1 as value from synchronization x`,
});

const otherParticipant = 'p.participant_id <> x.participant_id';
/** Another record of the same participant whose knee or maneuver differs. */
const otherMovement =
  'p.participant_id = x.participant_id and (p.knee, p.maneuver) is distinct from (x.knee, x.maneuver)';

const PLANTS: Plant[] = [
  relink('synchronization.audio_participant', 'audio_processing_id', 'audio_processing', otherParticipant),
  relink('synchronization.biomechanics_participant', 'biomechanics_import_id', 'biomechanics_import', otherParticipant),
  relink('synchronization.audio_knee_maneuver', 'audio_processing_id', 'audio_processing', otherMovement),
  relink('synchronization.biomechanics_knee_maneuver', 'biomechanics_import_id', 'biomechanics_import', otherMovement),
  miscount('synchronization.total_cycles', 'total_cycles_extracted'),
  miscount('synchronization.outlier_cycles', 'outlier_cycles'),
  miscount('synchronization.clean_cycles', 'clean_cycles'),
  relink(
    'movement_cycles.synchronization_match',
    'synchronization_id',
    'synchronization',
    'p.participant_id = x.participant_id and p.id <> x.synchronization_id',
  ),
  relink('movement_cycles.audio_match', 'audio_processing_id', 'audio_processing', otherMovement),
  relink('movement_cycles.biomechanics_match', 'biomechanics_import_id', 'biomechanics_import', otherMovement),
  relink('audio_processing.biomechanics_match', 'biomechanics_import_id', 'biomechanics_import', otherMovement),
  relink('biomechanics_import.audio_match', 'audio_processing_id', 'audio_processing', otherMovement),
  relink(
    'audio_processing.biomechanics_link_mutual',
    'biomechanics_import_id',
    'biomechanics_import',
    'p.audio_processing_id <> x.id',
  ),
  relink(
    'biomechanics_import.audio_link_mutual',
    'audio_processing_id',
    'audio_processing',
    'p.biomechanics_import_id <> x.id',
  ),
];

it('names every cross-record rule once, as the plants below do', async () => {
  const report = await ctx.services.integrity.report();
  expect(report.ok).toBe(true);
  expect(
    report.checks
      .filter((k) => k.kind === 'consistency')
      .map((k) => k.key)
      .sort(),
  ).toEqual(PLANTS.map((plant) => plant.key).sort());
});

it('has an orphan check, which --fix can repair, for every foreign key the database has', async () => {
  const { rows } = await c.query(`
    select conrelid::regclass::text || '.' || a.attname as key
      from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
     where k.contype = 'f' and k.connamespace = 'public'::regnamespace`);
  const orphanChecks = (await ctx.services.integrity.report()).checks.filter((k) => k.kind === 'orphan');
  expect(orphanChecks.map((k) => k.key).sort()).toEqual(rows.map((r) => r.key).sort());
  expect(orphanChecks.every((k) => k.fixable)).toBe(true);
});

it.each(PLANTS)(
  '$key finds the $table row whose $column is changed to break it',
  async ({ key, table, column, choose }) => {
    const [row] = (await c.query(`${choose} order by 1, 2 limit 1`)).rows;
    expect(row).toBeDefined();
    const [{ old }] = (await c.query(`select ${column} as old from ${table} where id = $1`, [row.id])).rows;
    await c.query(`update ${table} set ${column} = $2 where id = $1`, [row.id, row.value]);
    try {
      const check = (await ctx.services.integrity.report()).checks.find((k) => k.key === key)!;
      expect(check).toMatchObject({ kind: 'consistency', table, fixable: false });
      expect(check.count).toBeGreaterThanOrEqual(1);
      expect(check.sampleIds).toContain(row.id);
    } finally {
      await c.query(`update ${table} set ${column} = $2 where id = $1`, [row.id, old]);
    }
    expect((await ctx.services.integrity.report()).ok).toBe(true);
  },
);
