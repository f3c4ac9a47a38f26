import { createInterface } from 'node:readline/promises';
import { ConfirmationRequiredError } from '../services/errors';
import type { TargetFlags } from './database';

/** Ask "Type YES to confirm" on a terminal; refuse when not on one and --yes was not given. */
export async function confirm(action: string, flags: TargetFlags, target: string): Promise<void> {
  if (flags.yes) return;
  if (!process.stdin.isTTY) {
    throw new ConfirmationRequiredError(
      `Refusing to ${action} on ${target} without confirmation: not on a terminal, pass --yes.`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`This will ${action} on ${target}.\nType YES to confirm: `);
    if (answer.trim() !== 'YES') throw new ConfirmationRequiredError('Not confirmed; nothing was changed.');
  } finally {
    rl.close();
  }
}
