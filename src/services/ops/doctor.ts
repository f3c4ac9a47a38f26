/**
 * `ae-db doctor`: the guide's "Quick Troubleshooting Checklist" as checks that each say
 * pass or fail and, when they fail, the command that fixes it. Later checks that depend on
 * a failed one are skipped rather than reported as further failures.
 */
import { maskUrl, parseDatabaseUrl } from '../../config';
import { SQLSTATE } from '../../db/sqlstate';
import type { MigrationStatus, SchemaCheck } from '../schema/migrations';
import { DatabaseAdminService } from './server-admin';
import { incompatibility, installHint, serverMajor, toolVersion, ToolMissingError, type ClientTool } from './pg-tools';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to run or change, when the check did not pass. */
  fix?: string;
}

export interface SchemaInspector {
  status(): Promise<MigrationStatus>;
  check(): Promise<SchemaCheck>;
  /** A predecessor database found there, and how to import it (null: none). */
  legacy?(): Promise<{ detail: string; fix: string } | null>;
  close(): Promise<void>;
}

export interface DoctorInput {
  /** The database to diagnose, or why it could not be determined (a malformed URL, …). */
  target: { url: string; source: string } | { error: string };
  /** Opens the migration service on the target; called only once the database is known to exist. */
  openSchema(url: string): Promise<SchemaInspector>;
}

const CHECKS = {
  url: 'Database URL configured',
  server: 'Server reachable (pg_isready)',
  role: 'Role exists and can log in',
  database: 'Database exists',
  migrations: 'Schema current (migrations)',
  drift: 'Schema matches the code (check)',
  pgDump: 'pg_dump available and compatible',
  psql: 'psql available',
  legacy: 'Predecessor database',
} as const;

export async function runDoctor(input: DoctorInput): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: CheckStatus, detail: string, fix?: string) =>
    checks.push({ name, status, detail, ...(fix ? { fix } : {}) });
  const skipRest = (names: string[], why: string) => names.forEach((n) => add(n, 'skip', why));
  let serverVersionNum: number | undefined;
  let serverVersion = '';

  if ('error' in input.target) {
    add(
      CHECKS.url,
      'fail',
      input.target.error,
      'Set AE_DATABASE_URL=postgresql://USER@HOST:5432/acoustic_emissions in .env.local (or pass --url), or unset it to use the embedded database.',
    );
    skipRest([CHECKS.server, CHECKS.role, CHECKS.database, CHECKS.migrations, CHECKS.drift], 'no database to check');
  } else {
    const { url, source } = input.target;
    const p = parseDatabaseUrl(url);
    const conn = `-h ${p.host} -p ${p.port} -U ${p.user}`;
    add(
      CHECKS.url,
      'pass',
      source.startsWith('embedded')
        ? `no AE_DATABASE_URL: using the embedded PostgreSQL, ${maskUrl(url)} (${source})`
        : `${maskUrl(url)} (${source})`,
    );
    const probe = await new DatabaseAdminService(url).probe();
    if (!probe.ok && probe.stage === 'unreachable') {
      add(
        CHECKS.server,
        'fail',
        `cannot connect to ${p.host}:${p.port}: ${probe.message}`,
        `Start PostgreSQL (brew services start postgresql@15 / sudo systemctl start postgresql) and check it with: pg_isready -h ${p.host} -p ${p.port}. ` +
          'If it runs elsewhere, correct the host and port in AE_DATABASE_URL (or unset it to use the embedded database).',
      );
      skipRest([CHECKS.role, CHECKS.database, CHECKS.migrations, CHECKS.drift], 'the server is not reachable');
    } else {
      add(
        CHECKS.server,
        'pass',
        `${p.host}:${p.port} accepts connections${probe.serverVersion ? ` (PostgreSQL ${probe.serverVersion})` : ''}`,
      );
      if (!probe.ok && probe.stage === 'login') {
        const missingRole = /role .* does not exist/.test(probe.message);
        add(
          CHECKS.role,
          'fail',
          probe.code === SQLSTATE.invalid_password
            ? `${probe.message}: the role "${p.user}" does not exist or the password is wrong`
            : probe.message,
          missingRole || probe.code === SQLSTATE.invalid_password
            ? `Create the role: createuser ${conn.replace(/ -U \S+/, '')} -s ${p.user} (as a superuser), or put an existing user and its password in AE_DATABASE_URL.`
            : `Allow this client and user in the server's pg_hba.conf, or connect as another user in AE_DATABASE_URL.`,
        );
        skipRest([CHECKS.database, CHECKS.migrations, CHECKS.drift], 'cannot log in');
      } else {
        add(CHECKS.role, 'pass', `logged in as "${p.user}"`);
        if (!probe.ok) {
          serverVersionNum = probe.serverVersionNum;
          serverVersion = probe.serverVersion ?? '';
          add(
            CHECKS.database,
            'fail',
            `database "${p.database}" does not exist on ${p.host}:${p.port}`,
            `Create it: createdb ${conn} ${p.database}   (or: npx ae-db init${source === '--url' ? ' --url …' : ''}, which also applies the migrations)`,
          );
          skipRest([CHECKS.migrations, CHECKS.drift], 'the database does not exist');
        } else {
          serverVersionNum = probe.serverVersionNum;
          serverVersion = probe.serverVersion;
          add(CHECKS.database, 'pass', `"${probe.database}" exists`);
          await schemaChecks(input, url, add);
        }
      }
    }
  }

  for (const tool of ['pg_dump', 'psql'] as ClientTool[]) {
    const name = tool === 'pg_dump' ? CHECKS.pgDump : CHECKS.psql;
    try {
      const v = await toolVersion(tool);
      const problem = serverVersionNum !== undefined ? incompatibility(v, serverVersionNum, serverVersion) : undefined;
      if (problem) add(name, 'fail', problem.split('\n')[0], installHint(serverMajor(serverVersionNum!)));
      else
        add(
          name,
          'pass',
          `${v.versionLine}${serverVersionNum === undefined && tool === 'pg_dump' ? ' (server version unknown: compatibility not checked)' : ''}`,
        );
    } catch (e) {
      if (e instanceof ToolMissingError)
        add(
          name,
          'fail',
          `${tool} was not found on the PATH (needed by ae-db ${tool === 'pg_dump' ? 'backup' : 'restore'})`,
          installHint(),
        );
      else add(name, 'fail', (e as Error).message);
    }
  }
  return checks;
}

