/**
 * docs/data-model.md, written from the declarations themselves: the tables, columns,
 * keys, indexes and CHECKs come from MikroORM's metadata (the schema it would create), the
 * GraphQL names and types from the built schema, and the write rules with their messages
 * from the class-validator decorators of the write inputs (record-inputs.ts, whose column
 * fields column-inputs.ts derives from the entities' declarations). `npm run docs` writes it and a
 * test fails when it is stale, so the document cannot drift from the code.
 */
import 'reflect-metadata';
import { getMetadataStorage, type ValidationArguments } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { DatabaseSchema, type Column, type DatabaseTable } from '@mikro-orm/knex';
import { MikroORM, type EntityMetadata } from '@mikro-orm/postgresql';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { ormConfig } from '../../db/orm';
import { TABLES } from '../../entities';
import { FIELD_ALIASES, type RecordKind } from '../read/model';
import { buildAppSchema } from '../../graphql/schema';
import { PROCESSING_RECORD_INPUTS, ParticipantKey, RecordIdsInput, RecordingLinkInput } from '../write/record-inputs';
import { ALL_STUDIES, SAMPLE_SIZES, generateParticipant, type ParticipantBundle } from '../seed/sample-data';
import { attachReferences, unstorableTextProblem } from '../write/validation';
import { RECORDING_RULES } from '../write/recording-input';

