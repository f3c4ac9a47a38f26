/**
 * PostgreSQL's client programs (pg_dump, psql): finding them, checking they can talk to the
 * server, and running them without the password ever reaching a command line or a log.
 */
import { execFile, spawn } from 'node:child_process';
import { parseDatabaseUrl, withoutPassword } from '../../config';
import { UserError } from '../errors';

export type ClientTool = 'pg_dump' | 'psql';

export interface ToolVersion {
  tool: ClientTool;
  /** The full `--version` line, e.g. `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
  versionLine: string;
  major: number;
  version: string;
}

/** How to get the client tools, for every message that says they are missing or too old. */
export function installHint(major?: number): string {
  const v = major ?? 15;
  return [
    `Install the PostgreSQL ${v} client tools (pg_dump, psql):`,
    `  macOS:          brew install libpq (then: export PATH="$(brew --prefix libpq)/bin:$PATH"), or brew install postgresql@${v}`,
    `  Debian/Ubuntu:  sudo apt-get install postgresql-client (for a newer server than the distribution ships: postgresql-client-${v} from apt.postgresql.org)`,
  ].join('\n');
}

export class ToolMissingError extends UserError {
  constructor(readonly tool: ClientTool) {
    super(
      `${tool} was not found on the PATH; it is needed to ${tool === 'pg_dump' ? 'make backups' : 'restore backups and open a SQL prompt'}.\n${installHint()}`,
    );
  }
}

/** `pg_dump (PostgreSQL) 15.18 (Debian …)` → 15 / "15.18"; also understands 9.6-style numbers. */
export function parseToolVersion(tool: ClientTool, line: string): ToolVersion {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(line);
  if (!m) throw new UserError(`Cannot read the version of ${tool} from "${line.trim()}".`);
  const first = Number(m[1]);
  const major = first >= 10 ? first : Number(`${first}.${m[2] ?? 0}`);
  return {
    tool,
    versionLine: line.trim(),
    major,
    version: [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.'),
  };
}

/** The server's major version from `server_version_num` (150018 → 15). */
export function serverMajor(serverVersionNum: number): number {
  return serverVersionNum >= 100000 ? Math.floor(serverVersionNum / 10000) : Math.floor(serverVersionNum / 100) / 100;
}

/**
 * pg_dump refuses to dump a server newer than itself (its major version must be at least the
 * server's); psql of any version can replay a plain dump. Returns a sentence when incompatible.
 */
export function incompatibility(
  tool: ToolVersion,
  serverVersionNum: number,
  serverVersion: string,
): string | undefined {
  const server = serverMajor(serverVersionNum);
  if (tool.tool === 'pg_dump' && tool.major < server) {
    return (
      `${tool.tool} ${tool.version} is older than the server (PostgreSQL ${serverVersion}): ` +
      `pg_dump must be version ${server} or newer to dump it.\n${installHint(server)}`
    );
  }
  return undefined;
}

/** Finds `tool` on the PATH and reads its version; throws ToolMissingError when it is not there. */
export function toolVersion(tool: ClientTool, env: NodeJS.ProcessEnv = process.env): Promise<ToolVersion> {
  return new Promise((resolve, reject) => {
    execFile(tool, ['--version'], { env, timeout: 15_000 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') return reject(new ToolMissingError(tool));
        return reject(new UserError(`${tool} --version failed: ${err.message.split('\n')[0]}`));
      }
      try {
        resolve(parseToolVersion(tool, stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * What a client tool needs to reach the database: the URL without its password (for
 * `--dbname`) and an environment carrying the password as PGPASSWORD, so it appears in no
 * process list, file name or message.
 */
export function toolConnection(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): { dbname: string; env: NodeJS.ProcessEnv } {
  const { password } = parseDatabaseUrl(url);
  const toolEnv: NodeJS.ProcessEnv = { ...env, PGCONNECT_TIMEOUT: env.PGCONNECT_TIMEOUT ?? '10' };
  if (password !== undefined) toolEnv.PGPASSWORD = password;
  return { dbname: withoutPassword(url), env: toolEnv };
}

/** Removes the password of `url` from a tool's message, should the tool ever echo it. */
export function scrub(text: string, url: string): string {
  const { password } = parseDatabaseUrl(url);
  if (!password) return text;
  return text.split(password).join('****').split(encodeURIComponent(password)).join('****');
}

/** First line of a tool's stderr that says what went wrong (an ERROR/FATAL/error line), else the first line. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /\b(ERROR|FATAL|error):/.test(l)) ?? lines[0] ?? '';
  return line.replace(/^psql:<stdin>:\d+:\s*/, '').replace(/^(pg_dump|psql): error:\s*/, '');
}

/**
 * An interactive psql on the database (or one that runs `args`, e.g. `-c '\dt'` or `-f
 * legacy.sql`), on this terminal; resolves with psql's exit code. The guide's
 * `psql $AE_DATABASE_URL …`, also for the embedded server, whose port and password nobody types.
 */
export function runPsql(url: string, args: string[]): Promise<number> {
  const { dbname, env } = toolConnection(url);
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['--dbname', dbname, ...args], { env, stdio: 'inherit' });
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new ToolMissingError('psql') : e));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
