/**
 * Building blocks of the fuzz tests (test/fuzz.test.ts): fast-check arbitraries for text
 * and numbers (storable, hostile, and just over a limit), a GraphQL-over-HTTP caller that
 * checks what every response must satisfy whatever was sent, a checksum of every table,
 * and the comparison of an accepted input with what the read API returns for it.
 */
import fc from 'fast-check';
import type { Client } from 'pg';
import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { TestServer } from './http';

/** Runs per property: modest for `npm test`, AE_FUZZ_RUNS=1000 for a long run. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.AE_FUZZ_RUNS ?? 30) || 30);

/** fast-check parameters for every property; AE_FUZZ_SEED replays a reported failure. */
export function fuzzParameters(): fc.Parameters<unknown> {
  const seed = process.env.AE_FUZZ_SEED;
  return { numRuns: FUZZ_RUNS, ...(seed ? { seed: Number(seed) } : {}) };
}

export const INT4_MAX = 2_147_483_647;

// ---------------------------------------------------------------------------------------
// Text

/** Pieces of text that break naive SQL, LIKE patterns, JSON or escaping, all storable in PostgreSQL. */
const NASTY = [
  "'",
  '"',
  '\\',
  '%',
  '_',
  "''",
  '\\\\',
  '\\"',
  '--',
  ';',
  '/*',
  '*/',
  '$1',
  '$$',
  '?',
  '??',
  ':name',
  '${x}',
  '{',
  '}',
  '[',
  ']',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '\b',
  '\f',
  '\u0001',
  '\u001f',
  '\u007f',
  'NULL',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  "'; drop table study; --",
  "' or '1'='1",
  '%_%',
  '\\x00',
  "E'\\\\'",
  '\\u0000',
  '{"a":1}',
  '[1,2]',
  '<script>',
  'é',
  'ß',
  'İ',
  '日本語',
  'עברית',
  '🦵',
  '👨‍👩‍👧',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\u0301',
  'e\u0301',
  '\ufe0f',
  '❤\ufe0f',
  '\ufffd',
];

const storableChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
);

/** Characters as PostgreSQL counts them (code points): what varchar(n) limits. */
export const charCount = (s: string) => [...s].length;

/** Cuts to at most `max` code points (never splitting a surrogate pair). */
const cut = (s: string, max: number) => [...s].slice(0, max).join('');

/** Text PostgreSQL can store: hostile for SQL and escaping, but no NUL and well-formed Unicode. */
export function storableText(o: { min?: number; max?: number } = {}): fc.Arbitrary<string> {
  const min = o.min ?? 0;
  const max = o.max ?? 60;
  const pieces = fc
    .array(storableChar, { maxLength: Math.min(max, 40) + min })
    .map((parts) => parts.join('').replaceAll('\u0000', ''));
  const padded = pieces.map((s) => {
    let out = cut(s, max);
    while (charCount(out) < min) out += 'x';
    return out;
  });
  if (max < 200) return padded;
  // Now and then exactly at the limit, where counting characters differently would show.
  const atLimit = fc.tuple(pieces, fc.constantFrom('x', 'é', '🦵', '\ufe0f', "'")).map(([s, fill]) => {
    let out = cut(s, max);
    while (charCount(out) < max) out += fill;
    return cut(out, max);
  });
  return fc.oneof({ weight: 4, arbitrary: padded }, { weight: 1, arbitrary: atLimit });
}

/** Text with more than `max` characters (a length rule must refuse it). */
export function tooLongText(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      storableText({ max: 20 }),
      fc.integer({ min: 1, max: 40 }),
      fc.constantFrom('x', "'", '\\', '%', 'é', '🦵', '\ufe0f'),
    )
    .map(([s, extra, fill]) => {
      let out = s;
      while (charCount(out) <= max + extra - 1) out += fill;
      return out;
    });
}

