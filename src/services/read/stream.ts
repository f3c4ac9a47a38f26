/**
 * Runs a compiled read (src/graphql/compiled/compile.ts) as `COPY (…) TO STDOUT` on a
 * pooled connection and hands its text on as it arrives: PostgreSQL produces rows only as
 * fast as the client reads them, so the server holds a few chunks, never the response.
 *
 * COPY's CSV format with a delimiter and quote character that JSON text never contains
 * (it escapes every control character) passes each row through verbatim, one per line.
 * The first line is the row count; the other lines are pieces of JSON whose line breaks
 * are dropped (JSON text has none of its own), so the client gets the exact bytes.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ReadPool, StreamTarget } from '../../db/read-pool';
import { to as copyTo } from 'pg-copy-streams';
import type { Client } from 'pg';
import { countStatement } from '../../db/request-scope';
import { inlineNumbered } from './json-text';

const NEWLINE = 0x0a;

/** Drops line breaks: what remains is the concatenated pieces. */
function withoutNewlines(chunk: Buffer): Buffer {
  if (chunk.indexOf(NEWLINE) < 0) return chunk;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, start)) {
    if (i > start) parts.push(chunk.subarray(start, i));
    start = i + 1;
  }
  if (start < chunk.length) parts.push(chunk.subarray(start));
  return Buffer.concat(parts);
}

export interface CompiledReadStream {
  /** Record rows in the response (the statement's first line). */
  rows: number;
  /** The rest of the response body's inside, to be written between `{"data":{` and `}}`. */
  body: Readable;
  /** Stops the statement and discards its connection (when the response will not be sent). */
  abort(): void;
}

interface KnexClient {
  acquireConnection(): Promise<Client & { __knex__disposed?: unknown }>;
  releaseConnection(c: Client): unknown;
}

/**
 * Starts the statement where `reads` sends reads (a replica, else the primary; the primary
 * again if the replica fails before the row count is in) and resolves once that first line is in.
 */
export function openCompiledRead(
  reads: ReadPool,
  select: string,
  values: readonly unknown[],
): Promise<CompiledReadStream> {
  const statement = inlineNumbered(select, values);
  return reads.stream((target) => openOn(target, statement));
}

/**
 * Distinct statement texts given a name (prepared once per pooled connection, planned once
 * when PostgreSQL settles on a generic plan), by text. Bounded, as every name lives on in
 * each session. A repeated request brings the very string its first one compiled (the
 * statement cache), so finding its name is a map lookup, not a hash of the text.
 */
const names = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

function statementName(select: string): string | undefined {
  let name = names.get(select);
  if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
    name = `ae_read_${createHash('sha1').update(select).digest('base64url')}`;
    names.set(select, name);
  }
  return name;
}

/**
 * Runs a small compiled read as one prepared statement (`$n` parameters) and returns its
 * pieces as text, for responses the cost estimate bounds to a few hundred kilobytes: no
 * COPY, no streaming, and a plan PostgreSQL keeps per session.
 */
export function runPreparedRead(
  reads: ReadPool,
  select: string,
  values: unknown[],
  o: { named: boolean },
): Promise<{ rows: number; body: string }> {
  // Behind a transaction pooler (PgBouncer) a session-level prepared statement would meet another session.
  const name = o.named ? statementName(select) : undefined;
  const query = { text: select, values, rowMode: 'array' as const, ...(name ? { name } : {}) };
  return reads.stream(async (target) => {
    const knexClient = target.db.client as unknown as KnexClient;
    const connection = await knexClient.acquireConnection();
    countStatement();
    let broken = false;
    try {
      if (target.begin) await connection.query(target.begin);
      const result = await connection.query(query);
      if (target.begin) await connection.query('commit');
      const rows = result.rows as string[][];
      const count = rows[0]?.[0];
      if (count === undefined || !/^\d+$/.test(count))
        throw new Error('compiled read: the first row is not the row count');
      let body = '';
      for (let i = 1; i < rows.length; i++) body += rows[i][0];
      return { rows: Number(count), body };
    } catch (e) {
      // A PostgreSQL error inside the read's transaction, or a socket error: not reusable as it is.
      broken = true;
      throw e;
    } finally {
      if (broken) {
        connection.__knex__disposed = 'compiled read failed';
        connection.end().catch(() => undefined);
      }
      knexClient.releaseConnection(connection);
    }
  });
}

async function openOn(target: StreamTarget, select: string): Promise<CompiledReadStream> {
  const knexClient = target.db.client as unknown as KnexClient;
  const connection = await knexClient.acquireConnection();
  countStatement();
  let released = false;
  const release = (broken: boolean) => {
    if (released) return;
    released = true;
    if (!broken && target.begin) {
      // The read's own transaction (its time limit) ends before the session goes back.
      connection.query('commit').then(
        () => knexClient.releaseConnection(connection),
        () => {
          connection.__knex__disposed = 'compiled read: commit failed';
          knexClient.releaseConnection(connection);
        },
      );
      return;
    }
    if (broken) {
      // Mid-COPY the session cannot be reused: close it, and let the pool discard it.
      connection.__knex__disposed = 'compiled read aborted';
      connection.end().catch(() => undefined);
    }
    knexClient.releaseConnection(connection);
  };
  if (target.begin) {
    try {
      await connection.query(target.begin);
    } catch (e) {
      release(true);
      throw e;
    }
  }
  const copy = connection.query(
    copyTo(`copy (${select}) to stdout with (format csv, delimiter e'\\x02', quote e'\\x01')`),
  );
  let header: Buffer = Buffer.alloc(0);
  const rows = await new Promise<{ rows: number; rest: Buffer }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      header = header.length ? Buffer.concat([header, chunk]) : chunk;
      const end = header.indexOf(NEWLINE);
      if (end < 0) return;
      copy.pause();
      copy.off('data', onData);
      copy.off('error', onError);
      copy.off('end', onEnd);
      const text = header.subarray(0, end).toString('latin1');
      if (!/^\d+$/.test(text)) return reject(new Error('compiled read: the first line is not the row count'));
      resolve({ rows: Number(text), rest: header.subarray(end + 1) });
    };
    const onError = (e: Error) => reject(e);
    const onEnd = () => reject(new Error('compiled read: no row count'));
    copy.on('data', onData);
    copy.once('error', onError);
    copy.once('end', onEnd);
  }).catch((e) => {
    release(true);
    throw e;
  });

  const body = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      done(null, withoutNewlines(chunk));
    },
  });
  if (rows.rest.length) body.write(withoutNewlines(rows.rest));
  copy.once('end', () => release(false));
  copy.pipe(body);
  copy.once('error', (e) => {
    release(true);
    body.destroy(e);
  });
  body.once('close', () => {
    if (!copy.readableEnded) {
      copy.destroy();
      release(true);
    }
  });
  return {
    rows: rows.rows,
    body,
    abort() {
      copy.destroy();
      release(true);
      body.destroy();
    },
  };
}
