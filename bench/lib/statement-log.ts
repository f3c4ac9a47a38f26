/**
 * Statements counted in PostgreSQL's own log, not by a client-side counter: the bench
 * server logs every line with its application name (log_line_prefix), and for a check one
 * database gets `log_statement = 'all'` (new sessions only, so the server under test is
 * started after it). Parameterised statements appear as `execute <unnamed>: …`, simple
 * ones (COPY) as `statement: …`.
 */

/** Server settings that put the application name in front of every log line. */
export const STATEMENT_LOG_SETTINGS: Record<string, string> = { log_line_prefix: '%a|%p|' };

export class StatementLog {
  private counting?: { application: string; statements: number; sample: string[] };
  /** A line the last chunk of output ended in the middle of. */
  private partial = '';

  /** Fed every chunk of the server's log output (startEmbedded's onServerLog). */
  readonly onMessage = (message: string) => {
    const lines = (this.partial + message).split('\n');
    this.partial = lines.pop() ?? '';
    const c = this.counting;
    if (!c) return;
    for (const line of lines) {
      if (line.startsWith(`${c.application}|`) && /\|LOG: {2}(statement|execute [^:]*):/.test(line)) {
        c.statements++;
        if (c.sample.length < 3) c.sample.push(line.slice(0, 160));
      }
    }
  };

  /** Runs `phase` and returns the statements `application` sent meanwhile, as logged. */
  async count(application: string, phase: () => Promise<void>): Promise<{ statements: number; sample: string[] }> {
    const c = (this.counting = { application, statements: 0, sample: [] as string[] });
    try {
      await phase();
      // The server's output arrives through a pipe: give it a moment to drain.
      await new Promise((r) => setTimeout(r, 500));
      return { statements: c.statements, sample: c.sample };
    } finally {
      this.counting = undefined;
    }
  }
}
