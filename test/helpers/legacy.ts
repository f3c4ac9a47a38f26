/**
 * Predecessor-shaped databases for the import tests: the DDL and rows of test/fixtures/legacy,
 * loaded into an empty database of the test server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, sqlClient, type TestDatabase } from './db';

const FIXTURES = join(__dirname, '..', 'fixtures', 'legacy');
export const LEGACY_SCHEMA_SQL = readFileSync(join(FIXTURES, 'b68cac4282f5-schema.sql'), 'utf8');
export const LEGACY_DATA_SQL = readFileSync(join(FIXTURES, 'b68cac4282f5-data.sql'), 'utf8');

/** An empty database holding the predecessor's schema (and, unless `rows: false`, the fixture's rows). */
export async function legacyDatabase(o: { rows?: boolean } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase({ empty: true });
  const c = await sqlClient(db.url);
  try {
    await c.query(LEGACY_SCHEMA_SQL);
    if (o.rows !== false) await c.query(LEGACY_DATA_SQL);
  } finally {
    await c.end();
  }
  return db;
}
