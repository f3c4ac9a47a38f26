import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  deriveTestUrl,
  loadConfig,
  loadEnv,
  maskUrl,
  normalizeDatabaseUrl,
  parseDatabaseUrl,
  parseDotenv,
} from '../src/config';
import { resolveTarget } from '../src/db/target';
import { aeDb } from './helpers/cli';
import { createTestDatabase } from './helpers/db';

describe('database URL forms', () => {
  it.each([
    ['postgresql://ae:s3cret@db.lab:5433/acoustic_emissions', 'postgresql://ae:s3cret@db.lab:5433/acoustic_emissions'],
    ['postgres://ae@localhost/acoustic_emissions', 'postgresql://ae@localhost/acoustic_emissions'],
    [
      'postgresql+psycopg://spiewart@localhost/acoustic_emissions',
      'postgresql://spiewart@localhost/acoustic_emissions',
    ],
    ['postgresql+psycopg2://u:p@h:6543/db?sslmode=require', 'postgresql://u:p@h:6543/db?sslmode=require'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDatabaseUrl(input)).toBe(expected);
  });

  it('parses user, password, host, port and database', () => {
    expect(parseDatabaseUrl('postgresql://ae:p%40ss@db.lab:5433/acoustic_emissions')).toMatchObject({
      user: 'ae',
      password: 'p@ss',
      host: 'db.lab',
      port: 5433,
      database: 'acoustic_emissions',
    });
    expect(parseDatabaseUrl('postgresql://ae@localhost/x').port).toBe(5432);
  });

  it('reads the libpq socket form: the host is the socket directory, the path the database (issue 12, item 15)', () => {
    const url = normalizeDatabaseUrl('postgresql:///acoustic_emissions?host=/var/run/postgresql');
    expect(parseDatabaseUrl(url)).toMatchObject({
      host: '/var/run/postgresql',
      port: 5432,
      database: 'acoustic_emissions',
    });
    expect(deriveTestUrl(url)).toBe('postgresql:///acoustic_emissions_test?host=/var/run/postgresql');
    expect(parseDatabaseUrl('postgresql://u@h/db?password=p%26q').password).toBe('p&q');
  });

  it('rejects other schemes and URLs without a database, without echoing the password', () => {
    expect(() => normalizeDatabaseUrl('mysql://u:hunter2@h/db')).toThrow(ConfigError);
    expect(() => normalizeDatabaseUrl('mysql://u:hunter2@h/db')).toThrow(/postgresql:\/\//);
    expect(() => normalizeDatabaseUrl('mysql://u:hunter2@h/db')).not.toThrow(/hunter2/);
    expect(() => normalizeDatabaseUrl('postgresql://u@h/')).toThrow(/names no database/);
  });

  it('derives the test database as the guide does (name + _test)', () => {
    expect(deriveTestUrl('postgresql://u:p@h:5432/acoustic_emissions')).toBe(
      'postgresql://u:p@h:5432/acoustic_emissions_test',
    );
  });

  it('masks passwords for printing', () => {
    expect(maskUrl('postgresql://u:hunter2@h:5432/db')).toBe('postgresql://u:****@h:5432/db');
    expect(maskUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
  });
});

describe('environment precedence: process env, then .env.local, then .env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ae-env-'));
  writeFileSync(join(dir, '.env'), 'PORT=4100\nAE_DATABASE_URL=postgresql://env@h/a\nAE_AUTO_MIGRATE=1\n');
  writeFileSync(
    join(dir, '.env.local'),
    '# local overrides\nexport AE_DATABASE_URL="postgresql+psycopg://local@h/b"\nPORT=4200 # comment\n',
  );

  it('reads .env.local over .env', () => {
    const env = loadEnv(dir, {});
    expect(env.AE_DATABASE_URL).toBe('postgresql+psycopg://local@h/b');
    expect(env.PORT).toBe('4200');
    expect(env.AE_AUTO_MIGRATE).toBe('1');
  });

  it('lets the process environment win', () => {
    const config = loadConfig(loadEnv(dir, { PORT: '4300' }));
    expect(config.port).toBe(4300);
    expect(config.databaseUrl).toBe('postgresql://local@h/b');
    expect(config.autoMigrate).toBe(true);
  });

  it('defaults PORT to 4000 and the database to the embedded server', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('rejects a PORT that is not a port number', () => {
    expect(() => loadConfig({ PORT: 'http' })).toThrow(/PORT must be a port number/);
  });

  it('parses quoted values and ignores malformed lines', () => {
    expect(parseDotenv('A=\'x y\'\nnot a line\nB="q"\n')).toEqual({ A: 'x y', B: 'q' });
  });

  it('drops the quotes of a quoted value followed by a comment (issue 12, item 15)', () => {
    const commented = mkdtempSync(join(tmpdir(), 'ae-env-'));
    writeFileSync(
      join(commented, '.env'),
      'AE_DATABASE_URL="postgresql://ae:s3cret@db.lab:5432/acoustic_emissions" # main\nPORT=\'4100\' # ours\n',
    );
    const config = loadConfig(loadEnv(commented, {}));
    expect(config.databaseUrl).toBe('postgresql://ae:s3cret@db.lab:5432/acoustic_emissions');
    expect(config.port).toBe(4100);
  });
});

