/**
 * No Docker engine runs here, so check the compose file's wiring statically: the app's
 * database URL names the db service, ports line up, the volume is declared, and nothing
 * secret is written in it or published beyond this machine. Values are read as compose
 * reads them, with `${VAR}`, `${VAR:-default}` and `${VAR:?error}` filled from an environment.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { normalizeDatabaseUrl, parseDatabaseUrl } from '../src/config';
import { createTestDatabase } from './helpers/db';
import { startServer, stop, type Started } from './helpers/server-process';

const root = join(__dirname, '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText);

/** Compose's interpolation of one value (the forms this file may use). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name];
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** Every service's environment as the containers would get it from `env`. */
const environment = (service: string, env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(compose.services[service].environment as Record<string, string>).map(([k, v]) => [
      k,
      interpolate(String(v), env),
    ]),
  );

const SECRETS = {
  AE_DB_PASSWORD: 'db-password-0123456789abcdef',
  AE_READ_TOKEN: 'read-token-0123456789abcdef',
  AE_ADMIN_TOKEN: 'admin-token-0123456789abcdef',
  AE_REPLICATION_PASSWORD: 'replication-password-0123456789',
};

it('runs PostgreSQL 15 with a named volume and a health check', () => {
  const db = compose.services.db;
  expect(db.image).toBe('postgres:15');
  const [volume, mount] = db.volumes[0].split(':');
  expect(Object.keys(compose.volumes)).toContain(volume);
  expect(mount).toBe('/var/lib/postgresql/data');
  expect(db.healthcheck.test.join(' ')).toMatch(/pg_isready/);
});

it('points the app at the db service with credentials that match, and migrates on start', () => {
  const app = environment('app', SECRETS);
  const db = environment('db', SECRETS);
  const url = parseDatabaseUrl(normalizeDatabaseUrl(app.AE_DATABASE_URL));
  expect(url.host).toBe('db');
  expect(url.port).toBe(Number(compose.services.db.ports[0].split(':').at(-1)));
  expect(url.user).toBe(db.POSTGRES_USER);
  expect(url.password).toBe(SECRETS.AE_DB_PASSWORD);
  expect(url.password).toBe(db.POSTGRES_PASSWORD);
  expect(url.database).toBe(db.POSTGRES_DB);
  expect(app.AE_AUTO_MIGRATE).toBe('1');
  expect(compose.services.app.depends_on.db.condition).toBe('service_healthy');
  expect(compose.services.app.build).toBe('.');
});

it('writes no password or token in the file: each comes from the environment or .env, which git ignores (issue 12, item 8)', () => {
  for (const [service, { environment: vars }] of Object.entries(
    compose.services as Record<string, { environment: Record<string, string> }>,
  )) {
    for (const [name, value] of Object.entries(vars ?? {})) {
      if (!/PASSWORD|TOKEN|_URLS?$/.test(name)) continue;
      // Whatever the file says, the secret itself must come from outside: with other values
      // in the environment, the container gets other values.
      const other = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [k, `${v}-other`]));
      const [a, b] = [interpolate(String(value), SECRETS), interpolate(String(value), other)];
      if (a !== '') expect({ service, name, differs: a !== b }).toEqual({ service, name, differs: true });
    }
  }
  expect(composeText).not.toMatch(/ae_local_only/);
  // Missing, compose refuses to start and says what to set.
  expect(() => environment('db', {})).toThrow(/AE_DB_PASSWORD/);
  expect(() => environment('app', { AE_DB_PASSWORD: 'x' })).toThrow(/AE_READ_TOKEN|AE_ADMIN_TOKEN/);
  expect(spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: root }).status).toBe(0);
});

it('publishes PostgreSQL and the API on 127.0.0.1 only (issue 12, item 8)', () => {
  for (const service of ['db', 'app']) {
    for (const port of compose.services[service].ports ?? [])
      expect({ service, port: String(port) }).toEqual({
        service,
        port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/),
      });
  }
});

