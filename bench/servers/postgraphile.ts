/**
 * PostGraphile 5 (amber preset) on the same database, served by grafserv's node adaptor.
 * Run with `node -r bench/polyfill.js` (Promise.withResolvers on Node 20).
 * PostGraphile is loaded with require(): its subpath exports are invisible to this
 * project's `moduleResolution: node`, and it is a bench-only devDependency.
 */
import { createServer } from 'node:http';
import { announce, databaseUrl, fail, listen } from './child';

async function main() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { postgraphile } = require('postgraphile');
  const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
  const { makePgService } = require('postgraphile/adaptors/pg');
  const { grafserv } = require('postgraphile/grafserv/node');
  const preset = {
    extends: [PostGraphileAmberPreset],
    // Amber offers `condition` only on indexed columns; W2 filters on is_outlier, which has no
    // index in this schema (nor in this API's). This is PostGraphile's switch for that.
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ connectionString: databaseUrl(), schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server);
  await pgl.getSchema(); // build the schema now, not on the first timed request
  await listen(server);
  await announce(server, async () => {
    await serv.release?.();
    await pgl.release();
  });
}

main().catch(fail);
