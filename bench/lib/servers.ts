/**
 * Starts each benchmarked server in its own child process, so its memory can be read on
 * its own: peak resident set (VmHWM from /proc), reset between workloads by writing 5 to
 * /proc/PID/clear_refs (Linux; the harness owns these processes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/config';
import { procStatusMb, processCpuMs, resetPeak } from './server-process';

export type ServerId = 'thisApi' | 'postgraphile' | 'floor';
export const SERVER_LABEL: Record<ServerId, string> = {
  thisApi: 'this API',
  postgraphile: 'PostGraphile 5',
  floor: 'floor (SQL)',
};

export interface RunningServer {
  id: ServerId;
  pid: number;
  baseUrl: string;
  /** Start a new peak-RSS window at the current resident size. */
  resetPeak(): boolean;
  /** Peak resident memory since the last reset (or start), in MB. */
  peakRssMb(): number | undefined;
  /** CPU time the process has used so far (user + system), in ms. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

const SCRIPTS: Record<ServerId, string> = {
  thisApi: 'this-api.js',
  postgraphile: 'postgraphile.js',
  floor: 'floor.js',
};
const live = new Set<ChildProcess>();

/** Kill what is still running if the harness dies (a child never outlives it). */
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startServer(
  id: ServerId,
  databaseUrl: string,
  o: { startTimeoutMs?: number } = {},
): Promise<RunningServer> {
  const root = projectRoot();
  const execArgv = id === 'postgraphile' ? ['-r', join(root, 'bench', 'polyfill.js')] : [];
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of this API's process, written when it stops.
  if (id === 'thisApi' && process.env.BENCH_CPU_PROF)
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  // W1 large returns about 800,000 rows, over the default AE_MAX_ROWS (250,000) a lab server refuses.
  const limits = id === 'thisApi' ? { AE_MAX_ROWS: process.env.AE_MAX_ROWS ?? '2000000' } : {};
  const child = fork(join(root, 'dist', 'bench', 'servers', SCRIPTS[id]), [], {
    env: { ...process.env, ...limits, BENCH_DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${SERVER_LABEL[id]} did not start within ${(o.startTimeoutMs ?? 60_000) / 1000} s`)),
      o.startTimeoutMs ?? 60_000,
    );
    child.once('message', (m: any) => {
      clearTimeout(timer);
      if (m?.type === 'ready') resolve(m.port);
      else reject(new Error(`${SERVER_LABEL[id]}: unexpected message ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${SERVER_LABEL[id]} exited with code ${code} before it was ready`));
    });
  });
  const pid = child.pid!;
  return {
    id,
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    resetPeak: () => resetPeak(pid),
    peakRssMb: () => procStatusMb(pid, 'VmHWM'),
    cpuMs: () => processCpuMs(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
