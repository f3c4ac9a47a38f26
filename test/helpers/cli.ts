import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = join(__dirname, '..', '..', 'bin', 'ae-db.js');

/** Runs `ae-db` as a real subprocess (stdin not a terminal), with no database configured in its environment. */
export function aeDb(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const clean = { ...process.env };
  delete clean.AE_DATABASE_URL;
  delete clean.AE_TEST_DATABASE_URL;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}