/** Text no column can store as it is: NUL bytes, lone surrogates, and very long strings. */
export const unstorableText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(storableText({ max: 10 }), storableText({ max: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.constantFrom('\u0000', 'a\u0000', '\ud800', 'x\udfff', '\udc00\ud800', '\ud83e'),
);

export const veryLongText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(256, 1001, 4001, 20_000, 70_000), fc.constantFrom('x', "'", '%', '\\', 'é', '🦵'))
  .map(([n, c]) => c.repeat(n));

/** Any text, storable or not. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: storableText() },
  { weight: 2, arbitrary: unstorableText },
  { weight: 1, arbitrary: veryLongText },
);

// ---------------------------------------------------------------------------------------
// Numbers and raw JSON

/**
 * A number written into the request body exactly as `text`: JSON.parse turns `1e999` into
 * Infinity and `1e-999` into 0, and `NaN` is not JSON at all. `serializeBody` puts it in.
 */
export class RawJson {
  constructor(readonly text: string) {}
  toString() {
    return `RawJson(${this.text})`;
  }
}

export function serializeBody(body: unknown): string {
  const raws: string[] = [];
  const json = JSON.stringify(body, (_k, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  return json.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i) => raws[Number(i)]);
}

/** Non-negative doubles with the edges: 0, the smallest subnormal, the largest finite. */
export const nonNegativeDouble = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, Number.MIN_VALUE, 1e-300, 1.7976931348623157e308, 2 ** 53 + 2) },
);

export const positiveDouble = nonNegativeDouble.filter((x) => x > 0);

export const anyFiniteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

export const negativeNumber = fc.oneof(
  fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -INT4_MAX - 1, max: -1 }),
  fc.constantFrom(-Number.MIN_VALUE, -1e-300, -1),
);

/** Numbers that are not a valid value of a GraphQL Int, or of a Float. */
export const notAnInt = fc.oneof(
  fc.constantFrom(1.5, -0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE),
  fc.constantFrom('1', '0x10', 'NaN', '', true).map((v) => v as unknown),
  fc.constantFrom(new RawJson('1e999'), new RawJson('-1e999'), new RawJson('1.0000000000000002')),
);
export const notAFloat = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '1', '', false).map((v) => v as unknown),
  fc.constantFrom(new RawJson('1e999'), new RawJson('-1e999')),
);

/** Any JSON-ish value of any type, for a field that may not expect it. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -1,
      -0,
      0,
      1,
      1.5,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      2 ** 53 + 2,
      1e308,
      -1e308,
      Number.MIN_VALUE,
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: anyFiniteDouble },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      '1e309',
      '0x10',
      '1',
      'true',
      '',
      '2024-03-05T09:30:00Z',
      '9999-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(new RawJson('1e999'), new RawJson('-1e999'), new RawJson('1e-999'), new RawJson('-0')),
  },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileText, fc.double(), fc.constant(null)), { maxLength: 5 }) },
);

// ---------------------------------------------------------------------------------------
// Dates

const MIN_DATE = new Date('1900-01-01T00:00:00.000Z');
const MAX_DATE = new Date('2200-12-31T23:59:59.999Z');

/** A point in time, sent as ISO-8601 text: mostly UTC (`Z`), sometimes with an offset. */
export const isoDateTime = fc.oneof(
  { weight: 4, arbitrary: fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }).map((d) => d.toISOString()) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
      )
      .map(([d, offsetMinutes]) => {
        const local = new Date(d.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      }),
  },
);

/** Midnight of a UTC day, and a time on that day. */
export const recordingDay = fc
  .tuple(fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }), fc.integer({ min: 0, max: 86_399_999 }))
  .map(([d, ms]) => {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { recordingDate: new Date(day).toISOString(), recordingTime: new Date(day + ms).toISOString() };
  });

export const sha256Hex = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A flattened segment list `[start1, end1, …]` with start ≤ end in every pair. */
export const segmentList = fc
  .array(fc.tuple(nonNegativeDouble, nonNegativeDouble), { maxLength: 4 })
  .map((pairs) => pairs.flatMap(([a, b]) => (a <= b ? [a, b] : [b, a])));

/** `undefined` (left out), null, or a value. */
export const optional = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: arb },
  );

/** Drops the keys whose value is undefined, as JSON would. */
export const defined = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

// ---------------------------------------------------------------------------------------
// Talking to the server

export interface Reply {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
  codes: string[];
  text: string;
}

