/**
 * Inspection queries under load (issue 12, item 11): 30 aliases of integrityReport in one
 * small anonymous request ran 780 statements over whole tables. Now an inspection needs the
 * read token when one is set, is costed by the statements it runs, comes at most once per
 * request and never aliased; a refused request runs no SQL.
 */
import type { GraphQLObjectType } from 'graphql';
import { loadConfig } from '../src/config';
import { initORM, type AppContext } from '../src/context';
import { buildAppSchema } from '../src/graphql/schema';
import { INSPECTION_STATEMENT_COST, inspectionStatements } from '../src/graphql/inspections';
import { createTestDatabase, type TestDatabase } from './helpers/db';
import { startTestServer, type TestServer } from './helpers/http';

const READ = 'inspect-read-token-0123456789';
const auth = { authorization: `Bearer ${READ}` };

let db: TestDatabase;
const contexts: AppContext[] = [];
let locked: TestServer;
let open: TestServer;
let cheap: TestServer;

async function serve(env: Record<string, string>): Promise<TestServer> {
  const ctx = await initORM({ config: loadConfig(env), url: db.url });
  contexts.push(ctx);
  return startTestServer(ctx);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const seeding = await initORM({ url: db.url });
  await seeding.services.seed.seed({ participantsPerStudy: 1 });
  await seeding.close();
  locked = await serve({ AE_READ_TOKEN: READ });
  open = await serve({});
  // Below the cost of one statement over whole tables (INSPECTION_STATEMENT_COST).
  cheap = await serve({ AE_MAX_COST: '5000' });
});
afterAll(async () => {
  for (const s of [locked, open, cheap]) await s?.close();
  for (const c of contexts) await c.close();
  await db?.drop();
});

/** The SQL statements the server ran for the requests `fn` sends, from its request log. */
async function sqlOf(server: TestServer, fn: () => Promise<unknown>): Promise<number> {
  const before = server.logs.length;
  await fn();
  return server.logs
    .slice(before)
    .filter((l) => l.msg === 'graphql request')
    .reduce((n, l) => n + l.sqlStatements, 0);
}

const INSPECTIONS: Record<string, string> = {
  integrityReport: 'integrityReport { ok problems }',
  databaseStats: 'databaseStats { size tables { table } }',
  databaseSummary: 'databaseSummary { tables { table rows } studies { study } }',
  audioQcSummary: 'audioQcSummary { totalFiles failedQc }',
  synchronizationStats: 'synchronizationStats(groupBy: []) { count }',
};

it('refuses 30 aliases of integrityReport before any SQL, naming the rule', async () => {
  const query = `{ ${Array.from({ length: 30 }, (_, i) => `r${i}: integrityReport { ok }`).join(' ')} }`;
  let res: Awaited<ReturnType<TestServer['post']>> | undefined;
  const sql = await sqlOf(locked, async () => (res = await locked.post({ query }, auth)));
  expect(res!.status).toBe(400);
  expect(res!.body.errors[0].extensions.code).toBe('TOO_MANY_INSPECTIONS');
  expect(res!.body.errors[0].message).toMatch(/integrityReport cannot be aliased \("r0: integrityReport"\)/);
  expect(sql).toBe(0);
});

it('refuses a single alias of an inspection too', async () => {
  const res = await locked.post({ query: '{ report: databaseStats { size } }' }, auth);
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe('TOO_MANY_INSPECTIONS');
});

it.each([
  ['side by side', '{ integrityReport { ok } databaseStats { size } }'],
  [
    'through fragments',
    '{ ...A ... on Query { databaseSummary { tables { rows } } } } fragment A on Query { integrityReport { ok } }',
  ],
])('allows one expensive inspection per request: refuses two %s, before any SQL', async (_how, query) => {
  let res: Awaited<ReturnType<TestServer['post']>> | undefined;
  const sql = await sqlOf(locked, async () => (res = await locked.post({ query }, auth)));
  expect(res!.status).toBe(400);
  expect(res!.body.errors[0].extensions.code).toBe('TOO_MANY_INSPECTIONS');
  expect(res!.body.errors[0].message).toMatch(/At most one inspection query per request/);
  expect(sql).toBe(0);
});

it.each(Object.entries(INSPECTIONS))('%s needs the read token when one is set', async (_name, selection) => {
  const anonymous = await locked.post({ query: `{ ${selection} }` });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect((await locked.post({ query: `{ ${selection} }` }, auth)).status).toBe(200);
  expect((await open.post({ query: `{ ${selection} }` })).status).toBe(200);
});

it.each(Object.entries(INSPECTIONS))(
  '%s declares the statements it really runs, and the cost estimate counts them',
  async (name, selection) => {
    const schema = await buildAppSchema();
    const declared = inspectionStatements((schema.getQueryType() as GraphQLObjectType).getFields()[name]);
    expect(declared).toBeGreaterThan(0);
    let res: Awaited<ReturnType<TestServer['post']>> | undefined;
    const sql = await sqlOf(open, async () => (res = await open.post({ query: `{ ${selection} }` })));
    expect(res!.body.errors).toBeUndefined();
    expect(sql).toBe(declared);
    // Under a cost limit below what it runs, it is refused before any SQL, with a cost that counts its statements.
    let refused: Awaited<ReturnType<TestServer['post']>> | undefined;
    expect(await sqlOf(cheap, async () => (refused = await cheap.post({ query: `{ ${selection} }` })))).toBe(0);
    expect(refused!.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(Number(/Query cost (\d+)/.exec(refused!.body.errors[0].message)![1])).toBeGreaterThanOrEqual(
      declared * INSPECTION_STATEMENT_COST,
    );
  },
);

it('a small list read still fits that low cost limit', async () => {
  expect((await cheap.post({ query: '{ studies { name } }' })).status).toBe(200);
});
