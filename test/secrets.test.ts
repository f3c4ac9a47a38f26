/**
 * Secrets stay out of logs and process lists (issue 12, item 10): printed URLs never show
 * any part of a password, and pg_dump and psql get it from PGPASSWORD only, whatever form
 * the URL gives it in. What the tools saw is read from /proc/<pid>/cmdline by a wrapper
 * placed before them on the PATH, which then runs the real tool on the real server.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskUrl, parseDatabaseUrl } from '../src/config';
import { maskSecrets } from '../src/logger';
import { aeDb } from './helpers/cli';
import { createTestDatabase, passwordInEnvironment, type TestDatabase } from './helpers/db';

describe('maskUrl', () => {
  it.each([
    [
      'a raw @ in the password',
      'postgresql://ae:p@ss@w0rd@db.lab:5432/acoustic_emissions',
      'postgresql://ae:****@db.lab:5432/acoustic_emissions',
      ['p@ss', 'ss@w0rd', 'w0rd'],
    ],
    [
      'a password parameter',
      'postgresql://ae@db.lab/acoustic_emissions?password=hunter22',
      'postgresql://ae@db.lab/acoustic_emissions?password=****',
      ['hunter22'],
    ],
    [
      'a password parameter after another',
      'postgresql:///acoustic_emissions?host=/var/run/postgresql&password=hunter22&sslmode=disable',
      'postgresql:///acoustic_emissions?host=/var/run/postgresql&password=****&sslmode=disable',
      ['hunter22'],
    ],
    [
      'both forms',
      'postgres://ae:one@two@h/db?PASSWORD=three',
      'postgres://ae:****@h/db?PASSWORD=****',
      ['one', 'two', 'three'],
    ],
  ])('hides %s', (_what, url, masked, secrets) => {
    expect(maskUrl(url)).toBe(masked);
    for (const secret of secrets) expect(maskSecrets(`connecting to ${url} failed`)).not.toContain(secret);
  });
});

describe('pg_dump and psql get the password from the environment, never the command line', () => {
  let db: TestDatabase;
  let wrappers: string;
  const seen = () => join(wrappers, 'seen.log');

  beforeAll(async () => {
    db = await createTestDatabase();
    wrappers = mkdtempSync(join(tmpdir(), 'ae-tools-'));
    for (const tool of ['pg_dump', 'psql']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      const script = join(wrappers, tool);
      writeFileSync(
        script,
        `#!/bin/sh\n{ printf '%s: ' ${tool}; tr '\\000' ' ' < /proc/$$/cmdline; echo; [ -n "$PGPASSWORD" ] && echo "${tool} PGPASSWORD set"; } >> '${seen()}'\nexec '${real}' "$@"\n`,
      );
      chmodSync(script, 0o755);
    }
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(wrappers, { recursive: true, force: true });
  });
  beforeEach(() => writeFileSync(seen(), ''));

  const forms = () => {
    const p = parseDatabaseUrl(db.url);
    const base = `${encodeURIComponent(p.user)}@${p.host}:${p.port}/${db.name}`;
    return {
      password: p.password!,
      urls: [
        `postgresql://${base}?password=${encodeURIComponent(p.password!)}`,
        `postgresql://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password!)}@${p.host}:${p.port}/${db.name}`,
      ],
    };
  };
  const env = () => ({ PATH: `${wrappers}:${process.env.PATH}` });

  it('ae-db backup: pg_dump runs, and its command line holds no password (?password= and user:password@)', async () => {
    const { password, urls } = forms();
    const dir = mkdtempSync(join(tmpdir(), 'ae-backups-'));
    try {
      for (const url of urls) {
        const r = await aeDb(['backup', '--dir', dir], { AE_DATABASE_URL: url, ...env() });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const log = readFileSync(seen(), 'utf8');
      expect(log.match(/^pg_dump: .*--dbname/gm)).toHaveLength(2);
      expect(log.match(/^pg_dump PGPASSWORD set$/gm)!.length).toBeGreaterThanOrEqual(2);
      expect(log).not.toContain(password);
      expect(log).not.toContain(encodeURIComponent(password));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ae-db psql: psql runs, and its command line holds no password', async () => {
    const { password, urls } = forms();
    for (const url of urls) {
      const r = await aeDb(['psql', '--', '-At', '-c', 'select 40 + 2'], { AE_DATABASE_URL: url, ...env() });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('42');
    }
    const log = readFileSync(seen(), 'utf8');
    expect(log.match(/^psql: .*--dbname/gm)).toHaveLength(2);
    expect(log.match(/^psql PGPASSWORD set$/gm)).toHaveLength(2);
    expect(log).not.toContain(password);
    expect(log).not.toContain(encodeURIComponent(password));
  });
});

describe('a password on the command line', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const password = () => parseDatabaseUrl(db.url).password!;
  const warning = (flag: string) => `warning: the ${flag} URL holds a password`;

  it('--url with a password works, and warns on stderr without echoing the password', async () => {
    const r = await aeDb(['status', '--url', db.url]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(warning('--url'));
    expect(r.stderr).toContain('AE_DATABASE_URL, or PGPASSWORD or ~/.pgpass');
    expect(r.stdout + r.stderr).not.toContain(password());
  });

  it('no warning when the password comes from AE_DATABASE_URL or PGPASSWORD', async () => {
    const fromEnv = await aeDb(['status'], { AE_DATABASE_URL: db.url });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stderr).toBe('');
    const careful = passwordInEnvironment(db.url);
    expect(careful.url).not.toContain(password());
    const viaPgPassword = await aeDb(['status', '--url', careful.url], careful.env);
    expect(viaPgPassword.code).toBe(0);
    expect(viaPgPassword.stderr).toBe('');
  });

  it('import-legacy --from with a password warns too', async () => {
    const r = await aeDb(['import-legacy', '--from', db.url, '--dry-run'], { AE_DATABASE_URL: db.url });
    expect(r.stderr).toContain(warning('--from'));
    expect(r.stderr).toContain('PGPASSWORD or ~/.pgpass');
    expect(r.stdout + r.stderr).not.toContain(password());
  });
});
