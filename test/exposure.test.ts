/**
 * Who can reach the server (issue 12, item 6): it listens on loopback by default, and
 * listening beyond it needs AE_READ_TOKEN or an explicit AE_ALLOW_OPEN_READS=1, which the
 * banner states. The compiled server runs as a real process on a clone of the test database.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ConfigError, loadConfig } from '../src/config';
import { startApp } from '../src/app';
import { initORM } from '../src/context';
import { startServer, stop, type Started } from './helpers/server-process';
import { useTestDatabase } from './helpers/test-database';

const { ctx } = useTestDatabase();

/** The local addresses of the sockets listening on `port`, from the kernel's own tables. */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A = LISTEN
      const [hex, portHex] = local.split(':');
      if (parseInt(portHex, 16) !== port) continue;
      if (!v6)
        found.push(
          hex
            .match(/../g)!
            .reverse()
            .map((b) => parseInt(b, 16))
            .join('.'),
        );
      else found.push(/^0+$/.test(hex) ? '::' : hex === '00000000000000000000000001000000' ? '::1' : hex);
    }
  }
  return found;
}

/** An address of this machine on a network (not loopback), if it has one. */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const read = (base: string, token?: string) =>
  fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: '{ studies { name } }' }),
  }).then((r) => r.status);

const portOf = (s: Started) => Number(new URL(s.url).port);
const READ_TOKEN = 'exposure-read-token-0123456789';

it('listens on 127.0.0.1 by default: nothing answers on the network address', async () => {
  let server: Started | undefined;
  try {
    server = await startServer({ AE_DATABASE_URL: ctx.target.url, AE_ADMIN_TOKEN: 'exposure-admin-token-0123456789' });
    expect(listeningAddresses(portOf(server))).toEqual(['127.0.0.1']);
    expect(server.output()).toContain(`listening on 127.0.0.1:${portOf(server)}: this machine only`);
    expect(await read(server.url)).toBe(200);
    if (networkAddress) {
      await expect(read(`http://${networkAddress}:${portOf(server)}/graphql`)).rejects.toThrow(/fetch failed/);
    }
  } finally {
    await stop(server);
  }
});

it('refuses to listen beyond loopback with open reads, saying why and what to set, before starting anything', async () => {
  // Should it start after all, it is stopped again: the test fails without leaving it behind.
  const message = await startServer({ AE_DATABASE_URL: ctx.target.url, AE_HOST: '0.0.0.0' }).then(
    async (s) => (await stop(s), 'it started'),
    (e: Error) => e.message,
  );
  expect(message).toMatch(/exited with 1 before it was ready/);
  expect(message).toMatch(
    /Refusing to listen on 0\.0\.0\.0 \(AE_HOST\).*AE_READ_TOKEN.*AE_ALLOW_OPEN_READS=1.*127\.0\.0\.1/s,
  );
  expect(message).not.toMatch(/database:|admin token/);
});

it('with AE_ALLOW_OPEN_READS=1 it serves the network, and the banner says reads are open', async () => {
  let server: Started | undefined;
  try {
    server = await startServer({
      AE_DATABASE_URL: ctx.target.url,
      AE_HOST: '0.0.0.0',
      AE_ALLOW_OPEN_READS: '1',
      AE_ADMIN_TOKEN: 'exposure-admin-token-0123456789',
    });
    expect(listeningAddresses(portOf(server))).toEqual(['0.0.0.0']);
    expect(server.stdout()).toMatch(/WARNING: listening on 0\.0\.0\.0:\d+ with OPEN READS \(AE_ALLOW_OPEN_READS=1\)/);
    expect(await read(`http://${networkAddress ?? '127.0.0.1'}:${portOf(server)}/graphql`)).toBe(200);
  } finally {
    await stop(server);
  }
});

it('with AE_READ_TOKEN it serves the network, and reads need the token', async () => {
  let server: Started | undefined;
  try {
    server = await startServer({
      AE_DATABASE_URL: ctx.target.url,
      AE_HOST: '0.0.0.0',
      AE_READ_TOKEN: READ_TOKEN,
      AE_ADMIN_TOKEN: 'exposure-admin-token-0123456789',
    });
    expect(server.stdout()).toMatch(
      /listening on 0\.0\.0\.0:\d+: reachable from the network; reads need AE_READ_TOKEN/,
    );
    const base = `http://${networkAddress ?? '127.0.0.1'}:${portOf(server)}/graphql`;
    expect(await read(base)).toBe(401);
    expect(await read(base, READ_TOKEN)).toBe(200);
  } finally {
    await stop(server);
  }
});

it('startApp itself refuses a non-loopback address with open reads (every door, not only npm start)', async () => {
  const open = await initORM({ config: loadConfig({}), url: ctx.target.url });
  try {
    await expect(startApp(open, 0, '0.0.0.0')).rejects.toThrow(ConfigError);
    await expect(startApp(open, 0, '::')).rejects.toThrow(/AE_READ_TOKEN/);
  } finally {
    await open.close();
  }
});
