/**
 * `npx jest -i` runs every test file in jest's own process, after the global set-up, which
 * used MikroORM there. Each file must still get a working ORM: before the set-up cleared
 * MikroORM's global metadata, the second file's initORM failed ("Method Map.prototype.set
 * called on incompatible receiver").
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { exited } from './helpers/processes';

jest.setTimeout(120_000);

it('two test files run in band each get a working ORM', async () => {
  const root = join(__dirname, '..');
  const child = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '-i', '--ci', '--testMatch', '**/test/fixtures/in-band/*.ts'],
    {
      cwd: root,
      // The running test server, so the child migrates a template on it instead of starting its own.
      env: { ...process.env, AE_TEST_DATABASE_URL: process.env.AE_TEST_SERVER_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const code = await exited(child);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Tests:\s+2 passed, 2 total/) });
});
