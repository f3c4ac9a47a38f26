/**
 * Ordering and keyset (cursor) pagination. Every order ends with `id`, so the order is
 * total; a cursor holds the order-key values of the last row returned, and the next page
 * is "rows strictly after those values". A page therefore costs the same at any depth
 * (no OFFSET), and rows inserted while someone pages are neither skipped nor repeated.
 *
 * Nulls: ascending puts them last, descending first (PostgreSQL's defaults, so an index
 * serves either direction); the keyset comparison below follows the same rule.
 */
import { ENTITIES } from '../../entities';
import { columnsOf, fieldNameOf, type ColumnDeclaration, type EntityClass } from '../../entities/columns';
import { UserError } from '../errors';
import { ENTITY_OF, LIST_NAME, RECORD_KINDS, type FieldColumn, type RecordKind, type TableModel } from './model';
import { quote, type SqlParams } from './sql';
import { isStorablePgTimestamp } from './timestamps';
import { INT4_MAX, unstorableTextProblem } from '../write/validation';

export type SortDirection = 'ASC' | 'DESC';

export interface OrderSpec {
  field: string;
  direction?: SortDirection | null;
}

/**
 * Where inherited orderable columns (src/entities/base.ts) stand, after a record's own, in every
 * list: the processing state, then the row's bookkeeping times.
 */
const INHERITED_ORDER: readonly string[] = ['processingStatus', 'processingDate', 'createdAt', 'updatedAt'];

/** Own columns that come right after the references: the knee and movement a recording is of. */
const RECORDING_COLUMNS: readonly string[] = ['knee', 'maneuver'];

/**
 * The columns of `entity` declared `orderable` (src/entities/columns.ts), after `id`: its own
 * columns, references first, then RECORDING_COLUMNS, then the others, each group in declaration
 * order; then the inherited ones in INHERITED_ORDER.
 */
function orderFieldsOf(entity: EntityClass): readonly string[] {
  const own = new Set(columnsOf(entity, { own: true }));
  const rank = (c: ColumnDeclaration): number => {
    if (own.has(c)) return c.kind === 'reference' ? 0 : RECORDING_COLUMNS.includes(c.property) ? 1 : 2;
    const place = INHERITED_ORDER.indexOf(c.property);
    if (place < 0) throw new Error(`${entity.name}.${c.property} is orderable but has no place in INHERITED_ORDER`);
    return 3 + place;
  };
  // sort() is stable: columns of the same rank keep their declaration order.
  const orderable = columnsOf(entity).filter((c) => c.orderable);
  return ['id', ...orderable.sort((a, b) => rank(a) - rank(b)).map(fieldNameOf)];
}

function entityOf(kind: RecordKind): EntityClass {
  const entity = ENTITIES.find((e) => e.name === ENTITY_OF[kind]);
  if (!entity) throw new Error(`no entity class ${ENTITY_OF[kind]} for ${kind}`);
  return entity;
}

/**
 * The fields each list can be ordered by: `id` and the columns declared `orderable`, in orderFieldsOf's
 * order (the GraphQL `…OrderField` enums are built from these).
 */
export const ORDER_FIELDS = Object.fromEntries(
  RECORD_KINDS.map((kind) => [kind, orderFieldsOf(entityOf(kind))]),
) as Record<RecordKind, readonly string[]>;

export interface OrderKey extends FieldColumn {
  descending: boolean;
}

/** Validates `orderBy` (errors name `orderBy[i]…`) and returns the keys, ending with `id`. */
export function checkOrder(
  model: TableModel,
  orderBy: readonly OrderSpec[] | null | undefined,
  path = 'orderBy',
): OrderKey[] {
  const allowed = ORDER_FIELDS[model.kind];
  const keys: OrderKey[] = [];
  const specs = orderBy ?? [];
  if (!Array.isArray(specs)) throw new UserError(`${path}: must be a list of { field, direction }.`);
  specs.forEach((spec, i) => {
    const field = spec?.field;
    if (typeof field !== 'string' || !allowed.includes(field)) {
      throw new UserError(
        `${path}[${i}].field: ${JSON.stringify(field)} is not a field ${LIST_NAME[model.kind]} can be ordered by (${allowed.join(', ')}).`,
      );
    }
    const direction = spec.direction ?? 'ASC';
    if (direction !== 'ASC' && direction !== 'DESC') {
      throw new UserError(`${path}[${i}].direction: must be ASC or DESC (got ${JSON.stringify(direction)}).`);
    }
    if (keys.some((k) => k.field === field))
      throw new UserError(`${path}[${i}].field: ${field} is already in the order.`);
    // Nothing after the unique id can change the order.
    if (keys.some((k) => k.field === 'id')) return;
    keys.push({ ...model.fields.get(field)!, descending: direction === 'DESC' });
  });
  if (!keys.some((k) => k.field === 'id')) {
    keys.push({ ...model.fields.get('id')!, descending: keys.at(-1)?.descending ?? false });
  }
  return keys;
}

