/**
 * Streaming export of whole tables for one-line loading into pandas
 * (`pd.read_csv("http://…/export/movement_cycles.csv?study=AOA&maneuver=walk&isOutlier=false")`).
 *
 * The rows come from PostgreSQL's `COPY … TO STDOUT`, piped to the HTTP response as they
 * arrive, so memory stays flat whatever the size. The WHERE clause is built by the same
 * `buildWhere` as the GraphQL lists; query-string values are first turned into the plain
 * filter object those lists take.
 */
import { Client } from 'pg';
import type { ReadPool } from '../../db/read-pool';
import { to as copyTo } from 'pg-copy-streams';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TABLES, type TableName } from '../../entities';
import { UserError } from '../errors';
import { buildWhere, filterFieldNames, SqlParams, quote, TABLE_OF, type RecordKind } from './';
import { inlineParams } from './sql';

export type ExportFormat = 'csv' | 'ndjson';

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const KIND_OF_TABLE = Object.fromEntries(Object.entries(TABLE_OF).map(([kind, table]) => [table, kind])) as Record<
  TableName,
  RecordKind
>;

/** A bad request parameter: answered with HTTP 400 naming it. */
export class ExportParameterError extends UserError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `true`/`false`/numbers become their JSON types; anything else stays text. Numbers are
 * taken as Python and JavaScript print them: `1.5`, `.5`, `1e-05`.
 */
function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  return text;
}

/**
 * A time offset's "+" sent unencoded (`…T09:30:00+01:00`) reaches us as a space: put it back.
 * A space cannot otherwise stand there, so nothing else is changed.
 */
function timeBound(text: string): string {
  return text.replace(/^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/, '$1+$2');
}

/**
 * Query parameters → the filter object of a GraphQL list. `maneuver=walk,sts` (or the
 * parameter repeated) is a list; `durationS.min=1.2&durationS.max=3` and
 * `processingDate.from=…&processingDate.to=…` are ranges.
 */
export function filterFromQuery(table: TableName, params: URLSearchParams): Record<string, unknown> {
  const kind = KIND_OF_TABLE[table];
  const known = new Set(filterFieldNames(kind));
  const filter: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const [name, bound, ...more] = key.split('.');
    if (!known.has(name)) {
      throw new ExportParameterError(key, `${key}: not a filter of ${table} (known: ${[...known].join(', ')}).`);
    }
    if (bound !== undefined && (more.length > 0 || !['min', 'max', 'from', 'to'].includes(bound))) {
      throw new ExportParameterError(key, `${key}: a range takes .min/.max (numbers) or .from/.to (times).`);
    }
    // A time bound may carry an offset whose "+" arrived as a space (timeBound).
    const values = params
      .getAll(key)
      .flatMap((v) => v.split(','))
      .map((v) => (bound === 'from' || bound === 'to' ? timeBound(v.trim()) : v.trim()))
      .filter((v) => v !== '');
    if (values.length === 0) throw new ExportParameterError(key, `${key}: needs a value.`);
    if (bound !== undefined) {
      if (values.length > 1)
        throw new ExportParameterError(key, `${key}: takes one value (got ${values.length}: ${values.join(', ')}).`);
      const range = (filter[name] ??= {}) as Record<string, unknown>;
      range[bound] = bound === 'min' || bound === 'max' ? scalar(values[0]) : values[0];
    } else {
      filter[name] = values.length === 1 ? scalar(values[0]) : values.map(scalar);
    }
  }
  return filter;
}

/** The COPY statement for one export (exported for tests). */
export function exportStatement(table: TableName, format: ExportFormat, params: URLSearchParams): string {
  if (!TABLES.includes(table))
    throw new ExportParameterError('table', `Unknown table "${table}" (one of ${TABLES.join(', ')}).`);
  const p = new SqlParams();
  let where: string;
  try {
    where = buildWhere(KIND_OF_TABLE[table], filterFromQuery(table, params), 't', p, 'query');
  } catch (e) {
    if (e instanceof UserError && !(e instanceof ExportParameterError)) {
      // The parameter as sent: `durationS.min` for a bound's own error, `durationS` for the range's.
      const parameter = /^query\.(\w+(?:\.(?:min|max|from|to)\b)?)/.exec(e.message)?.[1] ?? 'query';
      throw new ExportParameterError(parameter, e.message.replace(/^query\./, ''));
    }
    throw e;
  }
  const select = `select t.* from ${quote(table)} t where ${where} order by t.id`;
  const query = inlineParams(select, p.values);
  return format === 'csv'
    ? `copy (${query}) to stdout with (format csv, header)`
    : // One JSON object per line. CSV quoting only applies to fields holding the delimiter, the
      // quote character or a line break; JSON text escapes all three, so the lines pass through raw.
      `copy (select row_to_json(r) from (${query}) r) to stdout with (format csv, delimiter e'\\x02', quote e'\\x01')`;
}

