/** This API as the benchmark serves it: the real startApp on an AppContext, nothing else. */
import { initORM } from '../../src/context';
import { startApp } from '../../src/app';
import { announce, databaseUrl, fail } from './child';

async function main() {
  const ctx = await initORM({ url: databaseUrl(), applicationName: 'bench this-api' });
  const app = await startApp(ctx, 0, '127.0.0.1');
  await announce(app.httpServer, async () => {
    await app.close();
    await ctx.close();
  });
}

main().catch(fail);