describe('the socket form against the real server', () => {
  it('ae-db connects with postgresql:///DB?host=…&port=… (host, port and password as parameters)', async () => {
    const db = await createTestDatabase();
    try {
      const p = parseDatabaseUrl(db.url);
      const query = new URLSearchParams({
        host: p.host,
        port: String(p.port),
        user: p.user,
        password: p.password ?? '',
      });
      const r = await aeDb(['status'], { AE_DATABASE_URL: `postgresql:///${db.name}?${query}` });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(db.name);
      expect(r.stdout).not.toContain(p.password!);
    } finally {
      await db.drop();
    }
  });
});

describe('target resolution', () => {
  const base = loadConfig({ AE_DATABASE_URL: 'postgresql://u@h/acoustic_emissions' });

  it('uses --url over everything', async () => {
    expect((await resolveTarget(base, { url: 'postgres://x@y/z', test: true })).url).toBe('postgresql://x@y/z');
  });

  it('uses AE_TEST_DATABASE_URL with --test, else derives it', async () => {
    expect((await resolveTarget(base, { test: true })).url).toBe('postgresql://u@h/acoustic_emissions_test');
    const withTest = loadConfig({
      AE_DATABASE_URL: 'postgresql://u@h/a',
      AE_TEST_DATABASE_URL: 'postgresql+psycopg://t@h/t',
    });
    const t = await resolveTarget(withTest, { test: true });
    expect(t.url).toBe('postgresql://t@h/t');
    expect(t.source).toBe('AE_TEST_DATABASE_URL');
  });

  it('uses AE_DATABASE_URL without --test', async () => {
    expect((await resolveTarget(base)).source).toBe('AE_DATABASE_URL');
  });
});

describe('documentation of the settings', () => {
  const root = join(__dirname, '..');
  /** Every AE_… variable the server and the CLI read, found in the sources themselves. */
  const read = (): string[] => {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts'))
          for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/\bAE_[A-Z0-9_]+\b/g)) names.add(m[0]);
      }
    };
    walk(join(root, 'src'));
    return [...names].sort();
  };

  it('README and .env.example describe every AE_ variable the code reads', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const names = read();
    expect(names.length).toBeGreaterThan(15);
    // README: in a table row (| `AE_X` |) of Configuration or Production notes.
    expect(names.filter((n) => !new RegExp(`^\\|[^\\n]*\`${n}\``, 'm').test(readme))).toEqual([]);
    expect(names.filter((n) => !new RegExp(`^# ${n}=`, 'm').test(example))).toEqual([]);
  });

  it('reads AE_HOST, listening on this machine only by default', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ AE_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ AE_HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  });
});
