// A PostgreSQL server in a child process that a test can stop and start again (outage tests).
// Usage: node pg-process.mjs DATA_DIR PORT  → prints {"url": …} once ready; SIGTERM stops it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startEmbedded } = require('../../dist/src/db/embedded.js');
const [dataDir, port] = process.argv.slice(2);
const server = await startEmbedded({ dataDir, port: Number(port), database: 'postgres' });
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
