/** Command-line options of the bench scripts: `--name value` pairs and bare flags; anything unknown is refused. */
export function readOptions(argv: string[], known: { values: string[]; flags?: string[] }) {
  const flags = known.flags ?? [];
  for (const a of argv) {
    if (a.startsWith('--') && !known.values.includes(a) && !flags.includes(a)) {
      throw new Error(`Unknown option ${a} (known: ${[...known.values, ...flags].join(', ')})`);
    }
  }
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    value,
    flag: (name: string) => argv.includes(name),
    /** A whole number from 1 to `max`, `fallback` when absent. */
    int(name: string, fallback: number, max: number): number {
      const v = value(name);
      const n = v === undefined ? fallback : Number(v);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}, got "${v}"`);
      return n;
    },
    /** `--size`: one of the sample dataset sizes the scripts seed. */
    size(fallback: 'small' | 'medium'): 'small' | 'medium' {
      const size = value('--size') ?? fallback;
      if (size !== 'small' && size !== 'medium') throw new Error(`--size must be small or medium, got "${size}"`);
      return size;
    },
  };
}
