import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

/** Start a child and resolve with the first stdout line matching `ready` (parsed by `parse`). */
export function spawnUntil<T>(
  args: string[],
  ready: RegExp,
  parse: (line: string) => T,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; value: T; output: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    child.stderr!.on('data', (d) => output.push(String(d)));
    lines.on('line', (line) => {
      output.push(line);
      if (ready.test(line)) resolve({ child, value: parse(line), output });
    });
    child.once('exit', (code) =>
      reject(new Error(`process exited (${code}) before it was ready:\n${output.join('\n')}`)),
    );
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A PostgreSQL server in its own process, stoppable and restartable on the same data and port. */
export async function startPgProcess(dataDir: string, port: number) {
  const { child, value } = await spawnUntil(
    [join(__dirname, 'pg-process.mjs'), dataDir, String(port)],
    /^\{"url"/,
    (l) => JSON.parse(l) as { url: string },
  );
  return {
    url: value.url,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
