/**
 * The real server (`dist/src/server.js`, logs and all) as a child process on 127.0.0.1, for
 * the scripts that measure it whole (soak, export), and reading a process's memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/config';
import { freePort } from '../../src/db/embedded';

/** VmRSS (resident now) or VmHWM (peak since start or the last reset) of `pid`, in MB. */
export function procStatusMb(pid: number, key: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) `pid` has used so far, in ms; undefined where /proc does not tell. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks; the command name (field 2) may hold
    // spaces, so count from its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Starts a new peak (VmHWM) window at the current resident size; false where Linux does not allow it. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the server on `databaseUrl`, its stdout and stderr going to `logFile`; resolves once it is ready. */
export async function startServerProcess(
  databaseUrl: string,
  logFile: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'server.js')], {
    env: {
      ...process.env,
      AE_DATABASE_URL: databaseUrl,
      PORT: String(port),
      AE_HOST: '127.0.0.1',
      AE_LOG_FORMAT: 'json',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sink = createWriteStream(logFile);
  child.stdout!.pipe(sink);
  child.stderr!.pipe(sink);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 60 s')), 60_000);
    const onData = (chunk: Buffer) => {
      if (/ready in/.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the server exited with code ${code} before it was ready; see ${logFile}`)),
    );
  });
  return {
    child,
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
