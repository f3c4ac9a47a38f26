/**
 * Column decorators that apply the MikroORM mapping *and* the type-graphql field in one
 * go, so each entity class stays one readable list of columns. Every database-level rule
 * of docs/data-model.md that a CHECK can express is declared here, beside the column it guards.
 */
import { ArrayType, Check, Enum, Property, type Platform } from '@mikro-orm/core';
import { Field, Float as GqlFloat, Int as GqlInt } from 'type-graphql';

interface ColumnOptions {
  nullable?: boolean;
  description?: string;
  /** SQL column name when the default snake_case of the property is not right. */
  fieldName?: string;
}

type Decorator = (target: object, propertyKey: string) => void;

/**
 * What a column holds, by property, for the code that derives fields from the columns
 * (the group-by aggregates: which columns can be grouped by, which have statistics).
 */
export type ColumnKind =
  | { kind: 'int' | 'float' | 'boolean'; nullable: boolean }
  | { kind: 'enum'; nullable: boolean; graphqlType: object; /** The vocabulary (stored values by GraphQL name). */ items: () => object };

const COLUMN_KINDS = new Map<Function, Map<string, ColumnKind>>();

function recordKind(kind: ColumnKind): Decorator {
  return (target, key) => {
    const ctor = (target as { constructor: Function }).constructor;
    if (!COLUMN_KINDS.has(ctor)) COLUMN_KINDS.set(ctor, new Map());
    COLUMN_KINDS.get(ctor)!.set(key, kind);
  };
}

/** The int, float, boolean and enum columns of an entity class, its base classes' first, in declaration order. */
export function columnKindsOf(entity: Function): Map<string, ColumnKind> {
  const chain: Function[] = [];
  for (let c: Function | null = entity; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const out = new Map<string, ColumnKind>();
  for (const c of chain) for (const [key, kind] of COLUMN_KINDS.get(c) ?? []) out.set(key, kind);
  return out;
}

/** MikroORM treats an explicit `fieldName: undefined` as a name; pass it only when set. */
const named = (o: ColumnOptions) => (o.fieldName ? { fieldName: o.fieldName } : {});
/** Likewise `default: undefined` would be emitted as `default undefined`. */
const withDefault = (value: string | number | boolean | null | undefined) => (value === undefined || value === null ? {} : { default: value });

function compose(...decorators: Decorator[]): Decorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

// `simple`: a column is read straight off the row by graphql-js; type-graphql's per-field
// middleware wrapper (unused for columns) roughly doubled the cost of large result sets.
function gqlField(type: () => unknown, o: ColumnOptions): Decorator {
  return Field(type as any, { nullable: !!o.nullable, description: o.description, simple: true }) as Decorator;
}

/** A CHECK named `<table>_<column>_check` on one property's column. */
function checkOn(expression: (column: string) => string): Decorator {
  return (target, key) => {
    // Resolve the column name lazily: MikroORM computes field names after discovery.
    Check({ expression: (columns: Record<string, string>) => expression(columns[key]) } as any)(target, key);
  };
}

export function IntColumn(o: ColumnOptions & { min?: number; max?: number; default?: number } = {}): Decorator {
  const checks: Decorator[] = [];
  if (o.min !== undefined && o.max !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min} and ${c} <= ${o.max}`));
  else if (o.min !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min}`));
  return compose(
    Property({ type: 'integer', nullable: !!o.nullable, ...named(o), ...withDefault(o.default) }) as Decorator,
    gqlField(() => GqlInt, o),
    recordKind({ kind: 'int', nullable: !!o.nullable }),
    ...checks,
  );
}

