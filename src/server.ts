/**
 * `npm start`: connect (embedded server or AE_DATABASE_URL), bring the schema to head
 * where that is safe, seed the sample data into an empty embedded database, then serve.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, ConfigError, type AppConfig } from './config';
import { initORM, type AppContext } from './context';
import { startApp, type RunningApp } from './app';
import { explainFailure } from './services/ops/diagnose';
import { createLogger, flushLog, maskSecrets } from './logger';
import { exposureBanner, exposureRefusal } from './http/exposure';

/** Where the generated admin token goes when nobody is at a terminal to read it. */
export interface AdminTokenNotice {
  /** Whether stderr is a terminal: only then is the token itself printed. */
  isTTY: boolean;
  /** A line for the person at the terminal (stderr). */
  print(line: string): void;
  /** A line for the log stream, which must never carry the token. */
  log(line: string): void;
}

/**
 * Writes `text` to a file only its owner can read. Written beside it under a new name, then
 * renamed over it: an older file (or a link planted there) is replaced, never written through.
 */
export function writePrivateFile(path: string, text: string): void {
  // The file's own mode keeps it private. Its folder is shared (.data also holds the embedded
  // database, which the `postgres` user must reach when we run as root): a 0700 folder made
  // here stopped `npm start` on a fresh clone.
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text, { flag: 'wx', mode: 0o600 });
  renameSync(partial, path);
}

/**
 * Nothing is writable without a token: with no AE_ADMIN_TOKEN, make a random one for this
 * run. On a terminal it is printed once, as Jupyter does, with where to paste it in the
 * explorer. Under docker or systemd stderr is the log stream, so the token goes to a 0600
 * file (AE_ADMIN_TOKEN_FILE) and only that file's path is logged.
 */
export function withAdminToken(config: AppConfig, notice: AdminTokenNotice): AppConfig {
  if (config.tokens.admin) return config;
  const admin = randomBytes(24).toString('base64url');
  const paste =
    'Explorer (/graphql in a browser) or Sandbox: in the Headers tab under the operation, add  {"Authorization": "Bearer <the token>"}';
  if (notice.isTTY) {
    notice.print(`admin token for this run (set AE_ADMIN_TOKEN to choose your own): ${admin}`);
    notice.print(paste);
  } else {
    writePrivateFile(config.adminTokenFile, `${admin}\n`);
    notice.log(
      `admin token for this run written to ${config.adminTokenFile} (readable by this user only; set AE_ADMIN_TOKEN to choose your own)`,
    );
    notice.log(paste);
  }
  return { ...config, tokens: { ...config.tokens, admin } };
}

export async function main(): Promise<void> {
  const started = Date.now();
  const baseConfig = loadConfig();
  // Before anything starts (the embedded database included): nothing to undo.
  const refusal = exposureRefusal(baseConfig);
  if (refusal) throw new ConfigError(refusal);
  const logger = createLogger(baseConfig.logLevel);
  const log = (line: string) => logger.info(line);
  // On a terminal straight to it (stderr), whatever AE_LOG_LEVEL: a secret has no place in the log stream.
  const config = withAdminToken(baseConfig, {
    isTTY: !!process.stderr.isTTY,
    print: (line) => process.stderr.write(`${line}\n`),
    log: (line) => logger.warn(line),
  });
  const ctx: AppContext = await initORM({
    config,
    log,
    applicationName: 'ae-graphql server',
    statementTimeoutMs: config.limits.queryTimeoutMs,
    adminTimeoutMs: config.limits.adminQueryTimeoutMs,
    onDriverWarning: (message) => logger.warn({ driver: 'knex' }, maskSecrets(message)),
  });
  let app: RunningApp | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: no new requests; in-flight ones get ${config.limits.shutdownGraceMs} ms to finish`);
    // A hard stop after the grace period plus time to close the pool and the embedded server.
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.limits.shutdownGraceMs + 10_000);
    force.unref();
    let code = 0;
    try {
      await app?.close();
      await ctx.close();
      log('stopped');
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
      code = 1;
    } finally {
      logger.flush?.();
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const embedded = !!ctx.target.embedded;
    log(`database: ${embedded ? 'embedded PostgreSQL' : 'external'} at ${ctx.target.source}`);
    const migrations = ctx.services.migrations;
    const { pending } = await migrations.status();
    if (pending.length && (embedded || config.autoMigrate)) {
      const applied = await migrations.upgrade('head');
      log(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
    } else if (pending.length) {
      log(
        `WARNING: ${pending.length} migration(s) pending (${pending.join(', ')}). Run "npx ae-db upgrade head" or set AE_AUTO_MIGRATE=1.`,
      );
    }
    if (embedded) {
      const counts = await ctx.services.inspection.recordCounts();
      if (!counts.study) {
        const seeded = await ctx.services.seed.seed({ participantsPerStudy: 3 });
        log(
          `seeded sample data: ${Object.entries(seeded)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ')}`,
        );
      }
    }
    app = await startApp(ctx, config.port, config.host, { logger });
    const banner = exposureBanner(config, Number(new URL(app.url).port));
    if (banner.startsWith('WARNING')) logger.warn(banner);
    else log(banner);
    log(
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${app.url} (the explorer opens there in a browser; Apollo Sandbox at /sandbox)`,
    );
    flushLog();
  } catch (e) {
    console.error(explainFailure(e));
    await ctx.close();
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof ConfigError ? e.message : explainFailure(e));
    process.exit(1);
  });
}
