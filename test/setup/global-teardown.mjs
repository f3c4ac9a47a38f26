import { rmSync } from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const admin = new pg.Client({ connectionString: process.env.AE_TEST_SERVER_URL });
  try {
    await admin.connect();
    const { rows } = await admin.query(`select datname from pg_database where datname like $1 or datname = $2`, [
      `ae_t_${process.pid}_%`,
      globalThis.__AE_TEMPLATE__,
    ]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } catch {
    // the server may already be gone; nothing to clean
  } finally {
    await admin.end().catch(() => {});
  }
  await globalThis.__AE_EMBEDDED__?.stop();
  if (globalThis.__AE_TMP__) rmSync(globalThis.__AE_TMP__, { recursive: true, force: true });
}
