/**
 * What every benchmark server process shares: read its database URL, listen on an
 * ephemeral loopback port, tell the harness the port over IPC, stop cleanly on SIGTERM
 * or when the harness goes away.
 */
import type { Server } from 'node:http';

export function databaseUrl(): string {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set (the harness starts this process).');
  return url;
}

export async function announce(server: Server, stop: () => Promise<void>): Promise<void> {
  const { port } = server.address() as { port: number };
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5_000);
    force.unref();
    try {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('disconnect', () => void shutdown());
  process.send?.({ type: 'ready', port });
}

export function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

export function fail(e: unknown): never {
  console.error(e);
  process.exit(1);
}
