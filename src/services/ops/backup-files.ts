/**
 * Backup files: their names (`ae_backup_<database>_<kind>_<YYYYMMDD_HHMMSS>.sql.gz`, as the
 * predecessor's guide named them), the guide's retention rule over them, and reading a file's first bytes.
 */
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors';

export const BACKUP_PREFIX = 'ae_backup_';
export const BACKUP_SUFFIX = '.sql.gz';
const DAY_MS = 24 * 60 * 60 * 1000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYYMMDD_HHMMSS` in local time, as the guide's `date +%Y%m%d_%H%M%S`. */
export function backupStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/**
 * The kind in a backup's file name: `full`, `schema` or `data` for the whole database, and
 * for a `--table` dump the tables too (`tables-audio_processing+biomechanics_import`,
 * `schema-tables-…`): a dump of other tables is no replacement for it.
 */
export function backupKind(o: { schemaOnly?: boolean; dataOnly?: boolean; tables?: string[] }): string {
  const contents = o.schemaOnly ? 'schema' : o.dataOnly ? 'data' : 'full';
  if (!o.tables?.length) return contents;
  const tables = `tables-${[...new Set(o.tables)].sort().join('+')}`;
  return `${contents === 'full' ? '' : `${contents}-`}${tables}`;
}

/** `ae_backup_<database>_<kind>_`: what every backup of that database and kind is named with, before its time stamp. */
export function backupNamePrefix(database: string, kind: string): string {
  // A database name may hold characters a file name should not (/, spaces): percent-encode them.
  const safe = database.replace(/[^A-Za-z0-9_.-]/g, (ch) =>
    [...Buffer.from(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `${BACKUP_PREFIX}${safe}_${kind}_`;
}

/** After the prefix: the time stamp, a counter when two backups share a second, and the suffix. */
const STAMP_AND_SUFFIX = /^\d{8}_\d{6}(?:_\d+)?\.sql\.gz$/;

export interface RetentionRule {
  keepDays: number;
  keepLast: number;
}

export function assertRetentionRule(o: RetentionRule): void {
  if (!Number.isInteger(o.keepDays) || o.keepDays < 0)
    throw new UserError(`--keep-days must be a whole number of days (0 keeps every backup), got ${o.keepDays}.`);
  if (!Number.isInteger(o.keepLast) || o.keepLast < 1)
    throw new UserError(`--keep-last must be a whole number of backups, at least 1, got ${o.keepLast}.`);
}

/**
 * The retention rule, among the regular files of `dir` named `<prefix><YYYYMMDD_HHMMSS>.sql.gz`
 * (one database, one kind) and nothing else: the newest `keepLast` by modification time are
 * always kept; of the others, those modified more than `keepDays` × 24 h before `now` are
 * deleted (the guide's `find -mtime`); `keepDays` 0 deletes nothing.
 */
export function pruneBackups(
  dir: string,
  prefix: string,
  o: RetentionRule & { now?: Date },
): { kept: string[]; deleted: string[] } {
  assertRetentionRule(o);
  if (!existsSync(dir)) return { kept: [], deleted: [] };
  const cutoff = (o.now ?? new Date()).getTime() - o.keepDays * DAY_MS;
  const backups = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith(prefix) && STAMP_AND_SUFFIX.test(e.name.slice(prefix.length)))
    .map((e) => ({ name: e.name, mtimeMs: lstatSync(join(dir, e.name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : -1));
  const kept: string[] = [];
  const deleted: string[] = [];
  for (const [i, b] of backups.entries()) {
    if (i < o.keepLast || o.keepDays === 0 || b.mtimeMs >= cutoff) kept.push(b.name);
    else {
      unlinkSync(join(dir, b.name));
      deleted.push(b.name);
    }
  }
  return { kept, deleted };
}

/** A file name no backup or backup in progress has: the time stamp, then `_2`, `_3`… when taken. */
export function uniqueBackupName(dir: string, prefix: string, now: Date): string {
  const stamp = backupStamp(now);
  for (let i = 1; ; i++) {
    const name = `${prefix}${stamp}${i === 1 ? '' : `_${i}`}${BACKUP_SUFFIX}`;
    if (!existsSync(join(dir, name)) && !existsSync(join(dir, `.${name}.partial`))) return name;
  }
}

/** The first `n` bytes of a stream as text (then the stream is closed). */
export async function peekText(stream: Readable, n: number, path: string): Promise<string> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream) {
      parts.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (got >= n) break;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code?.startsWith('Z_')) throw new UserError(`${path} is not a valid gzip file (${(e as Error).message}).`);
    throw e;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, n).toString('latin1');
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readHead(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