it('the app listens on every interface of its container (so the published port reaches it), with reads behind AE_READ_TOKEN', () => {
  const app = environment('app', SECRETS);
  const container = Number(compose.services.app.ports[0].split(':').at(-1));
  expect(container).toBe(Number(app.PORT));
  expect(Number(compose.services.app.ports[0].split(':')[1])).toBe(4000);
  expect(app.AE_HOST).toBe('0.0.0.0');
  expect(app.AE_READ_TOKEN).toBe(SECRETS.AE_READ_TOKEN);
  expect(app.AE_ALLOW_OPEN_READS).toBeUndefined();
});

it("the real server starts with the app's environment (a test database in place of db) and reads need the token", async () => {
  const db = await createTestDatabase();
  let server: Started | undefined;
  try {
    server = await startServer({ ...environment('app', SECRETS), AE_DATABASE_URL: db.url, PORT: '0' });
    const read = (token?: string) =>
      fetch(server!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: '{ studies { name } }' }),
      }).then((r) => r.status);
    expect(await read()).toBe(401);
    expect(await read(SECRETS.AE_READ_TOKEN)).toBe(200);
  } finally {
    await stop(server);
    await db.drop();
  }
});

it('has a Dockerfile that builds the compiled server it starts', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/FROM node:20/);
  expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/server\.js"\]/);
  expect(dockerfile).toMatch(/EXPOSE 4000/);
});

