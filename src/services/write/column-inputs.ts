/**
 * The write inputs' fields, derived from the entities' column declarations (src/entities/columns.ts):
 * a column's GraphQL input field and its class-validator rules come from the declaration that also
 * gives its ORM mapping, GraphQL field and CHECK, so nullability, bounds, length, vocabulary and
 * default are stated once. What a column cannot know — rules across fields and records, and how
 * the input words them — each input adds per field (`InputFieldOptions`), in record-inputs.ts.
 *
 * Like type-graphql's mixin classes, `ColumnInputs` returns an abstract input class for an input
 * to extend; `ColumnInput` is the same for one field whose input name differs from the column's.
 */
import 'reflect-metadata';
import { Field, Float, InputType, Int, getMetadataStorage } from 'type-graphql';
import {
  IsArray,
  IsBoolean,
  IsDate,
  IsDefined,
  IsEnum,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  Min,
} from 'class-validator';
import {
  columnOf,
  columnsOf,
  fieldNameOf,
  type ColumnDeclaration,
  type EntityClass,
  type ReturnTypeFunc,
} from '../../entities/columns';
import type { BaseRecord, ProcessingRecord } from '../../entities/base';
import {
  INT4_MAX,
  IsSegmentList,
  IsSha256Hex,
  MaxChars,
  OfSameParticipant,
  RecordExists,
  type ReferenceKind,
} from './validation';

/** What an input says about one field beyond its column's declaration. */
export interface InputFieldOptions {
  /** The input's description, when it says more than the column's (usually a rule below). */
  description?: string;
  /** Instead of the column's own presence rule (required or optional): a field required only when another one holds. */
  presence?: PropertyDecorator[];
  /** Rules after the column's own: across fields and records. */
  rules?: PropertyDecorator[];
  /** The GraphQL field takes null although the column does not: the value may come under another name. */
  nullable?: boolean;
  /** The GraphQL field is an older name, deprecated (GraphQL requires it nullable). */
  deprecationReason?: string;
}

const INT4_MIN = -INT4_MAX - 1;
/** Floats must be real numbers: no NaN, no Infinity. */
const FINITE = { allowNaN: false, allowInfinity: false };
const CHECKSUM_DESCRIPTION = 'Hex SHA-256: 64 lowercase hex characters.';

/** A write may leave the column out: it is nullable, has a default, or the database fills it in. */
const isRequired = (c: ColumnDeclaration) => !c.nullable && c.default === undefined && c.kind !== 'databaseTimestamp';
/** The input takes null: a nullable column, or one the database fills in when none is given. */
const takesNull = (c: ColumnDeclaration) => c.nullable || (c.kind === 'databaseTimestamp' && c.writable);

function graphqlType(c: ColumnDeclaration): ReturnTypeFunc {
  switch (c.kind) {
    case 'int':
    case 'reference':
      return () => Int;
    case 'float':
      return () => Float;
    case 'boolean':
      return () => Boolean;
    case 'string': {
      const { vocabulary } = c;
      return vocabulary ? () => vocabulary : () => String;
    }
    case 'text':
    case 'checksum':
      return () => String;
    case 'timestamp':
    case 'databaseTimestamp':
      return () => Date;
    case 'segments':
      return () => [Float];
    case 'enum':
      return () => c.items;
    case 'enumArray':
      return () => [c.items];
  }
}

/** The rules on the value itself, in the order they are reported. */
function valueRules(c: ColumnDeclaration): PropertyDecorator[] {
  switch (c.kind) {
    case 'int':
      return [IsInt(), Min(c.min ?? INT4_MIN), Max(c.max ?? INT4_MAX)];
    case 'float':
      return [IsNumber(FINITE), ...(c.positive ? [IsPositive()] : c.min !== undefined ? [Min(c.min)] : [])];
    case 'boolean':
      return [IsBoolean()];
    // A required text must say something: the database would take '' (an input-only rule).
    case 'string':
      return c.vocabulary
        ? [IsEnum(c.vocabulary)]
        : [IsString(), ...(isRequired(c) ? [IsNotEmpty()] : []), MaxChars(c.length)];
    case 'text':
      return [IsString()];
    case 'timestamp':
    case 'databaseTimestamp':
      return [IsDate()];
    case 'checksum':
      return [IsSha256Hex()];
    case 'segments':
      return [IsSegmentList()];
    case 'enum':
      return [IsEnum(c.items)];
    case 'enumArray':
      return [IsArray(), IsEnum(c.items, { each: true })];
    case 'reference': {
      const kind = c.property as ReferenceKind;
      return [IsInt(), IsPositive(), Max(INT4_MAX), RecordExists(kind), OfSameParticipant(kind)];
    }
  }
}

