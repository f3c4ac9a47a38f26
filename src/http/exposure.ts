/**
 * Who can reach the server. It listens on loopback unless told otherwise, and refuses to
 * listen beyond it with open reads unless that is asked for by name (AE_ALLOW_OPEN_READS=1).
 * Every request must name, in its Host header, an address the server really is: a web page
 * on another site that re-points its own name at this machine (DNS rebinding) sends its name,
 * and is refused before anything runs.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config';

type Exposure = Pick<AppConfig, 'host' | 'tokens' | 'allowOpenReads'>;

/** A host name or address as compared: lower case, no brackets, no trailing dot. */
export function hostKey(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

const isWildcard = (host: string) => ['', '0.0.0.0', '::', '::0'].includes(hostKey(host));

/** Whether listening on `host` (AE_HOST) serves this machine only. */
export function isLoopback(host: string): boolean {
  const h = hostKey(host);
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Why the server must not listen on `host` with these settings; undefined when it may. */
export function exposureRefusal(c: Exposure): string | undefined {
  if (isLoopback(c.host) || c.tokens.read || c.allowOpenReads) return undefined;
  return (
    `Refusing to listen on ${c.host} (AE_HOST): that is reachable from other machines, and without AE_READ_TOKEN ` +
    "anyone there could read every participant's data. Set AE_READ_TOKEN (clients send it as Authorization: Bearer <token>), " +
    'or AE_ALLOW_OPEN_READS=1 to serve open reads to the network on purpose, or unset AE_HOST to serve this machine only (127.0.0.1).'
  );
}

/** The start-up banner's line saying who can read. */
export function exposureBanner(c: Exposure, port: number): string {
  const where = `listening on ${c.host}:${port}`;
  if (isLoopback(c.host)) return `${where}: this machine only${c.tokens.read ? '; reads need AE_READ_TOKEN' : ''}`;
  if (c.tokens.read) return `${where}: reachable from the network; reads need AE_READ_TOKEN`;
  return `WARNING: ${where} with OPEN READS (AE_ALLOW_OPEN_READS=1): anyone who can reach this port can read every participant's data`;
}

/** The names a request's Host header may carry: the bind address, localhost, AE_ALLOWED_HOSTS. */
export function allowedHosts(bindHost: string, extra: readonly string[]): Set<string> {
  const names = new Set([hostKey(bindHost), 'localhost', ...extra.map(hostKey)]);
  if (isLoopback(bindHost) || isWildcard(bindHost)) names.add('127.0.0.1').add('::1');
  // Listening on every interface: each address of this machine is a bind address.
  if (isWildcard(bindHost))
    for (const a of Object.values(networkInterfaces()).flat()) if (a) names.add(hostKey(a.address));
  return names;
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
function hostOfHeader(header: string): string {
  const h = header.trim();
  if (h.startsWith('[')) return hostKey(h.slice(0, h.indexOf(']') + 1));
  return hostKey(h.replace(/:\d*$/, ''));
}

/** Express middleware answering 421 to a request whose Host header is not one of `allowed`. */
export function hostCheck(allowed: Set<string>) {
  const listed = [...allowed].join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.host ?? '';
    if (allowed.has(hostOfHeader(header))) return next();
    res.status(421).json({
      errors: [
        {
          message:
            `This server does not answer to the host "${header}" (it answers to ${listed}). ` +
            'If that is a name of this server, add it to AE_ALLOWED_HOSTS (a comma-separated list).',
          extensions: { code: 'HOST_NOT_ALLOWED' },
        },
      ],
    });
  };
}
