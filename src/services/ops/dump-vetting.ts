/**
 * What `ae-db restore` lets psql run: only what pg_dump writes. psql executes a backslash
 * command anywhere outside quotes (`\! rm …` runs a shell command as the operator), and a
 * stray COMMIT would end the restore's one transaction, so every line of a dump is read
 * here, with psql's own quoting rules, before anything runs. Refusals name the line.
 */
import { UserError } from '../errors';

/** A dump that holds something pg_dump does not write; nothing was run. */
export class DumpRefusedError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file} line ${line}: ${reason}; nothing was restored (restore takes only what pg_dump writes).`);
  }
}

/** pg_dump 15.14+/16.10+/17.6+ brackets its output in these; psql then refuses other backslash commands. */
const RESTRICT = /^\\(?:un)?restrict [A-Za-z0-9]+$/;
/** The only COPY pg_dump writes: rows from the script itself. */
const COPY_FROM_STDIN =
  /^COPY (?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")\.(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+") (?:\([^;]*\) )?FROM stdin;$/;
const TRANSACTION_CONTROL =
  /^(BEGIN|COMMIT|ROLLBACK|END|ABORT|START\s+TRANSACTION|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b/i;
/** Statement beginnings pg_dump writes for one database (pg_dumpall's roles and databases are not among them). */
const ALLOWED: RegExp[] = [
  /^SET\s+(?!(?:SESSION\s+CHARACTERISTICS|TRANSACTION|LOCAL\s+TRANSACTION)\b)/i,
  /^SELECT\s+pg_catalog\.(?:set_config|setval|lo_create|lo_open|lowrite|lo_close)\s*\(/i,
  /^(?:CREATE|ALTER|DROP)\s+(?!(?:DATABASE|ROLE|USER|GROUP|TABLESPACE|SYSTEM|SUBSCRIPTION)\b)/i,
  /^COMMENT\s+ON\s/i,
  /^SECURITY\s+LABEL\s/i,
  /^REFRESH\s+MATERIALIZED\s+VIEW\s/i,
  /^INSERT\s+INTO\s/i,
  /^(?:GRANT|REVOKE)\s[\s\S]*\sON\s/i,
];
/** With it off, psql would read backslashes inside '…' as escapes, and the quoting rules below as well. */
const NONSTANDARD_STRINGS = /^SET\s+standard_conforming_strings\s*(?:=|TO)\s*'?off/i;

/** How much of a statement's text is kept to judge it (its beginning is what matters). */
const HEAD_CHARS = 400;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

type Quote =
  | { kind: 'none' }
  | { kind: 'single'; escapes: boolean }
  | { kind: 'double' }
  | { kind: 'dollar'; tag: string }
  | { kind: 'block'; depth: number };

/**
 * Feed it every line of a dump, in order (without the line break), then `end()`. It throws
 * DumpRefusedError at the first line psql would run that pg_dump does not write.
 */
export class DumpVetter {
  private quote: Quote = { kind: 'none' };
  /** The statement being read (its first HEAD_CHARS characters), and the line it began on. */
  private statement = '';
  private statementLine = 0;
  private copying = false;
  /** The two characters before the current one outside quotes (the statement text is cut). */
  private prev = ' ';
  private prev2 = ' ';

  constructor(private readonly file: string) {}

  /** True while the lines are COPY rows (data, not SQL). */
  get inCopy(): boolean {
    return this.copying;
  }

  line(text: string, n: number): void {
    if (this.copying) {
      if (text === '\\.') this.copying = false;
      return;
    }
    const atBoundary = this.quote.kind === 'none' && this.statement.trim() === '';
    if (atBoundary && RESTRICT.test(text)) return;
    if (atBoundary && text.startsWith('COPY ')) {
      if (!COPY_FROM_STDIN.test(text)) this.refuse(n, `"${cut(text)}" is not pg_dump's COPY … FROM stdin`);
      this.copying = true;
      return;
    }
    this.lex(text, n);
    if (this.quote.kind === 'none' && this.statement.trim()) this.keep('\n');
    this.prev2 = this.prev;
    this.prev = ' ';
  }

  end(lastLine: number): void {
    if (this.copying) this.refuse(lastLine, 'the file ends inside COPY rows (no \\. line)');
    if (this.quote.kind !== 'none' || this.statement.trim())
      this.refuse(this.statementLine || lastLine, 'the last statement is never finished');
  }

  private lex(text: string, n: number): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      const q = this.quote;
      if (q.kind === 'single') {
        if (q.escapes && ch === '\\') i++;
        else if (ch === "'" && text[i + 1] === "'") i++;
        else if (ch === "'") this.quote = { kind: 'none' };
        this.keep(ch);
      } else if (q.kind === 'double') {
        if (ch === '"') this.quote = { kind: 'none' };
        this.keep(ch);
      } else if (q.kind === 'dollar') {
        if (ch === '$' && text.startsWith(q.tag, i)) {
          i += q.tag.length - 1;
          this.quote = { kind: 'none' };
        }
      } else if (q.kind === 'block') {
        if (ch === '*' && text[i + 1] === '/') {
          i++;
          this.quote = q.depth > 1 ? { kind: 'block', depth: q.depth - 1 } : { kind: 'none' };
        } else if (ch === '/' && text[i + 1] === '*') {
          i++;
          this.quote = { kind: 'block', depth: q.depth + 1 };
        }
      } else {
        // Outside any quote: what psql itself acts on.
        if (ch === '-' && text[i + 1] === '-') break; // a comment to the end of the line
        if (ch === '/' && text[i + 1] === '*') {
          i++;
          this.quote = { kind: 'block', depth: 1 };
          continue;
        }
        if (ch === '\\') this.refuse(n, `the psql command "${cut(text.slice(i))}" is not something pg_dump writes`);
        if (ch === ';') {
          this.finishStatement(n);
          this.prev = ';';
          continue;
        }
        if (!this.statement.trim() && ch.trim()) this.statementLine = n;
        if (ch === "'") {
          // E'…' (not someE'…'): backslash escapes inside.
          this.quote = { kind: 'single', escapes: /[Ee]/.test(this.prev) && !IDENT_CHAR.test(this.prev2) };
        } else if (ch === '"') this.quote = { kind: 'double' };
        else if (ch === '$' && !IDENT_CHAR.test(this.prev)) {
          // `$1` or `a$b` is no dollar quote: a tag starts where an identifier cannot continue.
          const tag = DOLLAR_TAG.exec(text.slice(i))?.[0];
          if (tag) {
            this.keep(tag);
            i += tag.length - 1;
            this.quote = { kind: 'dollar', tag };
            this.prev2 = this.prev = '$';
            continue;
          }
        }
        this.keep(ch);
        this.prev2 = this.prev;
        this.prev = ch;
      }
    }
  }

  private keep(s: string): void {
    if (this.statement.length < HEAD_CHARS) this.statement += s;
  }

  private finishStatement(n: number): void {
    const sql = this.statement.trim();
    this.statement = '';
    const line = this.statementLine || n;
    this.statementLine = 0;
    if (!sql) return;
    const control = TRANSACTION_CONTROL.exec(sql);
    if (control) this.refuse(line, `${control[1].toUpperCase()} would end the one transaction the restore runs in`);
    if (NONSTANDARD_STRINGS.test(sql))
      this.refuse(line, 'standard_conforming_strings = off changes how psql reads quotes');
    if (!ALLOWED.some((re) => re.test(sql))) this.refuse(line, `"${cut(sql)}" is not a statement pg_dump writes`);
  }

  private refuse(line: number, reason: string): never {
    throw new DumpRefusedError(this.file, line, reason);
  }
}

const cut = (s: string) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
};
