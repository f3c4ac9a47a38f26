/**
 * Emptying the public schema without dropping the schema itself: `DROP SCHEMA public
 * CASCADE; CREATE SCHEMA public` would give the new schema the current role as owner and
 * lose its grants (USAGE for the lab's read-only role) and its default privileges. Used by
 * `ae-db fresh` and by restoring a whole-database dump.
 */

/** Runs one catalog query and returns its rows (a pg client or the ORM's connection in a transaction). */
export type CatalogQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * DROP statements for everything in the public schema except what extensions own: views,
 * tables (their sequences, indexes, constraints and triggers go with them), sequences,
 * routines, types. Names are schema-qualified; argument types are written as the session
 * running `query` sees them, so run the statements in a session with the same search_path.
 */
export async function dropSchemaContentsStatements(query: CatalogQuery): Promise<string[]> {
  const notFromExtension = (catalog: string) =>
    `not exists (select 1 from pg_depend d where d.classid = '${catalog}'::regclass and d.objid = o.oid and d.deptype = 'e')`;
  const relations = await query(
    `select o.relkind as kind, format('public.%I', o.relname) as name from pg_class o
      where o.relnamespace = 'public'::regnamespace and o.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and ${notFromExtension('pg_class')} order by o.relname`,
  );
  const routines = await query(
    `select format('public.%I(%s)', o.proname, pg_get_function_identity_arguments(o.oid)) as name from pg_proc o
      where o.pronamespace = 'public'::regnamespace and ${notFromExtension('pg_proc')} order by 1`,
  );
  const types = await query(
    `select o.typtype as kind, format('public.%I', o.typname) as name from pg_type o
      where o.typnamespace = 'public'::regnamespace and o.typtype in ('e', 'd', 'c', 'r')
        and (o.typtype <> 'c' or (select relkind from pg_class where oid = o.typrelid) = 'c')
        and ${notFromExtension('pg_type')} order by 2`,
  );
  const byKind: Record<string, string> = {
    r: 'TABLE',
    p: 'TABLE',
    v: 'VIEW',
    m: 'MATERIALIZED VIEW',
    f: 'FOREIGN TABLE',
    S: 'SEQUENCE',
  };
  const statements: string[] = [];
  // Views first, then tables (their own sequences go with them), then what is left.
  for (const kind of ['m', 'v', 'f', 'r', 'p', 'S']) {
    const names = relations.filter((r) => r.kind === kind).map((r) => r.name);
    if (names.length) statements.push(`DROP ${byKind[kind]} IF EXISTS ${names.join(', ')} CASCADE;`);
  }
  for (const r of routines) statements.push(`DROP ROUTINE IF EXISTS ${r.name} CASCADE;`);
  for (const t of types) statements.push(`DROP ${t.kind === 'd' ? 'DOMAIN' : 'TYPE'} IF EXISTS ${t.name} CASCADE;`);
  return statements;
}
