/**
 * Helpers for the operations tests: seeded clones, and a fingerprint of a database's whole
 * content (every row of every table, every sequence) to compare before and after.
 */
import { initORM } from '../../src/context';
import { createTestDatabase, sqlClient, type TestDatabase } from './db';

export interface TableFingerprint {
  rows: number;
  /** md5 over the table's rows as JSON, ordered by id: any changed value changes it. */
  md5: string;
}

export interface DatabaseFingerprint {
  tables: Record<string, TableFingerprint>;
  /** Sequence name → last value (null before first use). */
  sequences: Record<string, string | null>;
}

export async function fingerprint(url: string): Promise<DatabaseFingerprint> {
  const c = await sqlClient(url);
  try {
    const tables: Record<string, TableFingerprint> = {};
    const names = (await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map(
      (r) => r.tablename,
    );
    for (const t of names) {
      const { rows } = await c.query(
        `select count(*)::int as n, md5(coalesce(string_agg(to_jsonb(x)::text, E'\\n' order by x.id), '')) as h from public."${t}" x`,
      );
      tables[t] = { rows: rows[0].n, md5: rows[0].h };
    }
    const seq = await c.query(
      `select sequencename as s, last_value::text as v from pg_sequences where schemaname = 'public' order by 1`,
    );
    return { tables, sequences: Object.fromEntries(seq.rows.map((r) => [r.s, r.v])) };
  } finally {
    await c.end();
  }
}

/** A clone of the migrated template with the sample data of `participants` per study. */
export async function seededDatabase(participants = 1): Promise<TestDatabase> {
  const db = await createTestDatabase();
  const ctx = await initORM({ url: db.url });
  try {
    await ctx.services.seed.seed({ participantsPerStudy: participants, seed: 11 });
  } finally {
    await ctx.close();
  }
  return db;
}

/**
 * seededDatabase as the beforeAll/afterAll of the block it is called in (afterAll drops it). The
 * object is filled in by beforeAll; no session stays connected to the database.
 */
export function useSeededDatabase(participants = 1): TestDatabase {
  const db = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(db, await seededDatabase(participants));
  });
  afterAll(async () => {
    await db.drop?.();
  });
  return db;
}

/** Runs one statement (or several, separated by ;) on `url` and returns the rows of the last. */
export async function sql<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = await sqlClient(url);
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function counts(url: string): Promise<Record<string, number>> {
  const rows = await sql<{ t: string; n: number }>(
    url,
    ['study', 'participant', 'audio_processing', 'biomechanics_import', 'synchronization', 'movement_cycles']
      .map((t) => `select '${t}' as t, count(*)::int as n from ${t}`)
      .join(' union all '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}
