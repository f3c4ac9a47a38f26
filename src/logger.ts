/**
 * Structured JSON logs (pino), one object per line. Secrets never reach them: the
 * Authorization header and anything that looks like a password or database URL is
 * redacted or masked before it is written.
 */
import pino, { type Logger } from 'pino';
import { maskUrl } from './config';

export type { Logger };

/**
 * JSON lines by default (for log collectors); on a terminal, or with AE_LOG_FORMAT=pretty,
 * the same records as short readable lines.
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const pretty =
    !destination &&
    (process.env.AE_LOG_FORMAT === 'pretty' || (process.env.AE_LOG_FORMAT !== 'json' && process.stdout.isTTY));
  destination ??= pretty ? prettyDestination() : bufferedStdout();
  return pino(
    {
      level,
      base: { service: 'ae-graphql' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.password', 'password', '*.token', 'token'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        // Database URLs can appear inside error messages: mask their passwords everywhere.
        logMethod(args, method, level) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>,
          );
          // Warnings and errors are written at once, not after the buffer's next flush.
          if (level >= WARN_LEVEL && destination === stdoutBuffer) stdoutBuffer.flush();
        },
      },
      serializers: {
        err: (e: Error) => ({
          type: e?.name,
          message: maskSecrets(String(e?.message)),
          stack: maskSecrets(String(e?.stack ?? '')),
        }),
      },
    },
    destination,
  );
}

const WARN_LEVEL = 40;

/**
 * The JSON log on stdout, written in blocks of up to LOG_BUFFER_BYTES (about 25 request
 * lines) instead of one write per line: a write system call per request line cost about 5 %
 * of a small read's CPU (the W3 profile). Whatever is pending is written within
 * LOG_FLUSH_MS, at once for a warning or an error, and on exit. One per process.
 */
const LOG_BUFFER_BYTES = 8192;
const LOG_FLUSH_MS = 200;
let stdoutBuffer: (pino.DestinationStream & { flush(): void; flushSync(): void }) | undefined;

function bufferedStdout() {
  if (!stdoutBuffer) {
    const dest = pino.destination({ dest: 1, minLength: LOG_BUFFER_BYTES, sync: true });
    setInterval(() => dest.flush(), LOG_FLUSH_MS).unref();
    process.once('exit', () => dest.flushSync());
    stdoutBuffer = dest;
  }
  return stdoutBuffer;
}

/** Writes what the log holds now (before the process is stopped from outside, say). */
export function flushLog(): void {
  stdoutBuffer?.flushSync();
}

/** Replace the password part of any postgres URL inside free text. */
export function maskSecrets(text: string): string {
  return text.replace(/postgres(?:ql)?(?:\+\w+)?:\/\/[^\s'"]+/gi, (url) => maskUrl(url));
}

/** `12:00:01 info  ready in 1.1 s … requestId=… durationMs=3` — one line per record, no extra dependency. */
function prettyDestination(): pino.DestinationStream {
  return {
    write(line: string) {
      try {
        const { time, level, msg, service: _s, err, ...rest } = JSON.parse(line);
        const extras = Object.entries(rest)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
          .join(' ');
        const clock = typeof time === 'string' ? time.slice(11, 19) : '';
        process.stdout.write(
          `${clock} ${String(level).padEnd(5)} ${msg ?? ''}${extras ? `  ${extras}` : ''}${err ? `\n  ${err.stack || err.message}` : ''}\n`,
        );
      } catch {
        process.stdout.write(line);
      }
    },
  };
}
