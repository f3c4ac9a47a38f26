/**
 * Request bodies are parsed only up to what the caller may send: a write or admin token,
 * seen in the Authorization header before a byte of the body is read, allows the large
 * limit that batch writes need; everyone else (anonymous, read token, an invalid token) gets
 * the small one, which any query fits in. A body over the limit is refused from its
 * Content-Length alone, or as soon as that many bytes have arrived.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { RequestLimits } from '../config';
import { callerOf } from './caller';

export type BodyAllowance = 'read' | 'write';

/** Where the applied allowance is kept for the 413 message (`res.locals`). */
const ALLOWANCE = 'bodyAllowance';

/** Runs after callerIdentification (caller.ts), whose caller it reads. */
export function bodyParser(limits: RequestLimits) {
  const bytes: Record<BodyAllowance, number> = {
    read: limits.maxReadBodyBytes,
    write: Math.max(limits.maxBodyBytes, limits.maxReadBodyBytes),
  };
  const parsers: Record<BodyAllowance, ReturnType<typeof express.json>> = {
    read: express.json({ limit: bytes.read }),
    write: express.json({ limit: bytes.write }),
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const { level } = callerOf(res);
    const allowance: BodyAllowance = level === 'write' || level === 'admin' ? 'write' : 'read';
    res.locals[ALLOWANCE] = allowance;
    // The parser would read the whole announced body off the socket (discarding it) before
    // answering; answer now instead, and close the connection rather than receive the rest.
    if (Number(req.headers['content-length']) > bytes[allowance]) {
      res.setHeader('connection', 'close');
      next(Object.assign(new Error('request entity too large'), { status: 413 }));
      return;
    }
    parsers[allowance](req, res, next);
  };
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`;

/** The message of a 413: the limit that applied, its setting, and what to do. */
export function bodyTooLargeMessage(res: Response, limits: RequestLimits): string {
  if (res.locals[ALLOWANCE] === 'write') {
    return `Request body is larger than ${size(limits.maxBodyBytes)} (AE_MAX_BODY_MB); send fewer rows per request.`;
  }
  return (
    `Request body is larger than ${size(limits.maxReadBodyBytes)}, the limit without a write or admin token (AE_MAX_READ_BODY_KB). ` +
    'Writes send  Authorization: Bearer <write or admin token>  to get the larger limit.'
  );
}
