import { UserError } from '../services/errors';

/** commander's parser for a count option: a non-negative integer, else an error naming the option. */
export function nonNegativeInt(name: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a non-negative integer, got "${v}".`);
    return n;
  };
}
