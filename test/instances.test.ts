/**
 * Two API instances on one database, as behind a load balancer: two real server processes
 * (dist/src/server.js), started at the same moment on an empty database with
 * AE_AUTO_MIGRATE=1, then written to concurrently with the same keys. Nothing two instances
 * must agree on may live in one process's memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { initORM } from '../src/context';
import { StudyName } from '../src/entities';
import { MIGRATIONS } from '../migrations';
import { startServerProcess, type ServerProcess } from '../bench/lib/server-process';
import { createTestDatabase, sqlClient, type TestDatabase, seedAsRealParticipants } from './helpers/db';
import { audioInput, cycleBatch, findParents, type Parents } from './helpers/records';

jest.setTimeout(120_000);

const WRITE_TOKEN = 'two-instances-write-token-0123456789';
let db: TestDatabase;
let dir: string;
let servers: ServerProcess[] = [];
let c: Client;

async function gql(server: ServerProcess, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...(await res.json()) } as { status: number; data?: any; errors?: unknown[] };
}
const count = async (sql: string) => Number((await c.query(sql)).rows[0].n);
/** `n` requests alternating between the two instances, all at once. */
const onBoth = (n: number, query: string, variables: (i: number) => Record<string, unknown>) =>
  Promise.all(Array.from({ length: n }, (_, i) => gql(servers[i % 2], query, variables(i))));

beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
  dir = mkdtempSync(join(tmpdir(), 'ae-instances-'));
  const env = { AE_AUTO_MIGRATE: '1', AE_WRITE_TOKEN: WRITE_TOKEN, AE_ADMIN_TOKEN: `${WRITE_TOKEN}-admin` };
  const started = await Promise.allSettled(
    [0, 1].map((i) => startServerProcess(db.url, join(dir, `server${i}.log`), env)),
  );
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed)
    throw new Error(
      `${failed.reason.message}:\n${[0, 1].map((i) => readFileSync(join(dir, `server${i}.log`), 'utf8')).join('\n')}`,
    );
  c = await sqlClient(db.url);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await c?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('two instances starting together on an empty database with AE_AUTO_MIGRATE=1 both come up, each migration applied once', async () => {
  expect(await count('select count(*) n from mikro_orm_migrations')).toBe(MIGRATIONS.length);
  expect(await count('select count(distinct name) n from mikro_orm_migrations')).toBe(MIGRATIONS.length);
  const applied = [0, 1].map(
    (i) => /applied (\d+) migration/.exec(readFileSync(join(dir, `server${i}.log`), 'utf8'))?.[1] ?? '0',
  );
  expect(applied.map(Number).sort()).toEqual([0, MIGRATIONS.length]);
  for (const s of servers) expect((await fetch(`${s.baseUrl}/health`)).status).toBe(200);
});

it('an instance that finds another one migrating waits for it past AE_LOCK_TIMEOUT_MS (its wait holds no table lock), then applies nothing twice', async () => {
  const fresh = await createTestDatabase({ empty: true });
  const holder = await sqlClient(fresh.url);
  const ctx = await initORM({ url: fresh.url, lockTimeoutMs: 300 });
  try {
    // Another run holding the migrations lock (as a migrating instance does) for longer than the lock timeout.
    await holder.query('begin');
    await holder.query(`select pg_advisory_xact_lock(hashtext('mikro_orm_migrations'))`);
    const upgrade = ctx.services.migrations.upgrade('head');
    await new Promise((r) => setTimeout(r, 1_000));
    await holder.query('commit');
    expect(await upgrade).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await ctx.services.migrations.upgrade('head')).toEqual([]);
  } finally {
    await ctx.close();
    await holder.end();
    await fresh.drop();
  }
});

describe('concurrent upserts of the same keys through both instances', () => {
  let parents: Parents;
  beforeAll(async () => {
    const seeding = await initORM({ url: db.url });
    try {
      await seedAsRealParticipants(seeding, { participantsPerStudy: 1, studies: [StudyName.AOA, StudyName.preOA] });
    } finally {
      await seeding.close();
    }
    parents = await findParents(c);
  });

  it('a participant of a study not created yet, 24 times: one study, one participant, 0 errors', async () => {
    const results = await onBoth(24, 'mutation { upsertParticipant(study: SMoCK, number: 3501) { id } }', () => ({}));
    expect(results.filter((r) => r.status !== 200 || r.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.data.upsertParticipant.id)).size).toBe(1);
    expect(await count(`select count(*) n from study where name = 'SMoCK'`)).toBe(1);
    expect(await count('select count(*) n from participant where study_participant_id = 3501')).toBe(1);
  });

  it('one audio recording, 24 times: one row, every caller gets its id, 0 errors', async () => {
    const results = await onBoth(
      24,
      'mutation($input: AudioProcessingInput!) { upsertAudioProcessing(input: $input) { id } }',
      (i) => ({
        input: JSON.parse(JSON.stringify(audioInput({ audioFileName: 'two-instances.bin', notes: `writer ${i}` }))),
      }),
    );
    expect(results.filter((r) => r.status !== 200 || r.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.data.upsertAudioProcessing.id)).size).toBe(1);
    expect(await count(`select count(*) n from audio_processing where audio_file_name = 'two-instances.bin'`)).toBe(1);
  });

  it('8 batches of the same 200 cycles: one row per key, 200 inserted in all, 0 errors', async () => {
    const batch = JSON.parse(JSON.stringify(cycleBatch(parents, 200, 7000)));
    const results = await onBoth(
      8,
      'mutation($inputs: [MovementCycleInput!]!) { upsertMovementCycles(inputs: $inputs) { inserted updated } }',
      () => ({ inputs: batch }),
    );
    expect(results.filter((r) => r.status !== 200 || r.errors)).toEqual([]);
    expect(results.reduce((n, r) => n + r.data.upsertMovementCycles.inserted, 0)).toBe(200);
    expect(await count('select count(*) n from movement_cycles where cycle_index between 7000 and 7199')).toBe(200);
  });

  it('a cursor from one instance pages on the other', async () => {
    const PAGE =
      'query($after: String) { movementCycles(first: 3, after: $after) { pageInfo { endCursor } nodes { id } } }';
    const all = (await gql(servers[0], '{ movementCycles(first: 6) { nodes { id } } }')).data.movementCycles.nodes;
    const first = (await gql(servers[0], PAGE)).data.movementCycles;
    const second = (await gql(servers[1], PAGE, { after: first.pageInfo.endCursor })).data.movementCycles;
    expect([...first.nodes, ...second.nodes]).toEqual(all);
  });
});
