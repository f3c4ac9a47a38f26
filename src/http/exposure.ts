/**
 * Who can reach the server. It listens on loopback unless told otherwise, and refuses to
 * listen beyond it with open reads unless that is asked for by name (AE_ALLOW_OPEN_READS=1).
 * Every request must name, in its Host header, an address the server really is: a web page
 * on another site that re-points its own name at this machine (DNS rebinding) sends its name,
 * and is refused before anything runs.
 */
import { isIP } from 'node:net';
import type { AppConfig } from '../config';

type Exposure = Pick<AppConfig, 'host' | 'tokens' | 'allowOpenReads'>;

/** A host name or address as compared: lower case, no brackets, no trailing dot. */
export function hostKey(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

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