async function schemaChecks(
  input: DoctorInput,
  url: string,
  add: (name: string, status: CheckStatus, detail: string, fix?: string) => void,
) {
  let schema: SchemaInspector | undefined;
  try {
    schema = await input.openSchema(url);
    // Only shown when there is one: the predecessor's tables explain the failures below and how to move on.
    const legacy = await schema.legacy?.();
    if (legacy) add(CHECKS.legacy, 'warn', legacy.detail, legacy.fix);
    const status = await schema.status();
    if (status.pending.length) {
      add(
        CHECKS.migrations,
        'fail',
        `${status.pending.length} pending migration(s): ${status.pending.join(', ')}`,
        'Apply them: npx ae-db upgrade head',
      );
      add(CHECKS.drift, 'skip', 'migrations are pending');
      return;
    }
    if (status.unknown.length) {
      add(
        CHECKS.migrations,
        'warn',
        `at ${status.current}, but the database also records migrations this code does not know: ${status.unknown.join(', ')}`,
        'Update this checkout (git pull) to the code that wrote them.',
      );
    } else {
      add(CHECKS.migrations, 'pass', `at head (${status.current ?? 'no migrations'})`);
    }
    const check = await schema.check();
    if (check.differences.length) {
      add(
        CHECKS.drift,
        'fail',
        `the tables differ from the entities: ${check.differences.length} statement(s) would be needed, e.g. ${check.differences[0]}`,
        'See them all with npx ae-db check; if the change is intended, record it: npx ae-db revision -m NAME --autogenerate',
      );
    } else {
      add(CHECKS.drift, 'pass', 'the tables match the entities');
    }
  } catch (e) {
    add(
      CHECKS.migrations,
      'fail',
      `could not read the schema: ${String((e as Error).message ?? e).split('\n')[0]}`,
      'Run npx ae-db status for details.',
    );
  } finally {
    await schema?.close().catch(() => {});
  }
}
