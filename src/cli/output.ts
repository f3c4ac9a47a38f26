/** What every ae-db command prints with: lines on stdout, aligned tables, sizes and durations, exit codes. */

/** ae-db's exit codes, which scripts (CI, cron) tell apart. */
export const EXIT = {
  ok: 0,
  /** The command failed, or ran to its end and found a problem (a failed check). */
  failed: 1,
  /** The command line itself was wrong; commander has printed the usage. */
  usage: 2,
} as const;

/** A check ran to its end and found a problem: exit 1, after the whole report is printed. */
export function markFailed(): void {
  process.exitCode = EXIT.failed;
}

export const out = (line = '') => process.stdout.write(line + '\n');

/** A line on stderr that does not fail the command: it says what the user should do differently. */
export const warn = (line: string) => process.stderr.write(`warning: ${line}\n`);

/** 1536 → "1.5 kB", as pg_size_pretty would roughly say it. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "Applied 2 migration(s): a, b", or `none` when `names` is empty. */
export const listed = (verb: string, names: string[], none: string, noun = '') =>
  names.length ? `${verb} ${names.length}${noun}: ${names.join(', ')}` : none;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Columns padded to their widest cell, numbers right-aligned; a header gets a line of dashes under it. */
export function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0]?.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length))) ?? [];
  const fmt = (r: (string | number)[]) =>
    r
      .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = all.map(fmt);
  if (header) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}
