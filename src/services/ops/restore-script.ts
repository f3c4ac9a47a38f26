/**
 * The script a restore feeds psql: the vetted dump inside one transaction, after a prelude that
 * empties what the dump replaces and before an epilogue that puts back the foreign keys it dropped.
 */
import type { Client } from 'pg';
import type { RestorePlan } from './backup';
import { quote } from '../read/sql';
import { dropSchemaContentsStatements } from '../schema/schema-contents';

/** A table of the public schema, qualified (the dump empties search_path). */
export const qualified = (t: string) => `public.${quote(t)}`;

export interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

export const addConstraint = (fk: ForeignKey) =>
  `ALTER TABLE ${qualified(fk.table)} ADD CONSTRAINT ${quote(fk.name)} ${fk.definition};`;

/**
 * Foreign keys onto `tables` from other tables (`inbound`), or every one from or onto them
 * (`touching`), with definitions written schema-qualified (the dump empties search_path).
 */
export async function foreignKeys(c: Client, tables: string[], which: 'inbound' | 'touching'): Promise<ForeignKey[]> {
  await c.query('begin');
  try {
    await c.query(`set local search_path = ''`);
    const { rows } = await c.query(
      `select cl.relname as table, con.conname as name, pg_get_constraintdef(con.oid) as definition
         from pg_constraint con
         join pg_class cl on cl.oid = con.conrelid
         join pg_class rf on rf.oid = con.confrelid
        where con.contype = 'f' and cl.relnamespace = 'public'::regnamespace
          and ${
            which === 'inbound'
              ? 'rf.relname = any($1::text[]) and not (cl.relname = any($1::text[]))'
              : 'rf.relnamespace = cl.relnamespace and (rf.relname = any($1::text[]) or cl.relname = any($1::text[]))'
          }
        order by 1, 2`,
      [tables],
    );
    return rows;
  } finally {
    await c.query('rollback');
  }
}

/** The statements that empty the public schema, names fully qualified (the dump empties search_path). */
export async function dropSchemaContents(c: Client): Promise<string> {
  await c.query('begin');
  try {
    await c.query(`set local search_path = ''`);
    return (await dropSchemaContentsStatements(async (sql) => (await c.query(sql)).rows)).join('\n');
  } finally {
    await c.query('rollback');
  }
}

type Script = Pick<RestorePlan, 'prelude' | 'epilogue'>;

const preludeText = (plan: Script) => `BEGIN;\n${plan.prelude}\n`;
/** Lines before the dump's first, so psql's line numbers can be mapped back to the dump's. */
export const preludeLineCount = (plan: Script) => preludeText(plan).split('\n').length - 1;

export async function* withPreludeAndEpilogue(plan: Script, dump: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield Buffer.from(preludeText(plan));
  for await (const chunk of dump) yield chunk as Buffer;
  // The dump leaves search_path empty and may be in psql's restricted mode (\restrict …
  // \unrestrict): plain, schema-qualified SQL works in both.
  yield Buffer.from(`\n${plan.epilogue}\nCOMMIT;\n`);
}

const NEWLINE = Buffer.from('\n');

/**
 * Blanks the header `SET` lines matching `unsupported` (an empty line each) and passes every other byte through
 * untouched; only the header (comments, SET and set_config lines before the first object)
 * is examined.
 */

export async function* dropHeaderSettings(dump: AsyncIterable<Buffer>, unsupported: RegExp[]): AsyncGenerator<Buffer> {
  let pending = Buffer.alloc(0);
  let inHeader = unsupported.length > 0;
  for await (const chunk of dump) {
    if (!inHeader) {
      yield chunk as Buffer;
      continue;
    }
    pending = Buffer.concat([pending, chunk as Buffer]);
    const kept: Buffer[] = [];
    let start = 0;
    for (let nl = pending.indexOf(0x0a, start); nl !== -1 && inHeader; nl = pending.indexOf(0x0a, start)) {
      const line = pending.subarray(start, nl).toString('utf8');
      const headerLine =
        line === '' ||
        line.startsWith('--') ||
        line.startsWith('SET ') ||
        line.startsWith('SELECT pg_catalog.set_config(') ||
        line.startsWith('\\restrict');
      if (!headerLine) {
        inHeader = false;
        break;
      }
      // A dropped line leaves an empty one, so psql's line numbers stay those of the dump.
      kept.push(unsupported.some((re) => re.test(line)) ? NEWLINE : pending.subarray(start, nl + 1));
      start = nl + 1;
    }
    if (pending.length > 1 << 20) inHeader = false;
    if (kept.length) yield Buffer.concat(kept);
    pending = pending.subarray(start);
    if (!inHeader) {
      if (pending.length) yield pending;
      pending = Buffer.alloc(0);
    }
  }
  if (pending.length) yield pending;
}
