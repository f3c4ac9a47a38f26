/**
 * Issue 12, item 12: the rows a response returns are counted, and a response over
 * AE_MAX_ROWS is refused with RESPONSE_TOO_LARGE before anything is sent, on the compiled
 * path and on the resolver path; responses over AE_HEAVY_ROWS run at most
 * AE_MAX_HEAVY_REQUESTS at once, the next waits AE_HEAVY_WAIT_MS, then gets 503 + Retry-After.
 */
import http from 'node:http';
import { useTestDatabase } from './helpers/test-database';
import { startApp, type RunningApp } from '../src/app';
import type { RequestLimits } from '../src/config';

let cycles: number;
const apps: RunningApp[] = [];
const { ctx } = useTestDatabase({
  seed: { participantsPerStudy: 2 },
  sql: true,
  prepare: async ({ sql }) => {
    cycles = Number((await sql!.query('select count(*) from movement_cycles')).rows[0].count);
    // The apps the tests start (serve) close before the database does.
    return async () => {
      for (const app of apps) await app.close();
    };
  },
});

async function serve(limits: Partial<RequestLimits>): Promise<RunningApp> {
  const app = await startApp(
    { ...ctx, config: { ...ctx.config, limits: { ...ctx.config.limits, ...limits } } },
    0,
    '127.0.0.1',
  );
  apps.push(app);
  return app;
}

async function post(app: RunningApp, query: string) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const TREE = '{ studies { name participants { studyParticipantId movementCycles { id durationS } } } }';

describe('AE_MAX_ROWS', () => {
  it('refuses a tree over the limit with RESPONSE_TOO_LARGE, naming the limit, pagination and /export', async () => {
    const app = await serve({ maxRows: 100 });
    const res = await post(app, TREE);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text);
    // The whole body is the refusal: no data was sent before it.
    expect(Object.keys(body)).toEqual(['errors']);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', maxRows: 100, rows: 3 + 6 + cycles });
    expect(body.errors[0].message).toMatch(/AE_MAX_ROWS/);
    expect(body.errors[0].message).toMatch(/first\/after/);
    expect(body.errors[0].message).toMatch(/\/export/);
  });

  it('counts every row of the response: at the limit the tree is sent', async () => {
    const app = await serve({ maxRows: 3 + 6 + cycles });
    const res = await post(app, TREE);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.data.studies.flatMap((s: any) => s.participants.flatMap((p: any) => p.movementCycles))).toHaveLength(
      cycles,
    );
  });

  it('refuses on the resolver path too (a query the compiler leaves to the resolvers)', async () => {
    const app = await serve({ maxRows: 100 });
    // Introspection is answered by graphql-js, so the whole request takes the resolver path.
    const res = await post(app, `{ __schema { queryType { name } } ${TREE.slice(1)}`);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
  });
});

/** Starts a request and reads only its status line and headers, leaving the body unread. */
function stalled(
  url: string,
  query: string,
): Promise<{ status: number; res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.pause();
      resolve({ status: res.statusCode!, res, req });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

describe('heavy requests', () => {
  // 30 aliases of every cycle with all its columns: tens of MB, more than the sockets buffer.
  const fields =
    'id participantId audioProcessingId synchronizationId knee maneuver passNumber speed cycleIndex isOutlier startTimeS endTimeS durationS audioStartTime audioEndTime cycleFile cycleFileChecksum biomechanicsQcFail syncQcFail processingStatus processingDate createdAt updatedAt';
  const big = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: movementCycles(first: 5000) { nodes { ${fields} } }`).join(' ')} }`;

  it('runs at most AE_MAX_HEAVY_REQUESTS at once; the next gets 503 with Retry-After after AE_HEAVY_WAIT_MS, then a turn once one ends', async () => {
    const app = await serve({ heavyRows: 100, maxHeavyRequests: 1, heavyWaitMs: 300 });
    const first = await stalled(app.url, big);
    expect(first.status).toBe(200);

    const started = Date.now();
    const second = await post(app, TREE);
    expect(second.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(second.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(second.text).errors[0].extensions.code).toBe('SERVER_BUSY');

    // Small requests are not heavy: they never wait.
    const small = await post(app, '{ studies { name } }');
    expect(small.status).toBe(200);

    // The stalled client goes away: its slot is free again.
    first.req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const third = await post(app, TREE);
    expect(third.status).toBe(200);
  });

  it('a waiting heavy request runs as soon as the running one finishes', async () => {
    const app = await serve({ heavyRows: 100, maxHeavyRequests: 1, heavyWaitMs: 20_000 });
    const first = await stalled(app.url, big);
    const second = post(app, TREE);
    await new Promise((r) => setTimeout(r, 300));
    // Reading the first response to its end frees the slot.
    first.res.resume();
    let size = 0;
    for await (const chunk of first.res) size += (chunk as Buffer).length;
    expect(size).toBeGreaterThan(10_000_000);
    expect((await second).status).toBe(200);
  });
});