/** Applies decorators as TypeScript does for `@a @b @c`: the last first, so they register in the order written. */
function applyAll(decorators: PropertyDecorator[], target: object, key: string): void {
  for (const d of [...decorators].reverse()) d(target, key);
}

function applyColumn(c: ColumnDeclaration, o: InputFieldOptions, target: object, key: string): void {
  const presence = o.presence ?? (isRequired(c) ? [IsDefined()] : c.default !== undefined ? [] : [IsOptional()]);
  const description = o.description ?? (c.kind === 'checksum' ? CHECKSUM_DESCRIPTION : c.description);
  const field = Field(graphqlType(c), {
    nullable: o.nullable ?? takesNull(c),
    description,
    deprecationReason: o.deprecationReason,
  });
  applyAll([field, ...presence, ...valueRules(c), ...(o.rules ?? [])], target, key);
}

/** One input field from the declaration of `entity`'s `property` (a field named otherwise than the column). */
export function ColumnInput(entity: EntityClass, property: string, o: InputFieldOptions = {}): PropertyDecorator {
  return (target, key) => applyColumn(columnOf(entity, property), o, target, String(key));
}

type AbstractClass<T> = abstract new (...args: never[]) => T;
/** The properties `fields` leaves out (`false`). */
type LeftOut<O> = { [K in keyof O]: O[K] extends false ? K : never }[keyof O] & string;
/** The keys of E that hold another record. */
type RelationKeys<E> = { [K in keyof E]-?: NonNullable<E[K]> extends BaseRecord ? K : never }[keyof E];
/**
 * What `ColumnInputs(…, E, fields)` adds to an input: E's own columns (not the bookkeeping it
 * inherits), each relation as its id, less what `fields` leaves out.
 */
export type ColumnValues<E, O> = {
  -readonly [K in keyof E as K extends Omitted<E, O> ? never : null extends E[K] ? never : K]: E[K];
} & {
  // A nullable column may be left out.
  -readonly [K in keyof E as K extends Omitted<E, O> ? never : null extends E[K] ? K : never]?: E[K];
};
type Omitted<E, O> = keyof ProcessingRecord | RelationKeys<E> | LeftOut<O> | `${LeftOut<O>}Id`;

/**
 * A write input: a GraphQL input type extending `Base` with a field for every column `entity`
 * itself declares (not its base classes'), in declaration order, with its default. `fields`
 * adds to a field (InputFieldOptions) or leaves it out (`false`: the input writes it some other way).
 *
 * It returns the input class itself (not a base to extend), so its fields are its own to
 * class-validator, which checks and reports own fields before inherited ones.
 */
export function ColumnInputs<B extends object, E, O extends { [K in keyof E]?: InputFieldOptions | false }>(
  Base: AbstractClass<B>,
  entity: AbstractClass<E>,
  o: { name: string; description: string; fields: O },
): new () => B & ColumnValues<E, O> {
  const fieldOptions = (c: ColumnDeclaration) => o.fields[c.property as keyof E];
  const columns = columnsOf(entity, { own: true }).filter((c) => fieldOptions(c) !== false);
  // Every field is an own property from the start (undefined when it has no default), as a
  // declared class field would be: validation and defaults see the same object either way.
  class Input extends (Base as unknown as new () => object) {
    constructor() {
      super();
      for (const c of columns) (this as Record<string, unknown>)[fieldNameOf(c)] = c.default;
    }
  }
  Object.defineProperty(Input, 'name', { value: o.name });
  for (const c of columns)
    applyColumn(c, (fieldOptions(c) || {}) as InputFieldOptions, Input.prototype, fieldNameOf(c));
  InputType(o.name, { description: o.description })(Input);
  return Input as unknown as new () => B & ColumnValues<E, O>;
}

/** An input's value by field name: the write paths walk the declared columns rather than each input class. */
export function inputValue(input: object, field: string): unknown {
  return (input as Record<string, unknown>)[field];
}

/** The GraphQL fields of an input class as the schema names them, its base classes' first, in declaration order. */
export function inputFieldsOf(input: abstract new (...args: never[]) => object): string[] {
  const chain: unknown[] = [];
  for (let c: unknown = input; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const fields = getMetadataStorage().fields;
  return chain.flatMap((c) => fields.filter((f) => f.target === c).map((f) => f.schemaName));
}

/**
 * The fields of `input` that `entity` has under the same name (a reference as `<property>Id`):
 * what a record read back gives to be written again as it is.
 */
export function columnFieldsOf(input: abstract new (...args: never[]) => object, entity: EntityClass): string[] {
  const columns = new Set(columnsOf(entity).map(fieldNameOf));
  return inputFieldsOf(input).filter((f) => columns.has(f));
}
