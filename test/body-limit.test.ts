/**
 * Body limits by caller (issue 12, item 9): before this, any anonymous caller could make the
 * server parse 32 MB of JSON before a token was looked at. Anonymous and read callers now get
 * 1 MB (AE_MAX_READ_BODY_KB); the large limit (AE_MAX_BODY_MB) needs a valid write or admin
 * token, which is checked from the header before the body is read.
 */
import http from 'node:http';
import { loadConfig } from '../src/config';
import { useTestDatabase } from './helpers/test-database';

const TOKENS = {
  read: 'body-read-token-0123456789',
  write: 'body-write-token-0123456789',
  admin: 'body-admin-token-0123456789',
};

const { ctx, server } = useTestDatabase({
  init: {
    config: loadConfig({ AE_READ_TOKEN: TOKENS.read, AE_WRITE_TOKEN: TOKENS.write, AE_ADMIN_TOKEN: TOKENS.admin }),
  },
  server: true,
});

/** A read whose body is about 1.5 MB: under the large limit, over the small one. */
const BIG_READ = { query: '{ studies { name } }', variables: { pad: 'x'.repeat(1_500_000) } };
const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

it('defaults to 1 MB for callers without a write token, 32 MB with one', () => {
  expect(ctx.config.limits.maxReadBodyBytes).toBe(1024 * 1024);
  expect(ctx.config.limits.maxBodyBytes).toBe(32 * 1024 * 1024);
  expect(loadConfig({ AE_MAX_READ_BODY_KB: '64' }).limits.maxReadBodyBytes).toBe(64 * 1024);
});

it.each([
  ['anonymous', undefined],
  ['the read token', TOKENS.read],
  ['an invalid token', 'not-a-token-of-this-server-0123'],
])('refuses a 1.5 MB body from %s with 413, naming the limit and its setting', async (_who, token) => {
  const res = await server.post(BIG_READ, bearer(token));
  expect(res.status).toBe(413);
  expect(res.body.errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
  expect(res.body.errors[0].message).toMatch(
    /larger than 1 MB, the limit without a write or admin token \(AE_MAX_READ_BODY_KB\)/,
  );
});

it.each([
  ['the write token', TOKENS.write],
  ['the admin token', TOKENS.admin],
])('parses the same body with %s', async (_who, token) => {
  const res = await server.post(BIG_READ, bearer(token));
  expect(res.status).toBe(200);
  expect(res.body.data.studies).toEqual([]);
});

it('answers an anonymous oversized body from its header, before the body is sent', async () => {
  const { port } = new URL(server.url);
  const answer = await new Promise<{ status: number; sentBytes: number }>((resolve, reject) => {
    let sentBytes = 0;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) },
    });
    req.on('response', (res) => {
      resolve({ status: res.statusCode!, sentBytes });
      req.destroy();
    });
    req.on('error', (e) => (sentBytes < 20 * 1024 * 1024 ? undefined : reject(e)));
    // 64 KB of the announced 20 MB, then nothing more: only the header can have told the server.
    const chunk = '{"query":"{ studies { name } }","pad":"' + 'x'.repeat(64 * 1024);
    req.write(chunk);
    sentBytes = chunk.length;
    // Without an answer by then, the server is waiting for the rest of the body.
    setTimeout(() => {
      resolve({ status: 0, sentBytes });
      req.destroy();
    }, 10_000).unref();
  });
  expect(answer).toEqual({ status: 413, sentBytes: expect.any(Number) });
  expect(answer.sentBytes).toBeLessThan(1024 * 1024);
});
