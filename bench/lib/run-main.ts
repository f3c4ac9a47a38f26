import { UsageError } from './options';

/**
 * A bench script run as a process: what main() returns is the exit code (0 when it returns
 * nothing); a failure prints its stack and exits 1, after main()'s own clean-up has run; a
 * wrong command line prints what is wrong with it and exits 2.
 */
export function runMain(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`${name}: ${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${name} failed: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
