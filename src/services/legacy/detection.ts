/**
 * Recognising a predecessor database: which known layout (Alembic revision) a schema holds, or
 * why it cannot be imported, in words for `ae-db import-legacy`, `ae-db doctor` and `ae-db status`.
 */
import { escapeIdentifier, type Client } from 'pg';
import type { LegacyLayout } from './layout';
import { LAYOUTS } from './b68cac4282f5';

/** Where a same-database import moves the predecessor's tables (their names clash with ours). */
export const MOVED_LEGACY_SCHEMA = (revision: string) => `legacy_${revision}`;

const q = escapeIdentifier;

export type LegacyDetection =
  | { kind: 'layout'; layout: LegacyLayout; schema: string }
  | { kind: 'unknown-revision'; schema: string; revision: string | null; tables: string[] }
  | { kind: 'incomplete'; schema: string; layout: LegacyLayout; missing: string[] }
  | { kind: 'none' };

/** Legacy table names of every known layout: their presence makes a schema look like a predecessor's. */
const LEGACY_MARKERS = ['alembic_version', 'studies', 'participants', 'biomechanics_imports', 'synchronizations'];

/** Recognises a predecessor layout in `schema` (or, when not given, in public or where an earlier import moved it). */
export async function detectLegacy(client: Client, schema?: string): Promise<LegacyDetection> {
  const schemas = schema ? [schema] : ['public', ...LAYOUTS.map((l) => MOVED_LEGACY_SCHEMA(l.revision))];
  for (const s of schemas) {
    const { rows } = await client.query<{ table_name: string; columns: string[] }>(
      `select table_name, array_agg(column_name::text) as columns from information_schema.columns
        where table_schema = $1 group by table_name`,
      [s],
    );
    const columns = new Map(rows.map((r) => [r.table_name, new Set(r.columns)]));
    if (!LEGACY_MARKERS.some((t) => columns.has(t))) continue;
    let revision: string | null = null;
    if (columns.get('alembic_version')?.has('version_num')) {
      const v = await client.query(`select version_num from ${q(s)}.alembic_version`);
      revision = v.rows.length === 1 ? v.rows[0].version_num : null;
    }
    const layout = LAYOUTS.find((l) => l.revision === revision);
    if (!layout) return { kind: 'unknown-revision', schema: s, revision, tables: [...columns.keys()].sort() };
    const missing = Object.entries(layout.tables).flatMap(([t, cols]) =>
      !columns.has(t) ? [t] : cols.filter((c) => !columns.get(t)!.has(c)).map((c) => `${t}.${c}`),
    );
    if (missing.length) return { kind: 'incomplete', schema: s, layout, missing };
    return { kind: 'layout', layout, schema: s };
  }
  return { kind: 'none' };
}

/** One sentence for status/doctor and the refusal: what was found and what to do. */
export function describeDetection(d: LegacyDetection): string {
  switch (d.kind) {
    case 'layout':
      return `a predecessor database (Alembic revision ${d.layout.revision}) in schema ${d.schema}`;
    case 'unknown-revision':
      return `predecessor-like tables in schema ${d.schema} (${d.tables.join(', ')}) at Alembic revision ${d.revision ?? '(none recorded)'}, which this import does not know (it knows ${LAYOUTS.map((l) => l.revision).join(', ')})`;
    case 'incomplete':
      return `a predecessor database stamped ${d.layout.revision} in schema ${d.schema}, but without ${d.missing.slice(0, 5).join(', ')}${d.missing.length > 5 ? `, … (${d.missing.length} in all)` : ''}`;
    default:
      return 'no predecessor tables';
  }
}

/** What status and doctor say about a predecessor database at `maskedUrl`, or null when there is none. */
export function importAdvice(d: LegacyDetection, maskedUrl: string): { detail: string; fix: string } | null {
  if (d.kind === 'none') return null;
  if (d.kind === 'layout' && d.schema === 'public') {
    return {
      detail: `this is ${describeDetection(d)}: the Python tooling's tables, which this project does not read directly`,
      fix:
        `Import it into a new database: npx ae-db init --url NEW_URL && npx ae-db import-legacy --from ${maskedUrl} --url NEW_URL` +
        `\nor into this one (its tables move, unchanged, to the schema ${MOVED_LEGACY_SCHEMA(d.layout.revision)}): npx ae-db import-legacy --from ${maskedUrl} --url ${maskedUrl}` +
        '\nAdd --dry-run first to see the report without writing anything.',
    };
  }
  if (d.kind === 'layout') {
    return {
      detail: `${describeDetection(d)}, moved there by an earlier import-legacy`,
      fix: `Re-running the import adds only what is new: npx ae-db import-legacy --from ${maskedUrl} --url ${maskedUrl}`,
    };
  }
  return {
    detail: `found ${describeDetection(d)}`,
    fix: `ae-db import-legacy reads Alembic revision ${LAYOUTS.map((l) => l.revision).join(', ')}: bring the predecessor database there with its own tooling (alembic upgrade) first.`,
  };
}
