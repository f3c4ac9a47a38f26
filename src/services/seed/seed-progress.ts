/**
 * What `ae-db seed` shows while it writes: rows per table, rate and ETA. On a terminal a
 * block redrawn in place; anywhere else (a pipe, CI, a log file) one plain line per study
 * and at most one every few seconds in between, so logs stay readable.
 */
import { TABLES } from '../../entities';
import type { SeedProgress } from './seed';

export interface ProgressFigures {
  /** 0–1, by participants written (each participant is about the same number of rows). */
  fraction: number;
  rows: number;
  rowsPerSecond: number;
  elapsedSeconds: number;
  /** Undefined until there is something to extrapolate from. */
  etaSeconds?: number;
}

export function progressFigures(p: SeedProgress, elapsedMs: number): ProgressFigures {
  const total = p.studiesTotal * p.participantsTotal;
  const done = p.studiesDone * p.participantsTotal + p.participantsDone;
  const fraction = total ? done / total : 1;
  const rows = TABLES.reduce((n, t) => n + p.rows[t], 0);
  const elapsedSeconds = elapsedMs / 1000;
  return {
    fraction,
    rows,
    rowsPerSecond: elapsedSeconds > 0 ? rows / elapsedSeconds : 0,
    elapsedSeconds,
    etaSeconds: fraction > 0 ? (elapsedSeconds * (1 - fraction)) / fraction : undefined,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (s: number | undefined) =>
  s === undefined ? '?' : s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

/** One self-contained log line. */
export function progressLine(p: SeedProgress, elapsedMs: number): string {
  const f = progressFigures(p, elapsedMs);
  return (
    `seed ${(f.fraction * 100).toFixed(0).padStart(3)}%  ${p.study} ${p.participantsDone}/${p.participantsTotal} participants` +
    ` (study ${p.studiesDone + 1}/${p.studiesTotal})  ${int(p.rows.movement_cycles)} cycles, ${int(f.rows)} rows` +
    `  ${int(f.rowsPerSecond)} rows/s  ETA ${secs(f.etaSeconds)}`
  );
}

/** The multi-line block drawn on a terminal. */
export function progressBlock(p: SeedProgress, elapsedMs: number, width = 30): string[] {
  const f = progressFigures(p, elapsedMs);
  const filled = Math.round(f.fraction * width);
  const lines = [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(f.fraction * 100).toFixed(0).padStart(3)}%  ` +
      `${p.study} ${p.participantsDone}/${p.participantsTotal} (study ${p.studiesDone + 1}/${p.studiesTotal})`,
  ];
  for (const t of TABLES) lines.push(`  ${t.padEnd(20)} ${int(p.rows[t]).padStart(10)}`);
  lines.push(`  ${int(f.rowsPerSecond)} rows/s, elapsed ${secs(f.elapsedSeconds)}, ETA ${secs(f.etaSeconds)}`);
  return lines;
}

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** The `onProgress` callback for SeedService.seed, drawing on `out`. */
export function seedProgressReporter(out: ProgressSink, o: { now?: () => number; plainEveryMs?: number } = {}) {
  const now = o.now ?? Date.now;
  const started = now();
  const plainEvery = o.plainEveryMs ?? 5_000;
  let drawn = 0;
  let lastPlain = -Infinity;
  return {
    onProgress(p: SeedProgress): void {
      const elapsed = now() - started;
      if (out.isTTY) {
        const lines = progressBlock(p, elapsed);
        // Move up over the previous block and clear to the end of the screen, then redraw.
        out.write((drawn ? `\x1b[${drawn}A\x1b[J` : '') + lines.join('\n') + '\n');
        drawn = lines.length;
        return;
      }
      const studyDone = p.participantsDone === p.participantsTotal;
      if (studyDone || elapsed - lastPlain >= plainEvery) {
        out.write(progressLine(p, elapsed) + '\n');
        lastPlain = elapsed;
      }
    },
  };
}
