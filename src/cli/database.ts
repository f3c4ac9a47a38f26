/**
 * Which database a command works on (--test, --url, else the configured or embedded one), and
 * the connection's life: opened for the command, always closed after it, embedded server included.
 */
import type { Command } from 'commander';
import { loadConfig, maskUrl } from '../config';
import { initORM, initServerContext, type AppContext, type ServerContext } from '../context';
import { ensureDatabase } from '../db/embedded';
import { resolveTarget } from '../db/target';
import { out, warn } from './output';

/** The options every database command takes (--yes only those that ask first). */
export interface TargetFlags {
  test?: boolean;
  url?: string;
  yes?: boolean;
}

/** A subcommand of `program` that works on one database, chosen with --test or --url. */
export function databaseCommand(program: Command, name: string): Command {
  return program
    .command(name)
    .option('--test', 'use the test database (AE_TEST_DATABASE_URL, or the main name + _test)')
    .option('--url <url>', 'database URL (postgresql://, postgres:// or postgresql+psycopg://)', urlOption('--url'));
}

/**
 * Parses a URL option, warning when it carries a password: a command line is visible to every
 * user of the machine (ps, /proc) and lands in shell history. The password still works, so a
 * one-off on a private machine is not refused; the warning says where it belongs instead.
 */
export function urlOption(flag: string, instead = 'AE_DATABASE_URL, or PGPASSWORD or ~/.pgpass') {
  return (url: string): string => {
    if (maskUrl(url) !== url) {
      warn(
        `the ${flag} URL holds a password, which other users of this machine can read in its process list ` +
          `and which stays in your shell history; put it in ${instead} instead`,
      );
    }
    return url;
  };
}

/** The database as the output names it: masked URL and where it came from. */
export const where = (ctx: Pick<AppContext, 'target'>) => `${maskUrl(ctx.target.url)} (${ctx.target.source})`;

/** Open the target database, run `fn`, and always release the connection (and embedded server). */
export async function withDb<T>(
  flags: TargetFlags,
  fn: (ctx: AppContext) => Promise<T>,
  o: { create?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  if (o.create) {
    // `init` creates the database itself when the server has none of that name.
    const t = await resolveTarget(config, { url: flags.url, test: flags.test, attachToRunning: true });
    try {
      if (await ensureDatabase(t.url)) out(`Created database ${maskUrl(t.url)}`);
    } finally {
      await t.release();
    }
  }
  const { url, test } = flags;
  const ctx = await initORM({ config, url, test, attachToRunning: true, applicationName: 'ae-db' });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Like withDb, without an ORM: nothing holds a session on the database (copy needs that). */
export async function withServer<T>(flags: TargetFlags, fn: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const ctx = await initServerContext({ url: flags.url, test: flags.test, attachToRunning: true });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