const colOf = (alias: string, key: OrderKey) => `${alias}.${quote(key.column)}`;

export function orderByClause(keys: OrderKey[], alias: string): string {
  return keys.map((k) => `${colOf(alias, k)} ${k.descending ? 'desc nulls first' : 'asc nulls last'}`).join(', ');
}

/** Select-list entries `_k0 …` carrying each row's order-key values (timestamps as exact text). */
export function keySelectList(keys: OrderKey[], alias: string): string[] {
  return keys.map((k, i) => `${colOf(alias, k)}${k.value === 'plain' ? '' : '::text'} as ${quote(`_k${i}`)}`);
}

export function keyValuesOf(keys: OrderKey[], row: Record<string, unknown>): unknown[] {
  return keys.map((_, i) => row[`_k${i}`] ?? null);
}

/** Rows strictly after `values` in the order of `keys`. */
export function afterCondition(keys: OrderKey[], values: unknown[], alias: string, p: SqlParams): string {
  const param = (k: OrderKey, v: unknown) => p.bind(v, k.value === 'plain' ? undefined : k.value);
  // Fast path: one row-value comparison, which an index on the keys can serve.
  if (keys.every((k) => !k.nullable && k.descending === keys[0].descending)) {
    const columns = keys.map((k) => colOf(alias, k)).join(', ');
    return `(${columns}) ${keys[0].descending ? '<' : '>'} (${keys.map((k, i) => param(k, values[i])).join(', ')})`;
  }
  const greater = (k: OrderKey, v: unknown): string => {
    const c = colOf(alias, k);
    if (v === null) return k.descending ? `${c} is not null` : 'false';
    const beyond = `${c} ${k.descending ? '<' : '>'} ${param(k, v)}`;
    return k.nullable && !k.descending ? `(${beyond} or ${c} is null)` : beyond;
  };
  const equal = (k: OrderKey, v: unknown): string =>
    v === null ? `${colOf(alias, k)} is null` : `${colOf(alias, k)} = ${param(k, v)}`;
  // Built front to back so placeholders appear in the order their values are bound.
  const build = (i: number): string =>
    i === keys.length - 1
      ? greater(keys[i], values[i])
      : `(${greater(keys[i], values[i])} or (${equal(keys[i], values[i])} and ${build(i + 1)}))`;
  return build(0);
}

/** How a cursor names its order (`durationS DESC, id DESC`). */
export const cursorSignature = (keys: OrderKey[]) =>
  keys.map((k) => `${k.field} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');

interface CursorPayload {
  list: string;
  order: string;
  values: unknown[];
}

export function encodeCursor(kind: RecordKind, keys: OrderKey[], values: unknown[]): string {
  const payload: CursorPayload = { list: LIST_NAME[kind], order: cursorSignature(keys), values };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The order-key values in `cursor`, after checking it was issued by this list with this order. */
export function decodeCursor(kind: RecordKind, keys: OrderKey[], cursor: string, path = 'after'): unknown[] {
  const malformed = () =>
    new UserError(`${path}: not a cursor issued by this API (use pageInfo.endCursor of the previous page).`);
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,4000}$/.test(cursor)) throw malformed();
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (
    !payload ||
    typeof payload !== 'object' ||
    typeof payload.list !== 'string' ||
    typeof payload.order !== 'string' ||
    !Array.isArray(payload.values)
  ) {
    throw malformed();
  }
  if (payload.list !== LIST_NAME[kind]) {
    throw new UserError(`${path}: this cursor belongs to a ${payload.list} list, not to ${LIST_NAME[kind]}.`);
  }
  if (payload.order !== cursorSignature(keys)) {
    throw new UserError(
      `${path}: this cursor was issued for orderBy "${payload.order}", not "${cursorSignature(keys)}"; keep the same orderBy while paging.`,
    );
  }
  if (payload.values.length !== keys.length) throw malformed();
  keys.forEach((k, i) => {
    if (!cursorValueFits(k, payload.values[i])) throw malformed();
  });
  return payload.values;
}

/**
 * Whether a cursor value can be compared with the key's column. Cursors come back from
 * clients, so anything PostgreSQL would refuse as a parameter (1.5 or 1e10 for an int, a
 * NUL in text, 2024-02-30) is caught here as a malformed cursor, not left to fail in SQL.
 */
function cursorValueFits(key: OrderKey, v: unknown): boolean {
  if (v === null) return key.nullable;
  switch (key.type) {
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (!key.integer || (Number.isInteger(v) && Math.abs(v) <= INT4_MAX))
      );
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && isStorablePgTimestamp(v);
    case 'string':
      return typeof v === 'string' && v.length <= 1000 && unstorableTextProblem(v) === null;
    default:
      return false;
  }
}
