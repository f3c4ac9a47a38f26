/**
 * `npm start` with no AE_ADMIN_TOKEN: the server makes a random admin token, prints it once
 * on a terminal (else writes it to a 0600 file and logs the path) with where to paste it in
 * the explorer, and nothing is writable without it. Runs the compiled server as a real
 * process on a clone of the test database.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stop, type Started } from './helpers/server-process';
import { useTestDatabase } from './helpers/test-database';

const upsert = (url: string, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      query: 'mutation { upsertParticipant(study: SMoCK, number: 3100) { studyParticipantId } }',
    }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

const { ctx } = useTestDatabase();

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ae-token-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

it('without AE_ADMIN_TOKEN and no terminal it writes the generated token to a 0600 file, logs only its path, and only that token writes', async () => {
  let server: Started | undefined;
  const tokenFile = join(tmp, 'state', 'admin-token');
  try {
    server = await startServer({
      AE_DATABASE_URL: ctx.target.url,
      AE_LOG_FORMAT: 'json',
      AE_ADMIN_TOKEN_FILE: tokenFile,
    });
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // Under docker or systemd both streams are the log: neither carries the token, the log names the file.
    expect(server.output()).not.toContain(token);
    expect(server.stdout()).toContain(`admin token for this run written to ${tokenFile}`);
    expect(server.stdout()).toMatch(/Explorer .*Headers.*\\"Authorization\\": \\"Bearer </);

    const anonymous = await upsert(server.url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const admin = await upsert(server.url, token);
    expect(admin.status).toBe(200);
    expect(admin.body.data.upsertParticipant).toEqual({ studyParticipantId: 3100 });
  } finally {
    await stop(server);
  }
});

it('on a terminal it prints the generated token once, with where to paste it, and writes no file', async () => {
  let server: Started | undefined;
  const tokenFile = join(tmp, 'admin-token');
  try {
    server = await startServer(
      { AE_DATABASE_URL: ctx.target.url, AE_LOG_FORMAT: 'json', AE_ADMIN_TOKEN_FILE: tokenFile },
      { terminal: true },
    );
    const out = server.output();
    const token = /admin token for this run.*?: ([A-Za-z0-9_-]+)/.exec(out)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(out.split(token!).length - 1).toBe(1);
    expect(out).toMatch(/Explorer .*Headers.*"Authorization": "Bearer </);
    expect(existsSync(tokenFile)).toBe(false);
    expect((await upsert(server.url, token)).status).toBe(200);
  } finally {
    await stop(server);
  }
});

it('with AE_ADMIN_TOKEN set it prints no token and uses that one', async () => {
  let server: Started | undefined;
  const configured = 'configured-admin-token-0123456789';
  try {
    server = await startServer({ AE_DATABASE_URL: ctx.target.url, AE_ADMIN_TOKEN: configured });
    expect(server.output()).not.toMatch(/admin token for this run/);
    expect((await upsert(server.url, configured)).status).toBe(200);
    expect((await upsert(server.url, 'some-other-token-0123456789')).status).toBe(403);
  } finally {
    await stop(server);
  }
});

it('refuses to start with a token too short to be safe', async () => {
  await expect(startServer({ AE_DATABASE_URL: ctx.target.url, AE_WRITE_TOKEN: 'secret' })).rejects.toThrow(
    /AE_WRITE_TOKEN must be at least 16 characters/,
  );
});

it('on a fresh clone (embedded database, no token, no terminal) the token file shares .data with the database, and the server starts', async () => {
  // As `npm start` lays it out: .data/admin-token beside .data/postgres. Run as root, the
  // embedded server is the `postgres` user and must still reach its data directory.
  chmodSync(tmp, 0o755);
  const data = join(tmp, '.data');
  let server: Started | undefined;
  try {
    server = await startServer({
      AE_DATABASE_URL: '',
      AE_EMBEDDED_DATA_DIR: join(data, 'postgres'),
      AE_ADMIN_TOKEN_FILE: join(data, 'admin-token'),
      AE_LOG_FORMAT: 'json',
    });
    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    expect(statSync(join(data, 'admin-token')).mode & 0o777).toBe(0o600);
    expect((await upsert(server.url, token)).status).toBe(200);
  } finally {
    await stop(server);
  }
});
