/**
 * `npm start`: connect (embedded server or AE_DATABASE_URL), bring the schema to head
 * where that is safe, seed the sample data into an empty embedded database, then serve.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError, type AppConfig } from './config';
import { initORM, type AppContext } from './context';
import { startApp, type RunningApp } from './app';
import { explainFailure } from './services/diagnose';
import { createLogger, maskSecrets } from './logger';

/**
 * Nothing is writable without a token: with no AE_ADMIN_TOKEN, make a random one for this
 * run and print it once, as Jupyter does, with where to paste it in the explorer.
 */
export function withAdminToken(config: AppConfig, print: (line: string) => void): AppConfig {
  if (config.tokens.admin) return config;
  const admin = randomBytes(24).toString('base64url');
  print(`admin token for this run (set AE_ADMIN_TOKEN to choose your own): ${admin}`);
  print('Explorer (/graphql in a browser) or Sandbox: in the Headers tab under the operation, add  {"Authorization": "Bearer <the token above>"}');
  return { ...config, tokens: { ...config.tokens, admin } };
}

export async function main(): Promise<void> {
  const started = Date.now();
  const baseConfig = loadConfig();
  const logger = createLogger(baseConfig.logLevel);
  const log = (line: string) => logger.info(line);
  // Straight to the terminal (stderr), whatever AE_LOG_LEVEL: a secret has no place in the log stream.
  const config = withAdminToken(baseConfig, (line) => process.stderr.write(`${line}\n`));
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
      log(`WARNING: ${pending.length} migration(s) pending (${pending.join(', ')}). Run "npx ae-db upgrade head" or set AE_AUTO_MIGRATE=1.`);
    }
    if (embedded) {
      const counts = await ctx.services.inspection.recordCounts();
      if (!counts.study) {
        const seeded = await ctx.services.seed.seed({ participantsPerStudy: 3 });
        log(`seeded sample data: ${Object.entries(seeded).map(([t, n]) => `${n} ${t}`).join(', ')}`);
      }
    }
    app = await startApp(ctx, config.port, config.host, { logger });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${app.url} (the explorer opens there in a browser; Apollo Sandbox at /sandbox)`);
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
