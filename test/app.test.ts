/**
 * The HTTP server: GraphQL over real HTTP and GET /health, including a database that is gone.
 */
import { useTestDatabase } from './helpers/test-database';
import { startApp, type RunningApp } from '../src/app';
import { initORM } from '../src/context';
import { StudyName } from '../src/entities';

let app: RunningApp;

useTestDatabase({
  seed: { participantsPerStudy: 1, studies: [StudyName.preOA] },
  prepare: async ({ ctx }) => {
    app = await startApp(ctx, 0, '127.0.0.1');
    return () => app.close();
  },
});

it('GET /health reports the database and pending migrations', async () => {
  const res = await fetch(app.url.replace('/graphql', '/health'));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', database: 'up', pendingMigrations: 0, replicas: [] });
});

it('answers a GraphQL POST with the seeded data', async () => {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: '{ studies { name participants { studyParticipantId audioProcessings { knee maneuver } } } }',
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  expect(body.data.studies).toHaveLength(1);
  expect(body.data.studies[0].name).toBe('preOA');
  expect(body.data.studies[0].participants[0].audioProcessings).toHaveLength(6);
});

it('GET /health is 503 when the database is unreachable, and the process keeps serving', async () => {
  const down = await initORM({ url: 'postgresql://nobody@127.0.0.1:1/acoustic_emissions' });
  const downApp = await startApp(down, 0, '127.0.0.1');
  try {
    const res = await fetch(downApp.url.replace('/graphql', '/health'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      database: 'down',
      pendingMigrations: null,
      replicas: [],
    });
  } finally {
    await downApp.close();
    await down.close();
  }
});
