/**
 * The bench scripts' command lines, the one place they are parsed: each script declares its
 * options once (kind, default, bounds, help line), node:util's parseArgs reads them, values are
 * checked here, `--help` prints the usage made from the same declarations, and anything
 * unknown is refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../src/config';

/** A command line the script cannot run with: runMain prints the message alone and exits 2. */
export class UsageError extends Error {}

export type OptionDeclaration =
  /** A whole number from `min` (1 unless given) to `max`. */
  | { kind: 'int'; default?: number; min?: number; max: number; help: string }
  | { kind: 'choice'; choices: readonly string[]; default: string; help: string }
  /** `value` names the value in --help: DIR, PATH, URL. */
  | { kind: 'string'; value: string; default?: string; help: string; check?: (value: string) => void }
  | { kind: 'flag'; help: string };

type ValueOf<D extends OptionDeclaration> = D extends { kind: 'int' }
  ? D extends { default: number }
    ? number
    : number | undefined
  : D extends { kind: 'choice'; choices: readonly (infer C)[] }
    ? C
    : D extends { kind: 'flag' }
      ? boolean
      : D extends { default: string }
        ? string
        : string | undefined;

export type OptionValues<S extends Record<string, OptionDeclaration>> = { [K in keyof S]: ValueOf<S[K]> };

/** `--out DIR`: where a script writes its results. */
export const OUT_DIR = {
  kind: 'string',
  value: 'DIR',
  default: join(projectRoot(), 'bench', 'results'),
  help: 'folder for the results',
} as const satisfies OptionDeclaration;

/** `--psql PATH`: the psql the floor runs, which must exist. */
export const PSQL = {
  kind: 'string',
  value: 'PATH',
  default: '/usr/bin/psql',
  help: 'the psql client to compare with',
  check: (path: string) => {
    if (!existsSync(path)) throw new UsageError(`psql not found at ${path} (pass --psql PATH)`);
  },
} as const satisfies OptionDeclaration;

/** `maxRequests` → `--max-requests`. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--runs N`, `--size small|medium`, `--out DIR`, `--quick`. */
function synopsis(key: string, d: OptionDeclaration): string {
  switch (d.kind) {
    case 'flag':
      return flagName(key);
    case 'int':
      return `${flagName(key)} N`;
    case 'choice':
      return `${flagName(key)} ${d.choices.join('|')}`;
    case 'string':
      return `${flagName(key)} ${d.value}`;
  }
}

function usageOf(command: string, spec: Record<string, OptionDeclaration>): string {
  const rows = Object.entries(spec).map(([key, d]) => {
    const notes = [
      ...(d.kind === 'int' ? [`${d.min ?? 1} to ${d.max}`] : []),
      ...('default' in d && d.default !== undefined ? [`default ${d.default}`] : []),
    ];
    return [synopsis(key, d), `${d.help}${notes.length ? ` (${notes.join(', ')})` : ''}`];
  });
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, help]) => `  ${name.padEnd(width)}  ${help}`);
  return `Usage: ${command} [options]\n\n${lines.join('\n')}\n`;
}

/**
 * The options `spec` declares, read from `argv` (`process.argv.slice(2)`) and checked; `--help`
 * prints the usage of `command` and ends the process.
 */
export function readOptions<const S extends Record<string, OptionDeclaration>>(
  command: string,
  argv: string[],
  spec: S,
): OptionValues<S> {
  const options = Object.fromEntries([
    ...Object.entries(spec).map(([key, d]) => [
      flagName(key).slice(2),
      { type: d.kind === 'flag' ? 'boolean' : 'string' },
    ]),
    ['help', { type: 'boolean' }],
  ] as [string, { type: 'boolean' | 'string' }][]);
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (${command} --help lists the options)`);
  }
  if (parsed.help) {
    process.stdout.write(usageOf(command, spec));
    process.exit(0);
  }
  const values: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(spec)) {
    const name = flagName(key);
    const given = parsed[name.slice(2)];
    if (d.kind === 'flag') {
      values[key] = given === true;
    } else if (d.kind === 'int') {
      const n = given === undefined ? d.default : Number(given);
      const min = d.min ?? 1;
      if (n !== undefined && (!Number.isInteger(n) || n < min || n > d.max)) {
        throw new UsageError(`${name} must be an integer from ${min} to ${d.max}, got "${given}"`);
      }
      values[key] = n;
    } else if (d.kind === 'choice') {
      const v = (given as string | undefined) ?? d.default;
      if (!d.choices.includes(v)) throw new UsageError(`${name} must be one of ${d.choices.join(', ')}, got "${v}"`);
      values[key] = v;
    } else {
      const v = (given as string | undefined) ?? d.default;
      if (v !== undefined) d.check?.(v);
      values[key] = v;
    }
  }
  return values as OptionValues<S>;
}
