/**
 * The migrated schema, checked against PostgreSQL's catalog (not against the ORM) and
 * against docs/data-model.md written out independently below.
 */
import type { Client } from 'pg';
import {
  getNamedType,
  getNullableType,
  GraphQLEnumType,
  GraphQLList,
  GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { useTestDatabase } from './helpers/test-database';
import { fieldOf, SYNC_TIMES } from './helpers/data-model';
import { buildAppSchema } from '../src/graphql/schema';
import { MIGRATIONS } from '../migrations';

const CH = ['', '_ch1', '_ch2', '_ch3', '_ch4'];
const per = (name: string, spec: string) => CH.map((c) => `${name}${c} ${spec}`);
const TS = 'timestamp(6) without time zone';
const TSTZ = 'timestamp(6) with time zone';
const PROCESSING = [
  `updated_at ${TSTZ} default now()`,
  `processing_date ${TSTZ} default now()`,
  `processing_status text default 'not_processed'::text`,
  'error_message text null',
];
const EXPECTED: Record<string, string[]> = {
  study: ['id integer serial', `created_at ${TSTZ} default now()`, 'name character varying(50)'],
  participant: [
    'id integer serial',
    `created_at ${TSTZ} default now()`,
    'study_id integer',
    'study_participant_id integer',
  ],
  audio_processing: [
    'id integer serial',
    `created_at ${TSTZ} default now()`,
    ...PROCESSING,
    'participant_id integer',
    'biomechanics_import_id integer null',
    'audio_file_name character varying(255)',
    'device_serial character varying(50)',
    'firmware_version integer',
    `file_time ${TS}`,
    'file_size_mb double precision',
    `recording_date ${TS}`,
    `recording_time ${TS}`,
    'recording_timezone character varying(10) null',
    'knee text',
    'maneuver text',
    'num_channels integer',
    'sample_rate double precision default 46875',
    ...[1, 2, 3, 4].map((i) => `mic_${i}_position text`),
    ...[1, 2, 3, 4].map((i) => `mic_${i}_notes text null`),
    'notes text null',
    'pkl_file_path character varying(500) null',
    'pkl_file_checksum character varying(64) null',
    'pkl_file_size_mb double precision null',
    `pkl_file_modified ${TS} null`,
    'audio_qc_version character varying(20) null',
    ...per('audio_qc_fail', 'boolean default false'),
    ...per('qc_artifact_type', 'text[] null'),
    ...per('qc_fail_segments', 'double precision[] null'),
    ...per('qc_signal_dropout', 'boolean default false'),
    ...per('qc_signal_dropout_segments', 'double precision[] null'),
    ...per('qc_artifact', 'boolean default false'),
    ...per('qc_artifact_segments', 'double precision[] null'),
    'duration_seconds double precision null',
  ],
  biomechanics_import: [
    'id integer serial',
    `created_at ${TSTZ} default now()`,
    ...PROCESSING,
    'participant_id integer',
    'audio_processing_id integer null',
    'biomechanics_file character varying(255)',
    'sheet_name character varying(100) null',
    'biomechanics_type text',
    'knee text',
    'maneuver text',
    'biomechanics_sync_method text',
    'biomechanics_sample_rate double precision',
    'biomechanics_notes text null',
    'num_sub_recordings integer',
    'duration_seconds double precision',
    'num_data_points integer',
    'num_passes integer default 0',
    'biomech_qc_version character varying(20) null',
    'biomechanics_qc_fail boolean default false',
    'biomechanics_qc_notes text null',
  ],
  synchronization: [
    'id integer serial',
    `created_at ${TSTZ} default now()`,
    ...PROCESSING,
    'participant_id integer',
    'audio_processing_id integer',
    'biomechanics_import_id integer',
    'knee text',
    'maneuver text',
    'pass_number integer null',
    'speed text null',
    ...SYNC_TIMES.map((c) => `${c} double precision null`),
    'sync_method text null',
    'consensus_methods character varying(100) null',
    'stomp_detection_methods text[] null',
    'selected_stomp_method text null',
    'sync_file_name character varying(255) null',
    'sync_file_path character varying(500) null',
    'sync_file_checksum character varying(64) null',
    'sync_file_size_mb double precision null',
    `sync_file_modified ${TS} null`,
    'sync_duration double precision null',
    'total_cycles_extracted integer default 0',
    'clean_cycles integer default 0',
    'outlier_cycles integer default 0',
    'mean_cycle_duration_s double precision null',
    'median_cycle_duration_s double precision null',
    'min_cycle_duration_s double precision null',
    'max_cycle_duration_s double precision null',
    'method_agreement_span double precision null',
    'sync_qc_fail boolean default false',
    'sync_qc_notes text null',
  ],
  movement_cycles: [
    'id integer serial',
    `created_at ${TSTZ} default now()`,
    ...PROCESSING,
    'participant_id integer',
    'audio_processing_id integer',
    'biomechanics_import_id integer null',
    'synchronization_id integer null',
    'knee text',
    'maneuver text',
    'pass_number integer null',
    'speed text null',
    'cycle_file character varying(255)',
    'cycle_index integer',
    'is_outlier boolean default false',
    'start_time_s double precision',
    'end_time_s double precision',
    'duration_s double precision',
    `audio_start_time ${TS}`,
    `audio_end_time ${TS}`,
    `bio_start_time ${TS} null`,
    `bio_end_time ${TS} null`,
    'biomechanics_qc_fail boolean default false',
    'sync_qc_fail boolean default false',
    'biomechanics_qc_version character varying(20) null',
    'sync_qc_version character varying(20) null',
    'cycle_file_path character varying(500) null',
    'cycle_file_checksum character varying(64) null',
    'cycle_file_size_mb double precision null',
    `cycle_file_modified ${TS} null`,
  ],
};

/** Foreign keys: table.column → referenced table, delete rule (c = cascade, n = set null). */
const FOREIGN_KEYS = [
  'participant.study_id→study c',
  'audio_processing.participant_id→participant c',
  'audio_processing.biomechanics_import_id→biomechanics_import n',
  'biomechanics_import.participant_id→participant c',
  'biomechanics_import.audio_processing_id→audio_processing n',
  'synchronization.participant_id→participant c',
  'synchronization.audio_processing_id→audio_processing c',
  'synchronization.biomechanics_import_id→biomechanics_import c',
  'movement_cycles.participant_id→participant c',
  'movement_cycles.audio_processing_id→audio_processing c',
  'movement_cycles.biomechanics_import_id→biomechanics_import n',
  'movement_cycles.synchronization_id→synchronization c',
];

const UNIQUE_KEYS = [
  'study(name)',
  'participant(study_id,study_participant_id)',
  'audio_processing(participant_id,audio_file_name,knee,maneuver)',
  'biomechanics_import(participant_id,biomechanics_file,knee,maneuver)',
  'synchronization(participant_id,knee,maneuver,pass_number,speed) nulls not distinct',
  'movement_cycles(participant_id,knee,maneuver,pass_number,speed,cycle_index) nulls not distinct',
];

/** The GraphQL object type of each table. */
const GRAPHQL_TYPES: Record<string, string> = {
  study: 'Study',
  participant: 'Participant',
  audio_processing: 'AudioProcessing',
  biomechanics_import: 'BiomechanicsImport',
  synchronization: 'Synchronization',
  movement_cycles: 'MovementCycle',
};

const literals = (list: string) =>
  [...list.matchAll(/'((?:[^']|'')*)'(?:::[\w ]+)?/g)].map((m) => m[1].replace(/''/g, "'"));

