/**
 * DNS rebinding (issue 12, item 7): a web page on attacker.example re-points its own name at
 * 127.0.0.1, and a lab member's browser then sends it requests for this server, with
 * `Host: attacker.example`. The server answers only to its bind address, localhost and the
 * names in AE_ALLOWED_HOSTS: anything else gets 421 before any route (or SQL) runs.
 */
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { useTestDatabase } from './helpers/test-database';
import { loadConfig } from '../src/config';
import { startApp, type RunningApp } from '../src/app';
import { initORM, type AppContext } from '../src/context';

interface Answer {
  status: number;
  body: string;
}

/** A request to 127.0.0.1:`port` with the Host header a browser would send for `host`. */
function send(port: number, host: string, path = '/graphql', body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: payload ? 'POST' : 'GET',
        headers: { host, ...(payload ? { 'content-type': 'application/json' } : { accept: 'text/html' }) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const QUERY = { query: '{ studies { name } }' };

const { ctx, server: loopback } = useTestDatabase({ seed: { participantsPerStudy: 1 }, server: true });
const portOf = (app: RunningApp) => Number(new URL(app.url).port);

describe('bound to 127.0.0.1', () => {
  it('refuses a rebound name with 421 and a clear message, before any SQL', async () => {
    const before = loopback.logs.length;
    const res = await send(portOf(loopback), `attacker.example:${portOf(loopback)}`, '/graphql', QUERY);
    expect(res.status).toBe(421);
    const error = JSON.parse(res.body).errors[0];
    expect(error.extensions.code).toBe('HOST_NOT_ALLOWED');
    expect(error.message).toMatch(
      /does not answer to the host "attacker\.example:\d+".*127\.0\.0\.1.*localhost.*AE_ALLOWED_HOSTS/,
    );
    expect(res.body).not.toContain('"data"');
    expect(loopback.logs.slice(before).filter((l) => l.msg === 'graphql request')).toEqual([]);
  });

  it.each(['/export/study.csv', '/graphql', '/sandbox', '/health'])('refuses it on %s too', async (path) => {
    expect((await send(portOf(loopback), 'attacker.example', path)).status).toBe(421);
  });

  it.each(['localhost', '127.0.0.1', 'LOCALHOST.', '[::1]'])('serves Host: %s (with the port)', async (name) => {
    const res = await send(portOf(loopback), `${name}:${portOf(loopback)}`, '/graphql', QUERY);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.studies).toHaveLength(3);
  });
});

describe('AE_ALLOWED_HOSTS and other bind addresses', () => {
  const READ = 'host-check-read-token-0123456789';
  let named: AppContext;
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    named = await initORM({
      config: loadConfig({ AE_ALLOWED_HOSTS: 'aedb.lab.example, 10.1.2.3:4000', AE_READ_TOKEN: READ }),
      url: ctx.db.url,
    });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await named?.close();
  });

  it('serves the names listed in AE_ALLOWED_HOSTS, whatever the port, and still refuses others', async () => {
    const app = await startApp(named, 0, '127.0.0.1');
    apps.push(app);
    const auth = (path: string, host: string) => send(portOf(app), host, path);
    expect((await auth('/health', 'aedb.lab.example:4000')).status).toBe(200);
    expect((await auth('/health', '10.1.2.3')).status).toBe(200);
    expect((await auth('/health', 'aedb.lab.example.attacker.example')).status).toBe(421);
    expect((await auth('/health', 'evil-aedb.lab.example')).status).toBe(421);
  });

  it("listening on every interface, it serves this machine's own addresses and refuses a rebound name", async () => {
    const app = await startApp(named, 0, '0.0.0.0');
    apps.push(app);
    const own = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of own)
      expect({ address, status: (await send(portOf(app), `${address}:${portOf(app)}`, '/health')).status }).toEqual({
        address,
        status: 200,
      });
    expect((await send(portOf(app), `attacker.example:${portOf(app)}`, '/health')).status).toBe(421);
  });
});
