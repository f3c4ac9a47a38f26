/**
 * Backup and restore with PostgreSQL's own tools, as the predecessor's guide did them
 * (`pg_dump | gzip`, `gunzip -c | psql`), with the guide's retention rule, and with a
 * restore that is one transaction: it either replaces what the dump holds or changes nothing.
 */
import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Client } from 'pg';
import { withClient } from '../../db/pg';
import { UserError } from '../errors';
import { DumpVetter } from './dump-vetting';
import { quote } from '../read/sql';
import {
  assertRetentionRule,
  backupKind,
  backupNamePrefix,
  peekText,
  pruneBackups,
  readHead,
  uniqueBackupName,
} from './backup-files';
import {
  addConstraint,
  dropHeaderSettings,
  dropSchemaContents,
  foreignKeys,
  preludeLineCount,
  qualified,
  withPreludeAndEpilogue,
} from './restore-script';
import {
  firstErrorLine,
  incompatibility,
  scrub,
  serverMajor,
  toolConnection,
  toolVersion,
  type ToolVersion,
} from './pg-tools';

export interface BackupOptions {
  dir: string;
  /** Delete backups of the same database and kind older than this many days; 0 keeps every file. */
  keepDays?: number;
  /** Always keep the newest this many backups of the same database and kind, whatever their age (default 3). */
  keepLast?: number;
  schemaOnly?: boolean;
  dataOnly?: boolean;
  /** Only these tables (pg_dump -t). */
  tables?: string[];
  /** The clock, for the file name and retention. */
  now?: Date;
}

export interface BackupResult {
  file: string;
  bytes: number;
  durationMs: number;
  kind: 'full' | 'schema-only' | 'data-only';
  tables: string[];
  pgDump: string;
  retention: RetentionResult;
}

/** What the retention rule did among the backups of one database and kind in one folder. */
export interface RetentionResult {
  /** The database and kind it looked at: the file names' `ae_backup_<database>_<kind>_` part. */
  database: string;
  kind: string;
  keepDays: number;
  keepLast: number;
  /** File names, newest first. */
  kept: string[];
  deleted: string[];
}

export interface DumpInfo {
  file: string;
  compressed: boolean;
  /** Tables the dump creates (CREATE TABLE public.…), in dump order. */
  createdTables: string[];
  /** Tables the dump fills (COPY public.… FROM stdin), with their row counts. */
  rows: Record<string, number>;
  /** Functions or types: only a whole-database dump has them. */
  createsOtherObjects: boolean;
  dumpedFrom?: string;
  dumpedBy?: string;
  /**
   * The vetted text, uncompressed, in a private temporary file: restore feeds psql these
   * bytes, never the file again (which could have changed since). `discardDump` removes it.
   */
  vetted: string;
  /** Lines in the dump. */
  lines: number;
}

export interface RestorePlan {
  mode: 'replace-schema' | 'replace-tables' | 'reload-rows';
  /** The tables the restore empties or recreates. */
  tables: string[];
  /** One line for the confirmation prompt. */
  summary: string;
  prelude: string;
  epilogue: string;
}

