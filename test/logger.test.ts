import { Writable } from 'node:stream';
import { createLogger, maskSecrets } from '../src/logger';

function capture() {
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _e, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

it('masks database passwords inside any text', () => {
  expect(maskSecrets('connect postgresql+psycopg://ae:hunter2@db:5432/x failed')).toBe(
    'connect postgresql+psycopg://ae:****@db:5432/x failed',
  );
  expect(maskSecrets('no url here')).toBe('no url here');
});

it('never writes tokens, passwords or full database URLs', () => {
  const { lines, logger } = capture();
  logger.info({ req: { headers: { authorization: 'Bearer abc.def' } }, password: 'pw1', token: 'tok1' }, 'request');
  logger.warn('retrying postgresql://ae:hunter2@db:5432/acoustic_emissions');
  logger.error({ err: new Error('could not reach postgres://ae:hunter2@db/x') }, 'failed');
  const text = JSON.stringify(lines);
  for (const secret of ['abc.def', 'pw1', 'tok1', 'hunter2']) expect(text).not.toContain(secret);
  expect(lines[1].msg).toBe('retrying postgresql://ae:****@db:5432/acoustic_emissions');
  expect(lines[2].err.message).toBe('could not reach postgres://ae:****@db/x');
  expect(lines[0].level).toBe('info');
});