/**
 * The column and value set of a CHECK that is a vocabulary and nothing else, in each form
 * PostgreSQL may print one: `col IN (…)`, `col = ANY (ARRAY[…])`, `col ~ '^(a|b)$'`, and
 * `col <@ ARRAY[…]` for text[] columns. Null for any other check.
 */
function vocabularyOf(def: string): { column: string; values: string[]; array: boolean } | null {
  const body = def
    .replace(/^CHECK\s*/, '')
    .replace(/^\((.*)\)$/s, '$1')
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .trim();
  const col = String.raw`\(*"?(\w+)"?\)*(?:::[\w ]+)?`;
  const list = String.raw`((?:'(?:[^']|'')*'(?:::[\w ]+)?\s*,?\s*)+)`;
  let m = new RegExp(String.raw`^${col}\s*=\s*ANY\s*\(\s*\(?ARRAY\[${list}\]\)?(?:::[\w ]+\[\])?\s*\)$`, 'i').exec(
    body,
  );
  if (m) return { column: m[1], values: literals(m[2]), array: false };
  m = new RegExp(String.raw`^${col}\s+IN\s*\(${list}\)$`, 'i').exec(body);
  if (m) return { column: m[1], values: literals(m[2]), array: false };
  m = new RegExp(String.raw`^${col}\s*~\s*'\^\(([\w ]+(?:\|[\w ]+)*)\)\$'(?:::[\w ]+)?$`).exec(body);
  if (m) return { column: m[1], values: m[2].split('|'), array: false };
  m = new RegExp(String.raw`^${col}\s*<@\s*\(?ARRAY\[${list}\]\)?(?:::[\w ]+\[\])?$`, 'i').exec(body);
  if (m) return { column: m[1], values: literals(m[2]), array: true };
  return null;
}

