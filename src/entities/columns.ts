/**
 * Column decorators that apply the MikroORM mapping *and* the type-graphql field in one
 * go, so each entity class stays one readable list of columns. Every database-level rule
 * of docs/data-model.md that a CHECK can express is declared here, beside the column it guards.
 *
 * Each decorator also records its declaration (`ColumnDeclaration`): the write inputs derive
 * their GraphQL input fields and class-validator rules from it (src/services/write/column-inputs.ts),
 * so a column's rules — nullability, bounds, length, vocabulary, default — are stated once.
 */
import { ArrayType, Check, Enum, ManyToOne, Property, Unique, type Platform } from '@mikro-orm/core';
import { Field, Float as GqlFloat, Int as GqlInt } from 'type-graphql';

interface ColumnOptions {
  nullable?: boolean;
  description?: string;
  /** SQL column name when the default snake_case of the property is not right. */
  fieldName?: string;
  /** The GraphQL field is deprecated (the API names the column otherwise). */
  deprecationReason?: string;
}

/** The option of the decorators whose columns a list can be ordered by (scalars and references). */
interface Orderable {
  /**
   * Lists of these records can be ordered by the column: it is a value of the list's `…OrderField`
   * enum (a reference as its `…Id` field). src/services/read/ordering.ts derives ORDER_FIELDS from it.
   */
  orderable?: boolean;
}

type Decorator = (target: object, propertyKey: string) => void;

/** An entity class, abstract base classes included (structurally: a Function is one too). */
export type EntityClass = { readonly name: string; readonly prototype: object };

/** What type-graphql's Field takes as its type: `() => Int`, `() => [Float]`. */
export type ReturnTypeFunc = NonNullable<Parameters<typeof Field>[0]>;

/** An enum object (`Knee`): its values are what the column stores. */
export type Vocabulary = Record<string, string>;

/** What every declaration says, whatever the column holds. */
interface DeclarationBase {
  property: string;
  nullable: boolean;
  /** The GraphQL field's description. */
  description?: string;
  /** The value a row (and a write input) gets when none is given. */
  default?: number | boolean | string;
  /** Declared `orderable`: lists of these records can be ordered by it (src/services/read/ordering.ts). */
  orderable?: true;
}

/** One column as declared: what the ORM maps, GraphQL shows, the CHECK enforces and the write inputs validate. */
export type ColumnDeclaration = DeclarationBase &
  (
    | { kind: 'int'; min?: number; max?: number }
    /** `positive`: > 0; `min`: ≥ min. Bounded floats are also finite (the CHECK's `< 'Infinity'`). */
    | { kind: 'float'; min?: number; positive?: boolean }
    | { kind: 'boolean' }
    /** varchar(length); `vocabulary`: the values a table CHECK allows, and the GraphQL enum. */
    | { kind: 'string'; length: number; vocabulary?: Vocabulary }
    | { kind: 'text' }
    | { kind: 'timestamp' }
    /** `timestamptz default now()`; `writable`: a write may give it (else the database's now). */
    | { kind: 'databaseTimestamp'; writable: boolean }
    | { kind: 'checksum' }
    | { kind: 'segments' }
    | { kind: 'enum'; items: Vocabulary }
    | { kind: 'enumArray'; items: Vocabulary }
    /** A foreign key `<property>_id`; `entity` is the referenced one, `deleteRule` what deleting it does. */
    | { kind: 'reference'; entity: () => EntityClass; deleteRule: ReferenceDeleteRule }
  );

/** Declarations by the class that declares them, in declaration order. */
const DECLARATIONS = new Map<EntityClass, ColumnDeclaration[]>();

type Declared = ColumnDeclaration extends infer D ? (D extends ColumnDeclaration ? Omit<D, 'property'> : never) : never;

function declare(declaration: Declared): Decorator {
  return (target, property) => {
    const ctor = (target as { constructor: EntityClass }).constructor;
    if (!DECLARATIONS.has(ctor)) DECLARATIONS.set(ctor, []);
    DECLARATIONS.get(ctor)!.push({ ...declaration, property } as ColumnDeclaration);
  };
}

/** The field a column is read and written by: a reference by its id (the `<relation>Id` getter of ReferenceColumn). */
export const fieldNameOf = (c: ColumnDeclaration): string => (c.kind === 'reference' ? `${c.property}Id` : c.property);

