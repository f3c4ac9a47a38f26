/**
 * Abuse limits and the GraphQL-over-HTTP contract, over real HTTP. Every rejection happens
 * before any SQL runs.
 */
import type { Client } from 'pg';
import { sqlClient, waitForLockWaiter } from './helpers/db';
import { useTestDatabase } from './helpers/test-database';
import { loadConfig } from '../src/config';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const config = loadConfig({
  AE_MAX_DEPTH: '12',
  AE_MAX_ALIASES: '10',
  AE_MAX_DIRECTIVES: '5',
  AE_MAX_TOKENS: '800',
  AE_MAX_COST: '3000000',
  AE_MAX_BODY_MB: '1',
  AE_QUERY_TIMEOUT_MS: '300',
  AE_WRITE_TOKEN: 's3cr3t-token-0123456789',
  AE_ADMIN_TOKEN: ADMIN_TOKEN,
});
const { ctx, server } = useTestDatabase({
  seed: { participantsPerStudy: 1 },
  init: { config, statementTimeoutMs: config.limits.queryTimeoutMs, adminTimeoutMs: config.limits.adminQueryTimeoutMs },
  server: true,
});

const sqlDuring = async (fn: () => Promise<unknown>) => {
  const before = server.logs.length;
  await fn();
  return server.logs
    .slice(before)
    .filter((l) => l.msg === 'graphql request')
    .map((l) => l.sqlStatements);
};

const TREE =
  '{ studies { name participants { studyParticipantId audioProcessings { knee synchronizations { movementCycles { cycleIndex durationS } } } } } }';

it('serves the 5-level tree within the default-like limits', async () => {
  const res = await server.post({ query: TREE });
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data.studies).toHaveLength(3);
});