/** The write inputs, each with the table it writes (null: it writes links or deletes, not one record). */
const WRITE_INPUTS: [cls: new () => object, table: string | null][] = [
  [ParticipantKey, 'participant'],
  ...Object.entries(PROCESSING_RECORD_INPUTS).map(([table, cls]): [new () => object, string] => [cls, table]),
  [RecordingLinkInput, null],
  [RecordIdsInput, null],
];

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
function table(header: string[], rows: string[][]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

/** MikroORM's view of the tables: what `schema:create` would emit for these entities. */
async function targetSchema(): Promise<{
  schema: DatabaseSchema;
  metadata: EntityMetadata[];
  close: () => Promise<void>;
}> {
  // No connection: the metadata and the platform are all the schema generator needs.
  const orm = await MikroORM.init({ ...ormConfig({ url: 'postgresql://docs@127.0.0.1:1/docs' }), connect: false });
  const metadata = Object.values(orm.getMetadata().getAll()).filter((m) => !m.abstract && !m.embeddable);
  const schema = DatabaseSchema.fromMetadata(metadata, orm.em.getPlatform(), orm.config, 'public');
  return { schema, metadata, close: () => orm.close() };
}

interface UniqueKey {
  name: string;
  columns: string[];
  nullsNotDistinct: boolean;
}

function uniqueKeys(t: DatabaseTable): UniqueKey[] {
  return t
    .getIndexes()
    .filter((i) => i.unique && !i.primary)
    .map((i) => {
      if (!i.expression) return { name: i.keyName, columns: i.columnNames, nullsNotDistinct: false };
      // Declared as SQL (NULLS NOT DISTINCT has no ORM option): read the column list back from it.
      const m = /unique (nulls not distinct )?\(([^)]*)\)/i.exec(i.expression);
      return {
        name: i.keyName,
        columns: (m?.[2] ?? '').split(',').map((c) => c.trim().replace(/"/g, '')),
        nullsNotDistinct: !!m?.[1],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const sqlDefault = (c: Column) => (c.default === undefined || c.default === null ? '' : c.default);

/**
 * The GraphQL field(s) showing a column: the property itself (after its newer name, FIELD_ALIASES, if it
 * has one), or `<relation>Id` and `<relation>` for a foreign key; a deprecated one is marked so.
 */
function graphqlFields(type: GraphQLObjectType | undefined, meta: EntityMetadata, column: string): string[] {
  if (!type) return [];
  const fields = type.getFields();
  const prop = Object.values(meta.properties).find((p) => p.fieldNames?.[0] === column);
  if (!prop) return [];
  const kind = (meta.className[0].toLowerCase() + meta.className.slice(1)) as RecordKind;
  const aliases = Object.entries(FIELD_ALIASES[kind] ?? {}).flatMap(([alias, of]) => (of === prop.name ? [alias] : []));
  return [...aliases, prop.name, `${prop.name}Id`]
    .filter((name) => fields[name])
    .map((name) => `${name}: ${fields[name].type}${fields[name].deprecationReason ? ' @deprecated' : ''}`);
}

/** CHECKs on one column: the vocabulary of an enum column and the named CHECKs MikroORM attaches to it. */
function columnChecks(t: DatabaseTable, c: Column): string[] {
  const out: string[] = [];
  if (c.enumItems?.length) out.push(`one of ${c.enumItems.map((v) => code(String(v))).join(', ')}`);
  for (const check of t.getChecks())
    if (check.columnName === c.name) out.push(readableCheck(String(check.expression), c.name));
  return out;
}

/** The float bounds FloatColumn declares, said briefly (`>= 0, finite`); any other CHECK as written. */
function readableCheck(expression: string, column: string): string {
  const bound = new RegExp(
    `^${column} (>=|>) (\\S+?)::double precision and ${column} < 'Infinity'::double precision$`,
  ).exec(expression);
  return bound ? `${code(`${bound[1]} ${bound[2]}`)}, finite (no NaN, no ±Infinity)` : code(expression);
}

function describeTable(t: DatabaseTable, meta: EntityMetadata, gql: GraphQLSchema): string {
  const type = gql.getType(meta.className);
  const objectType = isObjectType(type) ? type : undefined;
  const onUpdate = new Set(
    Object.values(meta.properties)
      .filter((p) => p.onUpdate)
      .map((p) => p.fieldNames?.[0]),
  );
  const columns = t.getColumns().map((c) => {
    const field = objectType && Object.values(meta.properties).find((p) => p.fieldNames?.[0] === c.name);
    const description = field ? (objectType.getFields()[field.name]?.description ?? '') : '';
    const notes = [
      description,
      onUpdate.has(c.name) ? 'Set on every UPDATE (by the ORM and by a trigger, whoever writes).' : '',
    ]
      .filter(Boolean)
      .map((n) => n.replace(/([^.])$/, '$1.'));
    return [
      code(c.name),
      code(c.type),
      c.nullable ? 'null' : 'not null',
      sqlDefault(c) ? code(sqlDefault(c)) : '',
      graphqlFields(objectType, meta, c.name).map(code).join(', '),
      [columnChecks(t, c).join('; '), notes.join(' ')].filter(Boolean).join('. '),
    ];
  });
  const parts = [
    `### ${t.name}`,
    '',
    `${objectType?.description ?? ''} GraphQL type ${code(meta.className)}.`.trim(),
    '',
  ];
  parts.push(table(['column', 'SQL type', 'null', 'default', 'GraphQL', 'CHECK / notes'], columns), '');
  const pk = t.getIndexes().find((i) => i.primary);
  parts.push(`**Primary key** ${pk ? `${code(pk.keyName)} (${pk.columnNames.map(code).join(', ')})` : 'none'}.`, '');
  const uniques = uniqueKeys(t);
  if (uniques.length) {
    parts.push('**Unique keys** (a write with the same key updates that row):', '');
    for (const u of uniques)
      parts.push(
        `- ${code(u.name)}: (${u.columns.map(code).join(', ')})${u.nullsNotDistinct ? ' NULLS NOT DISTINCT: two rows whose key differs only by nulls are duplicates too' : ''}`,
      );
    parts.push('');
  }
  const fks = Object.values(t.getForeignKeys()).sort((a, b) => a.constraintName.localeCompare(b.constraintName));
  if (fks.length) {
    parts.push(
      '**Foreign keys**:',
      '',
      table(
        ['constraint', 'column', 'references', 'on delete', 'on update'],
        fks.map((f) => [
          code(f.constraintName),
          f.columnNames.map(code).join(', '),
          `${code(f.referencedTableName.replace(/^public\./, ''))} (${f.referencedColumnNames.map(code).join(', ')})`,
          (f.deleteRule ?? 'no action').toUpperCase(),
          (f.updateRule ?? 'no action').toUpperCase(),
        ]),
      ),
      '',
    );
  }
  const indexes = t
    .getIndexes()
    .filter((i) => !i.unique && !i.primary)
    .sort((a, b) => a.keyName.localeCompare(b.keyName));
  if (indexes.length)
    parts.push(
      `**Indexes**: ${indexes.map((i) => `${code(i.keyName)} (${i.columnNames.map(code).join(', ')})`).join('; ')}.`,
      '',
    );
  const tableChecks = t
    .getChecks()
    .filter((c) => !c.columnName)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (tableChecks.length) {
    parts.push(
      '**Table CHECKs**:',
      '',
      table(
        ['constraint', 'expression'],
        tableChecks.map((c) => [code(String(c.name)), code(String(c.expression))]),
      ),
      '',
    );
  }
  return parts.join('\n');
}

// ------------------------------------------------------------------ write rules

/** The names a broken rule reports, as `violationsOf` does (`isDefined` for a missing value). */
const ruleName = (m: ValidationMetadata) =>
  m.type === 'customValidation' ? String(m.name) : m.type === 'whitelistValidation' ? 'unknownField' : m.type;

/** class-validator's token substitution, with placeholders for what only a real write knows. */
function fill(message: string, m: ValidationMetadata, property: string): string {
  return (
    message
      .replace(/\$constraint(\d)/g, (_, n) => {
        const c = m.constraints?.[Number(n) - 1];
        return Array.isArray(c) ? c.join(', ') : String(c);
      })
      .replace(/\$property/g, property)
      .replace(/\$value/g, '<value>')
      .replace(/\$target/g, String(m.target && (m.target as { name?: string }).name))
      // What a message quotes from the input (a date, say) is unknown here.
      .replace(/\(null\)/g, '(…)')
  );
}

/**
 * An input whose references all answer with placeholders, so a message naming "the knee of
 * audio recording 12 (left)" reads "the knee of audio recording <id> (<its knee>)".
 */
function describingInput(): object {
  const input = new Proxy({}, { get: (_t, p) => (typeof p === 'string' ? `<${p}>` : undefined) });
  const record = new Proxy(
    {},
    { get: (_t, p) => (p === 'id' ? '<id>' : typeof p === 'string' ? `<its ${p}>` : undefined) },
  );
  attachReferences(input, new Proxy({}, { get: () => record }));
  return input;
}

/** The message(s) one rule gives: messages that depend on whether a value came are shown both ways. */
function messages(m: ValidationMetadata, property: string): string[] {
  const object = describingInput();
  const forValue = (value: unknown): string => {
    const args: ValidationArguments = { value, constraints: m.constraints ?? [], targetName: '', object, property };
    let message: unknown = m.message;
    if (typeof message === 'function') message = message(args);
    if (!message && m.constraintCls) {
      const instance = getMetadataStorage().getTargetValidatorConstraints(m.constraintCls)[0]?.instance;
      message = instance?.defaultMessage?.(args);
    }
    return fill(String(message ?? ''), m, property);
  };
  return [...new Set([forValue('<value>'), forValue(undefined)])].filter(Boolean);
}

function describeInput(cls: new () => object, tableName: string | null, gql: GraphQLSchema): string {
  const storage = getMetadataStorage();
  const all = storage
    .getTargetValidationMetadatas(cls, '', true, false)
    .filter((m) => m.type !== 'conditionalValidation');
  const type = gql.getType(cls.name);
  const inputType: GraphQLInputObjectType | undefined = isInputObjectType(type) ? type : undefined;
  const mutation = gql.getMutationType()!;
  // The inherited fields (study, participantNumber, bookkeeping) first, as the GraphQL input lists them.
  const depth = (target: unknown) => {
    let n = 0;
    for (let c: unknown = cls; c && c !== target; c = Object.getPrototypeOf(c)) n++;
    return -n;
  };
  const fields = [...new Set([...all].sort((a, b) => depth(a.target) - depth(b.target)).map((m) => m.propertyName))];
  // An input type is named by the mutation's argument; arguments (ArgsType) are matched by their names.
  const sameNames = (args: readonly { name: string }[]) =>
    args.length === fields.length && args.every((a) => fields.includes(a.name));
  const users = Object.values(mutation.getFields()).filter((f) =>
    inputType ? f.args.some((a) => getNamedType(a.type).name === cls.name) : sameNames(f.args),
  );
  const usedBy = users.map((f) => code(f.name));
  const defaults = new cls() as Record<string, unknown>;
  const rows = fields.map((property) => {
    // Decorators run bottom-up: reversed, the rules read in the order they are declared.
    const rules = all.filter((m) => m.propertyName === property).reverse();
    const gqlType = inputType
      ? inputType.getFields()[property]?.type
      : users[0]?.args.find((a) => a.name === property)?.type;
    const described = rules.map((m) => `${code(ruleName(m))}: ${messages(m, property).join(' / ')}`);
    return [
      code(property),
      gqlType ? code(String(gqlType)) : '',
      defaults[property] === undefined ? '' : code(JSON.stringify(defaults[property])),
      described.join('<br>'),
    ];
  });
  const title = inputType ? `${code(cls.name)} (GraphQL input)` : `${code(cls.name)} (GraphQL arguments)`;
  return [
    `### ${title}`,
    '',
    [
      inputType?.description,
      tableName ? `Writes ${code(tableName)}.` : '',
      usedBy.length ? `Used by ${usedBy.join(', ')}.` : '',
    ]
      .filter(Boolean)
      .join(' '),
    '',
    table(['field', 'GraphQL type', 'default', 'rules: `rule`: message'], rows),
    '',
  ].join('\n');
}

/** ingestRecording: its nested records follow the inputs above; these are the recording's own rules. */
function describeRecordingRules(): string {
  const args: Record<string, unknown[]> = {
    maxBatchSize: ['<n>'],
    isArray: ['<path>'],
    sameAsRecording: ['<path>', '<value>', '<own>'],
    setByIngest: ['<path>'],
    uniqueInRecording: ['synchronizations[<i>].', '<first>'],
    uniqueInSynchronization: ['synchronizations[<i>].movementCycles[<j>].', '<value>', '<first>'],
  };
  const rows = Object.entries(RECORDING_RULES).map(([name, r]) => {
    const v = (r.violation as (...a: unknown[]) => { message: string })(...(args[name] ?? []));
    return [code(name), r.applies, v.message];
  });
  return [
    '### `RecordingInput` (GraphQL input of `ingestRecording`)',
    '',
    'Its `audio`, `biomechanics`, `synchronizations[i]` and `synchronizations[i].movementCycles[j]` are checked as `AudioProcessingInput`, ' +
      '`BiomechanicsImportInput`, `SynchronizationInput` and `MovementCycleInput` above, with what the recording determines filled in; ' +
      'each violation names its path (`synchronizations[2].movementCycles[17].endTimeS`). The recording as a whole also has these rules:',
    '',
    table(['rule', 'applies to', 'message'], rows),
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ realistic shape

const CHANNELS = ['', '_ch1', '_ch2', '_ch3', '_ch4'];
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
const spread = (values: number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${Math.min(...values)}–${Math.max(...values)} (mean ${mean.toFixed(1)})`;
};

/**
 * The shape of real data, measured on the sample-data generator's "medium" dataset (the one
 * `npm run bench` uses), so the numbers are those the code produces, not a claim beside it.
 */
function realisticShape(): string {
  const participants: ParticipantBundle[] = ALL_STUDIES.flatMap((study) =>
    Array.from({ length: SAMPLE_SIZES.medium }, (_, i) => generateParticipant(study, i + 1, 42)),
  );
  const audio = participants.flatMap((p) => p.audio);
  const syncs = participants.flatMap((p) => p.synchronizations);
  const cycles = participants.flatMap((p) => p.cycles);
  const perParticipant = (rows: (p: ParticipantBundle) => unknown[]) => spread(participants.map((p) => rows(p).length));
  const cyclesPerSync = (maneuver: string) =>
    spread(
      participants.flatMap((p) =>
        p.synchronizations
          .map((s, i) => (s.maneuver === maneuver ? p.cycles.filter((c) => c._sync === i).length : -1))
          .filter((n) => n >= 0),
      ),
    );
  const syncsOf = (maneuver: string) =>
    perParticipant((p) => p.synchronizations.filter((s) => s.maneuver === maneuver));
  const walk = syncs.filter((s) => s.maneuver === 'walk');
  const rows: string[][] = [
    ['audio recordings', perParticipant((p) => p.audio), '2 knees × 3 maneuvers'],
    ['biomechanics imports', perParticipant((p) => p.biomechanics), 'one per audio recording'],
    ['synchronizations: fe', syncsOf('fe'), 'one per knee'],
    ['synchronizations: sts', syncsOf('sts'), 'one per knee'],
    [
      'synchronizations: walk',
      syncsOf('walk'),
      `per knee: speeds ${[...new Set(walk.map((s) => String(s.speed)))].join(', ')} × passes ${spread(walk.map((s) => Number(s.pass_number)))}`,
    ],
    [
      'movement cycles',
      perParticipant((p) => p.cycles),
      `per synchronization: fe ${cyclesPerSync('fe')}, sts ${cyclesPerSync('sts')}, walk ${cyclesPerSync('walk')}`,
    ],
  ];
  return [
    `Per participant, in the sample data (\`ae-db seed\`, \`npm start\`) and the benchmark datasets, measured on the`,
    `"medium" dataset: ${ALL_STUDIES.length} studies × ${SAMPLE_SIZES.medium} participants (${audio.length} audio recordings, ${syncs.length} synchronizations, ${cycles.length} movement cycles;`,
    `"small" has ${SAMPLE_SIZES.small} and "large" ${SAMPLE_SIZES.large} participants per study).`,
    '',
    table(['rows per participant', 'min–max (mean)', 'shape'], rows),
    '',
    `Outlier cycles: ${percent(cycles.filter((c) => c.is_outlier).length, cycles.length)}. Audio recordings failing QC overall or on a channel:`,
    `${percent(audio.filter((a) => CHANNELS.some((ch) => a[`audio_qc_fail${ch}`])).length, audio.length)}.`,
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ the document

function vocabulary(gql: GraphQLSchema, metadata: EntityMetadata[]): string {
  const used = new Set<string>();
  for (const meta of metadata) {
    const type = gql.getType(meta.className);
    if (!isObjectType(type)) continue;
    for (const f of Object.values(type.getFields()))
      if (isEnumType(getNamedType(f.type))) used.add(getNamedType(f.type).name);
  }
  const enums = [...used].sort().map((name) => gql.getType(name) as GraphQLEnumType);
  return table(
    ['GraphQL enum', 'stored values', 'description'],
    enums.map((e) => [
      code(e.name),
      e
        .getValues()
        .map((v) => (v.name === v.value ? code(String(v.value)) : `${code(String(v.value))} (GraphQL ${code(v.name)})`))
        .join(', '),
      e.description ?? '',
    ]),
  );
}

export async function renderDataModel(): Promise<string> {
  const gql = await buildAppSchema();
  const { schema, metadata, close } = await targetSchema();
  try {
    const byTable = new Map(metadata.map((m) => [m.tableName, m]));
    const tables = TABLES.map((name) => schema.getTable(name)!);
    const relations = tables.flatMap((t) =>
      Object.values(t.getForeignKeys()).map(
        (f) =>
          `- ${code(t.name)}.${code(f.columnNames.join(', '))} → ${code(f.referencedTableName.replace(/^public\./, ''))} (on delete ${(f.deleteRule ?? 'no action').toUpperCase()})`,
      ),
    );
    const text = [unstorableTextProblem('\u0000'), unstorableTextProblem('\ud800')];
    return [
      '# Data model',
      '',
      '<!-- Generated by `npm run docs` from src/entities/ (MikroORM metadata), the GraphQL schema and the write rules',
      'of src/services/write/record-inputs.ts and validation.ts. Do not edit by hand: test/data-model-doc.test.ts fails when',
      'this file is stale. -->',
      '',
      "The database holds the metadata of the lab's processing pipeline: studies, participants, their audio",
      'recordings (with QC results), biomechanics imports, the synchronizations of the two, and the movement',
      'cycles cut from them. Large binary files stay on disk; the rows hold their paths, sizes and SHA-256',
      "checksums. Table and column names are those of the predecessor's operations guide, so its SQL runs",
      'unchanged. Every rule below that SQL can express is a constraint in the database, so it also holds for',
      'writers that bypass this API (the Python pipeline, psql).',
      '',
      "The guide's SQL for data inspection, the test database and data integrity runs unchanged against this",
      'schema, except two statements naming columns the synchronization table never had: "View synchronization',
      'statistics" (`biomechanics_sync_method`, `num_cycles`) and "Synchronization records without audio"',
      '(`audio_id`). The GraphQL API answers those questions instead: `synchronizationStats` grouped by the',
      "biomechanics sync method, and `integrityReport`'s orphan checks.",
      '',
      '## Contents',
      '',
      ...tables.map(
        (t) =>
          `- [${t.name}](#${t.name}): ${(gql.getType(byTable.get(t.name)!.className)?.description ?? '').replace(/\.$/, '')}`,
      ),
      '- [Write rules](#write-rules)',
      '- [Realistic shape](#realistic-shape)',
      '',
      '## Vocabulary',
      '',
      'Each controlled value is stored as spelled here and is a GraphQL enum value of the same name (except',
      'where the table says otherwise: a GraphQL name cannot contain a space). Columns holding them have a CHECK',
      'on the stored values.',
      '',
      vocabulary(gql, metadata),
      '',
      '## Relationships',
      '',
      ...relations,
      '',
      'Float columns are `double precision`. Segment lists (`double precision[]`) are flattened pairs',
      '`[start1, end1, start2, end2, …]` in seconds; their CHECK `ae_valid_segments(…)` (a function created by the',
      'initial migration) requires an even length, no nulls, every value finite and ≥ 0, and start ≤ end within each',
      "pair. Float CHECKs that bound a value below also refuse NaN and ±Infinity (`< 'Infinity'`).",
      '',
      '## Realistic shape',
      '',
      realisticShape(),
      '## Tables',
      '',
      'A CHECK on one column is named `<table>_<column>_check`; SQL that breaks any CHECK fails with error 23514',
      "naming the constraint. `timestamp` columns hold the recording devices' wall-clock times (read and written as",
      'UTC); `timestamptz` columns are bookkeeping times set by the database.',
      '',
      ...tables.map((t) => describeTable(t, byTable.get(t.name)!, gql)),
      '## Write rules',
      '',
      'Writes go through one service (GraphQL mutations, `ae-db`, imports), which checks every rule below before',
      'anything is written. A broken rule comes back as a `BAD_USER_INPUT` error listing each violation as',
      '`{ field, rule, message, index }` (`index`: position in a batch), and nothing is written: a batch is',
      'all or nothing. Upserts are keyed on the unique keys above: the same record sent twice updates in place.',
      'Messages show `<value>` for the value sent and `<…>` for what the referenced records hold.',
      '',
      'Every field also has these rules:',
      '',
      `- ${code('unknownField')}: a field the input does not have is an error, not silently dropped.`,
      `- ${code('storableText')} (any text, or list of texts): \`<field> ${text[0]}\` / \`<field> ${text[1]}\`.`,
      '',
      ...WRITE_INPUTS.map(([cls, t]) => describeInput(cls, t, gql)),
      describeRecordingRules(),
    ].join('\n');
  } finally {
    await close();
  }
}
