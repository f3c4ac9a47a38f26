/**
 * /export under load (issue 12, item 13): each export held its own connection with no bound,
 * so 20 slow clients held 20 backends. Now at most AE_MAX_EXPORTS run at once (the next gets
 * 503 with Retry-After, before connecting), a client that reads nothing for
 * AE_EXPORT_STALL_MS is cut, connecting has a time limit, and an export's COPY (and so its
 * snapshot) lives at most AE_EXPORT_TIMEOUT_MS. Exports are held open by a table lock taken
 * by the test, or by a client that stops reading.
 */
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Client } from 'pg';
import { loadConfig } from '../src/config';
import { initORM, type AppContext } from '../src/context';
import { isDatabaseUnavailable } from '../src/services/ops/diagnose';
import { EXPORT_CONNECT_TIMEOUT_MS, ExportService } from '../src/services/read/export';
import { createTestDatabase, sqlClient, type TestDatabase } from './helpers/db';
import { startTestServer, type TestServer } from './helpers/http';

let db: TestDatabase;
let c: Client;
const contexts: AppContext[] = [];
const servers: TestServer[] = [];

async function serve(env: Record<string, string>): Promise<TestServer> {
  const ctx = await initORM({ config: loadConfig(env), url: db.url });
  contexts.push(ctx);
  const server = await startTestServer(ctx);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const seeding = await initORM({ url: db.url });
  await seeding.services.seed.seed({ participantsPerStudy: 3 });
  await seeding.close();
  c = await sqlClient(db.url);
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const ctx of contexts) await ctx.close();
  await c?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const base = (s: TestServer) => s.url.replace('/graphql', '');

/** The export backends on the test database, with what each waits for. */
async function exportBackends(): Promise<{ pid: number; waitType: string | null; waitEvent: string | null }[]> {
  // Statistics are snapshotted per transaction, and the test holds one open while it locks.
  await c.query('select pg_stat_clear_snapshot()');
  const { rows } = await c.query(
    `select pid, wait_event_type as "waitType", wait_event as "waitEvent" from pg_stat_activity
      where application_name = 'ae-graphql export' and datname = current_database()`,
  );
  return rows;
}

/** Polls until `ok` holds for the export backends; returns the last seen, or throws after `ms`. */
async function until(ok: (b: Awaited<ReturnType<typeof exportBackends>>) => boolean, what: string, ms = 10_000) {
  let seen = await exportBackends();
  for (const deadline = Date.now() + ms; !ok(seen); seen = await exportBackends()) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(seen)}`);
    await sleep(50);
  }
  return seen;
}

/** `promise`, or `fallback` when it has not settled within `ms`. */
const within = <T, F>(promise: Promise<T>, ms: number, fallback: F) =>
  Promise.race([promise, sleep(ms).then(() => fallback)]);

it('runs at most AE_MAX_EXPORTS at once: the next gets 503 with Retry-After before connecting; a freed slot serves again', async () => {
  const server = await serve({ AE_MAX_EXPORTS: '2' });
  await c.query('begin');
  await c.query('lock table study in access exclusive mode');
  let held: Promise<Response>[] = [];
  try {
    held = [fetch(`${base(server)}/export/study.csv`), fetch(`${base(server)}/export/study.csv`)];
    await until((b) => b.length === 2 && b.every((x) => x.waitType === 'Lock'), 'two exports waiting for the lock');
    const third = await within(fetch(`${base(server)}/export/study.csv`), 5_000, 'no answer while two exports run');
    expect(third).toBeInstanceOf(Response);
    const busy = third as Response;
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(busy.headers.get('content-disposition')).toBeNull();
    const body = (await busy.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('EXPORTS_BUSY');
    expect(body.error.message).toMatch(/2 exports are running.*AE_MAX_EXPORTS/);
    expect(await exportBackends()).toHaveLength(2);
  } finally {
    await c.query('commit');
  }
  for (const res of await Promise.all(held)) {
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split('\n')).toHaveLength(4); // header + the 3 studies
  }
  await until((b) => b.length === 0, 'the two exports closing');
  expect((await fetch(`${base(server)}/export/study.csv`)).status).toBe(200);
});

it('cuts a client that reads nothing for AE_EXPORT_STALL_MS, ending its COPY and connection, and frees its slot', async () => {
  // ~20 KB per cycle: tens of MB of CSV, many times what the sockets between PostgreSQL, the
  // server and the client can hold, so the server really waits for the paused client.
  await c.query(`update movement_cycles set error_message = repeat('stalled client, ', 1250) || id`);
  const server = await serve({ AE_MAX_EXPORTS: '1', AE_EXPORT_STALL_MS: '300' });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(`${base(server)}/export/movement_cycles.csv`, resolve).once('error', reject),
  );
  res.on('error', () => {}); // the cut, seen from the client
  try {
    expect(res.statusCode).toBe(200);
    await new Promise<void>((resolve) => res.once('data', () => (res.pause(), resolve())));
    await until((b) => b.length === 1, 'the export running');
    // The client stays paused: the server must give up on it by itself.
    await until((b) => b.length === 0, 'the stalled export cut');
    const warning = server.logs.find((l) => l.msg === 'export interrupted');
    expect(warning?.err?.message).toMatch(/read nothing for 300 ms \(AE_EXPORT_STALL_MS\)/);
    expect((await fetch(`${base(server)}/export/study.csv`)).status).toBe(200);
  } finally {
    res.destroy();
  }
});

it("bounds an export's COPY, and so its snapshot, by AE_EXPORT_TIMEOUT_MS", async () => {
  const server = await serve({ AE_EXPORT_TIMEOUT_MS: '400' });
  await c.query('begin');
  await c.query('lock table study in access exclusive mode');
  try {
    const answer = await within(
      fetch(`${base(server)}/export/study.csv`),
      10_000,
      'no answer: the export waits without a limit',
    );
    expect(answer).toBeInstanceOf(Response);
    const res = answer as Response;
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('EXPORT_TIMEOUT');
    expect(body.error.message).toMatch(/within 400 ms \(AE_EXPORT_TIMEOUT_MS\)/);
    await until((b) => b.length === 0, 'the timed-out export closing');
  } finally {
    await c.query('commit');
  }
});

describe('connecting', () => {
  let blackhole: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a database host that hangs.
    blackhole = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it('gives up on a database that does not answer within the connect timeout, as unavailable', async () => {
    const { port } = blackhole.address() as { port: number };
    const service = new ExportService(`postgresql://ae:secret@127.0.0.1:${port}/acoustic_emissions`);
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const started = Date.now();
    const outcome = await within(
      service.stream('study', 'csv', new URLSearchParams(), sink).then(
        () => 'finished',
        (e: unknown) => e,
      ),
      15_000,
      'still connecting',
    );
    expect(outcome).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(EXPORT_CONNECT_TIMEOUT_MS - 100);
  });
});