/** Bounds of the exports one server runs (README, Production notes). */
export interface ExportLimits {
  /** Exports running at once (AE_MAX_EXPORTS); the next is refused with ExportsBusyError. */
  maxExports: number;
  /** A client that takes nothing for this long is cut (AE_EXPORT_STALL_MS). */
  exportStallMs: number;
  /** Longest an export's COPY, and so its snapshot, may run (AE_EXPORT_TIMEOUT_MS). */
  exportTimeoutMs: number;
}

export const DEFAULT_EXPORT_LIMITS: ExportLimits = { maxExports: 4, exportStallMs: 60_000, exportTimeoutMs: 600_000 };

/** How long connecting to PostgreSQL for an export may take before it is reported unavailable. */
export const EXPORT_CONNECT_TIMEOUT_MS = 3_000;

/** Every export slot is taken: answered 503 with Retry-After. */
export class ExportsBusyError extends Error {
  readonly retryAfterS = 5;
  constructor(readonly maxExports: number) {
    super(
      `${maxExports} exports are running, the most this server runs at once (AE_MAX_EXPORTS); try again in a few seconds.`,
    );
  }
}

/** The client took nothing for `ms`: the export was cut (its COPY and connection end with it). */
export class ExportStalledError extends Error {
  readonly code = 'EXPORT_STALLED';
  constructor(readonly ms: number) {
    super(`the client read nothing for ${ms} ms (AE_EXPORT_STALL_MS); export cut`);
  }
}

/**
 * Calls `onStall` once `out` has been waiting for its reader (a full buffer, no drain) for
 * `ms` without a break. Returns the function that stops watching.
 */
function watchStall(out: Writable, ms: number, onStall: () => void): () => void {
  let waitingSince: number | undefined;
  const timer = setInterval(
    () => {
      if (!out.writableNeedDrain) {
        waitingSince = undefined;
        return;
      }
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince >= ms) {
        clearInterval(timer);
        onStall();
      }
    },
    Math.max(10, Math.min(1_000, Math.floor(ms / 5))),
  );
  timer.unref();
  return () => clearInterval(timer);
}

export class ExportService {
  private running = 0;

  /** `reads`, when given, sends the export to a serving replica (else the primary at `url`). */
  constructor(
    private readonly url: string,
    private readonly reads?: ReadPool,
    private readonly limits: ExportLimits = DEFAULT_EXPORT_LIMITS,
  ) {}

  /**
   * Streams the export into `out`; the statement is cancelled if `out` closes early, if its
   * reader takes nothing for `exportStallMs`, or when it has run `exportTimeoutMs`. Throws
   * ExportsBusyError, before connecting, when `maxExports` are already running.
   */
  async stream(table: TableName, format: ExportFormat, params: URLSearchParams, out: Writable): Promise<void> {
    const statement = exportStatement(table, format, params);
    if (this.running >= this.limits.maxExports) throw new ExportsBusyError(this.limits.maxExports);
    this.running++;
    try {
      await this.run(statement, out);
    } finally {
      this.running--;
    }
  }

  private async run(statement: string, out: Writable): Promise<void> {
    const client = this.reads
      ? (await this.reads.connectClient(this.url, 'ae-graphql export')).client
      : new Client({
          connectionString: this.url,
          application_name: 'ae-graphql export',
          connectionTimeoutMillis: EXPORT_CONNECT_TIMEOUT_MS,
        });
    if (!this.reads) await client.connect();
    let stalled = false;
    const unwatch = watchStall(out, this.limits.exportStallMs, () => {
      stalled = true;
      out.destroy();
    });
    try {
      // The time zone and the time limit for this transaction only: through a transaction-mode
      // pooler the next statement may run on another server session, and a session setting
      // would stay behind for whoever gets this one. The time limit bounds the snapshot too.
      await client.query(
        `begin read only; set local time zone 'UTC'; set local statement_timeout = ${Math.floor(this.limits.exportTimeoutMs)}`,
      );
      const copy = client.query(copyTo(statement));
      // Nothing reaches `out` until the first row is there: a statement that fails before
      // (timeout, cancelled, database gone) leaves the response unsent, to be answered as an error.
      await once(copy, 'readable');
      await pipeline(copy, out);
      await client.query('commit');
    } catch (e) {
      throw stalled ? new ExportStalledError(this.limits.exportStallMs) : e;
    } finally {
      unwatch();
      await client.end().catch(() => undefined);
    }
  }
}