/** `enum Name [values]` or `[enum Name [values]]` for an enum (list) field, else what the field is. */
function describeField(type: GraphQLOutputType): string {
  const inner = getNullableType(type);
  const list = inner instanceof GraphQLList;
  const named = getNamedType(type);
  if (list && getNullableType(inner.ofType) instanceof GraphQLList) return `nested list of ${named.name}`;
  const what =
    named instanceof GraphQLEnumType
      ? `enum ${JSON.stringify(
          named
            .getValues()
            .map((v) => v.value)
            .sort(),
        )}`
      : `not an enum: ${named.name}`;
  return list ? `[${what}]` : what;
}

async function actualColumns(c: Client, table: string): Promise<string[]> {
  const { rows } = await c.query(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
            pg_get_expr(d.adbin, d.adrelid) as def
       from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [table],
  );
  return rows.map((r) => {
    const serial = r.def?.startsWith('nextval(');
    return [
      r.name,
      r.type,
      serial ? 'serial' : '',
      !r.notnull ? 'null' : '',
      r.def && !serial ? `default ${r.def}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  });
}

describe('migrated schema (from the catalog)', () => {
  const { ctx, sql: c } = useTestDatabase({ empty: true, sql: true });
  beforeAll(async () => {
    expect(await ctx.services.migrations.upgrade('head')).toHaveLength(MIGRATIONS.length);
  });

  it.each(Object.keys(EXPECTED))(
    '%s has exactly the columns, types, nullability and defaults of docs/data-model.md',
    async (table) => {
      expect((await actualColumns(c, table)).sort()).toEqual([...EXPECTED[table]].sort());
    },
  );

  it('has every foreign key with its delete rule', async () => {
    const { rows } = await c.query(
      `select cl.relname || '.' || a.attname || '→' || rf.relname || ' ' || con.confdeltype::text as fk
         from pg_constraint con join pg_class cl on cl.oid = con.conrelid join pg_class rf on rf.oid = con.confrelid
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
        where con.contype = 'f' and cl.relnamespace = 'public'::regnamespace`,
    );
    expect(rows.map((r) => r.fk).sort()).toEqual([...FOREIGN_KEYS].sort());
  });

  it('has every unique key, NULLS NOT DISTINCT where docs/data-model.md says so', async () => {
    const { rows } = await c.query(
      `select cl.relname || '(' || (select string_agg(a.attname, ',' order by k.ord) from unnest(con.conkey) with ordinality k(att, ord)
                join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att) || ')' ||
              case when i.indnullsnotdistinct then ' nulls not distinct' else '' end as key
         from pg_constraint con join pg_class cl on cl.oid = con.conrelid join pg_index i on i.indexrelid = con.conindid
        where con.contype = 'u' and cl.relnamespace = 'public'::regnamespace`,
    );
    expect(rows.map((r) => r.key).sort()).toEqual([...UNIQUE_KEYS].sort());
  });

  it('indexes every foreign key column and (knee, maneuver) on audio_processing', async () => {
    const { rows } = await c.query(`select tablename, indexdef from pg_indexes where schemaname = 'public'`);
    const indexed = (table: string, cols: string) =>
      rows.some(
        (r) =>
          r.tablename === table &&
          new RegExp(
            `\\(${cols
              .split(',')
              .map((x) => `"?${x}"?`)
              .join(', ')}[,)]`,
          ).test(r.indexdef),
      );
    for (const fk of FOREIGN_KEYS) {
      const [, table, col] = /^(\w+)\.(\w+)→/.exec(fk)!;
      expect(`${table}.${col}: ${indexed(table, col)}`).toBe(`${table}.${col}: true`);
    }
    expect(indexed('audio_processing', 'knee,maneuver')).toBe(true);
  });

  it('checks the vocabulary, ranges and cross-field rules with named CHECK constraints', async () => {
    const { rows } = await c.query(
      `select conrelid::regclass::text as t, conname from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace`,
    );
    const names = new Set(rows.map((r) => `${r.t}.${r.conname}`));
    for (const expected of [
      'study.study_name_check',
      'participant.participant_study_participant_id_check',
      'audio_processing.audio_processing_knee_check',
      'audio_processing.audio_processing_num_channels_check',
      'audio_processing.audio_processing_sample_rate_check',
      'audio_processing.audio_processing_pkl_file_checksum_check',
      'audio_processing.audio_processing_recording_same_date_check',
      'audio_processing.audio_processing_qc_fail_segments_ch3_check',
      'audio_processing.audio_processing_audio_qc_fail_ch2_segments_check',
      'audio_processing.audio_processing_qc_artifact_type_ch4_check',
      'biomechanics_import.biomechanics_import_biomechanics_type_check',
      'synchronization.synchronization_walk_pass_speed_check',
      'synchronization.synchronization_biomechanics_stomp_times_check',
      'synchronization.synchronization_audio_stomp_times_check',
      'synchronization.synchronization_audio_sync_offset_check',
      'movement_cycles.movement_cycles_end_after_start_check',
      'movement_cycles.movement_cycles_bio_times_check',
      'movement_cycles.movement_cycles_walk_pass_speed_check',
    ])
      expect(names.has(expected) ? expected : `missing ${expected}`).toBe(expected);
    expect(rows.length).toBeGreaterThan(100);
  });

  it('every vocabulary CHECK column is a GraphQL enum (or list of enum) whose stored values are exactly the checked set', async () => {
    const schema = await buildAppSchema();
    const { rows } = await c.query(
      `select cl.relname as t, con.conname, pg_get_constraintdef(con.oid) as def
         from pg_constraint con join pg_class cl on cl.oid = con.conrelid
        where con.contype = 'c' and cl.relnamespace = 'public'::regnamespace order by 1, 2`,
    );
    const vocabularies = rows.flatMap((r) => {
      const v = vocabularyOf(r.def);
      return v ? [{ table: r.t as string, ...v }] : [];
    });
    const mismatches = vocabularies.flatMap((v) => {
      const type = schema.getType(GRAPHQL_TYPES[v.table]);
      const field = type instanceof GraphQLObjectType ? type.getFields()[fieldOf(v.column)] : undefined;
      const where = `${GRAPHQL_TYPES[v.table]}.${fieldOf(v.column)} (${v.table}.${v.column})`;
      const actual = `${where}: ${field ? describeField(field.type) : 'no such field'}`;
      const expected = `${where}: ${v.array ? '[' : ''}enum ${JSON.stringify([...v.values].sort())}${v.array ? ']' : ''}`;
      return actual === expected ? [] : [{ actual, expected }];
    });
    expect(mismatches).toEqual([]);
    // The parser found every vocabulary CHECK (one per column, the ones docs/data-model.md
    // lists): none went untested above.
    expect(vocabularies.map((v) => `${v.table}.${v.column}`).sort()).toEqual(
      [
        ...[
          'processing_status',
          'knee',
          'maneuver',
          'mic_1_position',
          'mic_2_position',
          'mic_3_position',
          'mic_4_position',
          ...['', '_ch1', '_ch2', '_ch3', '_ch4'].map((ch) => `qc_artifact_type${ch}`),
        ].map((col) => `audio_processing.${col}`),
        ...['processing_status', 'biomechanics_type', 'knee', 'maneuver', 'biomechanics_sync_method'].map(
          (col) => `biomechanics_import.${col}`,
        ),
        ...['processing_status', 'knee', 'maneuver', 'speed'].map((col) => `movement_cycles.${col}`),
        'study.name',
        ...[
          'processing_status',
          'knee',
          'maneuver',
          'speed',
          'sync_method',
          'stomp_detection_methods',
          'selected_stomp_method',
        ].map((col) => `synchronization.${col}`),
      ].sort(),
    );
    // Every other check naming a string is known not to be a vocabulary (so one written in a form
    // the parser misses fails here).
    // (`'Infinity'::double precision` is the finite-number bound of float checks, not a word.)
    const namesAString = (def: string) => /'/.test(def.replace(/'Infinity'::double precision/g, ''));
    expect(
      rows
        .filter((r) => namesAString(r.def) && !vocabularyOf(r.def))
        .map((r) => r.conname)
        .sort(),
    ).toEqual([
      'audio_processing_pkl_file_checksum_check',
      'movement_cycles_cycle_file_checksum_check',
      'movement_cycles_walk_pass_speed_check',
      'synchronization_audio_stomp_times_check',
      'synchronization_biomechanics_stomp_times_check',
      'synchronization_sync_file_checksum_check',
      'synchronization_walk_pass_speed_check',
    ]);
  });

  it('recognizes each way a vocabulary CHECK can be written, and nothing else', () => {
    expect(vocabularyOf(`CHECK ((knee = ANY (ARRAY['left'::text, 'right'::text])))`)).toEqual({
      column: 'knee',
      values: ['left', 'right'],
      array: false,
    });
    expect(vocabularyOf(`CHECK (knee in ('left', 'right'))`)).toEqual({
      column: 'knee',
      values: ['left', 'right'],
      array: false,
    });
    expect(vocabularyOf(`CHECK (((name)::text ~ '^(AOA|preOA|SMoCK)$'::text))`)).toEqual({
      column: 'name',
      values: ['AOA', 'preOA', 'SMoCK'],
      array: false,
    });
    expect(
      vocabularyOf(`CHECK ((biomechanics_type = ANY (ARRAY['Gonio'::text, 'IMU'::text, 'Motion Analysis'::text])))`)
        ?.values,
    ).toEqual(['Gonio', 'IMU', 'Motion Analysis']);
    expect(vocabularyOf(`CHECK ((qc_artifact_type <@ ARRAY['Intermittent'::text, 'Continuous'::text]))`)).toEqual({
      column: 'qc_artifact_type',
      values: ['Intermittent', 'Continuous'],
      array: true,
    });
    for (const other of [
      `CHECK (((pkl_file_checksum)::text ~ '^[0-9a-f]{64}$'::text))`,
      `CHECK (((NOT COALESCE(('audio'::text = ANY (stomp_detection_methods)), false)) OR ((selected_audio_sync_time IS NOT NULL) AND (contra_selected_audio_sync_time IS NOT NULL))))`,
      `CHECK ((((maneuver = 'walk'::text) AND (pass_number IS NOT NULL) AND (speed IS NOT NULL)) OR ((maneuver <> 'walk'::text) AND (pass_number IS NULL) AND (speed IS NULL))))`,
      `CHECK ((num_channels >= 1) AND (num_channels <= 4))`,
    ])
      expect(vocabularyOf(other)).toBeNull();
  });

  it('moves updated_at on every update through a trigger, whoever writes', async () => {
    const { rows } = await c.query(
      `select tgrelid::regclass::text as t from pg_trigger where not tgisinternal order by 1`,
    );
    expect(rows.map((r) => r.t)).toEqual([
      'audio_processing',
      'biomechanics_import',
      'movement_cycles',
      'synchronization',
    ]);
  });

  it('entities and migrations agree (check is clean)', async () => {
    expect(await ctx.services.migrations.check()).toEqual({ ok: true, pending: [], differences: [] });
  });

  it('downgrade to base leaves no tables, and upgrading again rebuilds everything', async () => {
    await ctx.services.inspection.recordCounts();
    expect(await ctx.services.migrations.downgrade('base')).toHaveLength(MIGRATIONS.length);
    const { rows } = await c.query(
      `select tablename from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations'`,
    );
    expect(rows).toEqual([]);
    const { rows: fns } = await c.query(`select proname from pg_proc where pronamespace = 'public'::regnamespace`);
    expect(fns).toEqual([]);
    expect((await ctx.services.migrations.status()).current).toBeNull();
    expect(await ctx.services.migrations.upgrade('head')).toHaveLength(MIGRATIONS.length);
    for (const table of Object.keys(EXPECTED))
      expect((await actualColumns(c, table)).length).toBe(EXPECTED[table].length);
    expect((await ctx.services.migrations.check()).ok).toBe(true);
  });
});