export interface RestoreResult {
  plan: RestorePlan;
  durationMs: number;
  rowsLoaded: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** `public.name` or `public."Odd Name"` as pg_dump writes it → the bare name. */
const DUMP_NAME = String.raw`public\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
const CREATE_TABLE = new RegExp(`^CREATE (?:UNLOGGED )?TABLE ${DUMP_NAME} `);
const COPY = new RegExp(`^COPY ${DUMP_NAME} .*FROM stdin;$`);
// Only a whole-database dump defines routines and types (pg_dump -t never does).
const OTHER_OBJECT = /^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE|AGGREGATE|TYPE|DOMAIN) public\./;
const GZIP_MAGIC = [0x1f, 0x8b];

interface ServerVersion {
  num: number;
  text: string;
}

export class BackupService {
  constructor(private readonly url: string) {}

  private query<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return withClient(this.url, fn);
  }

  private async serverVersion(c?: Client): Promise<ServerVersion> {
    const run = async (client: Client) => {
      const { rows } = await client.query(
        `select current_setting('server_version_num')::int as num, current_setting('server_version') as text`,
      );
      return { num: rows[0].num, text: rows[0].text };
    };
    return c ? run(c) : this.query(run);
  }

  /** pg_dump's version, checked against the server's; throws a sentence with install hints when unusable. */
  async pgDumpVersion(): Promise<ToolVersion> {
    const tool = await toolVersion('pg_dump');
    const server = await this.serverVersion();
    const problem = incompatibility(tool, server.num, server.text);
    if (problem) throw new UserError(problem);
    return tool;
  }

  /**
   * `pg_dump` streamed through gzip into DIR/ae_backup_<db>_<kind>_YYYYMMDD_HHMMSS.sql.gz, then the retention rule for
   * that database and kind.
   */
  async backup(o: BackupOptions): Promise<BackupResult> {
    if (o.schemaOnly && o.dataOnly) throw new UserError('Choose one of --schema-only and --data-only, not both.');
    const tables = [...new Set(o.tables ?? [])];
    const keepDays = o.keepDays ?? 7;
    const keepLast = o.keepLast ?? 3;
    assertRetentionRule({ keepDays, keepLast }); // before dumping anything
    for (const t of tables) if (!IDENT.test(t)) throw new UserError(`"${t}" is not a table name.`);
    if (tables.length) {
      const present = await this.publicTables();
      const unknown = tables.filter((t) => !present.includes(t));
      if (unknown.length)
        throw new UserError(
          `No table ${unknown.map((t) => `"${t}"`).join(', ')} in this database; it has: ${present.join(', ')}.`,
        );
    }
    const tool = await this.pgDumpVersion();
    const now = o.now ?? new Date();
    const dir = resolve(o.dir);
    mkdirSync(dir, { recursive: true });
    const database = await this.query(
      async (c) => (await c.query('select current_database() as d')).rows[0].d as string,
    );
    const kind = backupKind({ ...o, tables });
    const prefix = backupNamePrefix(database, kind);
    const name = uniqueBackupName(dir, prefix, now);
    const file = join(dir, name);
    const partial = join(dir, `.${name}.partial`);

    const { dbname, env } = toolConnection(this.url);
    const args = ['--dbname', dbname, '--no-owner', '--encoding', 'UTF8'];
    if (o.schemaOnly) args.push('--schema-only');
    if (o.dataOnly) args.push('--data-only');
    for (const t of tables) args.push(`--table=public.${quote(t)}`);

    const started = Date.now();
    const child = spawn('pg_dump', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((res, rej) => {
      child.on('error', rej);
      child.on('close', (code) => res(code ?? 1));
    });
    try {
      // Streamed: the dump never sits in memory, whatever the size of the database.
      await pipeline(child.stdout, createGzip({ level: 6 }), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      const code = await exited;
      if (code !== 0)
        throw new UserError(`pg_dump failed: ${scrub(firstErrorLine(stderr), this.url) || `exit code ${code}`}`);
      renameSync(partial, file);
    } catch (e) {
      child.kill();
      if (existsSync(partial)) unlinkSync(partial);
      throw e;
    }
    const durationMs = Date.now() - started;
    const retention = { database, kind, keepDays, keepLast, ...pruneBackups(dir, prefix, { keepDays, keepLast, now }) };
    return {
      file,
      bytes: statSync(file).size,
      durationMs,
      kind: o.schemaOnly ? 'schema-only' : o.dataOnly ? 'data-only' : 'full',
      tables,
      pgDump: tool.versionLine,
      retention,
    };
  }

  /**
   * Reads a backup once, start to end, without loading it into memory: checks it is a
   * complete plain-SQL pg_dump (gzip or not) holding only what pg_dump writes (DumpVetter),
   * lists what it creates and fills, and keeps the lines it vetted in a private copy.
   */
  async inspectDump(path: string): Promise<DumpInfo> {
    const file = resolve(path);
    if (!existsSync(file)) throw new UserError(`Backup file ${path} does not exist.`);
    if (!statSync(file).isFile()) throw new UserError(`${path} is not a file.`);
    const head = readHead(file, 5);
    const compressed = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    if (head.toString('latin1') === 'PGDMP') {
      throw new UserError(
        `${path} is a custom-format pg_dump archive (pg_dump -Fc); restore takes plain SQL dumps: restore it with pg_restore, or make the backup with "ae-db backup".`,
      );
    }
    const notADump = () =>
      new UserError(
        `${path} is not a PostgreSQL SQL dump (expected the plain or gzip-compressed output of pg_dump or "ae-db backup").`,
      );
    // Look at the first bytes before reading lines: a large file without newlines is no dump.
    if (!/^(?:--\r?\n)*-- PostgreSQL database dump/.test(await peekText(this.openDump(file, compressed), 256, path)))
      throw notADump();
    const privateDir = mkdtempSync(join(tmpdir(), 'ae-restore-')); // mode 700: nobody else can change the copy
    const info: DumpInfo = {
      file,
      compressed,
      createdTables: [],
      rows: {},
      createsOtherObjects: false,
      vetted: join(privateDir, 'vetted.sql'),
      lines: 0,
    };
    const vetter = new DumpVetter(path);
    let lineNo = 0;
    let sawHeader = false;
    let complete = false;
    let copying: string | undefined;
    const input = this.openDump(file, compressed);
    const lines = createInterface({ input, crlfDelay: Infinity });
    const copy = createWriteStream(info.vetted, { flags: 'wx', mode: 0o600 });
    let batch: string[] = [];
    let batchChars = 0;
    const flush = async () => {
      if (!batch.length) return;
      const ok = copy.write(batch.join('\n') + '\n');
      batch = [];
      batchChars = 0;
      if (!ok) await once(copy, 'drain');
    };
    try {
      for await (const line of lines) {
        lineNo++;
        if (!sawHeader) {
          if (line === '-- PostgreSQL database dump') sawHeader = true;
          else if (lineNo > 20 || (line !== '' && line !== '--')) throw notADump();
        }
        const isRow = vetter.inCopy;
        vetter.line(line, lineNo);
        batch.push(line);
        batchChars += line.length;
        if (batchChars > 1 << 16) await flush();
        if (isRow) {
          if (copying !== undefined && vetter.inCopy) info.rows[copying]++;
          continue;
        }
        let m: RegExpExecArray | null;
        if (vetter.inCopy) {
          // Rows follow; those of a table outside the public schema are not counted.
          m = COPY.exec(line);
          copying = m ? unquote(m[1]) : undefined;
          if (copying !== undefined) info.rows[copying] ??= 0;
        } else if ((m = CREATE_TABLE.exec(line))) {
          info.createdTables.push(unquote(m[1]));
        } else if (OTHER_OBJECT.test(line)) {
          info.createsOtherObjects = true;
        } else if (line.startsWith('-- Dumped from database version ')) {
          info.dumpedFrom = line.slice('-- Dumped from database version '.length);
        } else if (line.startsWith('-- Dumped by pg_dump version ')) {
          info.dumpedBy = line.slice('-- Dumped by pg_dump version '.length);
        } else if (line === '-- PostgreSQL database dump complete') {
          complete = true;
        }
      }
      if (!sawHeader) throw notADump();
      if (!complete)
        throw new UserError(
          `${path} is incomplete: it ends before pg_dump's "dump complete" line (an interrupted or truncated backup).`,
        );
      vetter.end(lineNo);
      info.lines = lineNo;
      if (info.createdTables.length === 0 && Object.keys(info.rows).length === 0)
        throw new UserError(`${path} holds no tables of the public schema.`);
      await flush();
      copy.end();
      await once(copy, 'close');
      return info;
    } catch (e) {
      copy.destroy();
      rmSync(privateDir, { recursive: true, force: true });
      if (e instanceof UserError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code?.startsWith('Z_')) throw new UserError(`${path} is not a valid gzip file (${(e as Error).message}).`);
      throw e;
    } finally {
      lines.close();
      input.destroy();
    }
  }

  /** Removes the private copy inspectDump made (restore does it too, when it is done). */
  discardDump(info: DumpInfo): void {
    rmSync(dirname(info.vetted), { recursive: true, force: true });
  }

  /** What restoring `info` will do to this database, decided from the dump and the catalog. */
  async planRestore(info: DumpInfo): Promise<RestorePlan> {
    return this.query(async (c) => {
      const present = await this.publicTables(c);
      const created = new Set(info.createdTables);
      const filled = Object.keys(info.rows);
      const analyze = [...new Set([...info.createdTables, ...filled])].map((t) => `ANALYZE ${qualified(t)};`);
      const db = (await c.query('select current_database() as d')).rows[0].d as string;
      if (info.createdTables.length && (info.createsOtherObjects || present.every((t) => created.has(t)))) {
        // A whole-database dump: clear the schema's contents (not the schema itself, which keeps
        // its owner and grants), then let the dump recreate everything.
        return {
          mode: 'replace-schema',
          tables: present,
          summary: `replace every table, function and type in the public schema of "${db}" with the dump's (${info.createdTables.length} tables)`,
          prelude: await dropSchemaContents(c),
          epilogue: analyze.join('\n'),
        };
      }
      if (info.createdTables.length) {
        // Some tables with their definitions: drop and recreate those, keeping the foreign keys
        // other tables have onto them (re-added, and so re-checked, at the end).
        const inbound = await foreignKeys(c, info.createdTables, 'inbound');
        return {
          mode: 'replace-tables',
          tables: info.createdTables,
          summary: `drop and recreate the tables ${info.createdTables.join(', ')} of "${db}" from the dump`,
          prelude: [
            ...inbound.map((fk) => `ALTER TABLE ${qualified(fk.table)} DROP CONSTRAINT ${quote(fk.name)};`),
            `DROP TABLE IF EXISTS ${info.createdTables.map(qualified).join(', ')} CASCADE;`,
          ].join('\n'),
          epilogue: [...inbound.map(addConstraint), ...analyze].join('\n'),
        };
      }
      const missing = filled.filter((t) => !present.includes(t));
      if (missing.length) {
        throw new UserError(
          `The dump holds only rows, and the table(s) ${missing.join(', ')} do not exist in "${db}": create the schema first ("npx ae-db upgrade head"), then restore.`,
        );
      }
      // Rows only: empty those tables and load. Their foreign keys are lifted during the load
      // (a data-only dump cannot order the circular audio ⟷ biomechanics pair) and re-added,
      // which checks every restored row, before the transaction commits.
      const fks = await foreignKeys(c, filled, 'touching');
      return {
        mode: 'reload-rows',
        tables: filled,
        summary: `empty the tables ${filled.join(', ')} of "${db}" and load the dump's rows into them`,
        prelude: [
          ...fks.map((fk) => `ALTER TABLE ${qualified(fk.table)} DROP CONSTRAINT ${quote(fk.name)};`),
          `TRUNCATE ${filled.map(qualified).join(', ')} RESTART IDENTITY;`,
        ].join('\n'),
        epilogue: [...fks.map(addConstraint), ...analyze].join('\n'),
      };
    });
  }

  /**
   * Replays the dump with psql inside one transaction that this code opens and commits: the
   * plan's prelude, the dump, the plan's epilogue, COMMIT. psql stops at the first error
   * (ON_ERROR_STOP) and anything short of the final COMMIT rolls back when its session ends.
   */
  async restore(info: DumpInfo, plan?: RestorePlan): Promise<RestoreResult> {
    try {
      return await this.replay(info, plan ?? (await this.planRestore(info)));
    } finally {
      this.discardDump(info);
    }
  }

  private async replay(info: DumpInfo, plan: RestorePlan): Promise<RestoreResult> {
    await toolVersion('psql');
    const server = await this.serverVersion();
    const { dbname, env } = toolConnection(this.url);
    const started = Date.now();
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--dbname', dbname, '-f', '-'], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // EPIPE once psql has stopped at an error: its exit code and stderr say why.
    let stdinFailed = false;
    let fedAll = false;
    child.stdin.on('error', () => (stdinFailed = true));
    let finished = false;
    const exited = new Promise<number>((res, rej) => {
      child.on('error', rej);
      child.on('close', (code) => {
        finished = true;
        res(code ?? 1);
      });
    });
    // The private copy inspectDump vetted, not the file: that may have changed since.
    const dump = createReadStream(info.vetted);
    // pg_dump 17+ writes `SET transaction_timeout`, which older servers reject.
    const unsupported = serverMajor(server.num) < 17 ? [/^SET transaction_timeout = /] : [];
    try {
      for await (const chunk of withPreludeAndEpilogue(plan, dropHeaderSettings(dump, unsupported))) {
        if (finished || stdinFailed) break;
        if (!child.stdin.write(chunk))
          await new Promise<void>((res) => {
            const done = () => {
              child.stdin.off('drain', done).off('error', done).off('close', done);
              res();
            };
            child.stdin.on('drain', done).on('error', done).on('close', done);
          });
      }
      fedAll = !finished && !stdinFailed;
      if (!stdinFailed) child.stdin.end();
    } catch (e) {
      // Kill psql before its input ends, so an unfinished script can never reach COMMIT.
      child.kill('SIGKILL');
      await exited.catch(() => 0);
      throw e;
    } finally {
      dump.destroy();
    }
    const code = await exited;
    if (code !== 0) {
      // psql numbers the lines of what it was fed: our BEGIN and prelude come first.
      const fedLine = Number(/psql:<stdin>:(\d+):[^\n]*\b(?:ERROR|FATAL):/.exec(stderr)?.[1] ?? NaN);
      const dumpLine = fedLine - preludeLineCount(plan);
      const where =
        dumpLine >= 1 && dumpLine <= info.lines
          ? ` at line ${dumpLine} of ${info.file}`
          : dumpLine > info.lines
            ? ' in the checks after loading (foreign keys re-added)'
            : '';
      throw new UserError(
        `Restore failed${where} and was rolled back, the database is unchanged: ${scrub(firstErrorLine(stderr), this.url) || `psql exit code ${code}`}`,
      );
    }
    // Without our final COMMIT, psql's session rolled back when it ended.
    if (!fedAll)
      throw new UserError(
        'Restore failed: psql stopped reading before the end of the dump, so nothing was committed; the database is unchanged.',
      );
    return { plan, durationMs: Date.now() - started, rowsLoaded: Object.values(info.rows).reduce((a, b) => a + b, 0) };
  }

  private openDump(file: string, compressed: boolean): Readable {
    const raw = createReadStream(file);
    if (!compressed) return raw;
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }

  private async publicTables(c?: Client): Promise<string[]> {
    const run = async (client: Client) =>
      (await client.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map(
        (r) => r.tablename as string,
      );
    return c ? run(c) : this.query(run);
  }
}
