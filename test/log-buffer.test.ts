/**
 * The server's JSON log on stdout is written in blocks, not one write per line (a write per
 * request line cost about 5 % of a small read's CPU), yet nothing is lost or late where it
 * matters: a warning is written at once, pending lines within the flush interval, all on exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOGGER = join(__dirname, '..', 'dist', 'src', 'logger.js');

/** Runs `body` in a child whose stdout is a file; returns that file's lines and what the child printed on stderr. */
function child(body: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'ae-log-')), 'stdout.log');
  const script = `
    const { statSync } = require('node:fs');
    const size = () => statSync(${JSON.stringify(out)}).size;
    const logger = require(${JSON.stringify(LOGGER)}).createLogger('info');
    ${body}`;
  const r = spawnSync(process.execPath, ['-e', script], {
    stdio: ['ignore', openSync(out, 'w'), 'pipe'],
    env: { ...process.env, AE_LOG_FORMAT: 'json' },
    timeout: 20_000,
  });
  const lines = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { status: r.status, stderr: r.stderr.toString(), lines };
}

it('holds info lines back, writes a warning at once, and everything on exit', () => {
  const { status, stderr, lines } = child(`
    for (let i = 0; i < 10; i++) logger.info({ i }, 'graphql request');
    process.stderr.write('after info: ' + size() + '\\n');
    logger.warn('pool exhausted');
    process.stderr.write('after warn: ' + size() + '\\n');
    logger.info({ i: 10 }, 'graphql request');`);
  expect(status).toBe(0);
  expect(stderr).toMatch(/^after info: 0\n/);
  expect(Number(/after warn: (\d+)/.exec(stderr)?.[1])).toBeGreaterThan(0);
  expect(lines.map((l) => l.msg)).toEqual([...Array(10).fill('graphql request'), 'pool exhausted', 'graphql request']);
  expect(lines.filter((l) => l.msg === 'graphql request').map((l) => l.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

it('writes pending lines within the flush interval while the process runs on', () => {
  const { status, stderr, lines } = child(`
    logger.info('ready');
    setTimeout(() => { process.stderr.write('after 1 s: ' + size() + '\\n'); process.exit(0); }, 1000);`);
  expect(status).toBe(0);
  expect(Number(/after 1 s: (\d+)/.exec(stderr)?.[1])).toBeGreaterThan(0);
  expect(lines.map((l) => l.msg)).toEqual(['ready']);
});