/**
 * The columns declared by these decorators on `entity`: its base classes' first, in declaration
 * order; with `{ own: true }` only those `entity` itself declares.
 */
export function columnsOf(entity: EntityClass, o: { own?: boolean } = {}): ColumnDeclaration[] {
  if (o.own) return [...(DECLARATIONS.get(entity) ?? [])];
  const chain: EntityClass[] = [];
  for (
    let c: EntityClass | null = entity;
    c && c !== Function.prototype;
    c = Object.getPrototypeOf(c) as EntityClass | null
  ) {
    chain.unshift(c);
  }
  return chain.flatMap((c) => DECLARATIONS.get(c) ?? []);
}

/** The declaration of one column of `entity` (or of a base class); throws when there is none. */
export function columnOf(entity: EntityClass, property: string): ColumnDeclaration {
  const found = columnsOf(entity).find((c) => c.property === property);
  if (!found) throw new Error(`${entity.name}.${property} is not declared with a column decorator`);
  return found;
}

/**
 * What a column holds, by property, for the code that derives fields from the columns
 * (the group-by aggregates: which columns can be grouped by, which have statistics).
 */
export type ColumnKind =
  | { kind: 'int' | 'float' | 'boolean'; nullable: boolean }
  | {
      kind: 'enum';
      nullable: boolean;
      graphqlType: object;
      /** The vocabulary (stored values by GraphQL name). */ items: () => object;
    };

/** The int, float, boolean and enum columns of an entity class, its base classes' first, in declaration order. */
export function columnKindsOf(entity: EntityClass): Map<string, ColumnKind> {
  const out = new Map<string, ColumnKind>();
  for (const c of columnsOf(entity)) {
    if (c.kind === 'int' || c.kind === 'float' || c.kind === 'boolean')
      out.set(c.property, { kind: c.kind, nullable: c.nullable });
    else if (c.kind === 'enum')
      out.set(c.property, { kind: 'enum', nullable: c.nullable, graphqlType: c.items, items: () => c.items });
  }
  return out;
}

/** MikroORM treats an explicit `fieldName: undefined` as a name; pass it only when set. */
const named = (o: ColumnOptions) => (o.fieldName ? { fieldName: o.fieldName } : {});
/** Likewise `default: undefined` would be emitted as `default undefined` (and a declaration has none either). */
const withDefault = (value: string | number | boolean | null | undefined) =>
  value === undefined || value === null ? {} : { default: value };
/** Likewise a declaration says `orderable` only when it is. */
const orderable = (o: Orderable) => (o.orderable ? { orderable: true as const } : {});

function compose(...decorators: Decorator[]): Decorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

// `simple`: a column is read straight off the row by graphql-js; type-graphql's per-field
// middleware wrapper (unused for columns) roughly doubled the cost of large result sets.
function gqlField(type: ReturnTypeFunc, o: ColumnOptions): Decorator {
  const { description, deprecationReason } = o;
  return Field(type, { nullable: !!o.nullable, description, deprecationReason, simple: true }) as Decorator;
}

/** A CHECK named `<table>_<column>_check` on one property's column. */
function checkOn(expression: (column: string) => string): Decorator {
  return (target, key) => {
    // Resolve the column name lazily: MikroORM computes field names after discovery.
    Check<Record<string, unknown>>({ expression: (columns) => expression(columns[key]) })(target, key);
  };
}

export function IntColumn(
  o: ColumnOptions & Orderable & { min?: number; max?: number; default?: number } = {},
): Decorator {
  const checks: Decorator[] = [];
  if (o.min !== undefined && o.max !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min} and ${c} <= ${o.max}`));
  else if (o.min !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min}`));
  return compose(
    Property({ type: 'integer', nullable: !!o.nullable, ...named(o), ...withDefault(o.default) }) as Decorator,
    gqlField(() => GqlInt, o),
    declare({
      kind: 'int',
      nullable: !!o.nullable,
      description: o.description,
      min: o.min,
      max: o.max,
      ...withDefault(o.default),
      ...orderable(o),
    }),
    ...checks,
  );
}

