/**
 * No Docker engine runs here, so check the compose file's wiring statically: the app's
 * database URL names the db service, ports line up, the volume is declared.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { normalizeDatabaseUrl, parseDatabaseUrl } from '../src/config';

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

it('runs PostgreSQL 15 with a named volume and a health check', () => {
  const db = compose.services.db;
  expect(db.image).toBe('postgres:15');
  const [volume, mount] = db.volumes[0].split(':');
  expect(Object.keys(compose.volumes)).toContain(volume);
  expect(mount).toBe('/var/lib/postgresql/data');
  expect(db.healthcheck.test.join(' ')).toMatch(/pg_isready/);
});

it('points the app at the db service with credentials that match, and migrates on start', () => {
  const { app, db } = compose.services;
  const url = parseDatabaseUrl(normalizeDatabaseUrl(app.environment.AE_DATABASE_URL));
  expect(url.host).toBe('db');
  expect(url.port).toBe(Number(db.ports[0].split(':')[1]));
  expect(url.user).toBe(db.environment.POSTGRES_USER);
  expect(url.password).toBe(db.environment.POSTGRES_PASSWORD);
  expect(url.database).toBe(db.environment.POSTGRES_DB);
  expect(app.environment.AE_AUTO_MIGRATE).toBe('1');
  expect(app.depends_on.db.condition).toBe('service_healthy');
  expect(app.build).toBe('.');
});

it('publishes the port the app listens on', () => {
  const { app } = compose.services;
  const [host, container] = app.ports[0].split(':').map(Number);
  expect(container).toBe(Number(app.environment.PORT));
  expect(host).toBe(4000);
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
    m[1].split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1).map((src) => src.replace(/^\/app\//, '')),
  );
  expect(copied).toEqual(expect.arrayContaining(['dist', 'bin', 'package.json']));
  expect(copied).not.toContain('src');
  const image = mkdtempSync(join(tmpdir(), 'ae-image-'));
  try {
    for (const path of copied.filter((p) => p !== 'package-lock.json')) cpSync(join(root, path), join(image, path), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(image, 'node_modules'));
    const r = spawnSync(process.execPath, [join(image, 'bin', 'ae-db.js'), '--help'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/compiling|ENOENT|Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/upgrade.*\n[\s\S]*backup/);
  } finally {
    rmSync(image, { recursive: true, force: true });
  }
});
