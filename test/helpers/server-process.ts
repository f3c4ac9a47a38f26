/**
 * The compiled server (`npm start`'s second step) as a real child process, with what it
 * printed on each stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const SERVER = join(__dirname, '..', '..', 'dist', 'src', 'server.js');

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** What went to stdout alone: the log stream. */
  stdout: () => string;
}

/**
 * Starts the server and resolves once it prints its address; the child is killed in `stop`.
 * With `terminal`, its stdout and stderr are a pseudo-terminal (util-linux `script`), as in a shell.
 */
export function startServer(env: Record<string, string>, o: { terminal?: boolean } = {}): Promise<Started> {
  const clean = { ...process.env };
  for (const k of ['AE_ADMIN_TOKEN', 'AE_WRITE_TOKEN', 'AE_READ_TOKEN', 'AE_TEST_DATABASE_URL']) delete clean[k];
  const options = { env: { ...clean, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
  const child = o.terminal
    ? spawn('script', ['-qfec', `exec '${process.execPath}' '${SERVER}'`, '/dev/null'], options)
    : spawn(process.execPath, [SERVER], options);
  let out = '';
  let stdout = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready in .*?(http:\/\/\S+\/graphql)/.exec(out);
      if (ready) resolve({ child, url: ready[1], output: () => out, stdout: () => stdout });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onData(chunk);
    });
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${out}`)));
  });
}

export async function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}
