/**
 * Access rules over real HTTP: the app from src/app.ts on an ephemeral port, called with
 * fetch. A refused request gets UNAUTHENTICATED (no token, HTTP 401) or FORBIDDEN (wrong
 * or weaker token, HTTP 403) and sends not a single SQL statement to the database.
 */
import crypto from 'node:crypto';
import { countStatements } from './helpers/graphql';
import { useTestDatabase } from './helpers/test-database';
import { startApp, type RunningApp } from '../src/app';
import type { AppContext } from '../src/context';
import { ConfigError, loadConfig, type AccessTokens } from '../src/config';
import { digestTokens, identifyCaller } from '../src/graphql/access';
import { StudyName } from '../src/entities';

const TOKENS = {
  read: 'read-token-0123456789abcdef',
  write: 'write-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};

const apps = {} as Record<'locked' | 'openReads' | 'noTokens', RunningApp>;
const { ctx, sql: c } = useTestDatabase({
  seed: { participantsPerStudy: 1, studies: [StudyName.AOA] },
  sql: true,
  prepare: async () => {
    apps.locked = await startApp(withTokens(TOKENS), 0, '127.0.0.1');
    apps.openReads = await startApp(withTokens({ write: TOKENS.write, admin: TOKENS.admin }), 0, '127.0.0.1');
    apps.noTokens = await startApp(withTokens({}), 0, '127.0.0.1');
    return async () => {
      for (const app of Object.values(apps)) await app.close();
    };
  },
});

/** The same database served with other tokens configured. */
const withTokens = (tokens: AccessTokens): AppContext => ({ ...ctx, config: { ...ctx.config, tokens } });

interface Reply {
  status: number;
  code?: string;
  message?: string;
  data?: any;
  extensions?: Record<string, unknown>;
  statements: number;
}

/** POSTs a GraphQL request; `auth` is a token (sent as Bearer) or a whole Authorization header. */
async function post(app: RunningApp, query: string, auth?: string | { header: string }): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`;
  else if (auth) headers.authorization = auth.header;
  const { result, statements } = await countStatements(ctx, async () => {
    const res = await fetch(app.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as any };
  });
  const error = result.body.errors?.[0];
  return {
    status: result.status,
    code: error?.extensions?.code,
    message: error?.message,
    extensions: error?.extensions,
    data: result.body.data,
    statements: statements.length,
  };
}

const participants = async () => Number((await c.query('select count(*) n from participant')).rows[0].n);
const READ = '{ studies { name } }';
const upsert = (n: number) => `mutation { upsertParticipant(study: AOA, number: ${n}) { id } }`;
const RESET = 'mutation { resetDatabase(confirm: "DELETE ALL DATA") { movementCycles } }';

function expectRefused(r: Reply, code: 'UNAUTHENTICATED' | 'FORBIDDEN') {
  expect({ status: r.status, extensions: r.extensions, statements: r.statements }).toEqual({
    status: code === 'UNAUTHENTICATED' ? 401 : 403,
    extensions: { code }, // and no stack trace
    statements: 0,
  });
}

describe('reads', () => {
  it('are open when AE_READ_TOKEN is not set', async () => {
    const r = await post(apps.openReads, READ);
    expect(r.status).toBe(200);
    expect(r.data.studies).toEqual([{ name: 'AOA' }]);
  });

  it('with AE_READ_TOKEN set: no token → UNAUTHENTICATED, untouched database', async () => {
    const r = await post(apps.locked, READ);
    expectRefused(r, 'UNAUTHENTICATED');
    expect(r.message).toMatch(/read token.*Authorization: Bearer/);
  });

  it.each([
    ['read', TOKENS.read],
    ['write', TOKENS.write],
    ['admin', TOKENS.admin],
  ])('with AE_READ_TOKEN set: the %s token may read', async (_l, token) => {
    const r = await post(apps.locked, READ, token);
    expect(r.status).toBe(200);
    expect(r.data.studies).toEqual([{ name: 'AOA' }]);
  });

  it('a wrong token is FORBIDDEN, even where reads are open', async () => {
    expectRefused(await post(apps.locked, READ, 'not-the-token-0123456789'), 'FORBIDDEN');
    expectRefused(await post(apps.openReads, READ, 'not-the-token-0123456789'), 'FORBIDDEN');
  });

  it('introspection stays open, so an explorer can show the schema before a token is entered', async () => {
    const r = await post(apps.locked, '{ __schema { queryType { name } } }');
    expect(r.status).toBe(200);
    expect(r.data.__schema.queryType.name).toBe('Query');
  });
});

describe('record mutations need the write (or admin) token', () => {
  it('no token → UNAUTHENTICATED; nothing written, no statement sent', async () => {
    const before = await participants();
    const r = await post(apps.locked, upsert(1500));
    expectRefused(r, 'UNAUTHENTICATED');
    expect(r.message).toMatch(/write token/);
    expect(await participants()).toBe(before);
  });

  it.each([
    ['the read token', TOKENS.read],
    ['a wrong token', 'not-the-token-0123456789'],
    ['a token differing in its last character', TOKENS.write.slice(0, -1) + 'X'],
  ])('%s → FORBIDDEN; nothing written', async (_what, token) => {
    const before = await participants();
    expectRefused(await post(apps.locked, upsert(1501), token), 'FORBIDDEN');
    expect(await participants()).toBe(before);
  });

  it('an Authorization header that is not a bearer token counts as no token', async () => {
    expectRefused(
      await post(apps.locked, upsert(1502), { header: `Basic ${Buffer.from(`x:${TOKENS.write}`).toString('base64')}` }),
      'UNAUTHENTICATED',
    );
  });

  it.each([
    ['write', TOKENS.write, 1503],
    ['admin', TOKENS.admin, 1504],
  ])('the %s token may write', async (_l, token, n) => {
    const before = await participants();
    const r = await post(apps.locked, upsert(n), token);
    expect(r.status).toBe(200);
    expect(r.data.upsertParticipant.id).toEqual(expect.any(Number));
    expect(await participants()).toBe(before + 1);
    // The statement counter sees this server's queries: the zero counts above are real.
    expect(r.statements).toBeGreaterThan(0);
  });

  it('the scheme name is case-insensitive (bearer …)', async () => {
    const r = await post(apps.locked, upsert(1505), { header: `bearer ${TOKENS.write}` });
    expect(r.status).toBe(200);
  });
});

describe('admin mutations and deletes need the admin token', () => {
  it.each([
    ['resetDatabase', RESET],
    ['deleteParticipant', 'mutation { deleteParticipant(study: AOA, number: 1001) { participant } }'],
    ['seedSampleData', 'mutation { seedSampleData(participantsPerStudy: 1) { study } }'],
    ['migrate', 'mutation { migrate { migrations } }'],
    ['rollback', 'mutation { rollback(to: "base", confirm: "YES") { migrations } }'],
    ['migrationStatus', '{ migrationStatus { current schemaCheck { differences } } }'],
  ])('%s: no token → UNAUTHENTICATED, write token → FORBIDDEN, database untouched', async (_name, query) => {
    const before = await participants();
    expectRefused(await post(apps.locked, query), 'UNAUTHENTICATED');
    const r = await post(apps.locked, query, TOKENS.write);
    expectRefused(r, 'FORBIDDEN');
    expect(r.message).toMatch(/admin token.*grants write/);
    expect(await participants()).toBe(before);
  });

  it('an allowed mutation batched with a forbidden one: the whole request is refused before either runs', async () => {
    const before = await participants();
    expectRefused(
      await post(
        apps.locked,
        `mutation { upsertParticipant(study: AOA, number: 1600) { id } resetDatabase(confirm: "DELETE ALL DATA") { study } }`,
        TOKENS.write,
      ),
      'FORBIDDEN',
    );
    expect(await participants()).toBe(before);
  });

  it('a forbidden field hidden in a fragment is still seen', async () => {
    const before = await participants();
    const q = `mutation { ...Danger } fragment Danger on Mutation { ... on Mutation { resetDatabase(confirm: "DELETE ALL DATA") { study } } }`;
    expectRefused(await post(apps.locked, q, TOKENS.write), 'FORBIDDEN');
    expect(await participants()).toBe(before);
  });

  it('migrationStatus (its schemaCheck returns DDL) stays admin-only where reads are open', async () => {
    const q = '{ migrationStatus { current schemaCheck { ok differences } } }';
    expectRefused(await post(apps.openReads, q), 'UNAUTHENTICATED');
    const r = await post(apps.openReads, q, TOKENS.admin);
    expect(r.status).toBe(200);
    expect(r.data.migrationStatus.schemaCheck).toEqual({ ok: true, differences: [] });
  });

  it('the admin token may delete', async () => {
    const r = await post(
      apps.locked,
      'mutation { deleteParticipant(study: AOA, number: 1503) { participant } }',
      TOKENS.admin,
    );
    expect(r.status).toBe(200);
    expect(r.data.deleteParticipant).toEqual({ participant: 1 });
  });
});

describe('with no token configured at all', () => {
  it('reads are open and nothing is writable, whatever is sent', async () => {
    expect((await post(apps.noTokens, READ)).status).toBe(200);
    const before = await participants();
    expectRefused(await post(apps.noTokens, upsert(1700)), 'UNAUTHENTICATED');
    expectRefused(await post(apps.noTokens, upsert(1700), TOKENS.admin), 'FORBIDDEN');
    expectRefused(await post(apps.noTokens, RESET, TOKENS.admin), 'FORBIDDEN');
    expect(await participants()).toBe(before);
  });
});

describe('identifyCaller', () => {
  it('grants the level of the matching token, compares tokens of any length safely', () => {
    const digests = digestTokens(TOKENS);
    expect(identifyCaller(digests, `Bearer ${TOKENS.admin}`)).toEqual({ presented: true, level: 'admin' });
    expect(identifyCaller(digests, `Bearer ${TOKENS.write}`)).toEqual({ presented: true, level: 'write' });
    expect(identifyCaller(digests, `Bearer ${TOKENS.read}`)).toEqual({ presented: true, level: 'read' });
    expect(identifyCaller(digests, 'Bearer x')).toEqual({ presented: true, level: 'none' });
    expect(identifyCaller(digests, `Bearer ${TOKENS.admin}${TOKENS.admin}`)).toEqual({
      presented: true,
      level: 'none',
    });
    expect(identifyCaller(digests, undefined)).toEqual({ presented: false, level: 'none' });
    expect(identifyCaller(digestTokens({}), `Bearer ${TOKENS.admin}`)).toEqual({ presented: true, level: 'none' });
  });
});

/** Records which of `tokens` node:crypto hashes (every token digest goes through createHash) until restored. */
function watchTokenHashes(tokens: string[]) {
  const hashed: string[] = [];
  const createHash = crypto.createHash;
  const spy = jest.spyOn(crypto, 'createHash').mockImplementation((algorithm, options) => {
    const hash = createHash(algorithm, options);
    const update = hash.update;
    hash.update = ((data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' && tokens.includes(data)) hashed.push(data);
      return Reflect.apply(update, hash, [data, ...rest]);
    }) as typeof hash.update;
    return hash;
  });
  return { hashed, restore: () => spy.mockRestore() };
}

describe('identification', () => {
  it('digests each configured token once, when the server starts, and the token a request presents once', async () => {
    const watch = watchTokenHashes(Object.values(TOKENS));
    let app: RunningApp | undefined;
    try {
      app = await startApp(withTokens(TOKENS), 0, '127.0.0.1');
      expect(watch.hashed.splice(0).sort()).toEqual([TOKENS.admin, TOKENS.read, TOKENS.write]);
      // With the write token a read passes the body limit and the access check, which both need its caller.
      const r = await post(app, READ, TOKENS.write);
      expect(r.status).toBe(200);
      expect(watch.hashed.splice(0)).toEqual([TOKENS.write]);
      const res = await fetch(app.url.replace(/graphql$/, 'export/study.csv'), {
        headers: { authorization: `Bearer ${TOKENS.read}` },
      });
      expect(res.status).toBe(200);
      await res.text();
      expect(watch.hashed.splice(0)).toEqual([TOKENS.read]);
    } finally {
      watch.restore();
      await app?.close();
    }
  });
});

describe('token configuration', () => {
  it('reads AE_READ_TOKEN, AE_WRITE_TOKEN and AE_ADMIN_TOKEN; unset ones stay unset', () => {
    expect(loadConfig({ AE_WRITE_TOKEN: TOKENS.write, AE_ADMIN_TOKEN: ` ${TOKENS.admin} ` }).tokens).toEqual({
      read: undefined,
      write: TOKENS.write,
      admin: TOKENS.admin,
    });
    expect(loadConfig({}).tokens).toEqual({ read: undefined, write: undefined, admin: undefined });
  });

  it('refuses tokens that are short or contain spaces', () => {
    expect(() => loadConfig({ AE_ADMIN_TOKEN: 'secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ AE_READ_TOKEN: 'has a space in it 0123456789' })).toThrow(
      /AE_READ_TOKEN must be at least 16 characters without spaces/,
    );
  });
});