it('rejects a query deeper than AE_MAX_DEPTH with QUERY_TOO_DEEP, the limit and the measured depth', async () => {
  let inner = 'id';
  for (let i = 0; i < 6; i++) inner = `biomechanicsImport { audioProcessing { ${inner} } }`;
  const query = `{ studies { participants { audioProcessings { ${inner} } } } }`;
  const sql = await sqlDuring(async () => {
    const res = await server.post({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    expect(res.body.errors[0].message).toBe('Query depth: 16 is over the limit of 12 (AE_MAX_DEPTH).');
  });
  expect(sql).toEqual([0]);
});

it('rejects too many aliases with TOO_MANY_ALIASES', async () => {
  const query = `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: studies { name }`).join(' ')} }`;
  const res = await server.post({ query });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe('TOO_MANY_ALIASES');
  expect(res.body.errors[0].message).toMatch(/11 is over the limit of 10/);
});

it('rejects too many directives with TOO_MANY_DIRECTIVES', async () => {
  const query = `{ studies { ${Array.from({ length: 6 }, () => 'name @include(if: true)').join(' ')} } }`;
  const res = await server.post({ query });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe('TOO_MANY_DIRECTIVES');
});

it('rejects a document with too many tokens with QUERY_TOO_LARGE', async () => {
  const res = await server.post({ query: `{ studies { ${'name '.repeat(900)} } }` });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
  expect(res.body.errors[0].message).toMatch(/more than 800 tokens.*AE_MAX_TOKENS/);
});

it('rejects an expensive fan-out with QUERY_TOO_COMPLEX before any SQL runs', async () => {
  const query =
    '{ studies { participants { movementCycles { audioProcessing { movementCycles { audioProcessing { movementCycles { id } } } } } } } }';
  const sql = await sqlDuring(async () => {
    const res = await server.post({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toMatch(/^Query cost \d+ exceeds the limit of 3000000 \(AE_MAX_COST\)/);
  });
  expect(sql).toEqual([0]);
});

describe('GraphQL over HTTP', () => {
  it('answers a parse error with 400 GRAPHQL_PARSE_FAILED and a validation error with 400', async () => {
    const parse = await server.post({ query: '{ studies { name ' });
    expect([parse.status, parse.body.errors[0].extensions.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    const invalid = await server.post({ query: '{ nope }' });
    expect([invalid.status, invalid.body.errors[0].extensions.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect(parse.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('refuses batched requests', async () => {
    const res = await server.post([{ query: '{ studies { name } }' }, { query: '{ studies { name } }' }]);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/batching/i);
  });

  it('refuses mutations over GET and GET requests without a CSRF-safe header', async () => {
    const getMutation = await fetch(`${server.url}?query=${encodeURIComponent('mutation { __typename }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(getMutation.status).toBe(405);
    const csrf = await fetch(`${server.url}?query=${encodeURIComponent('{ studies { name } }')}`);
    expect(csrf.status).toBe(400);
    const safeGet = await fetch(`${server.url}?query=${encodeURIComponent('{ studies { name } }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(safeGet.status).toBe(200);
  });

  it('answers an over-size body with 413 and malformed JSON with 400, as JSON', async () => {
    const big = await server.post({ query: '{ studies { name } }', variables: { pad: 'x'.repeat(1_200_000) } });
    expect(big.status).toBe(413);
    expect(big.body.errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
    const bad = await server.post('{"query": "{ studies');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('errors and logs', () => {
  let c: Client;
  beforeAll(async () => {
    c = await sqlClient(ctx.target.url);
  });
  afterAll(() => c.end());

  it('logs one structured line per request with id, operation, duration, SQL count and outcome', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'abc-123',
        authorization: 'Bearer s3cr3t-token-0123456789',
      },
      body: JSON.stringify({ query: 'query Tree { studies { name participants { studyParticipantId } } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const line = server.logs.find((l) => l.requestId === 'abc-123');
    // One statement for the two-level tree: the compiled read path (it was one per level, 2).
    expect(line).toMatchObject({
      msg: 'graphql request',
      operationName: 'Tree',
      sqlStatements: 1,
      outcome: 'ok',
      level: 'info',
    });
    expect(typeof line!.durationMs).toBe('number');
    expect(JSON.stringify(server.logs)).not.toContain('s3cr3t-token');
  });

  it('turns an unexpected failure into INTERNAL_SERVER_ERROR with an error id, logging the real cause beside it', async () => {
    await c.query('alter table study rename column name to name_gone');
    try {
      const res = await server.post({ query: '{ studies { name } }' });
      const err = res.body.errors[0];
      expect(err.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(err.message).toBe(`Internal server error (error id ${err.extensions.errorId})`);
      expect(JSON.stringify(res.body)).not.toMatch(/name_gone|"name"|select|stack|\bat /i);
      const logged = server.logs.find((l) => l.errorId === err.extensions.errorId);
      expect(logged?.err?.message).toMatch(/column \w+\.name does not exist/);
    } finally {
      await c.query('alter table study rename column name_gone to name');
    }
  });

  it('cancels a statement after AE_QUERY_TIMEOUT_MS with QUERY_TIMEOUT, and the connection goes back to the pool', async () => {
    await c.query('begin');
    await c.query('lock table study in access exclusive mode');
    let res;
    try {
      res = await server.post({ query: '{ studies { name } }' });
    } finally {
      await c.query('rollback');
    }
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TIMEOUT');
    expect(res.body.errors[0].message).toMatch(/cancelled after 300 ms \(AE_QUERY_TIMEOUT_MS\)/);
    for (let i = 0; i < 12; i++) {
      const ok = await server.post({ query: '{ studies { name } }' });
      expect(ok.body.data.studies).toHaveLength(3);
    }
  });

  // Last in the file: it empties the database.
  it('admin operations get AE_ADMIN_QUERY_TIMEOUT_MS: a reset waiting longer than the read limit for its locks still completes', async () => {
    await c.query('begin');
    await c.query('lock table study in access exclusive mode');
    const reset = server.post(
      { query: 'mutation { resetDatabase(confirm: "DELETE ALL DATA") { study participant } }' },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
    );
    // Held until the reset is seen waiting on the lock, well past the 300 ms a read may wait.
    expect(await waitForLockWaiter(c)).toMatch(/^lock table/);
    await new Promise((r) => setTimeout(r, 900));
    await c.query('rollback');
    const res = await reset;
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.resetDatabase).toEqual({ study: 3, participant: 3 });
  });
});