export function FloatColumn(o: ColumnOptions & { min?: number; positive?: boolean; default?: number } = {}): Decorator {
  const checks: Decorator[] = [];
  // Spelled with the cast PostgreSQL adds itself, so `ae-db check` sees no difference. The
  // upper bound refuses NaN (which PostgreSQL orders above every number) and Infinity.
  const finite = (c: string) => `${c} < 'Infinity'::double precision`;
  if (o.positive) checks.push(checkOn((c) => `${c} > 0::double precision and ${finite(c)}`));
  else if (o.min !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min}::double precision and ${finite(c)}`));
  return compose(
    Property({ type: 'double', nullable: !!o.nullable, ...named(o), ...withDefault(o.default) }) as Decorator,
    gqlField(() => GqlFloat, o),
    recordKind({ kind: 'float', nullable: !!o.nullable }),
    ...checks,
  );
}

/** Booleans are NOT NULL DEFAULT false unless told otherwise. */
export function BoolColumn(o: ColumnOptions & { default?: boolean | null } = {}): Decorator {
  const def = o.default === undefined ? false : o.default;
  return compose(
    Property({ type: 'boolean', nullable: !!o.nullable, ...named(o), ...withDefault(def) }) as Decorator,
    gqlField(() => Boolean, o),
    recordKind({ kind: 'boolean', nullable: !!o.nullable }),
  );
}

/** varchar(length); `graphqlType` when the GraphQL field is narrower than a string (an enum checked by a CHECK). */
export function StringColumn(length: number, o: ColumnOptions & { graphqlType?: () => unknown } = {}): Decorator {
  return compose(
    Property({ type: 'string', length, nullable: !!o.nullable, ...named(o) }) as Decorator,
    gqlField(o.graphqlType ?? (() => String), o),
  );
}

export function TextColumn(o: ColumnOptions = {}): Decorator {
  return compose(
    Property({ type: 'text', nullable: o.nullable ?? true, ...named(o) }) as Decorator,
    gqlField(() => String, { ...o, nullable: o.nullable ?? true }),
  );
}

/** `timestamp` (without time zone): wall-clock times as the recording device wrote them. */
export function TimestampColumn(o: ColumnOptions = {}): Decorator {
  return compose(
    Property({ type: 'datetime', columnType: 'timestamp(6)', nullable: !!o.nullable, ...named(o) }) as Decorator,
    gqlField(() => Date, o),
  );
}

/** `timestamptz not null default now()`: bookkeeping times set by the database. */
export function CreatedTimestampColumn(o: ColumnOptions = {}): Decorator {
  return compose(
    Property({ type: 'datetime', columnType: 'timestamptz(6)', defaultRaw: 'now()', onCreate: () => new Date(), ...named(o) }) as Decorator,
    gqlField(() => Date, o),
  );
}

/** A hex SHA-256 checksum: exactly 64 hex characters. */
export function ChecksumColumn(o: ColumnOptions = {}): Decorator {
  return compose(StringColumn(64, { ...o, nullable: true }), checkOn((c) => `${c} ~ '^[0-9a-f]{64}$'`));
}

/** `double precision[]` mapped to and from a plain number[]. */
export class FloatArrayType extends ArrayType<number> {
  constructor() {
    super((i) => Number(i), (i) => String(i));
  }
  getColumnType(): string {
    return 'float8[]';
  }
  compareAsType(): string {
    return 'array';
  }
  convertToJSValue(value: any, platform: Platform): number[] | null {
    return Array.isArray(value) ? value : super.convertToJSValue(value, platform);
  }
}

/**
 * Flattened `[start1, end1, start2, end2, …]` segments in seconds. The database checks
 * the shape with `ae_valid_segments()` (created by the initial migration): even length,
 * no nulls, every value finite and ≥ 0, and start ≤ end within each pair.
 */
export function SegmentsColumn(o: ColumnOptions = {}): Decorator {
  return compose(
    Property({ type: FloatArrayType, nullable: true, ...named(o) }) as Decorator,
    gqlField(() => [GqlFloat], { ...o, nullable: true }),
    checkOn((c) => `ae_valid_segments(${c}) = true`),
  );
}

/** `text` checked against the vocabulary (MikroORM emits `check (col in (…))`). */
export function EnumColumn(items: () => object, gqlType: object, o: ColumnOptions & { default?: string } = {}): Decorator {
  return compose(
    Enum({ items, nullable: !!o.nullable, ...named(o), ...withDefault(o.default) } as any) as Decorator,
    gqlField(() => gqlType, o),
    recordKind({ kind: 'enum', nullable: !!o.nullable, graphqlType: gqlType, items }),
  );
}

/** `text[]` whose elements are checked against the vocabulary. */
export function EnumArrayColumn(items: () => object, gqlType: object, o: ColumnOptions = {}): Decorator {
  return compose(
    Enum({ items, array: true, nullable: o.nullable ?? true, ...named(o), columnType: 'text[]' } as any) as Decorator,
    gqlField(() => [gqlType], { ...o, nullable: o.nullable ?? true }),
    checkOn((c) => `${c} <@ array[${Object.values(items()).map((v) => `'${v}'`).join(', ')}]::text[]`),
  );
}
