/**
 * ReadPool without a real standby: a replica URL that names a server not in recovery (a
 * promoted standby, or the primary itself) and one that nothing answers are never read from;
 * every read goes to the primary and /health says why.
 */
import { freePort } from '../src/db/embedded';
import { withDatabase } from '../src/config';
import { initORM, type AppContext } from '../src/context';
import { createTestDatabase, type TestDatabase } from './helpers/db';

let db: TestDatabase;
let ctx: AppContext;
let nobody: string;

beforeAll(async () => {
  db = await createTestDatabase();
  nobody = withDatabase(db.url.replace(/:(\d+)\//, `:${await freePort()}/`), db.name);
  ctx = await initORM({ url: db.url, replicas: { urls: [db.url, nobody], maxLagS: 5, checkIntervalMs: 60_000 } });
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

it('reports a server that is not in recovery as "not a standby" and one that refuses connections as "down"; neither serves reads', async () => {
  const [primaryAsReplica, unreachable] = await ctx.reads.check();
  expect(primaryAsReplica).toMatchObject({ name: 'replica 1', state: 'not a standby', servesReads: false, lagS: null });
  expect(unreachable).toMatchObject({
    name: 'replica 2',
    state: 'down',
    servesReads: false,
    lagS: null,
    error: expect.stringMatching(/ECONNREFUSED/),
  });
  expect(JSON.stringify([primaryAsReplica, unreachable])).not.toMatch(/:[^@/]*@/); // no credentials
});

it('sends every read to the primary meanwhile', async () => {
  const targets: string[] = [];
  for (let i = 0; i < 4; i++) targets.push(await ctx.reads.run(async ({ name }) => name));
  expect(targets).toEqual(['primary', 'primary', 'primary', 'primary']);
  const [row] = await ctx.reads.query('select pg_is_in_recovery() as standby', []);
  expect(row.standby).toBe(false);
});
