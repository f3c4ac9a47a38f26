/**
 * The seed progress display: figures from a SeedProgress, a redrawn block on a terminal,
 * throttled plain lines elsewhere. A fake clock drives it; nothing here depends on speed.
 */
import { progressFigures, seedProgressReporter } from '../src/services/seed/seed-progress';
import type { SeedProgress } from '../src/services/seed/seed';
import { StudyName } from '../src/entities';

const at = (study: StudyName, studiesDone: number, participantsDone: number, cycles: number): SeedProgress => ({
  study,
  participantsDone,
  participantsTotal: 100,
  studiesDone,
  studiesTotal: 3,
  rows: {
    study: studiesDone + 1,
    participant: studiesDone * 100 + participantsDone,
    audio_processing: 0,
    biomechanics_import: 0,
    synchronization: 0,
    movement_cycles: cycles,
  },
});

it('computes fraction, rate and ETA from participants written and time elapsed', () => {
  const f = progressFigures(at(StudyName.preOA, 1, 50, 30_000), 3_000);
  expect(f.fraction).toBeCloseTo(0.5);
  expect(f.rows).toBe(2 + 150 + 30_000);
  expect(f.rowsPerSecond).toBeCloseTo(30_152 / 3);
  expect(f.etaSeconds).toBeCloseTo(3);
  expect(progressFigures(at(StudyName.AOA, 0, 0, 0), 0).etaSeconds).toBeUndefined();
});

it('writes plain lines off a terminal: every finished study, otherwise at most one per interval', () => {
  let clock = 0;
  const written: string[] = [];
  const r = seedProgressReporter(
    { isTTY: false, write: (t) => written.push(t) },
    { now: () => clock, plainEveryMs: 5_000 },
  );
  clock = 1_000;
  r.onProgress(at(StudyName.AOA, 0, 30, 6_000));
  clock = 2_000;
  r.onProgress(at(StudyName.AOA, 0, 60, 12_000)); // within the interval: skipped
  clock = 2_500;
  r.onProgress(at(StudyName.AOA, 0, 100, 20_000)); // study finished: always shown
  clock = 8_000;
  r.onProgress(at(StudyName.preOA, 1, 30, 26_000));
  expect(written).toHaveLength(3);
  expect(written.every((l) => l.endsWith('\n') && !l.includes('\x1b'))).toBe(true);
  expect(written[1]).toMatch(
    /^seed +33% +AOA 100\/100 participants \(study 1\/3\) +20,000 cycles, 20,101 rows +8,040 rows\/s +ETA 5\.0 s\n$/,
  );
});

it('redraws one block in place on a terminal, with rows per table', () => {
  let clock = 0;
  const written: string[] = [];
  const r = seedProgressReporter({ isTTY: true, write: (t) => written.push(t) }, { now: () => clock });
  clock = 500;
  r.onProgress(at(StudyName.AOA, 0, 30, 6_000));
  clock = 1_000;
  r.onProgress(at(StudyName.AOA, 0, 60, 12_000));
  expect(written).toHaveLength(2);
  expect(written[0].startsWith('\x1b')).toBe(false);
  const lines = written[0].trimEnd().split('\n');
  expect(lines).toHaveLength(8); // bar, six tables, rate line
  expect(written[1].startsWith(`\x1b[${lines.length}A\x1b[J`)).toBe(true);
  expect(written[1]).toMatch(/movement_cycles +12,000/);
  expect(written[1]).toMatch(/rows\/s, elapsed 1\.0 s, ETA 4\.0 s/);
});
