/**
 * Config for MikroORM's own CLI (`npx mikro-orm migration:list`, `migration:up`, …), which
 * finds it through package.json. It resolves the database exactly as `ae-db` does
 * (AE_DATABASE_URL, else the embedded server, attaching to a running one).
 */
import { loadConfig } from './config';
import { ormConfig } from './db/orm';
import { resolveTarget } from './db/target';

export default (async () => {
  const target = await resolveTarget(loadConfig(), { attachToRunning: true });
  return ormConfig({ url: target.url, applicationName: 'mikro-orm cli' });
})();
