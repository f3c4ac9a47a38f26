/**
 * One definition per column rule, checked: for every column of every table, the ORM metadata,
 * the database's own CHECKs and NOT NULLs (read from pg_catalog on the migrated database, so a
 * migration that drifts from the entities is caught as well as an input that does), the write
 * input's class-validator rules and its GraphQL input field all say the same about the column:
 * whether it may be null or left out, its default, its bounds, its length, its vocabulary, and
 * the shape of its lists. A single-column CHECK this test cannot read fails it, so a new kind of
 * rule cannot slip past unchecked.
 */
import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import {
  isInputObjectType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { useTestDatabase } from './helpers/test-database';
import { ENTITIES, TABLES } from '../src/entities';
import { buildAppSchema } from '../src/graphql/schema';
import { PROCESSING_RECORD_INPUTS, ParticipantKey, RecordingLinkInput } from '../src/services/write/record-inputs';
import { INT4_MAX, violationsOf } from '../src/services/write/validation';

// The migrated database as it is, unseeded: only its catalog is read.
const { ctx, sql: c } = useTestDatabase({ sql: true });
let gql: GraphQLSchema;

beforeAll(async () => {
  gql = await buildAppSchema();
});

// ------------------------------------------------------------------ what the database says

interface DbColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

/** What the single-column CHECKs of one column allow, as read back from the catalog. */
interface CheckRules {
  min?: number;
  /** `> min` rather than `>= min`. */
  exclusive?: boolean;
  max?: number;
  /** `< 'Infinity'`: no NaN, no ±Infinity. */
  finite?: boolean;
  vocabulary?: string[];
  /** The vocabulary applies to each element of an array. */
  each?: boolean;
  segments?: boolean;
  pattern?: string;
}

const strings = (list: string) => [...list.matchAll(/'([^']*)'::text/g)].map((m) => m[1]);

/** Reads one CHECK on `column` (as pg_get_constraintdef prints it); null for a form this test does not know. */
function readCheck(def: string, column: string): CheckRules | null {
  const col = `\\(*${column}(?:\\)::text)?\\)?`;
  const body = def.replace(/^CHECK \((.*)\)$/s, '$1');
  const out: CheckRules = {};
  for (const part of body.split(/ AND /)) {
    const p = part.trim().replace(/^\((.*)\)$/s, '$1');
    let m: RegExpMatchArray | null;
    if ((m = new RegExp(`^${col} (>=|>) \\(?(-?[\\d.]+)\\)?(?:::double precision)?\\)?$`).exec(p))) {
      out.min = Number(m[2]);
      out.exclusive = m[1] === '>';
    } else if ((m = new RegExp(`^${col} <= (-?[\\d.]+)\\)?$`).exec(p))) out.max = Number(m[1]);
    else if (new RegExp(`^${col} < 'Infinity'::double precision\\)?$`).test(p)) out.finite = true;
    else if ((m = new RegExp(`^${col} = ANY \\(ARRAY\\[(.*)\\]\\)\\)?$`).exec(p))) out.vocabulary = strings(m[1]);
    else if ((m = new RegExp(`^${col} <@ ARRAY\\[(.*)\\]\\)?$`).exec(p))) {
      out.vocabulary = strings(m[1]);
      out.each = true;
    } else if (new RegExp(`^ae_valid_segments\\(${column}\\) = true\\)?$`).test(p)) out.segments = true;
    else if ((m = new RegExp(`^${col} ~ '(.*)'::text\\)?$`).exec(p))) {
      const alternatives = /^\^\((.*)\)\$$/.exec(m[1]);
      if (alternatives && !/[\\[\]().*+?{}]/.test(alternatives[1])) out.vocabulary = alternatives[1].split('|');
      else out.pattern = m[1];
    } else return null;
  }
  return out;
}

async function dbColumns(): Promise<DbColumn[]> {
  const { rows } = await c.query(
    `select cl.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
            pg_get_expr(d.adbin, d.adrelid) as default
       from pg_attribute a join pg_class cl on cl.oid = a.attrelid join pg_namespace n on n.oid = cl.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = 'public' and cl.relname = any($1) and a.attnum > 0 and not a.attisdropped
      order by cl.relname, a.attnum`,
    [TABLES],
  );
  return rows;
}

/** Every single-column CHECK, by `table.column`: its definition and what it allows (null: unreadable). */
async function dbChecks(): Promise<Map<string, { name: string; def: string; rules: CheckRules | null }[]>> {
  const { rows } = await c.query(
    `select cl.relname as table, a.attname as column, con.conname as name, pg_get_constraintdef(con.oid) as def
       from pg_constraint con join pg_class cl on cl.oid = con.conrelid
       join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
      where con.contype = 'c' and cardinality(con.conkey) = 1 and cl.relname = any($1)`,
    [TABLES],
  );
  const out = new Map<string, { name: string; def: string; rules: CheckRules | null }[]>();
  for (const r of rows) {
    const key = `${r.table}.${r.column}`;
    out.set(key, [...(out.get(key) ?? []), { name: r.name, def: r.def, rules: readCheck(r.def, r.column) }]);
  }
  return out;
}

/** A column default as a JavaScript value (`'46875'::double precision` → 46875); an expression (now()) stays text. */
function dbDefault(d: string | null, type: string): unknown {
  if (d === null) return undefined;
  const literal = /^'?(.*?)'?(?:::[a-z ]+)?$/.exec(d)![1];
  if (type === 'boolean') return literal === 'true';
  if (type === 'integer' || type === 'double precision') return /^-?[\d.]+$/.test(literal) ? Number(literal) : d;
  return /\(\)$/.test(d) ? d : literal;
}

// ------------------------------------------------------------------ what the write inputs say

/** A write input class (an InputType or an ArgsType). */
type InputClass = abstract new () => object;

/** Which input field writes each column; columns no input writes say why. */
const NOT_WRITTEN: Record<string, string> = {
  id: 'set by the database (serial)',
  created_at: 'set by the database',
  updated_at: 'set by the database and its trigger',
};
/** Columns written under another name, or by an input of their own. */
const WRITTEN_AS: Record<string, [input: InputClass, field: string][]> = {
  'study.name': [[ParticipantKey, 'study'], ...processingInputs().map((i): [InputClass, string] => [i, 'study'])],
  'participant.study_id': [[ParticipantKey, 'study']],
  'participant.study_participant_id': [
    [ParticipantKey, 'participantNumber'],
    ...processingInputs().map((i): [InputClass, string] => [i, 'participantNumber']),
  ],
  // A processing record names its participant by study and number (the two rows above).
  'audio_processing.participant_id': [],
  'biomechanics_import.participant_id': [],
  'synchronization.participant_id': [],
  'movement_cycles.participant_id': [],
  // The recording-time link is written by linkRecordings, on both sides.
  'audio_processing.biomechanics_import_id': [[RecordingLinkInput, 'biomechanicsImportId']],
  'biomechanics_import.audio_processing_id': [[RecordingLinkInput, 'audioProcessingId']],
};
/**
 * Fields written under a second, deprecated name too (`<input>.<field>` → the alias). GraphQL cannot
 * deprecate a required argument, so both are nullable there (the validation rule participantNumberRequired
 * asks for one of them); the input's rules make the pair required and refuse null, and the alias has
 * exactly the field's value rules.
 */
const DEPRECATED_ALIAS: Record<string, string> = { 'ParticipantKey.participantNumber': 'number' };

/** Whether the input takes null for `field` when no other field is given. */
const takesNullAlone = (input: InputClass, field: string) =>
  !violationsOf(Object.assign(Reflect.construct(input, []) as object, { [field]: null })).some(
    (v) => v.field === field,
  );

function processingInputs(): InputClass[] {
  return Object.values(PROCESSING_RECORD_INPUTS);
}
const INPUT_OF: Record<string, InputClass> = PROCESSING_RECORD_INPUTS;

/** What one input field's class-validator rules say about its value. */
interface FieldRules {
  names: string[];
  required: boolean;
  /** IsOptional, or a ValidateIf (optional unless another field says otherwise). */
  optional: boolean;
  /** A number, or every one when the field has several (which disagrees with any CHECK). */
  min?: number | number[];
  max?: number | number[];
  positive: boolean;
  finite: boolean;
  maxLength?: number;
  vocabulary?: string[];
  each: boolean;
  pattern?: string;
}

function fieldRules(input: InputClass, field: string): FieldRules {
  const all: ValidationMetadata[] = getMetadataStorage()
    .getTargetValidationMetadatas(input, '', true, false)
    .filter((m) => m.propertyName === field);
  const nameOf = (m: ValidationMetadata) => (m.type === 'customValidation' ? String(m.name) : m.type);
  const named = (name: string) => all.find((m) => nameOf(m) === name);
  const bound = (name: string) => {
    const values = all.filter((m) => nameOf(m) === name).map((m) => m.constraints![0] as number);
    return values.length > 1 ? values : values[0];
  };
  const number = named('isNumber')?.constraints?.[0] as { allowNaN?: boolean; allowInfinity?: boolean } | undefined;
  const isEnum = named('isEnum');
  return {
    names: all.map(nameOf),
    required: !!named('isDefined'),
    optional: all.some((m) => m.type === 'conditionalValidation'),
    min: bound('min'),
    max: bound('max'),
    positive: !!named('isPositive'),
    finite: !!number && number.allowNaN === false && number.allowInfinity === false,
    maxLength: named('maxLength')?.constraints?.[0],
    vocabulary: isEnum ? Object.values(isEnum.constraints![0] as object).map(String) : undefined,
    each: !!isEnum?.each,
    pattern: named('isSha256Hex')?.constraints?.[0],
  };
}

/** The mutation whose arguments an ArgsType class is. */
const ARGUMENTS_OF: Record<string, string> = {
  ParticipantKey: 'upsertParticipant',
  RecordingLinkInput: 'linkRecordings',
};

/** The GraphQL type and default of an input field (or of an argument, for an ArgsType). */
function graphqlField(input: InputClass, field: string): { type: GraphQLInputType; defaultValue: unknown } {
  const type = gql.getType(input.name);
  if (isInputObjectType(type)) return type.getFields()[field];
  return gql
    .getMutationType()!
    .getFields()
    [ARGUMENTS_OF[input.name]].args.find((a) => a.name === field)!;
}

// ------------------------------------------------------------------ the agreement

interface Column {
  meta: EntityMetadata;
  db: DbColumn;
  orm: EntityProperty;
  checks: CheckRules;
}

/** Where the write inputs write this column, as [input, field] pairs. */
function writers(meta: EntityMetadata, prop: EntityProperty, table: string): [InputClass, string][] {
  const key = `${table}.${prop.fieldNames[0]}`;
  if (key in WRITTEN_AS) return WRITTEN_AS[key];
  if (prop.fieldNames[0] in NOT_WRITTEN) return [];
  const input = INPUT_OF[table];
  if (!input) throw new Error(`${key}: no write input writes ${meta.className}; add it to WRITTEN_AS or NOT_WRITTEN`);
  return [[input, prop.kind === ReferenceKind.MANY_TO_ONE ? `${prop.name}Id` : prop.name]];
}

/** What a column allows, said the same way for the database and for the input, so one comparison covers both. */
interface Allowed {
  takesNull: boolean;
  /** The rules that check the value's type, by name, sorted. */
  types: string[];
  min?: number | number[];
  positive: boolean;
  max?: number | number[];
  maxLength?: number;
  vocabulary?: string[];
  each: boolean;
  segments: boolean;
  pattern?: string;
}

/** The class-validator rules that check a value's type, as opposed to its bounds or its relations. */
const TYPE_RULES = [
  'isInt',
  'isNumber',
  'isBoolean',
  'isString',
  'isEnum',
  'isSha256Hex',
  'isDate',
  'isArray',
  'validSegments',
];

function databaseTypes(col: Column): string[] {
  const { type } = col.db;
  const { vocabulary, each, pattern } = col.checks;
  if (type === 'integer') return ['isInt'];
  if (type === 'double precision') return ['isNumber'];
  if (type === 'boolean') return ['isBoolean'];
  if (type.startsWith('timestamp')) return ['isDate'];
  if (type === 'double precision[]') return ['validSegments'];
  if (type === 'text[]') return each && vocabulary ? ['isArray', 'isEnum'] : ['isArray'];
  if (pattern) return ['isSha256Hex'];
  return vocabulary ? ['isEnum'] : ['isString'];
}

function allowedByDatabase(col: Column): Allowed {
  const type = col.db.type;
  const isInt = type === 'integer';
  const enumValues = col.checks.vocabulary;
  return {
    takesNull: !col.db.notNull,
    types: databaseTypes(col),
    // An int column is bounded by its type where no CHECK bounds it; a reference holds a serial id, ≥ 1.
    min: isInt
      ? (col.checks.min ?? (col.orm.kind === ReferenceKind.MANY_TO_ONE ? 1 : -INT4_MAX - 1))
      : col.checks.exclusive
        ? undefined
        : col.checks.min,
    positive: !isInt && !!col.checks.exclusive && col.checks.min === 0,
    max: isInt ? (col.checks.max ?? INT4_MAX) : col.checks.max,
    maxLength:
      enumValues || col.checks.pattern
        ? undefined
        : Number(/^character varying\((\d+)\)$/.exec(type)?.[1] ?? NaN) || undefined,
    vocabulary: enumValues?.slice().sort(),
    each: !!col.checks.each,
    segments: !!col.checks.segments,
    pattern: col.checks.pattern,
  };
}

function allowedByInput(r: FieldRules): Allowed {
  return {
    takesNull: r.optional,
    types: r.names.filter((n) => TYPE_RULES.includes(n)).sort(),
    // A reference's id is a positive int: its lower bound is 1.
    min: r.names.includes('isInt') && r.positive ? 1 : r.min,
    positive: !r.names.includes('isInt') && r.positive,
    max: r.max,
    maxLength: r.maxLength,
    vocabulary: r.vocabulary?.slice().sort(),
    each: r.each,
    segments: r.names.includes('validSegments'),
    pattern: r.pattern,
  };
}

describe('every column has one set of rules: ORM, database and write inputs agree', () => {
  let columns: Column[];

  beforeAll(async () => {
    const [db, checks] = await Promise.all([dbColumns(), dbChecks()]);
    const unreadable = [...checks.values()].flat().filter((ch) => ch.rules === null);
    expect(unreadable.map((ch) => `${ch.name}: ${ch.def}`)).toEqual([]);
    columns = [];
    for (const entity of ENTITIES) {
      const meta = ctx.orm.getMetadata().get(entity.name);
      for (const prop of meta.props.filter(
        (p) => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE,
      )) {
        const row = db.find((d) => d.table === meta.tableName && d.column === prop.fieldNames[0]);
        if (!row) throw new Error(`${meta.tableName}.${prop.fieldNames[0]} is mapped but not in the migrated database`);
        const rules = (checks.get(`${meta.tableName}.${prop.fieldNames[0]}`) ?? []).map((ch) => ch.rules!);
        columns.push({ meta, db: row, orm: prop, checks: Object.assign({}, ...rules) });
      }
    }
  });

  it('maps every column of the migrated database, and nothing more', async () => {
    const db = await dbColumns();
    expect(db.map((d) => `${d.table}.${d.column}`).sort()).toEqual(
      columns.map((col) => `${col.db.table}.${col.db.column}`).sort(),
    );
  });

  it('the ORM metadata matches the database: null, type, length, default, vocabulary', () => {
    const mismatches: string[] = [];
    for (const { db, orm, checks } of columns) {
      const at = `${db.table}.${db.column}`;
      if (!!orm.nullable !== !db.notNull)
        mismatches.push(`${at}: ORM nullable ${!!orm.nullable}, database ${!db.notNull}`);
      const varchar = /^character varying\((\d+)\)$/.exec(db.type);
      if (varchar && orm.length !== Number(varchar[1]))
        mismatches.push(`${at}: ORM length ${orm.length}, database ${db.type}`);
      const ormDefault =
        orm.defaultRaw !== undefined && /\(\)$/.test(orm.defaultRaw) ? orm.defaultRaw : (orm.default ?? undefined);
      const fromDb = dbDefault(db.default, db.type);
      if (orm.kind === ReferenceKind.SCALAR && !orm.primary && String(ormDefault) !== String(fromDb)) {
        mismatches.push(`${at}: ORM default ${ormDefault}, database ${db.default}`);
      }
      if (
        orm.enum &&
        JSON.stringify([...(orm.items as string[])].sort()) !== JSON.stringify(checks.vocabulary?.slice().sort())
      ) {
        mismatches.push(`${at}: ORM vocabulary ${orm.items}, database CHECK ${checks.vocabulary}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every write input field that writes a column allows exactly what the database allows', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const col of columns) {
      for (const [input, field] of writers(col.meta, col.orm, col.db.table)) {
        const at = `${col.db.table}.${col.db.column} ~ ${input.name}.${field}`;
        const rules = fieldRules(input, field);
        if (rules.names.length === 0) {
          mismatches.push(`${at}: the input has no rules for this field`);
          continue;
        }
        compared++;
        const db = allowedByDatabase(col);
        const inp = allowedByInput(rules);
        const alias = DEPRECATED_ALIAS[`${input.name}.${field}`];
        if (alias) {
          inp.takesNull = takesNullAlone(input, field);
          const old = allowedByInput(fieldRules(input, alias));
          for (const key of Object.keys(db) as (keyof Allowed)[]) {
            if (key !== 'takesNull' && JSON.stringify(old[key]) !== JSON.stringify(inp[key]))
              mismatches.push(
                `${at}: ${key} is ${JSON.stringify(old[key])} under its alias ${alias}, ${JSON.stringify(inp[key])} under ${field}`,
              );
          }
          if (!fieldRules(input, alias).optional) mismatches.push(`${at}: its alias ${alias} is required`);
          const [mine, its] = [graphqlField(input, field), graphqlField(input, alias)] as GraphQLArgument[];
          if (isNonNullType(mine.type) || isNonNullType(its.type) || !its.deprecationReason)
            mismatches.push(
              `${at}: GraphQL ${field}: ${mine.type}, ${alias}: ${its.type} deprecated ${its.deprecationReason}`,
            );
        }
        // A column the database fills in itself (a default) may be left out; only a column it cannot fill is required.
        const dbRequired = col.db.notNull && col.db.default === null;
        // participant.study_id is written as the study's name (ParticipantKey.study, compared with study.name).
        const viaAnotherInput = col.orm.kind === ReferenceKind.MANY_TO_ONE && !field.endsWith('Id');
        if (!viaAnotherInput && rules.required !== dbRequired)
          mismatches.push(`${at}: input required ${rules.required}, database requires a value ${dbRequired}`);
        // A nullable column's field is optional (perhaps only unless another field says so); a NOT NULL one's is not,
        // except where the database has an expression to fill in (now()).
        const fillsIn = col.db.default !== null && /\(\)$/.test(col.db.default);
        if (!viaAnotherInput && inp.takesNull !== (db.takesNull || fillsIn)) {
          mismatches.push(
            `${at}: input takes null ${inp.takesNull}, database ${db.takesNull}${fillsIn ? ' (fills in now())' : ''}`,
          );
        }
        if (viaAnotherInput) continue;
        // The type, bounds, length, vocabulary and list shape.
        for (const key of Object.keys(db) as (keyof Allowed)[]) {
          if (key === 'takesNull') continue;
          if (JSON.stringify(db[key]) !== JSON.stringify(inp[key]))
            mismatches.push(
              `${at}: ${key} is ${JSON.stringify(inp[key])} in the input, ${JSON.stringify(db[key])} in the database`,
            );
        }
        // Floats are finite in every input; where the database bounds a float, its CHECK refuses NaN and ±Infinity too.
        if (col.db.type === 'double precision') {
          if (!rules.finite) mismatches.push(`${at}: the input takes NaN or Infinity`);
          if ((col.checks.min !== undefined) !== !!col.checks.finite)
            mismatches.push(`${at}: a bounded float CHECK without the finite bound, or the other way round`);
        }
        if (col.db.type === 'double precision[]' && !col.checks.segments)
          mismatches.push(`${at}: a float list without ae_valid_segments`);
        // The one rule the input adds on its own: a required text must say something (the database would take '').
        const requiredText = /^character varying/.test(col.db.type) && dbRequired && !col.checks.vocabulary;
        if (rules.names.includes('isNotEmpty') !== requiredText)
          mismatches.push(`${at}: isNotEmpty ${rules.names.includes('isNotEmpty')}, required text ${requiredText}`);
        const gqlField = graphqlField(input, field);
        if (!alias && isNonNullType(gqlField.type) === inp.takesNull) {
          mismatches.push(
            `${at}: GraphQL type ${gqlField.type} but the input ${inp.takesNull ? 'takes' : 'refuses'} null`,
          );
        }
        const dbValue = dbDefault(col.db.default, col.db.type);
        const shownDefault = fillsIn || col.orm.primary ? undefined : dbValue;
        if (JSON.stringify(gqlField.defaultValue) !== JSON.stringify(shownDefault)) {
          mismatches.push(
            `${at}: GraphQL default ${JSON.stringify(gqlField.defaultValue)}, database default ${col.db.default}`,
          );
        }
        const instanceDefault = (Reflect.construct(input, []) as Record<string, unknown>)[field];
        if (JSON.stringify(instanceDefault) !== JSON.stringify(shownDefault))
          mismatches.push(`${at}: input default ${instanceDefault}, database ${col.db.default}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });

  it('every field of a record input writes a column', () => {
    const written = new Set<string>();
    for (const col of columns) {
      for (const [input, field] of writers(col.meta, col.orm, col.db.table)) written.add(`${input.name}.${field}`);
    }
    for (const [field, alias] of Object.entries(DEPRECATED_ALIAS)) written.add(`${field.split('.')[0]}.${alias}`);
    const fields = [ParticipantKey, ...processingInputs()].flatMap((input) =>
      [
        ...new Set(
          getMetadataStorage()
            .getTargetValidationMetadatas(input, '', true, false)
            .map((m) => m.propertyName),
        ),
      ].map((f) => `${input.name}.${f}`),
    );
    expect(fields.filter((f) => !written.has(f))).toEqual([]);
  });
});