export function FloatColumn(
  o: ColumnOptions & Orderable & { min?: number; positive?: boolean; default?: number } = {},
): Decorator {
  const checks: Decorator[] = [];
  // Spelled with the cast PostgreSQL adds itself, so `ae-db check` sees no difference. The
  // upper bound refuses NaN (which PostgreSQL orders above every number) and Infinity.
  const finite = (c: string) => `${c} < 'Infinity'::double precision`;
  if (o.positive) checks.push(checkOn((c) => `${c} > 0::double precision and ${finite(c)}`));
  else if (o.min !== undefined) checks.push(checkOn((c) => `${c} >= ${o.min}::double precision and ${finite(c)}`));
  return compose(
    Property({ type: 'double', nullable: !!o.nullable, ...named(o), ...withDefault(o.default) }) as Decorator,
    gqlField(() => GqlFloat, o),
    declare({
      kind: 'float',
      nullable: !!o.nullable,
      description: o.description,
      min: o.min,
      positive: o.positive,
      ...withDefault(o.default),
      ...orderable(o),
    }),
    ...checks,
  );
}

/** Booleans are NOT NULL DEFAULT false unless told otherwise. */
export function BoolColumn(o: ColumnOptions & Orderable & { default?: boolean | null } = {}): Decorator {
  const def = o.default === undefined ? false : o.default;
  return compose(
    Property({ type: 'boolean', nullable: !!o.nullable, ...named(o), ...withDefault(def) }) as Decorator,
    gqlField(() => Boolean, o),
    declare({
      kind: 'boolean',
      nullable: !!o.nullable,
      description: o.description,
      ...withDefault(def),
      ...orderable(o),
    }),
  );
}

/**
 * varchar(length). `vocabulary`: the column holds one of an enum's values (checked by a table
 * CHECK, as varchar rather than an ORM enum, which would be `text`), and GraphQL shows that enum.
 */
export function StringColumn(
  length: number,
  o: ColumnOptions & Orderable & { vocabulary?: Vocabulary } = {},
): Decorator {
  const vocabulary = o.vocabulary;
  return compose(
    Property({ type: 'string', length, nullable: !!o.nullable, ...named(o) }) as Decorator,
    gqlField(vocabulary ? () => vocabulary : () => String, o),
    declare({
      kind: 'string',
      nullable: !!o.nullable,
      description: o.description,
      length,
      vocabulary,
      ...orderable(o),
    }),
  );
}

export function TextColumn(o: ColumnOptions = {}): Decorator {
  const nullable = o.nullable ?? true;
  return compose(
    Property({ type: 'text', nullable, ...named(o) }) as Decorator,
    gqlField(() => String, { ...o, nullable }),
    declare({ kind: 'text', nullable, description: o.description }),
  );
}

/** `timestamp` (without time zone): wall-clock times as the recording device wrote them. */
export function TimestampColumn(o: ColumnOptions & Orderable = {}): Decorator {
  return compose(
    Property({ type: 'datetime', columnType: 'timestamp(6)', nullable: !!o.nullable, ...named(o) }) as Decorator,
    gqlField(() => Date, o),
    declare({ kind: 'timestamp', nullable: !!o.nullable, description: o.description, ...orderable(o) }),
  );
}

const BOOKKEEPING_TIME = {
  type: 'datetime',
  columnType: 'timestamptz(6)',
  defaultRaw: 'now()',
  onCreate: () => new Date(),
} as const;

/**
 * `timestamptz not null default now()`: bookkeeping times set by the database. `writable`: a
 * write may give the time (when the pipeline processed a record), and gets now when it does not.
 */
export function CreatedTimestampColumn(o: ColumnOptions & Orderable & { writable?: boolean } = {}): Decorator {
  return compose(
    Property({ ...BOOKKEEPING_TIME, ...named(o) }) as Decorator,
    gqlField(() => Date, o),
    declare({
      kind: 'databaseTimestamp',
      nullable: false,
      description: o.description,
      writable: !!o.writable,
      ...orderable(o),
    }),
  );
}

/** Like CreatedTimestampColumn, and also set on every UPDATE by the ORM (and by a database trigger). */
export function UpdatedTimestampColumn(o: ColumnOptions & Orderable = {}): Decorator {
  return compose(
    Property({ ...BOOKKEEPING_TIME, onUpdate: () => new Date(), ...named(o) }) as Decorator,
    gqlField(() => Date, o),
    declare({
      kind: 'databaseTimestamp',
      nullable: false,
      description: o.description,
      writable: false,
      ...orderable(o),
    }),
  );
}