/** What must never reach a client: SQL, PostgreSQL's own messages, stack traces, internal class names. */
const LEAK =
  /\b(select|insert into|update \w+ set|delete from|on conflict|json_populate_recordset)\b|SQLSTATE|syntax error at|violates|relation "|column "|invalid byte sequence|unsupported Unicode|DriverException|at [\w.<>]+ \(|node_modules|\.ts:\d+/i;

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object' && !(value instanceof RawJson)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/**
 * POSTs `query` with `variables` (RawJson values written as they are) and checks what every
 * response must satisfy, whatever was sent: an HTTP status of the GraphQL-over-HTTP spec, a
 * JSON body, no INTERNAL_SERVER_ERROR, nothing leaked, and no "unexpected error" logged.
 */
export async function send(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Reply> {
  const logsBefore = server.logs.length;
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: serializeBody({ query, variables }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: the body is not JSON: ${text.slice(0, 500)}`);
  }
  const errors = body.errors as Reply['errors'];
  const codes = (errors ?? []).map((e) => String(e.extensions?.code));
  const where = `HTTP ${res.status} ${text.slice(0, 2000)}`;
  if (![200, 400, 413].includes(res.status)) throw new Error(`unexpected status: ${where}`);
  if (codes.includes('INTERNAL_SERVER_ERROR') || codes.includes('undefined'))
    throw new Error(`internal or uncoded error: ${where}`);
  const echoed = stringsIn(variables).sort((a, b) => b.length - a.length);
  for (const e of errors ?? []) {
    // Messages may quote what was sent (`got invalid value "…"`): only the rest is checked.
    let own = e.message;
    for (const s of echoed) own = own.split(s).join('').split(JSON.stringify(s).slice(1, -1)).join('');
    if (LEAK.test(own) || (e.extensions && 'stacktrace' in e.extensions))
      throw new Error(`error leaks internals: ${where}`);
  }
  const unexpected = server.logs.slice(logsBefore).filter((l) => l.level >= 50);
  if (unexpected.length)
    throw new Error(`server logged an error: ${JSON.stringify(unexpected).slice(0, 2000)}\nfor ${where}`);
  return { status: res.status, data: body.data, errors, codes, text };
}

// ---------------------------------------------------------------------------------------
// The database before and after

/** Row count and md5 over every row (as JSON, by id) of every table in the schema. */
export async function tableChecksums(c: Client): Promise<Record<string, string>> {
  const names = (await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map(
    (r) => r.tablename as string,
  );
  const parts = names.map(
    (t) =>
      `select '${t}' as t, count(*)::int as n, md5(coalesce(string_agg(to_jsonb(x)::text, E'\\n' order by x.id), '')) as h from public."${t}" x`,
  );
  const { rows } = await c.query(parts.join(' union all '));
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}

export async function rowCounts(c: Client): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await tableChecksums(c)).map(([t, v]) => [t, Number(v.split(':')[0])]));
}

// ---------------------------------------------------------------------------------------
// Reading an accepted input back

/** The fields an input and the output type share (the participant is compared on its own). */
export function sharedFields(schema: GraphQLSchema, inputType: string, outputType: string): string[] {
  const input = schema.getType(inputType);
  const output = schema.getType(outputType);
  if (!isInputObjectType(input) || !isObjectType(output)) throw new Error(`${inputType} / ${outputType} not found`);
  const out = output.getFields();
  return Object.keys(input.getFields()).filter((f) => f in out && !isObjectType(getNamedType(out[f].type)));
}

/** A value as the read API returns it: ISO date-times with milliseconds, -0 as 0. */
function normalize(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t))
    return Array.isArray(value) ? value.map((v) => normalize(t.ofType, v)) : [normalize(t.ofType, value)];
  const name = getNamedType(t).name;
  if (name === 'DateTime') return new Date(value as string).toISOString();
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  return value;
}

/**
 * What the read API must return for `input` of `inputType`, field by field: the value
 * sent (as the server parsed the request body), else the input type's default, else null.
 * `processingDate` defaults to the time of the write, so it is compared only when sent.
 */
export function expectedRecord(
  schema: GraphQLSchema,
  inputType: string,
  fields: string[],
  input: Record<string, unknown>,
): Record<string, unknown> {
  const type = schema.getType(inputType);
  if (!isInputObjectType(type)) throw new Error(inputType);
  const sent = JSON.parse(serializeBody(input)) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const field = type.getFields()[f];
    if (f === 'processingDate' && (sent[f] === undefined || sent[f] === null)) continue;
    const value = sent[f] !== undefined ? sent[f] : field.defaultValue !== undefined ? field.defaultValue : null;
    out[f] = normalize(field.type, value);
  }
  return out;
}

/** Returns the stored record's fields that differ from the expected ones (empty: equal). */
export function differences(expected: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  const same = (a: unknown, b: unknown): boolean =>
    Array.isArray(a) && Array.isArray(b)
      ? a.length === b.length && a.every((x, i) => same(x, b[i]))
      : typeof a === 'number' && typeof b === 'number'
        ? a === b
        : a === b;
  return Object.keys(expected)
    .filter((k) => !same(expected[k], actual[k]))
    .map((k) => `${k}: sent ${JSON.stringify(expected[k])}, read back ${JSON.stringify(actual[k])}`);
}
