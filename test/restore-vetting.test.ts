/**
 * Restore vets the whole dump before anything runs: only what pg_dump writes, no psql
 * backslash command but \restrict/\unrestrict (and COPY's \. terminator), no transaction
 * control. A refused file names the line, never fails as a raw EPIPE, and the database is
 * unchanged; psql is fed the bytes that were vetted, not a second read of the file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { aeDb } from './helpers/cli';
import { fingerprint, seededDatabase, sql } from './helpers/ops';
import type { TestDatabase } from './helpers/db';
import { BackupService } from '../src/services/ops/backup';
import { DumpVetter } from '../src/services/ops/dump-vetting';

let db: TestDatabase;
let dir: string;
/** The lines of a real full backup of `db`, as pg_dump wrote them. */
let dumpLines: string[];

beforeAll(async () => {
  db = await seededDatabase(1);
  dir = mkdtempSync(join(tmpdir(), 'ae-vetting-'));
  const r = await aeDb(['backup', '--dir', dir], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(0);
  const [name] = readdirSync(dir);
  dumpLines = gunzipSync(readFileSync(join(dir, name)))
    .toString('utf8')
    .split('\n');
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** As a pg_dump older than 15.14 writes it: no \restrict … \unrestrict bracket. */
const withoutRestrict = () => dumpLines.filter((l) => !/^\\(un)?restrict /.test(l));
/** Line index (0-based) of the first line matching `re`. */
const indexOf = (lines: string[], re: RegExp) => {
  const i = lines.findIndex((l) => re.test(l));
  expect(i).toBeGreaterThan(0);
  return i;
};

/**
 * Writes `lines` with `injected` put in before the first line matching `before`; returns the file
 * and the injected line's number.
 */
function dumpWith(lines: string[], injected: string, before: RegExp, name: string): { file: string; line: number } {
  const at = indexOf(lines, before);
  const file = join(dir, `${name}.sql`);
  writeFileSync(file, [...lines.slice(0, at), injected, ...lines.slice(at)].join('\n'));
  return { file, line: at + 1 };
}

async function expectRefused(file: string, line: number, reason: RegExp): Promise<void> {
  const before = await fingerprint(db.url);
  const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/EPIPE/);
  expect(r.stderr).toMatch(new RegExp(`^Error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line ${line}: `));
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toMatch(/nothing was restored[^\n]*\n$/);
  expect(await fingerprint(db.url)).toEqual(before);
}

it('a dump without \\restrict (pg_dump before 15.14) with "\\! touch" added: refused at that line, the command never runs', async () => {
  const marker = join(dir, 'touched-by-old-dump');
  const { file, line } = dumpWith(
    withoutRestrict(),
    `\\! touch ${marker}`,
    /^CREATE TABLE public\.participant /,
    'old_with_shell',
  );
  await expectRefused(file, line, /the psql command "\\! touch/);
  expect(existsSync(marker)).toBe(false);
});

it('a \\restrict dump with an injected line: refused at that line, not "write EPIPE"', async () => {
  const marker = join(dir, 'touched-by-restricted-dump');
  const { file, line } = dumpWith(dumpLines, `\\! touch ${marker}`, /^COPY public\.study /, 'restricted_with_shell');
  await expectRefused(file, line, /the psql command "\\! touch/);
  expect(existsSync(marker)).toBe(false);
});

it.each([
  ['a stray COMMIT', 'COMMIT;', /COMMIT would end the one transaction the restore runs in/],
  ['ROLLBACK', 'rollback;', /ROLLBACK would end the one transaction/],
  [
    'a backslash command after a statement on the same line',
    'SET client_min_messages = warning; \\o /tmp/x',
    /the psql command "\\o \/tmp\/x"/,
  ],
  ['\\connect', '\\connect postgres', /the psql command "\\connect postgres"/],
  ['a DO block', 'DO $$ begin perform 1; end $$;', /"DO \$\$" is not a statement pg_dump writes/],
  ['an arbitrary SELECT', 'SELECT pg_catalog.pg_sleep(0);', /is not a statement pg_dump writes/],
  [
    'COPY FROM PROGRAM',
    "COPY public.study (id, name) FROM PROGRAM 'touch /tmp/x';",
    /is not pg_dump's COPY … FROM stdin/,
  ],
  ['a role', 'CREATE ROLE ae_evil SUPERUSER;', /"CREATE ROLE ae_evil SUPERUSER" is not a statement pg_dump writes/],
  ['a role grant', 'GRANT pg_execute_server_program TO public;', /is not a statement pg_dump writes/],
  ['non-standard strings', 'SET standard_conforming_strings = off;', /standard_conforming_strings = off/],
])('%s: refused at its line, database unchanged', async (name, injected, reason) => {
  const { file, line } = dumpWith(
    withoutRestrict(),
    injected,
    /^CREATE TABLE public\.participant /,
    `injected_${name.replace(/\W+/g, '_')}`,
  );
  await expectRefused(file, line, reason);
});

it('backslashes inside quotes, comments and COPY rows are data, not commands: such a dump restores', async () => {
  const lines = withoutRestrict();
  const at = indexOf(lines, /^-- PostgreSQL database dump complete/);
  const extra = [
    "COMMENT ON TABLE public.study IS 'C:\\data \\! not a command; -- nor this';",
    "COMMENT ON TABLE public.participant IS E'it''s \\\\! and \\' quoted';",
    'COMMENT ON COLUMN public.study.name IS $q$ \\! $ still $q$;',
    '/* a \\! comment /* nested */ still comment */',
    '-- \\! a line comment',
  ];
  const file = join(dir, 'quoted_backslashes.sql');
  writeFileSync(file, [...lines.slice(0, at), ...extra, ...lines.slice(at)].join('\n'));
  const r = await aeDb(['restore', file, '--yes'], { AE_DATABASE_URL: db.url });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [{ c }] = await sql(db.url, `select obj_description('public.study'::regclass, 'pg_class') as c`);
  expect(c).toBe('C:\\data \\! not a command; -- nor this');
});

it('psql is fed the vetted bytes: a file changed after vetting does not change what runs', async () => {
  const marker = join(dir, 'touched-after-vetting');
  const file = join(dir, 'swapped.sql');
  writeFileSync(file, withoutRestrict().join('\n'));
  const backup = new BackupService(db.url);
  const info = await backup.inspectDump(file);
  const plan = await backup.planRestore(info);
  // Between the check and the restore, someone rewrites the file.
  const evil = dumpWith(withoutRestrict(), `\\! touch ${marker}`, /^CREATE TABLE public\.study /, 'swapped_evil');
  writeFileSync(file, readFileSync(evil.file));
  await sql(db.url, `delete from movement_cycles`);
  await backup.restore(info, plan);
  expect(existsSync(marker)).toBe(false);
  const [{ n }] = await sql(db.url, 'select count(*)::int as n from movement_cycles');
  expect(n).toBeGreaterThan(0);
  expect(existsSync(info.vetted)).toBe(false); // the private copy is removed afterwards
});

describe('DumpVetter reads quotes as psql does', () => {
  const vet = (text: string) => {
    const v = new DumpVetter('f.sql');
    text.split('\n').forEach((l, i) => v.line(l, i + 1));
    v.end(text.split('\n').length);
  };
  it.each([
    ["CREATE FUNCTION public.f() RETURNS text AS $$ select '\\x' $$ LANGUAGE sql;"],
    [
      "CREATE FUNCTION public.f() RETURNS text\n    LANGUAGE plpgsql\n    AS $_$\nbegin\n  return $1 || E'\\\\';\nend\n$_$;",
    ],
    ["ALTER TABLE public.t ADD CONSTRAINT c CHECK ((x ~ '^\\d+$'::text));"],
    ['CREATE TABLE public."we;ird\\" (a$b integer);'],
    ["SELECT pg_catalog.setval('public.study_id_seq', 3, true);"],
    ['COPY public.t (x) FROM stdin;\n\\\\! not a command\n\\.'],
    ['\\restrict abc123\nSET x = 1;\n\\unrestrict abc123'],
  ])('accepts %j', (text) => expect(() => vet(text)).not.toThrow());
  it.each([
    ["SELECT pg_catalog.set_config('a', 'b', false); \\! id", 1, /psql command "\\! id"/],
    ["COMMENT ON TABLE public.t IS E'\\''; \\! id", 1, /psql command/],
    ['CREATE TABLE public.t (x int);\nCOMMIT;', 2, /COMMIT would end/],
    ['CREATE TABLE public.t (\n  x int\n)', 1, /never finished/],
    ['COPY public.t (x) FROM stdin;\n1', 2, /ends inside COPY rows/],
    ['SET x = 1;\n  \\restrict abc', 2, /psql command/],
  ])('refuses %j at line %i', (text, line, reason) => {
    expect(() => vet(text)).toThrow(reason);
    expect(() => vet(text)).toThrow(new RegExp(`^f\\.sql line ${line}: `));
  });
});