it('the runtime image (what its last stage copies: dist/ and bin/, no sources) runs ae-db without compiling', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  // Every source of every COPY (the last word is the destination), relative to the project root.
  const copied = [...runtime.matchAll(/^COPY (.+)$/gm)].flatMap((m) =>
    m[1]
      .split(/\s+/)
      .filter((w) => !w.startsWith('--'))
      .slice(0, -1)
      .map((src) => src.replace(/^\/app\//, '')),
  );
  expect(copied).toEqual(expect.arrayContaining(['dist', 'bin', 'package.json']));
  expect(copied).not.toContain('src');
  const image = mkdtempSync(join(tmpdir(), 'ae-image-'));
  try {
    for (const path of copied.filter((p) => p !== 'package-lock.json'))
      cpSync(join(root, path), join(image, path), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(image, 'node_modules'));
    const r = spawnSync(process.execPath, [join(image, 'bin', 'ae-db.js'), '--help'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/compiling|ENOENT|Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/upgrade.*\n[\s\S]*backup/);
  } finally {
    rmSync(image, { recursive: true, force: true });
  }
});

describe('profile "scale": a streaming standby, two API instances and a reverse proxy (README, Scaling out)', () => {
  const SCALE = ['db-standby', 'api-1', 'api-2', 'proxy'];
  const withReplication = SECRETS;
  const { AE_REPLICATION_PASSWORD: _unset, ...withoutReplication } = SECRETS;
  const nginx = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8');

  it('adds its services only under the profile; `docker compose up` alone starts db and app as before', () => {
    for (const name of SCALE)
      expect({ name, profiles: compose.services[name].profiles }).toEqual({ name, profiles: ['scale'] });
    expect(compose.services.db.profiles).toBeUndefined();
    expect(compose.services.app.profiles).toBeUndefined();
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'pgdata-standby']));
  });

  it('makes the standby from the primary with pg_basebackup -R as the replication role the primary creates at its first start', () => {
    const standby = compose.services['db-standby'];
    expect(standby.image).toBe(compose.services.db.image);
    expect(standby.depends_on.db.condition).toBe('service_healthy');
    const script = standby.command.join('\n');
    expect(script).toMatch(/pg_basebackup -h db -U replicator -D "\$\$PGDATA" -R -X stream/);
    expect(script).toMatch(/exec postgres -D "\$\$PGDATA"/);
    expect(standby.volumes[0].split(':')).toEqual(['pgdata-standby', '/var/lib/postgresql/data']);
    expect(standby.ports).toBeUndefined();
    expect(environment('db-standby', withReplication).PGPASSWORD).toBe(withReplication.AE_REPLICATION_PASSWORD);
    expect(() => environment('db-standby', withoutReplication)).toThrow(/AE_REPLICATION_PASSWORD/);
    // The primary runs deploy/primary-replication.sh on initialisation, with the same password.
    const [source, target] = compose.services.db.volumes
      .find((v: string) => v.includes('primary-replication'))
      .split(':');
    expect(target).toMatch(/^\/docker-entrypoint-initdb\.d\/.+\.sh$/);
    expect(environment('db', withReplication).AE_REPLICATION_PASSWORD).toBe(withReplication.AE_REPLICATION_PASSWORD);
    const init = readFileSync(join(root, source), 'utf8');
    expect(init).toMatch(/create role replicator with replication login password :'password'/);
    expect(init).toMatch(/host replication replicator all scram-sha-256/);
    expect(spawnSync('sh', ['-n', join(root, source)]).status).toBe(0);
  });

  it('runs two API instances with the same environment: writes to db, reads from the standby, the same tokens, no published port', () => {
    const [one, two] = ['api-1', 'api-2'].map((name) => environment(name, withReplication));
    expect(two).toEqual(one);
    const db = environment('db', withReplication);
    const primary = parseDatabaseUrl(normalizeDatabaseUrl(one.AE_DATABASE_URL));
    const replicas = one.AE_DATABASE_REPLICA_URLS.split(',').map((u) => parseDatabaseUrl(normalizeDatabaseUrl(u)));
    expect(primary).toMatchObject({
      host: 'db',
      port: 5432,
      user: db.POSTGRES_USER,
      password: SECRETS.AE_DB_PASSWORD,
      database: db.POSTGRES_DB,
    });
    expect(replicas).toEqual([
      expect.objectContaining({
        host: 'db-standby',
        port: 5432,
        user: db.POSTGRES_USER,
        password: SECRETS.AE_DB_PASSWORD,
        database: db.POSTGRES_DB,
      }),
    ]);
    expect(Number(one.AE_MAX_REPLICA_LAG_S)).toBeGreaterThan(0);
    expect(one).toMatchObject({
      AE_AUTO_MIGRATE: '1',
      AE_HOST: '0.0.0.0',
      AE_READ_TOKEN: SECRETS.AE_READ_TOKEN,
      AE_ADMIN_TOKEN: SECRETS.AE_ADMIN_TOKEN,
    });
    for (const name of ['api-1', 'api-2']) {
      const service = compose.services[name];
      expect(service.build).toBe('.');
      expect(service.ports).toBeUndefined();
      expect(service.depends_on).toMatchObject({
        db: { condition: 'service_healthy' },
        'db-standby': { condition: 'service_healthy' },
      });
    }
  });

  it('puts nginx in front of both instances on 127.0.0.1, passing the Host header on and streaming responses', () => {
    const proxy = compose.services.proxy;
    const [source, target] = proxy.volumes[0].split(':');
    expect(join(root, source)).toBe(join(root, 'deploy', 'nginx.conf'));
    expect(target).toBe('/etc/nginx/nginx.conf');
    expect(proxy.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
    const containerPort = Number(proxy.ports[0].split(':').at(-1));
    expect(nginx).toMatch(new RegExp(`listen ${containerPort};`));
    const upstream = /upstream ae_api \{([^}]*)\}/.exec(nginx)![1];
    const servers = [...upstream.matchAll(/server ([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    const apiPort = environment('api-1', withReplication).PORT;
    expect(servers).toEqual([`api-1:${apiPort}`, `api-2:${apiPort}`]);
    expect(nginx).toMatch(/proxy_pass http:\/\/ae_api;/);
    expect(nginx).toMatch(/proxy_set_header Host \$http_host;/);
    expect(nginx).toMatch(/proxy_buffering off;/);
    expect(nginx).not.toMatch(/non_idempotent/); // a write is never sent to both instances
    expect(proxy.depends_on).toEqual(['api-1', 'api-2']);
  });
});