/** A hex SHA-256 checksum: the CHECK's pattern, which the write inputs test too. */
export const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';

/** A hex SHA-256 checksum: exactly 64 hex characters. */
export function ChecksumColumn(o: ColumnOptions = {}): Decorator {
  return compose(
    Property({ type: 'string', length: 64, nullable: true, ...named(o) }) as Decorator,
    gqlField(() => String, { ...o, nullable: true }),
    declare({ kind: 'checksum', nullable: true, description: o.description }),
    checkOn((c) => `${c} ~ '${SHA256_HEX_PATTERN}'`),
  );
}

/** `double precision[]` mapped to and from a plain number[]. */
export class FloatArrayType extends ArrayType<number> {
  constructor() {
    super(
      (i) => Number(i),
      (i) => String(i),
    );
  }
  getColumnType(): string {
    return 'float8[]';
  }
  compareAsType(): string {
    return 'array';
  }
  convertToJSValue(value: number[] | string | null, platform: Platform): number[] | null {
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
    declare({ kind: 'segments', nullable: true, description: o.description }),
    checkOn((c) => `ae_valid_segments(${c}) = true`),
  );
}

/** `text` checked against the vocabulary (MikroORM emits `check (col in (…))`); GraphQL shows the enum. */
export function EnumColumn(items: Vocabulary, o: ColumnOptions & Orderable & { default?: string } = {}): Decorator {
  return compose(
    Enum({ items: () => items, nullable: !!o.nullable, ...named(o), ...withDefault(o.default) }) as Decorator,
    gqlField(() => items, o),
    declare({
      kind: 'enum',
      nullable: !!o.nullable,
      description: o.description,
      items,
      ...withDefault(o.default),
      ...orderable(o),
    }),
  );
}

/** `text[]` whose elements are checked against the vocabulary. */
export function EnumArrayColumn(items: Vocabulary, o: ColumnOptions = {}): Decorator {
  const nullable = o.nullable ?? true;
  return compose(
    Enum({ items: () => items, array: true, nullable, ...named(o), columnType: 'text[]' }) as Decorator,
    gqlField(() => [items], { ...o, nullable }),
    declare({ kind: 'enumArray', nullable, description: o.description, items }),
    checkOn(
      (c) =>
        `${c} <@ array[${Object.values(items)
          .map((v) => `'${v}'`)
          .join(', ')}]::text[]`,
    ),
  );
}

/**
 * A foreign key `<property>_id` to another record, indexed as `<table>_<property>_id_index`, and
 * a `<property>Id` getter for the referenced id (GraphQL shows it: src/graphql/resolvers/relations.ts;
 * rows from the read layer carry these ids as data). The entity states the getter's type with
 * `declare readonly <property>Id: number` (`| null` when nullable).
 */
export type ReferenceDeleteRule = 'cascade' | 'set null';

export function ReferenceColumn(
  entity: () => EntityClass,
  o: Orderable & { nullable?: boolean; deleteRule: ReferenceDeleteRule },
): Decorator {
  const nullable = !!o.nullable;
  const idGetter: Decorator = (target, key) =>
    Object.defineProperty(target, `${key}Id`, {
      get(this: Record<string, { id: number } | null | undefined>) {
        return nullable ? (this[key]?.id ?? null) : this[key]!.id;
      },
      configurable: true,
    });
  return compose(
    ManyToOne(entity, {
      ...(nullable ? { nullable: true } : {}),
      deleteRule: o.deleteRule,
      index: true,
    }) as Decorator,
    idGetter,
    declare({ kind: 'reference', nullable, entity, deleteRule: o.deleteRule, ...orderable(o) }),
  );
}

/**
 * The unique natural key `<table>_natural_key` with NULLS NOT DISTINCT: fe and sts rows have a
 * null pass and speed, and a plain unique key would let their duplicates in. The ORM has no
 * option for it, so it is declared as SQL.
 */
export function NaturalKey(table: string, columns: string[]): ClassDecorator {
  const name = `${table}_natural_key`;
  const list = columns.map((c) => `"${c}"`).join(', ');
  return Unique({
    name,
    expression: `alter table "${table}" add constraint "${name}" unique nulls not distinct (${list})`,
  }) as ClassDecorator;
}
