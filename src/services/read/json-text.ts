/**
 * SQL expressions that write a column's value as JSON text exactly as the GraphQL layer
 * would serialise it in JavaScript, so PostgreSQL can build a response that the server
 * passes on unparsed. Every expression yields non-null text ('null' for SQL NULL).
 *
 * - Floats: PostgreSQL and JavaScript both print the shortest digits that read back as the
 *   same double, but switch to exponent form at different magnitudes (PostgreSQL below 1e-4
 *   and from 1e15, `1e-05`; JavaScript below 1e-6 and from 1e21, `1e-7`). The common range
 *   passes through; the gap is expanded through numeric (exact for a decimal string); beyond
 *   it only the exponent's leading zero differs. NaN and ±Infinity are `null`, as in JSON.stringify.
 * - DateTime: `toISOString()`, milliseconds truncated as the read layer truncates them.
 * - Enums: the GraphQL name (`Motion_Analysis` for 'Motion Analysis').
 */
import { escapeLiteral } from 'pg';
import { SqlParams } from './sql';

export const jsonNull = (expr: string, whenNotNull: string) =>
  `case when ${expr} is null then 'null' else ${whenNotNull} end`;

/** A float8 expression (evaluated several times: pass a column, not a subquery) as JSON number text. */
export function jsonFloat(e: string): string {
  return (
    `(case when ${e} is null then 'null'` +
    ` when abs(${e}) >= 1e-4::float8 and abs(${e}) < 1e15::float8 then ${e}::text` +
    ` when ${e} = 0 then '0'` +
    ` when ${e}::text in ('NaN', 'Infinity', '-Infinity') then 'null'` +
    ` when abs(${e}) >= 1e-6::float8 and abs(${e}) < 1e21::float8 then ${e}::text::numeric::text` +
    ` else replace(replace(${e}::text, 'e-0', 'e-'), 'e+0', 'e+') end)`
  );
}

/**
 * A float8[] column as a JSON array of numbers. An array whose text has no exponent, NaN,
 * Infinity or minus sign reads the same in both languages and passes through as text; the
 * rest go through ae_json_float8_array (migration json_float_arrays), a function rather
 * than a subquery here, so the plan holds no SubPlan to set up for every execution.
 */
export function jsonFloatArray(e: string): string {
  return `(case when ${e} is null then 'null' when ${e}::text !~ '[eNI-]' then translate(${e}::text, '{}', '[]') else ae_json_float8_array(${e}) end)`;
}

/**
 * `{ start end duration }` objects from a flattened [start, end, …] float8[] (pairs; a
 * trailing odd value is dropped).
 */
export function jsonIntervals(
  e: string,
  fields: readonly [key: string, part: 'start' | 'end' | 'duration' | 'typename'][],
): string {
  const part = (p: string) =>
    p === 'start'
      ? jsonFloat(`${e}[i]`)
      : p === 'end'
        ? jsonFloat(`${e}[i + 1]`)
        : p === 'duration'
          ? jsonFloat(`(${e}[i + 1] - ${e}[i])`)
          : `'"Interval"'`;
  const object = jsonObject(fields.map(([key, p]) => [key, part(p)]));
  return (
    `(case when ${e} is null then 'null' else (select '[' || coalesce(string_agg(${object}, ',' order by i), '') || ']'` +
    ` from generate_series(1, coalesce(array_length(${e}, 1), 0) - 1, 2) i) end)`
  );
}

export const jsonText = (e: string) => `coalesce(to_json(${e})::text, 'null')`;
export const jsonPlain = (e: string) => `coalesce((${e})::text, 'null')`;

export function jsonDateTime(e: string, withTimeZone: boolean): string {
  const utc = withTimeZone ? `(${e} at time zone 'UTC')` : e;
  return jsonNull(e, `'"' || to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`);
}

/** An enum column by GraphQL name; `names` maps stored values to names that differ. */
export function jsonEnum(e: string, names: ReadonlyMap<string, string>): string {
  if (names.size === 0) return jsonText(e);
  const cases = [...names]
    .map(([value, name]) => `when ${escapeLiteral(value)} then ${escapeLiteral(JSON.stringify(name))}`)
    .join(' ');
  return `(case ${e} ${cases} else ${jsonText(e)} end)`;
}

/** A SQL string literal of JSON text (a key, a constant). */
export const textLiteral = (text: string) => escapeLiteral(text);

/**
 * concat() of text expressions: one allocation, not a chain of ||. PostgreSQL takes at most
 * 100 arguments per call, so longer lists nest.
 */
export function sqlConcat(args: readonly string[]): string {
  if (args.length === 1) return args[0];
  if (args.length <= 100) return `concat(${args.join(', ')})`;
  const groups: string[] = [];
  for (let i = 0; i < args.length; i += 100) groups.push(sqlConcat(args.slice(i, i + 100)));
  return sqlConcat(groups);
}

/** `{"k1":v1,"k2":v2}` from value expressions. */
export function jsonObject(entries: readonly (readonly [key: string, valueSql: string])[]): string {
  if (entries.length === 0) return `'{}'`;
  const parts: string[] = [];
  entries.forEach(([key, value], i) => {
    parts.push(textLiteral(`${i === 0 ? '{' : ','}${JSON.stringify(key)}:`), value);
  });
  parts.push(`'}'`);
  return sqlConcat(parts);
}

/**
 * SqlParams numbering its placeholders `$1 … $n` in binding order (fragments are assembled
 * out of text order), so a statement's text depends on the query's shape, not its values,
 * and a prepared statement serves every request of that shape.
 */
export class NumberedParams extends SqlParams {
  override bind(value: unknown, cast?: string): string {
    this.values.push(value instanceof Date ? value.toISOString() : value);
    const placeholder = `$${this.values.length}`;
    return cast ? `${placeholder}::${cast}` : placeholder;
  }
}

/** The statement with each `$n` replaced by its value as a quoted literal (COPY takes no parameters). */
export function inlineNumbered(sql: string, values: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = values[Number(n) - 1];
    return v === null || v === undefined ? 'null' : escapeLiteral(String(v));
  });
}

/** JSON text of a base64url cursor whose payload is `prefix` + the SQL text `values` + `suffix`. */
export function base64urlText(payloadSql: string): string {
  return `rtrim(translate(encode(convert_to(${payloadSql}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
}
